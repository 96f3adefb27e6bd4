// Closed-form projections onto Monarch and Kronecker-product matrices.
#ifndef LINOP_LEARN_PROJECT_H
#define LINOP_LEARN_PROJECT_H

#include "learn/Model.h"

namespace linop::learn {

/// Monarch block count for N when none is given: the divisor of N nearest
/// to sqrt(N) from below (b = m = sqrt N for square sizes).
int64_t defaultMonarchBlocks(int64_t n);

/// The nearest Monarch matrix (semantics.md, N = b m) in Frobenius norm:
/// M[(i' m + j'), (i m + j)] = L[j'][i', i] R[i][j', j], so every b x m block
/// T[(. m + j'), (i m + .)] is rank one and the projection is one rank-1 SVD
/// per block (Dao et al. 2022). b must divide N.
Model projectMonarch(const MatC &T, int64_t b, bool realArithmetic);

/// Factor sizes for a K-factor Kronecker product of size N: powers of two
/// split as evenly as possible (larger first), otherwise prime factors
/// grouped greedily. Empty when N has fewer than K prime factors.
std::vector<int64_t> kronSizes(int64_t n, int factors);

/// Nearest Kronecker product A_0 (x) ... (x) A_{K-1} with the given square
/// sizes: Van Loan-Pitsianis (rank-1 SVD of the rearranged matrix) for the
/// first factor against the rest, recursively, then alternating
/// least-squares sweeps over the factors (exact products stay exact).
Model projectKron(const MatC &T, const std::vector<int64_t> &sizes,
                  bool realArithmetic, int sweeps = 20);

} // namespace linop::learn

#endif // LINOP_LEARN_PROJECT_H
