// Permutation discovery for butterflies: targets that are butterflies only
// after reordering rows and/or columns.
#ifndef LINOP_LEARN_PERMUTATION_H
#define LINOP_LEARN_PERMUTATION_H

#include "learn/Butterfly.h"

namespace linop::learn {

/// The input permutations of Dao et al. 2019: level l (0 <= l < L-1) acts on
/// every contiguous block of n / 2^l entries with three binary choices, bit 0
/// of choices[l]: separate even/odd entries; bit 1: then reverse the first
/// half; bit 2: then reverse the second half. Levels apply in order 0, 1, ...
/// The result p satisfies y[i] = x[p[i]] (as `input_perm`). Every level with
/// the even/odd choice gives the bit reversal.
Perm familyPerm(int64_t n, const std::vector<int> &choices);

/// Greedy search of the family for an increasing butterfly B with T ~ B P.
/// Only the even/odd choices are searched: a reversal inside a block only
/// flips index bits conditioned on higher bits, which the twiddles absorb
/// (docs/learning.md), so it never changes the best error. Level l is decided
/// by the residual of the l-th split of the left-to-right hierarchical
/// factorization, which depends on levels 0..l only; exact targets therefore
/// get an exact answer. Returns P (as input_perm) and the total split
/// residual.
Perm searchFamily(const MatC &T, bool realArithmetic, double &residual);

/// Exact version: depth-first over the even/odd choices, level l decided by
/// whether the splits up to l stay under `threshold` (summed squared
/// residual), with early abort. On success returns the permutation and the
/// butterfly B (T = B P within the threshold).
bool searchFamilyExact(const MatC &T, bool realArithmetic, double threshold,
                       Perm &p, Butterfly &b, HierStats *stats = nullptr);

/// Rank-one block clustering for arbitrary unknown row and column
/// permutations (after Zheng, Puy et al. 2023, exact version): finds rowOf,
/// colOf such that T(rowOf[a], colOf[b]) is an increasing butterfly, to
/// relative tolerance `tol` (sine of the angle between vectors that must be
/// parallel). Level by level it pairs columns whose restrictions are parallel
/// on two halves of every current row group. Returns false (with a reason)
/// when no pairing exists, e.g. for a target that is no butterfly.
bool clusterPermutations(const MatC &T, double tol, Perm &rowOf, Perm &colOf,
                         std::string *why = nullptr);

} // namespace linop::learn

#endif // LINOP_LEARN_PERMUTATION_H
