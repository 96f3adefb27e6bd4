// Butterfly operators exactly as `linop.butterfly` (docs/semantics.md), their
// fast application, and the hierarchical factorization of a dense matrix by
// rank-1 SVDs of blocks (Le, Zheng, Gribonval 2022).
#ifndef LINOP_LEARN_BUTTERFLY_H
#define LINOP_LEARN_BUTTERFLY_H

#include "learn/Common.h"

namespace linop::learn {

/// One `linop.butterfly` op: y = B_{nblocks-1} ... B_0 P x.
struct Butterfly {
  int64_t n = 0;
  int L = 0;
  int nblocks = 1;
  bool decreasing = false;
  /// Twiddles, row-major [nblocks, L, n/2, 2, 2].
  std::vector<cd> tw;
  /// Empty (no permutation) or p with (P x)[i] = x[p[i]].
  Perm inputPerm;

  /// Identity twiddles.
  static Butterfly identity(int64_t n, int nblocks = 1,
                            bool decreasing = false);

  cd &t(int b, int l, int64_t p, int u, int v) {
    return tw[(((size_t(b) * L + l) * (n / 2) + p) * 2 + u) * 2 + v];
  }
  const cd &t(int b, int l, int64_t p, int u, int v) const {
    return tw[(((size_t(b) * L + l) * (n / 2) + p) * 2 + u) * 2 + v];
  }
  /// Stride of stage l.
  int64_t stride(int l) const {
    return decreasing ? n >> (l + 1) : int64_t(1) << l;
  }
  /// True when every twiddle is real.
  bool real() const;

  /// x <- B x in place (x has n entries): O(n log n).
  void apply(cd *x) const;
  /// The same for m vectors at once: X is row-major n x m (X[i * m + c] is
  /// entry i of vector c), so every twiddle serves m contiguous values.
  void applyBatch(cd *X, int64_t m) const;
  /// The n x n matrix (applies B to each unit vector).
  MatC dense() const;
};

/// How the hierarchical algorithm splits a group of consecutive stages.
enum class Tree {
  LeftToRight, // peel the last-applied stage first (2 x n/2 blocks: cheap)
  RightToLeft, // peel the first-applied stage first
  Balanced     // split in the middle (fewer, larger SVDs)
};

/// Where each block's singular value goes in a split.
enum class Scaling {
  /// Into the factor that is split further, so finished factors hold unit
  /// block vectors (the orthonormalized algorithm of Le, Zheng, Riccietti,
  /// Gribonval 2024). With a chain tree (l2r, r2l) the product of the
  /// finished factors is an isometry on the support of the rest, so the
  /// levels' truncation errors add in quadrature (see HierStats).
  Orthonormal,
  /// sqrt(sigma) on each side (no guarantee).
  Symmetric
};

struct HierOptions {
  Tree tree = Tree::LeftToRight;
  Scaling scaling = Scaling::Orthonormal;
  /// Real SVDs and real twiddles (the target's imaginary part is ignored).
  bool realArithmetic = false;
  /// Factor T(rowOf[a], colOf[b]) instead of T (null: identity).
  const Perm *rowOf = nullptr;
  const Perm *colOf = nullptr;
  /// Stop (and return an empty butterfly, n = 0) as soon as the summed
  /// squared rank-1 residual exceeds this: a cheap exactness probe.
  double abortResidual = -1;
};

struct HierStats {
  /// Sum of the squared residuals of all the rank-1 approximations (the
  /// squared discarded singular values), summed entry by entry: 0 when
  /// exact, up to rounding (about 1e-32 ||T||^2).
  double residual = 0;
  /// The same per split depth: index L - w for the split of a group of w
  /// stages. With Tree::LeftToRight, index l separates stage bit L-1-l of an
  /// increasing butterfly, and splits run in the order of l.
  std::vector<double> levels;
  /// Depth at which abortResidual stopped the run, or -1.
  int abortedAt = -1;
  /// Scaling::Orthonormal with a chain tree. Then, in exact arithmetic,
  ///   ||B - T||_F = bound()                    (levels add in quadrature)
  ///   lowerBound() <= ||B* - T||_F             for every butterfly B* with
  ///                                            the same strides and
  ///                                            permutations
  ///   bound() <= sqrt(L-1) * lowerBound()      (L-1 splits)
  /// so B is within sqrt(L-1) of the best such butterfly (docs/learning.md).
  bool guaranteed = false;
  double bound() const;
  double lowerBound() const;
};

/// Best butterfly (one block; permutations only through opt.rowOf/colOf)
/// for T in the hierarchical sense: exact when T is a butterfly with the
/// given stride order. T must be n x n with n = 2^L >= 2.
Butterfly factorHierarchical(const MatC &T, bool decreasing,
                             const HierOptions &opt,
                             HierStats *stats = nullptr);

/// B^T as a butterfly op: stages in reverse order (so increasing becomes
/// decreasing), every 2x2 twiddle transposed. B must have one block and no
/// input permutation (B^T would need an output permutation).
Butterfly transposed(const Butterfly &b);

/// The butterfly of the unitary DFT (scipy's dft(n, 'sqrtn'), forward sign
/// exp(-2 pi i jk/n) or inverse): increasing strides, bit-reversal input
/// permutation, every stage unitary (1/sqrt 2 per stage).
Butterfly dftButterfly(int64_t n, bool inverse);
/// Unitary Sylvester Hadamard: H2/sqrt 2 at every stage, no permutation.
Butterfly hadamardButterfly(int64_t n);

} // namespace linop::learn

#endif // LINOP_LEARN_BUTTERFLY_H
