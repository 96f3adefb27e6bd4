#include "learn/Project.h"
#include "learn/Rank1.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace linop::learn {

int64_t defaultMonarchBlocks(int64_t n) {
  int64_t b = int64_t(std::sqrt(double(n)));
  while (b > 1 && n % b)
    --b;
  return std::max<int64_t>(b, 1);
}

template <typename S>
static Model monarchImpl(const MatC &T, int64_t b) {
  int64_t n = T.rows(), m = n / b;
  Model model;
  model.structure = Structure::Monarch;
  model.n = n;
  model.monarchB = b;
  model.monarchM = m;
  model.left.assign(size_t(m) * b * b, cd(0));
  model.right.assign(size_t(b) * m * m, cd(0));
  // Block (i, jp): A(ip, j) = T(ip m + jp, i m + j) = L[jp][ip, i] R[i][jp, j].
  parallelFor(b * m, [&](int64_t task) {
    int64_t i = task / m, jp = task % m;
    Mat<S> A(b, m);
    for (int64_t j = 0; j < m; ++j)
      for (int64_t ip = 0; ip < b; ++ip) {
        cd v = T(ip * m + jp, i * m + j);
        if constexpr (std::is_same_v<S, double>)
          A(ip, j) = v.real();
        else
          A(ip, j) = v;
      }
    Vec<S> x, y;
    rank1(A, x, y, Rank1Weight::Both);
    for (int64_t ip = 0; ip < b; ++ip)
      model.left[(jp * b + ip) * b + i] = cd(x(ip));
    for (int64_t j = 0; j < m; ++j)
      model.right[(i * m + jp) * m + j] = cd(y(j));
  }, (1 << 16) / (b * m * std::min(b, m)) + 1);
  return model;
}

Model projectMonarch(const MatC &T, int64_t b, bool realArithmetic) {
  return realArithmetic ? monarchImpl<double>(T, b) : monarchImpl<cd>(T, b);
}

std::vector<int64_t> kronSizes(int64_t n, int factors) {
  std::vector<int64_t> sizes;
  if (factors < 1)
    return sizes;
  if (isPowerOfTwo(n)) {
    int L = log2Exact(n);
    if (L < factors)
      return sizes;
    for (int k = 0; k < factors; ++k) {
      int bits = L / factors + (k < L % factors ? 1 : 0);
      sizes.push_back(int64_t(1) << bits);
    }
    return sizes;
  }
  std::vector<int64_t> primes;
  for (int64_t v = n, p = 2; v > 1;) {
    if (p * p > v) {
      primes.push_back(v);
      break;
    }
    if (v % p == 0) {
      primes.push_back(p);
      v /= p;
    } else {
      ++p;
    }
  }
  if (int(primes.size()) < factors)
    return sizes;
  // Largest primes first, each to the currently smallest factor.
  sizes.assign(factors, 1);
  for (auto it = primes.rbegin(); it != primes.rend(); ++it) {
    auto smallest = std::min_element(sizes.begin(), sizes.end());
    *smallest *= *it;
  }
  std::sort(sizes.rbegin(), sizes.rend());
  return sizes;
}

// Top singular pair of R (power iteration on R R^H; exact rank-one input
// converges in one step).
static void topPair(const MatC &R, VecC &u, VecC &v) {
  int64_t best = 0;
  for (int64_t j = 1; j < R.cols(); ++j)
    if (R.col(j).squaredNorm() > R.col(best).squaredNorm())
      best = j;
  u = R.col(best);
  double sigma = 0;
  for (int it = 0; it < 500; ++it) {
    if (u.norm() == 0)
      break;
    u.normalize();
    v = R.adjoint() * u;
    double next = v.norm();
    if (next == 0)
      break;
    u = R * (v / next);
    if (std::abs(next - sigma) <= 1e-15 * next && it > 1)
      break;
    sigma = next;
  }
  if (u.norm() == 0 || R.rows() == 0) {
    u = VecC::Zero(R.rows());
    v = VecC::Zero(R.cols());
    return;
  }
  // R ~ u v^H with u carrying sigma: v is unit.
  v = R.adjoint() * u.normalized();
  double sv = v.norm();
  u = u.normalized() * sv;
  v /= sv;
}

