// Best rank-1 approximation of a small block, in real or complex arithmetic.
// Internal to the learn library (templates shared by the butterfly, Monarch
// and Kronecker projections).
#ifndef LINOP_LEARN_RANK1_H
#define LINOP_LEARN_RANK1_H

#include "learn/Common.h"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace linop::learn {

/// Where the singular value goes in A ~ x y^T.
enum class Rank1Weight { Left, Right, Both };

inline double realPart(double v) { return v; }
inline double realPart(const cd &v) { return v.real(); }
inline double conjOf(double v) { return v; }
inline cd conjOf(const cd &v) { return std::conj(v); }

/// Unit eigenvector of the largest eigenvalue of a Hermitian matrix.
template <typename S, typename M> Vec<S> topEigenvector(const M &G) {
  int64_t n = G.rows();
  Vec<S> v = Vec<S>::Zero(n);
  if (n == 1) {
    v(0) = S(1);
    return v;
  }
  if (n == 2) {
    // Closed form; of the two null vectors of G - lambda I pick the one with
    // the larger norm (no cancellation).
    double a = realPart(G(0, 0)), d = realPart(G(1, 1));
    S b = G(0, 1);
    double h = 0.5 * (a - d), rb = std::abs(b);
    if (rb == 0.0) {
      v(a >= d ? 0 : 1) = S(1);
      return v;
    }
    double r = std::hypot(h, rb);
    if (h >= 0) {
      v(0) = S(r + h);
      v(1) = conjOf(b);
    } else {
      v(0) = b;
      v(1) = S(r - h);
    }
    return v / v.norm();
  }
  Eigen::SelfAdjointEigenSolver<Mat<S>> es{Mat<S>(G)};
  return es.eigenvectors().col(n - 1);
}

/// A ~ x y^T, the best rank-1 approximation (Frobenius). Returns the squared
/// residual ||A - x y^T||^2, summed entry by entry (||A||^2 - sigma^2 would
/// lose half the digits to cancellation, and the error bounds of the
/// hierarchical factorization are built from these residuals). A zero block
/// gives a zero product with a unit vector on the side that does not carry
/// the weight.
template <typename S>
double rank1(const Mat<S> &A, Vec<S> &x, Vec<S> &y, Rank1Weight weight) {
  int64_t m = A.rows(), n = A.cols();
  double total = A.squaredNorm();
  x = Vec<S>::Zero(m);
  y = Vec<S>::Zero(n);
  if (total == 0.0) {
    if (weight == Rank1Weight::Left)
      y(0) = S(1);
    else if (weight == Rank1Weight::Right)
      x(0) = S(1);
    return 0.0;
  }
  Vec<S> u, v; // A ~ sigma u v^T with u, v unit
  double sigma;
  if (n <= m) {
    Mat<S> G = A.adjoint() * A;
    Vec<S> e = topEigenvector<S>(G);
    u = A * e;
    sigma = u.norm();
    u /= sigma;
    v = e.conjugate();
  } else {
    Mat<S> G = A * A.adjoint();
    u = topEigenvector<S>(G);
    v = (u.adjoint() * A).transpose();
    sigma = v.norm();
    v /= sigma;
  }
  switch (weight) {
  case Rank1Weight::Left:
    x = sigma * u;
    y = v;
    break;
  case Rank1Weight::Right:
    x = u;
    y = sigma * v;
    break;
  case Rank1Weight::Both:
    x = std::sqrt(sigma) * u;
    y = std::sqrt(sigma) * v;
    break;
  }
  double res = 0;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i)
      res += std::norm(A(i, j) - x(i) * y(j));
  return res;
}

} // namespace linop::learn

#endif // LINOP_LEARN_RANK1_H
