// Exact structure search: is T a butterfly up to permutations, or a product
// of two (BPBP)? Each answer is confirmed by evaluating the factorization.
#ifndef LINOP_LEARN_SEARCH_H
#define LINOP_LEARN_SEARCH_H

#include "learn/Model.h"

namespace linop::learn {

/// x <- (B P)^H x: adjoint stages in reverse order, then P^T.
void applyAdjoint(const Butterfly &b, cd *x);

/// T = P_out B P_in with one butterfly B, to relative Frobenius error
/// relTol. Tries, in order: a 2-sparse pairing (single-stage matrices),
/// identity and bit-reversal orders (increasing and decreasing strides),
/// the paper's permutation family on the input (and, through T^T, on the
/// output), and rank-one block clustering of rows and columns. `method` says
/// which one worked. `quick` stops after the 2-sparse pairing and the
/// increasing orders (enough for the factors peeled by findExactButterfly2).
/// `hier` receives the statistics of the hierarchical factorization that
/// produced the answer.
bool findExactButterfly(const MatC &T, bool realArithmetic, double relTol,
                        Model &out, std::string &method, bool quick = false,
                        double *relError = nullptr,
                        HierStats *hier = nullptr);

/// T = X K D or T = K X, with K a known fast transform (the unitary DFT
/// after a level-0 choice of the permutation family, or Hadamard), D = I or
/// diag((-1)^j), and X a butterfly up to permutations (findExactButterfly):
/// circulants are F^H diag F, the DCT-II is (pairs k, N-k) F Q, the Hartley
/// transform F (pairs j, N-j), the DST-II a DCT with reversed output and
/// alternating input signs.
bool findExactButterfly2(const MatC &T, double relTol, Model &out,
                         std::string &method, double *relError = nullptr);

/// Permutation for T = P_out B P_in when T has at most two nonzeros in every
/// row and column, grouped in 2 x 2 blocks (one butterfly stage up to
/// permutations): rowOf/colOf put each block on positions 2q, 2q+1.
bool twoSparsePairing(const MatC &T, Perm &rowOf, Perm &colOf);

} // namespace linop::learn

#endif // LINOP_LEARN_SEARCH_H
