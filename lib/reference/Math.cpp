// Each function follows its definition in docs/semantics.md literally.
#include "reference/Math.h"

#include <cmath>
#include <numeric>

namespace linop::ref {

bool isPowerOfTwo(int64_t n) { return n >= 1 && (n & (n - 1)) == 0; }

int log2Exact(int64_t n) {
  int l = 0;
  while ((int64_t(1) << l) < n)
    ++l;
  return l;
}

namespace {

int64_t mod(int64_t a, int64_t n) {
  int64_t r = a % n;
  return r < 0 ? r + n : r;
}

} // namespace

double normScale(Norm norm, int64_t n) {
  switch (norm) {
  case Norm::None:
    return 1.0;
  case Norm::Sqrt:
    return 1.0 / std::sqrt(static_cast<double>(n));
  case Norm::Full:
    return 1.0 / static_cast<double>(n);
  }
  return 1.0;
}

cd unitRoot(int64_t r, int64_t n) {
  r = mod(r, n);
  // Quarter turns exactly, so that e.g. dft(4) has exact 0, +-1, +-i.
  if ((4 * r) % n == 0) {
    switch ((4 * r) / n) {
    case 0:
      return {1.0, 0.0};
    case 1:
      return {0.0, 1.0};
    case 2:
      return {-1.0, 0.0};
    default:
      return {0.0, -1.0};
    }
  }
  // Keep the angle in (0, pi) and make w^r and w^(n-r) exact conjugates.
  if (2 * r > n)
    return std::conj(unitRoot(n - r, n));
  double theta =
      2.0 * M_PI * static_cast<double>(r) / static_cast<double>(n);
  return {std::cos(theta), std::sin(theta)};
}

cd twiddle(int64_t k, int64_t r, int64_t b, bool inverse) {
  int64_t j = k % b, l = (k / b) % r;
  int64_t e = (l * j) % (r * b);
  return unitRoot(inverse ? e : -e, r * b);
}

// ---- Fast transforms -------------------------------------------------------

void fftPow2(const cd *x, cd *y, int64_t n, bool inverse) {
  int bits = 0;
  while ((int64_t(1) << bits) < n)
    ++bits;
  for (int64_t i = 0; i < n; ++i) { // bit-reversed order in
    int64_t r = 0;
    for (int b = 0; b < bits; ++b)
      r |= ((i >> b) & 1) << (bits - 1 - b);
    y[r] = x[i];
  }
  std::vector<cd> roots(n / 2 > 0 ? n / 2 : 1);
  for (int64_t k = 0; k < n / 2; ++k)
    roots[k] = unitRoot(inverse ? k : -k, n);
  for (int64_t len = 2; len <= n; len *= 2)
    for (int64_t i = 0; i < n; i += len)
      for (int64_t k = 0; k < len / 2; ++k) {
        cd t = roots[k * (n / len)] * y[i + k + len / 2];
        y[i + k + len / 2] = y[i + k] - t;
        y[i + k] += t;
      }
}

void fft(const cd *x, cd *y, int64_t n, bool inverse) {
  if (isPowerOfTwo(n))
    return fftPow2(x, y, n, inverse);
  // jk = (j^2 + k^2 - (k-j)^2) / 2: y = c . ((c . x) * conj(c)), with the
  // chirp c[j] = w^(j^2/2) and * a convolution of length M >= 2n - 1.
  int64_t sign = inverse ? 1 : -1, M = int64_t(1) << log2Exact(2 * n - 1);
  std::vector<cd> c(n), a(M, 0.0), g(M, 0.0), A(M), G(M);
  for (int64_t j = 0; j < n; ++j) {
    c[j] = unitRoot(sign * ((j * j) % (2 * n)), 2 * n);
    a[j] = x[j] * c[j];
    g[j] = std::conj(c[j]);
    if (j > 0)
      g[M - j] = g[j];
  }
  fftPow2(a.data(), A.data(), M, false);
  fftPow2(g.data(), G.data(), M, false);
  for (int64_t i = 0; i < M; ++i)
    A[i] *= G[i];
  fftPow2(A.data(), a.data(), M, true);
  for (int64_t k = 0; k < n; ++k)
    y[k] = c[k] * a[k] / double(M);
}

CMat dft(int64_t n, bool inverse, Norm norm) {
  if (n < 1)
    return {};
  double s = normScale(norm, n);
  int64_t sign = inverse ? 1 : -1;
  CMat F(n, n);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < n; ++j)
      F(k, j) = s * unitRoot(sign * ((j * k) % n), n);
  return F;
}