static MatC kronOf(const std::vector<MatC> &fs, size_t from, size_t to) {
  MatC acc = MatC::Ones(1, 1);
  for (size_t k = from; k < to; ++k) {
    MatC next(acc.rows() * fs[k].rows(), acc.cols() * fs[k].cols());
    for (int64_t i = 0; i < acc.rows(); ++i)
      for (int64_t j = 0; j < acc.cols(); ++j)
        next.block(i * fs[k].rows(), j * fs[k].cols(), fs[k].rows(),
                   fs[k].cols()) = acc(i, j) * fs[k];
    acc = std::move(next);
  }
  return acc;
}

Model projectKron(const MatC &T, const std::vector<int64_t> &sizes,
                  bool realArithmetic, int sweeps) {
  int64_t n = T.rows();
  std::vector<MatC> fs;
  MatC rest = realArithmetic ? MatC(T.real().cast<cd>()) : T;
  for (size_t k = 0; k + 1 < sizes.size(); ++k) {
    int64_t p = sizes[k], q = rest.rows() / p;
    // R[(i1 p + j1), (i2 q + j2)] = rest[i1 q + i2, j1 q + j2].
    MatC R(p * p, q * q);
    for (int64_t i1 = 0; i1 < p; ++i1)
      for (int64_t j1 = 0; j1 < p; ++j1)
        for (int64_t i2 = 0; i2 < q; ++i2)
          for (int64_t j2 = 0; j2 < q; ++j2)
            R(i1 * p + j1, i2 * q + j2) = rest(i1 * q + i2, j1 * q + j2);
    VecC u, v;
    topPair(R, u, v);
    // R ~ u v^H: A(i1, j1) = u, B(i2, j2) = conj(v).
    MatC A(p, p), B(q, q);
    for (int64_t i1 = 0; i1 < p; ++i1)
      for (int64_t j1 = 0; j1 < p; ++j1)
        A(i1, j1) = u(i1 * p + j1);
    for (int64_t i2 = 0; i2 < q; ++i2)
      for (int64_t j2 = 0; j2 < q; ++j2)
        B(i2, j2) = std::conj(v(i2 * q + j2));
    fs.push_back(A);
    rest = B;
  }
  fs.push_back(rest);
  // Alternating least squares: with the others fixed, factor k is the
  // contraction of T against them, divided by their squared norms.
  double previous = -1;
  for (int sweep = 0; sweep < sweeps && fs.size() > 1; ++sweep) {
    for (size_t k = 0; k < fs.size(); ++k) {
      MatC P = kronOf(fs, 0, k), Sx = kronOf(fs, k + 1, fs.size());
      double denom = P.squaredNorm() * Sx.squaredNorm();
      if (denom == 0)
        continue;
      int64_t nk = fs[k].rows(), s = Sx.rows();
      MatC acc = MatC::Zero(nk, nk);
      for (int64_t j = 0; j < n; ++j) {
        int64_t jp = j / (nk * s), jk = (j / s) % nk, js = j % s;
        for (int64_t i = 0; i < n; ++i) {
          int64_t ip = i / (nk * s), ik = (i / s) % nk, is = i % s;
          acc(ik, jk) += std::conj(P(ip, jp) * Sx(is, js)) * T(i, j);
        }
      }
      fs[k] = acc / denom;
      if (realArithmetic)
        fs[k] = fs[k].real().cast<cd>();
    }
    Model probe;
    probe.structure = Structure::Kron;
    probe.n = n;
    probe.kron = fs;
    double err = frobeniusError(probe, T);
    if (previous >= 0 && previous - err <= 1e-12 * previous)
      break;
    previous = err;
  }
  // Balance: unit-norm factors except the last, which carries the scale.
  for (size_t k = 0; k + 1 < fs.size(); ++k) {
    double nrm = fs[k].norm();
    if (nrm > 0) {
      fs[k] /= nrm;
      fs.back() *= nrm;
    }
  }
  Model m;
  m.structure = Structure::Kron;
  m.n = n;
  m.kron = std::move(fs);
  return m;
}

} // namespace linop::learn