CMat rdft(int64_t n, Norm norm) {
  if (n < 1)
    return {};
  return dft(n, false, norm).topRows(n / 2 + 1);
}

CVec irdft(const CVec &X, int64_t n, Norm norm) {
  if (n < 1 || X.size() != n / 2 + 1)
    return {};
  double s = normScale(norm, n);
  // The Hermitian extension's nonzero terms (the evaluator probes with
  // unit vectors, so usually two).
  std::vector<std::pair<int64_t, cd>> terms;
  for (int64_t k = 0; k < n; ++k) {
    cd Xk = k <= n / 2 ? X(k) : std::conj(X(n - k));
    if (Xk != 0.0)
      terms.emplace_back(k, Xk);
  }
  CVec x = CVec::Zero(n);
  for (int64_t t = 0; t < n; ++t) {
    cd acc = 0.0;
    for (auto [k, Xk] : terms)
      acc += Xk * unitRoot(k * t, n);
    x(t) = s * acc.real();
  }
  return x;
}

CVec pack(const CVec &x) {
  if (x.size() % 2)
    return {};
  CVec z(x.size() / 2);
  for (int64_t n = 0; n < z.size(); ++n)
    z(n) = cd(x(2 * n).real(), x(2 * n + 1).real());
  return z;
}

CVec unpack(const CVec &z) {
  CVec x(2 * z.size());
  for (int64_t n = 0; n < z.size(); ++n) {
    x(2 * n) = z(n).real();
    x(2 * n + 1) = z(n).imag();
  }
  return x;
}

CVec rfftSplit(const CVec &Z) {
  int64_t M = Z.size();
  if (M < 1)
    return {};
  CVec X(M + 1);
  for (int64_t k = 0; k <= M; ++k) {
    cd a = Z(k % M), b = std::conj(Z((M - k) % M));
    cd E = (a + b) / 2.0, O = (a - b) / cd(0.0, 2.0);
    X(k) = E + unitRoot(-k, 2 * M) * O;
  }
  return X;
}

CVec rfftMerge(const CVec &X) {
  int64_t M = X.size() - 1;
  if (M < 1)
    return {};
  CVec Z(M);
  for (int64_t k = 0; k < M; ++k) {
    cd a = k == 0 ? cd(X(0).real()) : X(k);
    cd b = k == 0 ? cd(X(M).real()) : std::conj(X(M - k));
    Z(k) = (a + b) + cd(0.0, 1.0) * unitRoot(k, 2 * M) * (a - b);
  }
  return Z;
}

RMat irdftRealMatrix(int64_t n, Norm norm) {
  if (n < 1)
    return {};
  int64_t h = n / 2 + 1;
  RMat M(n, 2 * h);
  // Column c is the image of the c-th interleaved unit input.
  for (int64_t k = 0; k < h; ++k) {
    for (int part = 0; part < 2; ++part) {
      CVec e = CVec::Zero(h);
      e(k) = part == 0 ? cd(1.0, 0.0) : cd(0.0, 1.0);
      M.col(2 * k + part) = irdft(e, n, norm).real();
    }
  }
  return M;
}

CMat dct(int64_t n, int type, Norm norm) {
  if (n < 1 || norm == Norm::Full || type < 2 || type > 4)
    return {};
  bool ortho = norm == Norm::Sqrt;
  CMat C(n, n);
  if (type == 4) {
    // cos(pi (2j+1)(2k+1) / 4N) = Re exp(2 pi i (2j+1)(2k+1) / 8N).
    double s = ortho ? std::sqrt(2.0 / n) : 1.0;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        C(k, j) = s * unitRoot((2 * j + 1) * (2 * k + 1), 8 * n).real();
    return C;
  }
  // Type 2: cos(pi k (2j+1) / 2N) = Re exp(2 pi i k (2j+1) / 4N).
  for (int64_t k = 0; k < n; ++k) {
    double s = !ortho ? 1.0 : std::sqrt((k == 0 ? 1.0 : 2.0) / n);
    for (int64_t j = 0; j < n; ++j)
      C(k, j) = s * unitRoot(k * (2 * j + 1), 4 * n).real();
  }
  if (type == 3)
    return C.transpose();
  return C;
}

CMat dst(int64_t n, int type, Norm norm) {
  if (n < 1 || norm == Norm::Full || type < 2 || type > 4)
    return {};
  bool ortho = norm == Norm::Sqrt;
  CMat S(n, n);
  if (type == 4) {
    double s = ortho ? std::sqrt(2.0 / n) : 1.0;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        S(k, j) = s * unitRoot((2 * j + 1) * (2 * k + 1), 8 * n).imag();
    return S;
  }
  // Type 2: sin(pi (k+1)(2j+1) / 2N) = Im exp(2 pi i (k+1)(2j+1) / 4N).
  for (int64_t k = 0; k < n; ++k) {
    double s = !ortho ? 1.0 : std::sqrt((k == n - 1 ? 1.0 : 2.0) / n);
    for (int64_t j = 0; j < n; ++j)
      S(k, j) = s * unitRoot((k + 1) * (2 * j + 1), 4 * n).imag();
  }
  if (type == 3)
    return S.transpose();
  return S;
}

CMat hadamard(int64_t n, Norm norm) {
  if (!isPowerOfTwo(n))
    return {};
  double s = normScale(norm, n);
  CMat H(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      H(i, j) = (__builtin_popcountll(static_cast<uint64_t>(i & j)) % 2)
                    ? -s
                    : s;
  return H;
}

CMat hartley(int64_t n, Norm norm) {
  if (n < 1)
    return {};
  double s = normScale(norm, n);
  CMat H(n, n);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t k = 0; k < n; ++k) {
      cd w = unitRoot((j * k) % n, n);
      H(j, k) = s * (w.real() + w.imag());
    }
  return H;
}

// ---- Permutations ----------------------------------------------------------

std::vector<int64_t> bitrevPerm(int64_t n) {
  if (!isPowerOfTwo(n))
    return {};
  int64_t bits = log2Exact(n);
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t r = 0;
    for (int64_t b = 0; b < bits; ++b)
      if (i & (int64_t(1) << b))
        r |= int64_t(1) << (bits - 1 - b);
    p[i] = r;
  }
  return p;
}

std::vector<int64_t> stridePerm(int64_t n, int64_t m) {
  if (n < 1 || m < 1 || n % m != 0)
    return {};
  int64_t q = n / m;
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < q; ++i)
    for (int64_t j = 0; j < m; ++j)
      p[j * q + i] = i * m + j;
  return p;
}

std::vector<int64_t> digitReversalPerm(const std::vector<int64_t> &radices) {
  int64_t n = 1;
  for (int64_t r : radices) {
    if (r < 1)
      return {};
    n *= r;
  }
  if (radices.size() < 2) {
    std::vector<int64_t> id(n);
    std::iota(id.begin(), id.end(), 0);
    return id;
  }
  int64_t r1 = radices[0], m = n / r1;
  std::vector<int64_t> inner =
      digitReversalPerm({radices.begin() + 1, radices.end()});
  std::vector<int64_t> L = stridePerm(n, r1), p(n);
  // y = (I_r1 (x) P') L x: y[i m + k] = (L x)[i m + inner[k]].
  for (int64_t i = 0; i < r1; ++i)
    for (int64_t k = 0; k < m; ++k)
      p[i * m + k] = L[i * m + inner[k]];
  return p;
}

std::vector<int64_t> digitReversalRadices(const std::vector<int64_t> &p) {
  // p[i m + k] = inner[k] r1 + i (above): p[m] = 1 gives m = n / r1, and
  // inner[k] = p[k] / r1; the innermost level is the identity.
  std::vector<int64_t> radices, cur(p);
  while (cur.size() > 1) {
    int64_t n = cur.size(), m = 1;
    while (m < n && cur[m] != 1)
      ++m;
    if (m == n || n % m != 0)
      return {};
    int64_t r = n / m;
    radices.push_back(r);
    std::vector<int64_t> inner(m);
    for (int64_t k = 0; k < m; ++k) {
      if (cur[k] % r != 0)
        return {};
      inner[k] = cur[k] / r;
    }
    cur = std::move(inner);
  }
  if (radices.size() < 2 || digitReversalPerm(radices) != p)
    return {};
  return radices;
}

CMat permMatrix(const std::vector<int64_t> &p) {
  int64_t n = static_cast<int64_t>(p.size());
  std::vector<bool> seen(n, false);
  for (int64_t v : p) {
    if (v < 0 || v >= n || seen[v])
      return {};
    seen[v] = true;
  }
  CMat P = CMat::Zero(n, n);
  for (int64_t i = 0; i < n; ++i)
    P(i, p[i]) = 1.0;
  return P;
}

// ---- Structured ------------------------------------------------------------

CMat butterfly(const std::vector<cd> &tw, int64_t n, int64_t nblocks,
               bool decreasing, const std::vector<int64_t> &inputPerm) {
  if (!isPowerOfTwo(n) || nblocks < 0)
    return {};
  int64_t L = log2Exact(n);
  if (static_cast<int64_t>(tw.size()) != nblocks * L * (n / 2) * 4)
    return {};
  CMat M = CMat::Identity(n, n);
  if (!inputPerm.empty()) {
    if (static_cast<int64_t>(inputPerm.size()) != n)
      return {};
    M = permMatrix(inputPerm);
    if (M.size() == 0)
      return {};
  }
  // Left-multiply M by each stage in application order; a stage mixes rows
  // a and a+s of whatever has been applied so far.
  for (int64_t b = 0; b < nblocks; ++b) {
    for (int64_t l = 0; l < L; ++l) {
      int64_t s = decreasing ? n >> (l + 1) : int64_t(1) << l;
      for (int64_t a = 0; a < n; ++a) {
        if (a & s)
          continue;
        int64_t p = (a / (2 * s)) * s + a % (2 * s);
        const cd *t = &tw[((b * L + l) * (n / 2) + p) * 4];
        Eigen::RowVectorXcd xa = M.row(a), xb = M.row(a + s);
        M.row(a) = t[0] * xa + t[1] * xb;
        M.row(a + s) = t[2] * xa + t[3] * xb;
      }
    }
  }
  return M;
}

CMat monarch(const std::vector<cd> &L, const std::vector<cd> &R, int64_t b,
             int64_t n) {
  if (b < 1 || n < 1 || static_cast<int64_t>(R.size()) != b * n * n ||
      static_cast<int64_t>(L.size()) != n * b * b)
    return {};
  int64_t N = b * n;
  CMat M(N, N);
  // Column c is the definition's t -> u -> w -> y applied to x = e_c.
  std::vector<cd> t(N), u(N), w(N);
  for (int64_t c = 0; c < N; ++c) {
    auto x = [&](int64_t idx) { return idx == c ? cd(1.0) : cd(0.0); };
    for (int64_t i = 0; i < b; ++i) // t[i,:] = R[i] x[i,:]
      for (int64_t j = 0; j < n; ++j) {
        cd acc = 0.0;
        for (int64_t jj = 0; jj < n; ++jj)
          acc += R[(i * n + j) * n + jj] * x(i * n + jj);
        t[i * n + j] = acc;
      }
    for (int64_t i = 0; i < b; ++i) // u[j,i] = t[i,j]
      for (int64_t j = 0; j < n; ++j)
        u[j * b + i] = t[i * n + j];
    for (int64_t j = 0; j < n; ++j) // w[j,:] = L[j] u[j,:]
      for (int64_t i = 0; i < b; ++i) {
        cd acc = 0.0;
        for (int64_t ii = 0; ii < b; ++ii)
          acc += L[(j * b + i) * b + ii] * u[j * b + ii];
        w[j * b + i] = acc;
      }
    for (int64_t i = 0; i < b; ++i) // y[i n + j] = w[j,i]
      for (int64_t j = 0; j < n; ++j)
        M(i * n + j, c) = w[j * b + i];
  }
  return M;
}

// ---- Combinators -----------------------------------------------------------

CMat kron(const CMat &A, const CMat &B) {
  int64_t m2 = B.rows(), n2 = B.cols();
  CMat K(A.rows() * m2, A.cols() * n2);
  for (int64_t i1 = 0; i1 < A.rows(); ++i1)
    for (int64_t j1 = 0; j1 < A.cols(); ++j1)
      for (int64_t i2 = 0; i2 < m2; ++i2)
        for (int64_t j2 = 0; j2 < n2; ++j2)
          K(i1 * m2 + i2, j1 * n2 + j2) = A(i1, j1) * B(i2, j2);
  return K;
}

CMat directSum(const std::vector<CMat> &blocks) {
  int64_t rows = 0, cols = 0;
  for (const CMat &blk : blocks) {
    rows += blk.rows();
    cols += blk.cols();
  }
  CMat D = CMat::Zero(rows, cols);
  int64_t r = 0, c = 0;
  for (const CMat &blk : blocks) {
    D.block(r, c, blk.rows(), blk.cols()) = blk;
    r += blk.rows();
    c += blk.cols();
  }
  return D;
}

// ---- Convolutions ----------------------------------------------------------

CMat circulant(const std::vector<cd> &h) {
  int64_t n = static_cast<int64_t>(h.size());
  CMat C(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      C(i, j) = h[mod(i - j, n)];
  return C;
}

CMat toeplitz(const std::vector<cd> &t, int64_t m, int64_t n) {
  if (m < 1 || n < 1 || static_cast<int64_t>(t.size()) != m + n - 1)
    return {};
  CMat T(m, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      T(i, j) = t[i - j + n - 1];
  return T;
}

CMat conv(const std::vector<cd> &k, int64_t n, bool causal) {
  int64_t K = static_cast<int64_t>(k.size());
  if (n < 1 || K < 1)
    return {};
  int64_t m = causal ? n : n + K - 1;
  CMat C = CMat::Zero(m, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (i - j >= 0 && i - j < K)
        C(i, j) = k[i - j];
  return C;
}

// ---- Chunked linear recurrences --------------------------------------------

void recurrence(const RecurrenceShape &s, int gate, int update, double scale,
                const double *q, const double *k, const double *v,
                const double *g, const double *beta, const double *h0,
                double *o, double *finalState) {
  const int64_t T = s.T, H = s.H, Dk = s.Dk, Dv = s.Dv;
  std::vector<double> S(Dk * Dv), r(Dv);
  for (int64_t b = 0; b < s.B; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t i = 0; i < Dk * Dv; ++i)
        S[i] = h0 ? h0[(b * H + h) * Dk * Dv + i] : 0.0;
      for (int64_t t = 0; t < T; ++t) {
        const int64_t bth = (b * T + t) * H + h;
        const double *qt = q + bth * Dk;
        const double *kt = k + bth * Dk;
        const double *vt = v + bth * Dv;
        // S' = diag(a_t) S_{t-1}.
        if (gate != 0 && g) {
          for (int64_t i = 0; i < Dk; ++i) {
            double a = std::exp(gate == 1 ? g[bth] : g[bth * Dk + i]);
            for (int64_t j = 0; j < Dv; ++j)
              S[i * Dv + j] *= a;
          }
        }
        if (update == 0) {
          // S_t = S' + k_t v_t^T.
          for (int64_t i = 0; i < Dk; ++i)
            for (int64_t j = 0; j < Dv; ++j)
              S[i * Dv + j] += kt[i] * vt[j];
        } else {
          // S_t = S' + beta_t k_t (v_t - S'^T k_t)^T.
          double bt = beta ? beta[bth] : 1.0;
          for (int64_t j = 0; j < Dv; ++j) {
            double acc = 0.0;
            for (int64_t i = 0; i < Dk; ++i)
              acc += S[i * Dv + j] * kt[i];
            r[j] = vt[j] - acc;
          }
          for (int64_t i = 0; i < Dk; ++i)
            for (int64_t j = 0; j < Dv; ++j)
              S[i * Dv + j] += bt * kt[i] * r[j];
        }
        // o_t = scale S_t^T q_t.
        for (int64_t j = 0; j < Dv; ++j) {
          double acc = 0.0;
          for (int64_t i = 0; i < Dk; ++i)
            acc += S[i * Dv + j] * qt[i];
          o[bth * Dv + j] = scale * acc;
        }
      }
      for (int64_t i = 0; i < Dk * Dv; ++i)
        finalState[(b * H + h) * Dk * Dv + i] = S[i];
    }
  }
}

// ---- Test helpers ----------------------------------------------------------

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::uniform(double lo, double hi) {
  double u = static_cast<double>(next() >> 11) * 0x1.0p-53; // [0, 1)
  return lo + (hi - lo) * u;
}

cd Rng::complexUniform() {
  double re = uniform();
  return {re, uniform()};
}

int64_t Rng::below(int64_t n) {
  return static_cast<int64_t>(next() % static_cast<uint64_t>(n));
}

CMat randomCMat(Rng &rng, int64_t rows, int64_t cols) {
  CMat A(rows, cols);
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t i = 0; i < rows; ++i)
      A(i, j) = rng.complexUniform();
  return A;
}

CVec randomCVec(Rng &rng, int64_t n) { return randomCMat(rng, n, 1); }

CVec randomRealCVec(Rng &rng, int64_t n) {
  CVec x(n);
  for (int64_t i = 0; i < n; ++i)
    x(i) = rng.uniform();
  return x;
}

RMat randomRMat(Rng &rng, int64_t rows, int64_t cols) {
  RMat A(rows, cols);
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t i = 0; i < rows; ++i)
      A(i, j) = rng.uniform();
  return A;
}

std::vector<cd> randomComplexes(Rng &rng, int64_t n) {
  std::vector<cd> x(n);
  for (cd &e : x)
    e = rng.complexUniform();
  return x;
}

std::vector<double> randomReals(Rng &rng, int64_t n, double lo, double hi) {
  std::vector<double> x(n);
  for (double &e : x)
    e = rng.uniform(lo, hi);
  return x;
}

std::vector<int64_t> randomPerm(Rng &rng, int64_t n) {
  std::vector<int64_t> p(n);
  std::iota(p.begin(), p.end(), int64_t(0));
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(p[i], p[rng.below(i + 1)]);
  return p;
}

} // namespace linop::ref
