// Checks the reference math against formulas that share no code with it:
// fast algorithms written here (recursive FFT, chirp DFT, Makhoul's DCT,
// chunked recurrences), algebraic identities, hand-computed entries and
// values printed by numpy 2.4 / scipy 1.17.
#include "reference/Math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace linop::ref;

namespace {

constexpr double kTol = 1e-12;
const double kR = std::sqrt(0.5);
// cos(pi/8) = sqrt(2 + sqrt 2) / 2 and cos(3 pi/8) = sqrt(2 - sqrt 2) / 2.
constexpr double kC1 = 0.92387953251128674;
constexpr double kC3 = 0.38268343236508977;

template <typename A, typename B>
::testing::AssertionResult close(const Eigen::MatrixBase<A> &got,
                                 const Eigen::MatrixBase<B> &ref,
                                 double tol = kTol) {
  if (got.rows() != ref.rows() || got.cols() != ref.cols())
    return ::testing::AssertionFailure()
           << "shape " << got.rows() << "x" << got.cols() << ", expected "
           << ref.rows() << "x" << ref.cols();
  double e = relativeError(got, ref);
  if (e <= tol)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "relative error " << e << " > " << tol << "\ngot:\n"
         << got.topLeftCorner(std::min<Eigen::Index>(got.rows(), 6),
                              std::min<Eigen::Index>(got.cols(), 6))
         << "\nexpected:\n"
         << ref.topLeftCorner(std::min<Eigen::Index>(ref.rows(), 6),
                              std::min<Eigen::Index>(ref.cols(), 6));
}

CMat fromRows(std::initializer_list<std::initializer_list<cd>> rows) {
  CMat M(rows.size(), rows.begin()->size());
  Eigen::Index i = 0;
  for (auto &r : rows) {
    Eigen::Index j = 0;
    for (cd v : r)
      M(i, j++) = v;
    ++i;
  }
  return M;
}

CVec toVec(const std::vector<cd> &v) {
  return Eigen::Map<const CVec>(v.data(), static_cast<Eigen::Index>(v.size()));
}

CMat eye(int64_t n) { return CMat::Identity(n, n); }

// ---- Independent DFT algorithms ---------------------------------------------

// Recursive radix-2 decimation in time: X[k] = E[k] + w^k O[k],
// X[k + n/2] = E[k] - w^k O[k].
std::vector<cd> fftRec(const std::vector<cd> &x, bool inverse) {
  size_t n = x.size();
  if (n == 1)
    return x;
  std::vector<cd> even(n / 2), odd(n / 2);
  for (size_t i = 0; i < n / 2; ++i) {
    even[i] = x[2 * i];
    odd[i] = x[2 * i + 1];
  }
  std::vector<cd> E = fftRec(even, inverse), O = fftRec(odd, inverse);
  std::vector<cd> X(n);
  double sign = inverse ? 1.0 : -1.0;
  for (size_t k = 0; k < n / 2; ++k) {
    cd w = std::polar(1.0, sign * 2.0 * M_PI * double(k) / double(n));
    X[k] = E[k] + w * O[k];
    X[k + n / 2] = E[k] - w * O[k];
  }
  return X;
}

CVec fftVec(const CVec &x, bool inverse = false) {
  std::vector<cd> v(x.data(), x.data() + x.size());
  return toVec(fftRec(v, inverse));
}

// Any n, by the chirp identity jk = (j^2 + k^2 - (k-j)^2) / 2:
// exp(-2 pi i jk/n) = conj(c_j) conj(c_k) c_{k-j}, c_m = exp(pi i m^2 / n).
CVec chirpDft(const CVec &x) {
  int64_t n = x.size();
  auto c = [n](int64_t m) {
    int64_t r = (m * m) % (2 * n);
    return std::polar(1.0, M_PI * double(r) / double(n));
  };
  CVec X(n);
  for (int64_t k = 0; k < n; ++k) {
    cd acc = 0.0;
    for (int64_t j = 0; j < n; ++j)
      acc += x(j) * std::conj(c(j)) * c(k - j);
    X(k) = std::conj(c(k)) * acc;
  }
  return X;
}

CVec anyDft(const CVec &x) {
  int64_t n = x.size();
  return (n & (n - 1)) == 0 ? fftVec(x) : chirpDft(x);
}

const std::vector<int64_t> kPow2 = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
const std::vector<int64_t> kAnyN = {1,  2,  3,  4,  5,  6,  7,  8,  9,  12,
                                    13, 15, 16, 17, 31, 48, 64, 97, 100};

// ============================================================================
// Scalars and roots of unity
// ============================================================================

TEST(RefMath, NormScale) {
  EXPECT_EQ(normScale(Norm::None, 7), 1.0);
  EXPECT_DOUBLE_EQ(normScale(Norm::Sqrt, 16), 0.25);
  EXPECT_DOUBLE_EQ(normScale(Norm::Full, 16), 1.0 / 16);
  EXPECT_DOUBLE_EQ(normScale(Norm::Sqrt, 3), 1.0 / std::sqrt(3.0));
}

TEST(RefMath, UnitRoot) {
  EXPECT_EQ(unitRoot(0, 5), cd(1, 0));
  EXPECT_EQ(unitRoot(1, 4), cd(0, 1));
  EXPECT_EQ(unitRoot(-1, 4), cd(0, -1));
  EXPECT_EQ(unitRoot(6, 4), cd(-1, 0));
  EXPECT_EQ(unitRoot(3, 12), cd(0, 1));
  Rng rng(1);
  for (int it = 0; it < 200; ++it) {
    int64_t n = 1 + rng.below(100);
    int64_t r = rng.below(4000) - 2000;
    // long double keeps the unreduced angle accurate to ~1e-15.
    const long double pi = 3.141592653589793238462643383279502884L;
    auto ref = std::polar(1.0L, 2.0L * pi * r / n);
    cd got = unitRoot(r, n);
    EXPECT_LT(std::hypot(got.real() - double(ref.real()),
                         got.imag() - double(ref.imag())),
              1e-14)
        << r << "/" << n;
  }
}

// ============================================================================
// DFT
// ============================================================================

TEST(RefMath, DftMatchesRecursiveFft) {
  Rng rng(2);
  for (int64_t n : kPow2) {
    CMat X = randomCMat(rng, n, 3);
    for (bool inv : {false, true}) {
      CMat Y = dft(n, inv, Norm::None) * X;
      for (int c = 0; c < 3; ++c)
        EXPECT_TRUE(close(Y.col(c), fftVec(X.col(c), inv)))
            << "n=" << n << " inverse=" << inv;
    }
  }
}

TEST(RefMath, FftMatchesTheSums) {
  // The evaluator's path for long DFTs (powers of two), and the spectra of
  // convolution kernels (any n), against the defining sums.
  Rng rng(9);
  for (int64_t n : {1, 2, 3, 8, 97, 1000, 1024, 8192, 12289}) {
    std::vector<cd> x(n), y(n, cd(NAN, NAN));
    for (cd &v : x)
      v = cd(rng.uniform(), rng.uniform());
    for (bool inv : {false, true}) {
      fft(x.data(), y.data(), n, inv);
      double err = 0, norm = 0;
      for (int64_t k = 0; k < n; k += (n > 64 ? 61 : 1)) {
        cd acc = 0;
        for (int64_t j = 0; j < n; ++j)
          acc += x[j] * unitRoot((inv ? 1 : -1) * ((j * k) % n), n);
        err = std::max(err, std::abs(acc - y[k]));
        norm = std::max(norm, std::abs(acc));
      }
      EXPECT_LT(err, 1e-12 * norm) << "n=" << n << " inverse=" << inv;
    }
  }
}

TEST(RefMath, DftMatchesChirpIdentity) {
  Rng rng(3);
  for (int64_t n : kAnyN) {
    CVec x = randomCVec(rng, n);
    EXPECT_TRUE(close(dft(n, false, Norm::None) * x, chirpDft(x))) << n;
    // The inverse is the forward transform of the conjugate, conjugated.
    EXPECT_TRUE(close(dft(n, true, Norm::None) * x,
                      chirpDft(x.conjugate()).conjugate()))
        << n;
  }
}

// DFT_mn = (DFT_m (x) I_n) T (I_m (x) DFT_n) L^mn_m with
// T[i n + j] = w_mn^(i j), i < m, j < n. Also pins stridePerm's convention.
TEST(RefMath, DftCooleyTukey) {
  const std::vector<std::pair<int64_t, int64_t>> sizes = {
      {1, 5}, {5, 1}, {2, 3}, {3, 2}, {3, 4}, {4, 3}, {3, 5},
      {5, 3}, {6, 8}, {8, 6}, {4, 12}, {16, 3}, {2, 2}, {7, 9}};
  for (auto [m, n] : sizes) {
    int64_t N = m * n;
    CMat T = CMat::Zero(N, N);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        T(i * n + j, i * n + j) = std::polar(1.0, -2.0 * M_PI * i * j / N);
    CMat ct = kron(dft(m, false, Norm::None), eye(n)) * T *
              kron(eye(m), dft(n, false, Norm::None)) *
              permMatrix(stridePerm(N, m));
    EXPECT_TRUE(close(ct, dft(N, false, Norm::None))) << m << "x" << n;
  }
}

TEST(RefMath, DftInverseNormsAndUnitarity) {
  for (int64_t n : kAnyN) {
    CMat F = dft(n, false, Norm::None);
    EXPECT_TRUE(close(dft(n, true, Norm::Full) * F, eye(n))) << n;
    EXPECT_TRUE(close(F * dft(n, true, Norm::Full), eye(n))) << n;
    CMat Fs = dft(n, false, Norm::Sqrt);
    EXPECT_TRUE(close(dft(n, true, Norm::Sqrt) * Fs, eye(n))) << n;
    EXPECT_TRUE(close(Fs.adjoint() * Fs, eye(n))) << n;
    EXPECT_TRUE(close(Fs.adjoint(), dft(n, true, Norm::Sqrt))) << n;
    // The norm is the same factor for forward and inverse.
    EXPECT_TRUE(close(dft(n, false, Norm::Full), F / double(n))) << n;
    EXPECT_TRUE(close(dft(n, true, Norm::Sqrt),
                      dft(n, true, Norm::None) / std::sqrt(double(n))))
        << n;
    EXPECT_TRUE(close(F.transpose(), F)) << n; // DFT matrices are symmetric
  }
  EXPECT_EQ(dft(0, false, Norm::None).size(), 0);
}

TEST(RefMath, DftKnownValues) {
  for (int64_t n : {1, 4, 7, 16}) {
    CMat F = dft(n, false, Norm::None);
    CVec impulse = CVec::Zero(n), ones = CVec::Ones(n), nE0 = CVec::Zero(n);
    impulse(0) = 1.0;
    nE0(0) = double(n);
    EXPECT_TRUE(close(F * impulse, ones)) << n;
    EXPECT_TRUE(close(F * ones, nE0)) << n;
  }
  // Sign: entry k of dft(8) e_1 is exp(-2 pi i k / 8).
  CVec e1 = CVec::Zero(8);
  e1(1) = 1.0;
  CVec want(8);
  want << cd(1, 0), cd(kR, -kR), cd(0, -1), cd(-kR, -kR), cd(-1, 0),
      cd(-kR, kR), cd(0, 1), cd(kR, kR);
  EXPECT_TRUE(close(dft(8, false, Norm::None) * e1, want, 1e-15));
  EXPECT_TRUE(close(dft(8, true, Norm::None) * e1, want.conjugate(), 1e-15));
  // Quarter turns are exact.
  EXPECT_EQ(dft(4, false, Norm::None)(1, 1), cd(0, -1));
  EXPECT_EQ(dft(4, false, Norm::None)(3, 2), cd(-1, 0));
}

TEST(RefMath, DftMatchesNumpy) {
  CVec x(5);
  x << cd(1, 0), cd(0, 2), cd(3, 0), cd(-1, 0), cd(0.5, -0.5);
  CVec fft(5); // np.fft.fft(x)
  fft << cd(3.5, 1.5), cd(1.9141157991754625, -1.4120872594598946),
      cd(2.682988622293604, 2.884593199764429),
      cd(-0.2559376391687618, -5.311644182889271),
      cd(-2.841166782300305, 2.339138242584737);
  EXPECT_TRUE(close(dft(5, false, Norm::None) * x, fft, 1e-14));
  CVec ifft(5); // np.fft.ifft(x)
  ifft << cd(0.7000000000000001, 0.30000000000000004),
      cd(-0.568233356460061, 0.4678276485169474),
      cd(-0.051187527833752355, -1.0623288365778543),
      cd(0.5365977244587209, 0.5769186399528858),
      cd(0.3828231598350925, -0.2824174518919789);
  EXPECT_TRUE(close(dft(5, true, Norm::Full) * x, ifft, 1e-14));
  CVec x4(4), ortho(4); // np.fft.fft(x4, norm="ortho")
  x4 << cd(1, 0), cd(0, 2), cd(3, 0), cd(-1, 0);
  ortho << cd(1.5, 1), cd(0, -0.5), cd(2.5, -1), cd(-2, 0.5);
  EXPECT_TRUE(close(dft(4, false, Norm::Sqrt) * x4, ortho, 1e-15));
}

TEST(RefMath, DftOfRealIsHermitian) {
  Rng rng(4);
  for (int64_t n : kAnyN) {
    CVec X = dft(n, false, Norm::None) * randomRealCVec(rng, n);
    for (int64_t k = 1; k < n; ++k)
      EXPECT_LT(std::abs(X(n - k) - std::conj(X(k))), 1e-12 * n) << n;
    EXPECT_LT(std::abs(X(0).imag()), 1e-12 * n);
  }
}

// ============================================================================
// rdft / irdft
// ============================================================================

TEST(RefMath, RdftIsTheFirstHalfOfTheDft) {
  Rng rng(5);
  for (int64_t n : kAnyN) {
    for (Norm norm : {Norm::None, Norm::Sqrt, Norm::Full}) {
      CMat R = rdft(n, norm);
      ASSERT_EQ(R.rows(), n / 2 + 1);
      ASSERT_EQ(R.cols(), n);
      CVec x = randomRealCVec(rng, n);
      CVec full = normScale(norm, n) * anyDft(x);
      EXPECT_TRUE(close(R * x, full.head(n / 2 + 1))) << n;
    }
  }
}

TEST(RefMath, RdftMatchesNumpy) {
  for (int64_t n : {5, 6}) {
    CVec x(n); // np.arange(1.0, n + 1) ** 1.5 - 2
    for (int64_t i = 0; i < n; ++i)
      x(i) = std::pow(double(i + 1), 1.5) - 2.0;
    CVec want(n / 2 + 1); // np.fft.rfft(x)
    if (n == 5)
      want << cd(18.20491943495177, 0),
          cd(-5.346964493308895, 9.591201312153691),
          cd(-6.2554952241669906, 2.2425136412961204);
    else
      want << cd(30.90185789165084, 0),
          cd(-6.425563364380162, 15.460890684093219),
          cd(-7.950928945825419, 5.095973953056134),
          cd(-8.14887327123968, 0);
    EXPECT_TRUE(close(rdft(n, Norm::None) * x, want, 1e-14)) << n;
  }
}

TEST(RefMath, IrdftInvertsRdft) {
  Rng rng(6);
  for (int64_t n : kAnyN) {
    CVec x = randomRealCVec(rng, n);
    EXPECT_TRUE(close(irdft(rdft(n, Norm::None) * x, n, Norm::Full), x)) << n;
    EXPECT_TRUE(close(irdft(rdft(n, Norm::Sqrt) * x, n, Norm::Sqrt), x)) << n;
    EXPECT_TRUE(close(irdft(rdft(n, Norm::Full) * x, n, Norm::None), x)) << n;
  }
}

// Pairing k with n-k: x[t] = s (Re X0 + 2 sum_{0<k<n/2} (Re Xk cos - Im Xk sin)
// (2 pi k t / n) + [n even] Re X_{n/2} (-1)^t): the imaginary parts of X0
// and of the Nyquist entry drop out, as in numpy's irfft.
TEST(RefMath, IrdftMatchesRealFormula) {
  Rng rng(7);
  for (int64_t n : kAnyN) {
    CVec X = randomCVec(rng, n / 2 + 1); // imaginary DC and Nyquist too
    for (Norm norm : {Norm::None, Norm::Sqrt, Norm::Full}) {
      CVec want(n);
      for (int64_t t = 0; t < n; ++t) {
        double acc = X(0).real();
        for (int64_t k = 1; 2 * k < n; ++k) {
          double th = 2.0 * M_PI * double(k * t) / double(n);
          acc += 2.0 * (X(k).real() * std::cos(th) - X(k).imag() * std::sin(th));
        }
        if (n % 2 == 0)
          acc += X(n / 2).real() * (t % 2 ? -1.0 : 1.0);
        want(t) = normScale(norm, n) * acc;
      }
      CVec got = irdft(X, n, norm);
      EXPECT_TRUE(close(got, want)) << n;
      EXPECT_EQ(got.imag().cwiseAbs().maxCoeff(), 0.0);
    }
  }
  EXPECT_EQ(irdft(CVec::Zero(3), 6, Norm::None).size(), 0); // needs 4
}

// The half-length algorithm: rdft_2M = split DFT_M pack and irdft_2M =
// unpack iDFT_M merge, checked against the direct sums above.
TEST(RefMath, RfftStepsGiveTheRealTransforms) {
  Rng rng(70);
  for (int64_t M : {1, 2, 3, 4, 5, 8, 12, 17, 32}) {
    CVec x = randomRealCVec(rng, 2 * M);
    CVec got = rfftSplit(dft(M, false, Norm::None) * pack(x));
    EXPECT_TRUE(close(got, rdft(2 * M, Norm::None) * x)) << M;
    CVec X = randomCVec(rng, M + 1); // imaginary DC and Nyquist too
    CVec back = unpack(dft(M, true, Norm::None) * rfftMerge(X));
    EXPECT_TRUE(close(back, irdft(X, 2 * M, Norm::None))) << M;
  }
  CVec z = randomCVec(rng, 3);
  EXPECT_TRUE(close(pack(unpack(z)), z));
  EXPECT_EQ(pack(CVec::Zero(3)).size(), 0);
  EXPECT_EQ(rfftSplit(CVec()).size(), 0);
  EXPECT_EQ(rfftMerge(CVec::Zero(1)).size(), 0);
}

TEST(RefMath, IrdftMatchesNumpy) {
  CVec X(3);
  X << cd(1, 0.5), cd(2, 1), cd(3, -2);
  CVec want4(4), want5(5); // np.fft.irfft(X, n=4), np.fft.irfft(X, n=5)
  want4 << 2, -1, 0, 0;
  want5 << 2.2, -0.43380120243406195, -1.072352516203133, 0.9195661117030911,
      -0.6134123930658961;
  EXPECT_TRUE(close(irdft(X, 4, Norm::Full), want4, 1e-15));
  EXPECT_TRUE(close(irdft(X, 5, Norm::Full), want5, 1e-14));
}

TEST(RefMath, IrdftIsRealLinearNotComplexLinear) {
  Rng rng(8);
  for (int64_t n : {1, 2, 7, 8}) {
    CVec X = randomCVec(rng, n / 2 + 1), Y = randomCVec(rng, n / 2 + 1);
    double a = 0.7, b = -1.3;
    EXPECT_TRUE(close(irdft(a * X + b * Y, n, Norm::None),
                      a * irdft(X, n, Norm::None) + b * irdft(Y, n, Norm::None)))
        << n;
  }
  // i times a real DC input is dropped entirely.
  CVec dc = CVec::Zero(3);
  dc(0) = cd(0, 1);
  EXPECT_EQ(irdft(dc, 4, Norm::None).norm(), 0.0);
}

TEST(RefMath, IrdftRealMatrixActsOnInterleaved) {
  Rng rng(9);
  for (int64_t n : {1, 2, 5, 8, 13}) {
    int64_t h = n / 2 + 1;
    CVec X = randomCVec(rng, h);
    Eigen::VectorXd inter(2 * h);
    for (int64_t k = 0; k < h; ++k) {
      inter(2 * k) = X(k).real();
      inter(2 * k + 1) = X(k).imag();
    }
    for (Norm norm : {Norm::None, Norm::Full}) {
      Eigen::VectorXd got = irdftRealMatrix(n, norm) * inter;
      EXPECT_TRUE(close(got, irdft(X, n, norm).real())) << n;
    }
  }
}

// ============================================================================
// DCT / DST
// ============================================================================

const std::vector<int64_t> kTrigN = {1, 2, 3, 4, 5, 8, 12, 13, 16, 31, 64};

TEST(RefMath, TrigTransformsOrthonormal) {
  for (int64_t n : kTrigN)
    for (int type : {2, 3, 4}) {
      CMat C = dct(n, type, Norm::Sqrt), S = dst(n, type, Norm::Sqrt);
      EXPECT_TRUE(close(C.transpose() * C, eye(n))) << "dct" << type << " " << n;
      EXPECT_TRUE(close(S.transpose() * S, eye(n))) << "dst" << type << " " << n;
      EXPECT_EQ(C.imag().norm(), 0.0);
      EXPECT_EQ(S.imag().norm(), 0.0);
    }
}

TEST(RefMath, TrigType3IsTransposeOfType2) {
  for (int64_t n : kTrigN)
    for (Norm norm : {Norm::None, Norm::Sqrt}) {
      EXPECT_TRUE(close(dct(n, 3, norm), dct(n, 2, norm).transpose())) << n;
      EXPECT_TRUE(close(dst(n, 3, norm), dst(n, 2, norm).transpose())) << n;
      // Hence the orthonormal type 3 inverts the orthonormal type 2.
      if (norm == Norm::Sqrt) {
        EXPECT_TRUE(close(dct(n, 3, norm) * dct(n, 2, norm), eye(n))) << n;
        EXPECT_TRUE(close(dst(n, 3, norm) * dst(n, 2, norm), eye(n))) << n;
      }
    }
}

// Makhoul: v = [x0, x2, x4, ..., ..., x5, x3, x1], y[k] = Re(e^{-i pi k/2N} V[k]).
TEST(RefMath, Dct2MatchesMakhoulFft) {
  Rng rng(10);
  for (int64_t n : kTrigN) {
    CVec x = randomRealCVec(rng, n), v(n);
    for (int64_t j = 0; 2 * j < n; ++j)
      v(j) = x(2 * j);
    for (int64_t j = 0; 2 * j + 1 < n; ++j)
      v(n - 1 - j) = x(2 * j + 1);
    CVec V = anyDft(v), want(n);
    for (int64_t k = 0; k < n; ++k)
      want(k) = (std::polar(1.0, -M_PI * k / (2.0 * n)) * V(k)).real();
    EXPECT_TRUE(close(dct(n, 2, Norm::None) * x, want)) << n;
  }
}

// cos(pi(2j+1)(2k+1)/4N) = Re(e^{-i pi (2k+1)/4N} e^{-i pi j/2N} e^{-2 pi i jk/2N}):
// a 2N-point DFT of the pre-twiddled, zero-padded input.
TEST(RefMath, Dct4MatchesFft) {
  Rng rng(11);
  for (int64_t n : kTrigN) {
    CVec x = randomRealCVec(rng, n), pre = CVec::Zero(2 * n);
    for (int64_t j = 0; j < n; ++j)
      pre(j) = x(j) * std::polar(1.0, -M_PI * j / (2.0 * n));
    CVec V = anyDft(pre), want(n);
    for (int64_t k = 0; k < n; ++k)
      want(k) = (std::polar(1.0, -M_PI * (2 * k + 1) / (4.0 * n)) * V(k)).real();
    EXPECT_TRUE(close(dct(n, 4, Norm::None) * x, want)) << n;
  }
}

// sin(pi(k+1)(2j+1)/2N) = (-1)^j cos(pi(N-1-k)(2j+1)/2N), and the same for
// type 4: DST = J DCT D, J the reversal, D = diag((-1)^j).
TEST(RefMath, DstIsReversedSignFlippedDct) {
  for (int64_t n : kTrigN) {
    CMat J = CMat::Zero(n, n), D = CMat::Zero(n, n);
    for (int64_t i = 0; i < n; ++i) {
      J(i, n - 1 - i) = 1.0;
      D(i, i) = i % 2 ? -1.0 : 1.0;
    }
    for (Norm norm : {Norm::None, Norm::Sqrt}) {
      EXPECT_TRUE(close(dst(n, 2, norm), J * dct(n, 2, norm) * D)) << n;
      EXPECT_TRUE(close(dst(n, 3, norm), D * dct(n, 3, norm) * J)) << n;
      EXPECT_TRUE(close(dst(n, 4, norm), J * dct(n, 4, norm) * D)) << n;
    }
  }
}

TEST(RefMath, Type4SymmetricInvolutions) {
  for (int64_t n : kTrigN) {
    for (Norm norm : {Norm::None, Norm::Sqrt}) {
      EXPECT_TRUE(close(dct(n, 4, norm), dct(n, 4, norm).transpose())) << n;
      EXPECT_TRUE(close(dst(n, 4, norm), dst(n, 4, norm).transpose())) << n;
    }
    CMat C = dct(n, 4, Norm::Sqrt), S = dst(n, 4, Norm::Sqrt);
    EXPECT_TRUE(close(C * C, eye(n))) << n;
    EXPECT_TRUE(close(S * S, eye(n))) << n;
    // Unnormalized: C4 C4 = (N/2) I.
    CMat C4 = dct(n, 4, Norm::None);
    EXPECT_TRUE(close(C4 * C4, eye(n) * (n / 2.0))) << n;
  }
}

TEST(RefMath, TrigHandValuesN2) {
  const double t = 1e-15;
  // DCT-II: cos(pi k (2j+1)/4): row 0 = [cos 0, cos 0] = [1, 1];
  // row 1 = [cos(pi/4), cos(3 pi/4)] = [r, -r], r = sqrt(1/2).
  EXPECT_TRUE(close(dct(2, 2, Norm::None), fromRows({{1, 1}, {kR, -kR}}), t));
  // ortho: row 0 times sqrt(1/2), row 1 times sqrt(2/2) = 1.
  EXPECT_TRUE(close(dct(2, 2, Norm::Sqrt), fromRows({{kR, kR}, {kR, -kR}}), t));
  EXPECT_TRUE(close(dct(2, 3, Norm::None), fromRows({{1, kR}, {1, -kR}}), t));
  // DCT-IV: cos(pi (2j+1)(2k+1)/8): (0,0) cos(pi/8), (0,1) = (1,0) =
  // cos(3 pi/8), (1,1) cos(9 pi/8) = -cos(pi/8); ortho factor sqrt(2/2) = 1.
  CMat c4 = fromRows({{kC1, kC3}, {kC3, -kC1}});
  EXPECT_TRUE(close(dct(2, 4, Norm::None), c4, t));
  EXPECT_TRUE(close(dct(2, 4, Norm::Sqrt), c4, t));
  // DST-II: sin(pi (k+1)(2j+1)/4): row 0 = [sin(pi/4), sin(3 pi/4)] = [r, r];
  // row 1 = [sin(pi/2), sin(3 pi/2)] = [1, -1]; ortho: the LAST row gets
  // sqrt(1/2), row 0 gets sqrt(2/2) = 1.
  EXPECT_TRUE(close(dst(2, 2, Norm::None), fromRows({{kR, kR}, {1, -1}}), t));
  EXPECT_TRUE(close(dst(2, 2, Norm::Sqrt), fromRows({{kR, kR}, {kR, -kR}}), t));
  // DST-IV: sin(pi (2j+1)(2k+1)/8): sin(pi/8) = cos(3pi/8), sin(3pi/8) =
  // cos(pi/8), sin(9pi/8) = -sin(pi/8).
  EXPECT_TRUE(close(dst(2, 4, Norm::None), fromRows({{kC3, kC1}, {kC1, -kC3}}), t));
  // N = 1: DCT-II/III/IV = cos(0), cos(0), cos(pi/4); DST-II = sin(pi/2).
  EXPECT_TRUE(close(dct(1, 2, Norm::Sqrt), fromRows({{1}}), t));
  EXPECT_TRUE(close(dct(1, 4, Norm::None), fromRows({{kR}}), t));
  EXPECT_TRUE(close(dst(1, 2, Norm::None), fromRows({{1}}), t));
  EXPECT_TRUE(close(dst(1, 4, Norm::Sqrt), fromRows({{kR * std::sqrt(2.0)}}), t));
}

// scipy.fft.{dct,dst}(x, type=t, norm="ortho") and norm=None, for
// x = [1, -2, 3.5, 0.25, 4]. scipy's unnormalized transforms are NOT ours:
// types 2 and 4 are twice ours; type 3 is 2 ours - x[0] (dct) and
// 2 ours - (-1)^k x[N-1] (dst).
TEST(RefMath, TrigMatchesScipy) {
  CVec x(5);
  x << 1.0, -2.0, 3.5, 0.25, 4.0;
  auto vec = [](std::initializer_list<double> v) {
    CVec r(v.size());
    Eigen::Index i = 0;
    for (double e : v)
      r(i++) = e;
    return r;
  };
  struct Case {
    bool isDct;
    int type;
    CVec ortho, plain;
  };
  std::vector<Case> cases = {
      {true, 2,
       vec({3.0186917696247164, -2.640935942558052, 0.6867611441640941,
            0.23813304538642444, 4.0862096288451015}),
       vec({13.5, -8.351372733087048, 2.17172942406179, 0.7530428095733528,
            12.92172942406179})},
      {false, 2,
       vec({2.2953741712391773, -2.4686212521475310, 2.7228676171020538e-03,
            -9.6806978748722217e-01, 4.5839393538745687}),
       vec({7.258610463437158, -7.806465837083029, 8.610463437157101e-03,
            -3.061305462454793, 20.5})},
      {true, 3,
       vec({1.9097421820452565, -3.17736508312606, 0.7634413615167956,
            -1.3896224677815485, 4.129871984845346}),
       vec({5.624921476589834, -10.461924182941681, 1.9999999999999982,
            -4.80858564830674, 12.645588354658589})},
      {false, 3,
       vec({3.1820085170221293, -1.8890877504812846, 0.20771555191564184,
            0.7027900867789905, 4.368250177359094}),
       vec({8.405540198352213, -4.316965741952323, -1.0000000000000013,
            3.8792716407013783, 12.156765700396843})},
      {true, 4,
       vec({1.5304061006067915, -2.5042837155173445, 1.6770509831248424,
            0.8723607366697085, 4.596238351580262}),
       vec({4.839569022934259, -7.919240448303963, 5.303300858899107,
            2.7586468691786497, 14.5345818600114})},
      {false, 4,
       vec({3.72948414202674, -1.675784004476228, -0.33541019662496846,
            -1.7961978667883756, 3.640929720285409}),
       vec({11.793664386283394, -5.299294320622684, -1.0606601717798214,
            -5.680076387386979, 11.513630716701654})},
  };
  for (const Case &c : cases) {
    auto op = [&](Norm norm) {
      return c.isDct ? dct(5, c.type, norm) : dst(5, c.type, norm);
    };
    EXPECT_TRUE(close(op(Norm::Sqrt) * x, c.ortho, 1e-14))
        << (c.isDct ? "dct" : "dst") << c.type;
    CVec ours = op(Norm::None) * x, scipyPlain = 2.0 * ours;
    if (c.type == 3)
      for (int64_t k = 0; k < 5; ++k)
        scipyPlain(k) -= c.isDct ? x(0) : (k % 2 ? -x(4) : x(4));
    EXPECT_TRUE(close(scipyPlain, c.plain, 1e-14))
        << (c.isDct ? "dct" : "dst") << c.type;
  }
}

TEST(RefMath, TrigRejects) {
  EXPECT_EQ(dct(4, 2, Norm::Full).size(), 0);
  EXPECT_EQ(dst(4, 4, Norm::Full).size(), 0);
  EXPECT_EQ(dct(4, 1, Norm::None).size(), 0);
  EXPECT_EQ(dst(4, 5, Norm::Sqrt).size(), 0);
  EXPECT_EQ(dct(0, 2, Norm::None).size(), 0);
}

// ============================================================================
// Hadamard / Hartley
// ============================================================================

TEST(RefMath, HadamardSylvester) {
  CMat H2 = fromRows({{1, 1}, {1, -1}});
  EXPECT_TRUE(close(hadamard(1, Norm::None), fromRows({{1}}), 0));
  EXPECT_TRUE(close(hadamard(2, Norm::None), H2, 0));
  // scipy.linalg.hadamard(4)
  EXPECT_TRUE(close(hadamard(4, Norm::None),
                    fromRows({{1, 1, 1, 1},
                              {1, -1, 1, -1},
                              {1, 1, -1, -1},
                              {1, -1, -1, 1}}),
                    0));
  for (int64_t n = 1; n <= 256; n *= 2) {
    CMat H = hadamard(n, Norm::None);
    CMat H2n(2 * n, 2 * n);
    H2n << H, H, H, -H;
    EXPECT_TRUE(close(hadamard(2 * n, Norm::None), H2n, 0)) << n;
    EXPECT_TRUE(close(hadamard(2 * n, Norm::None), kron(H, H2), 0)) << n;
    EXPECT_TRUE(close(H * H, double(n) * eye(n), 0)) << n;
    CMat Hs = hadamard(n, Norm::Sqrt);
    EXPECT_TRUE(close(Hs * Hs, eye(n))) << n;
    EXPECT_TRUE(close(Hs.transpose(), Hs, 0)) << n;
    EXPECT_TRUE(close(hadamard(n, Norm::Full), H / double(n), 0)) << n;
  }
  for (int64_t a : {2, 4, 8})
    for (int64_t b : {1, 2, 16})
      EXPECT_TRUE(close(hadamard(a * b, Norm::None),
                        kron(hadamard(a, Norm::None), hadamard(b, Norm::None)),
                        0));
  EXPECT_EQ(hadamard(6, Norm::None).size(), 0);
  EXPECT_EQ(hadamard(0, Norm::None).size(), 0);
}

TEST(RefMath, Hartley) {
  // cas(2 pi jk/4): cas(pi/2) = 1, cas(pi) = -1, cas(3 pi/2) = -1,
  // cas(3 pi) = -1, cas(9 pi/2) = 1.
  EXPECT_TRUE(close(hartley(4, Norm::None),
                    fromRows({{1, 1, 1, 1},
                              {1, 1, -1, -1},
                              {1, -1, 1, -1},
                              {1, -1, -1, 1}}),
                    1e-15));
  Rng rng(12);
  for (int64_t n : kAnyN) {
    CMat H = hartley(n, Norm::None), F = dft(n, false, Norm::None);
    CMat ReMinusIm = (F.real() - F.imag()).cast<cd>();
    EXPECT_TRUE(close(H, ReMinusIm)) << n;
    EXPECT_TRUE(close(H * H, double(n) * eye(n))) << n;
    EXPECT_TRUE(close(H.transpose(), H)) << n;
    CMat Hs = hartley(n, Norm::Sqrt);
    EXPECT_TRUE(close(Hs * Hs, eye(n))) << n;
    EXPECT_TRUE(close(hartley(n, Norm::Full), H / double(n))) << n;
    // Via an FFT of a real vector: H x = Re(F x) - Im(F x).
    CVec x = randomRealCVec(rng, n), X = anyDft(x);
    EXPECT_TRUE(close(H * x, (X.real() - X.imag()).cast<cd>())) << n;
  }
}

// ============================================================================
// Permutations
// ============================================================================

TEST(RefMath, BitrevPerm) {
  EXPECT_EQ(bitrevPerm(1), (std::vector<int64_t>{0}));
  EXPECT_EQ(bitrevPerm(2), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(bitrevPerm(8), (std::vector<int64_t>{0, 4, 2, 6, 1, 5, 3, 7}));
  EXPECT_TRUE(bitrevPerm(12).empty());
  for (int64_t n = 2; n <= 1 << 16; n *= 2) {
    auto p = bitrevPerm(n);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(p[p[i]], i) << n;
  }
  for (int64_t n = 2; n <= 256; n *= 2) {
    CMat P = permMatrix(bitrevPerm(n));
    EXPECT_TRUE(close(P * P, eye(n), 0)) << n; // an involution
    // R_N = (I_2 (x) R_{N/2}) L^N_2: evens first, then odds, each reversed.
    CMat Ph = permMatrix(bitrevPerm(n / 2));
    EXPECT_TRUE(close(P, directSum({Ph, Ph}) * permMatrix(stridePerm(n, 2)), 0))
        << n;
  }
}

TEST(RefMath, StridePerm) {
  // L^6_2 reads at stride 2; L^6_3 at stride 3.
  EXPECT_EQ(stridePerm(6, 2), (std::vector<int64_t>{0, 2, 4, 1, 3, 5}));
  EXPECT_EQ(stridePerm(6, 3), (std::vector<int64_t>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(stridePerm(5, 1), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(stridePerm(5, 5), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(stridePerm(6, 4).empty());
  Rng rng(13);
  for (auto [m, q] : std::vector<std::pair<int64_t, int64_t>>{
           {2, 3}, {3, 2}, {4, 4}, {5, 7}, {8, 2}, {1, 6}}) {
    int64_t N = m * q;
    CMat Lm = permMatrix(stridePerm(N, m)), Lq = permMatrix(stridePerm(N, q));
    EXPECT_TRUE(close(Lm * Lq, eye(N), 0)); // (L^N_m)^-1 = L^N_{N/m}
    // L^N_m transposes a row-major q x m matrix into a row-major m x q one.
    CMat A = randomCMat(rng, q, m);
    Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Ar = A;
    CMat At = A.transpose();
    Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Atr = At;
    CVec x = Eigen::Map<CVec>(Ar.data(), N), y = Eigen::Map<CVec>(Atr.data(), N);
    EXPECT_TRUE(close(Lm * x, y, 0));
    // The commutation theorem: A_m (x) B_q = L^N_m (B_q (x) A_m) L^N_q.
    CMat Am = randomCMat(rng, m, m), Bq = randomCMat(rng, q, q);
    EXPECT_TRUE(close(kron(Am, Bq), Lm * kron(Bq, Am) * Lq));
  }
}

TEST(RefMath, PermMatrix) {
  std::vector<int64_t> p = {2, 0, 3, 1};
  CVec x(4), want(4);
  x << 10, 11, 12, 13;
  want << 12, 10, 13, 11; // y[i] = x[p[i]]
  EXPECT_TRUE(close(permMatrix(p) * x, want, 0));
  EXPECT_EQ(permMatrix({0, 0, 1}).size(), 0);
  EXPECT_EQ(permMatrix({0, 3, 1}).size(), 0);
  Rng rng(14);
  for (int64_t n : {1, 5, 16}) {
    auto a = randomPerm(rng, n), b = randomPerm(rng, n);
    CMat Pa = permMatrix(a), Pb = permMatrix(b);
    EXPECT_TRUE(close(Pa.transpose() * Pa, eye(n), 0));
    std::vector<int64_t> ab(n); // (Pa Pb x)[i] = (Pb x)[a[i]] = x[b[a[i]]]
    for (int64_t i = 0; i < n; ++i)
      ab[i] = b[a[i]];
    EXPECT_TRUE(close(Pa * Pb, permMatrix(ab), 0));
  }
}

// ============================================================================
// Butterfly
// ============================================================================

int64_t log2i(int64_t n) {
  int64_t l = 0;
  while ((int64_t(1) << l) < n)
    ++l;
  return l;
}

// Index of tw[b, l, p, 0, 0] in the row-major [nblocks, L, n/2, 2, 2] array.
size_t twAt(int64_t n, int64_t b, int64_t l, int64_t p) {
  return size_t(((b * log2i(n) + l) * (n / 2) + p) * 4);
}

// Radix-2 DIT after a bit-reversed load: at stride s, index a at offset
// r = a mod 2s < s of its 2s-block pairs with a+s;
// y[a] = x[a] + w x[a+s], y[a+s] = x[a] - w x[a+s], w = exp(-+2 pi i r/2s).
// The pair number p = (a / 2s) s + r, so r = p mod s.
void putDit(std::vector<cd> &tw, int64_t n, int64_t b, bool inverse) {
  for (int64_t l = 0; l < log2i(n); ++l) {
    int64_t s = int64_t(1) << l;
    for (int64_t p = 0; p < n / 2; ++p) {
      cd w = std::polar(1.0, (inverse ? 1 : -1) * M_PI * (p % s) / double(s));
      size_t at = twAt(n, b, l, p);
      tw[at] = 1.0;
      tw[at + 1] = w;
      tw[at + 2] = 1.0;
      tw[at + 3] = -w;
    }
  }
}

// Radix-2 DIF, natural order in, bit-reversed out; stride s = n/2^(l+1):
// y[a] = x[a] + x[a+s], y[a+s] = w (x[a] - x[a+s]), w = exp(-2 pi i r/2s).
void putDif(std::vector<cd> &tw, int64_t n, int64_t b) {
  for (int64_t l = 0; l < log2i(n); ++l) {
    int64_t s = n >> (l + 1);
    for (int64_t p = 0; p < n / 2; ++p) {
      cd w = std::polar(1.0, -M_PI * (p % s) / double(s));
      size_t at = twAt(n, b, l, p);
      tw[at] = 1.0;
      tw[at + 1] = 1.0;
      tw[at + 2] = w;
      tw[at + 3] = -w;
    }
  }
}

void putHadamard(std::vector<cd> &tw, int64_t n, int64_t b) {
  for (int64_t l = 0; l < log2i(n); ++l)
    for (int64_t p = 0; p < n / 2; ++p) {
      size_t at = twAt(n, b, l, p);
      tw[at] = tw[at + 1] = tw[at + 2] = 1.0;
      tw[at + 3] = -1.0;
    }
}

std::vector<cd> twSized(int64_t n, int64_t nblocks) {
  return std::vector<cd>(size_t(nblocks * log2i(n) * (n / 2) * 4));
}

// A stride-s stage as the direct sum over the n/2s blocks of size 2s of
// [[diag(t00), diag(t01)], [diag(t10), diag(t11)]], block c owning pairs
// p = c s + r, r < s.
CMat stageByBlocks(const std::vector<cd> &tw, int64_t n, int64_t b, int64_t l,
                   int64_t s) {
  std::vector<CMat> blocks;
  for (int64_t c = 0; c < n / (2 * s); ++c) {
    CMat B = CMat::Zero(2 * s, 2 * s);
    for (int64_t r = 0; r < s; ++r) {
      const cd *t = &tw[twAt(n, b, l, c * s + r)];
      B(r, r) = t[0];
      B(r, s + r) = t[1];
      B(s + r, r) = t[2];
      B(s + r, s + r) = t[3];
    }
    blocks.push_back(B);
  }
  return directSum(blocks);
}

TEST(RefMath, ButterflyDitIsDft) {
  for (int64_t n : kPow2) {
    for (bool inv : {false, true}) {
      auto tw = twSized(n, 1);
      putDit(tw, n, 0, inv);
      EXPECT_TRUE(close(butterfly(tw, n, 1, false, bitrevPerm(n)),
                        dft(n, inv, Norm::None)))
          << n;
    }
  }
}

TEST(RefMath, ButterflyDifIsBitReversedDft) {
  for (int64_t n : kPow2) {
    auto tw = twSized(n, 1);
    putDif(tw, n, 0);
    CMat B = butterfly(tw, n, 1, true, {}), PB(n, n);
    auto p = bitrevPerm(n); // (P B).row(i) = B.row(p[i])
    for (int64_t i = 0; i < n; ++i)
      PB.row(i) = B.row(p[i]);
    EXPECT_TRUE(close(PB, dft(n, false, Norm::None)))
        << n;
  }
}

TEST(RefMath, ButterflyHadamard) {
  for (int64_t n : kPow2)
    for (bool dec : {false, true}) {
      auto tw = twSized(n, 1);
      putHadamard(tw, n, 0);
      EXPECT_TRUE(close(butterfly(tw, n, 1, dec, {}), hadamard(n, Norm::None)))
          << n;
    }
}

// Blocks apply in order b = 0, 1: H F and H P F, not F H.
TEST(RefMath, ButterflyTwoBlocksOrder) {
  for (int64_t n : {2, 4, 8, 32, 128}) {
    CMat F = dft(n, false, Norm::None), H = hadamard(n, Norm::None);
    auto inc = twSized(n, 2), dec = twSized(n, 2);
    putDit(inc, n, 0, false);
    putHadamard(inc, n, 1);
    putDif(dec, n, 0);
    putHadamard(dec, n, 1);
    EXPECT_TRUE(close(butterfly(inc, n, 2, false, bitrevPerm(n)), H * F)) << n;
    EXPECT_TRUE(close(butterfly(dec, n, 2, true, {}),
                      H * permMatrix(bitrevPerm(n)) * F))
        << n;
  }
}

TEST(RefMath, ButterflyRandomMatchesStageProduct) {
  Rng rng(15);
  for (int64_t n : {1, 2, 4, 8, 16, 32}) {
    int64_t L = log2i(n);
    for (int64_t nblocks : {1, 2, 3})
      for (bool dec : {false, true})
        for (bool withPerm : {false, true}) {
          auto tw = randomComplexes(rng, nblocks * L * (n / 2) * 4);
          std::vector<int64_t> perm;
          CMat want = eye(n);
          if (withPerm) {
            perm = randomPerm(rng, n);
            want = permMatrix(perm);
          }
          for (int64_t b = 0; b < nblocks; ++b)
            for (int64_t l = 0; l < L; ++l) {
              int64_t s = dec ? n / (int64_t(2) << l) : int64_t(1) << l;
              want = stageByBlocks(tw, n, b, l, s) * want;
            }
          EXPECT_TRUE(close(butterfly(tw, n, nblocks, dec, perm), want))
              << "n=" << n << " nblocks=" << nblocks << " dec=" << dec
              << " perm=" << withPerm;
        }
  }
}

// Pair numbering by hand, n = 4. Stride 1 pairs (0,1) p0 and (2,3) p1;
// stride 2 pairs (0,2) p0 and (1,3) p1.
TEST(RefMath, ButterflyHandN4) {
  std::vector<cd> tw(16);
  // stage l=0 (stride 1): p0 = [[1,2],[3,4]], p1 = [[5,6],[7,8]].
  for (int i = 0; i < 8; ++i)
    tw[i] = double(i + 1);
  CMat s1 = fromRows({{1, 2, 0, 0}, {3, 4, 0, 0}, {0, 0, 5, 6}, {0, 0, 7, 8}});
  CMat s2 = fromRows({{1, 0, 2, 0}, {0, 5, 0, 6}, {3, 0, 4, 0}, {0, 7, 0, 8}});
  // Only stage 0 non-trivial: make stage 1 the identity.
  std::vector<cd> tw1 = tw;
  for (int p = 0; p < 2; ++p) {
    tw1[8 + 4 * p] = 1.0;
    tw1[9 + 4 * p] = 0.0;
    tw1[10 + 4 * p] = 0.0;
    tw1[11 + 4 * p] = 1.0;
  }
  EXPECT_TRUE(close(butterfly(tw1, 4, 1, false, {}), s1, 0));
  // Decreasing: stage 0 has stride 2.
  EXPECT_TRUE(close(butterfly(tw1, 4, 1, true, {}), s2, 0));
  // Same twiddles at both stages, increasing: stride 2 after stride 1.
  for (int i = 8; i < 16; ++i)
    tw[i] = tw[i - 8];
  EXPECT_TRUE(close(butterfly(tw, 4, 1, false, {}), s2 * s1, 0));
  EXPECT_TRUE(close(butterfly(tw, 4, 1, true, {}), s1 * s2, 0));
}

TEST(RefMath, ButterflyEdgeCases) {
  EXPECT_TRUE(close(butterfly({}, 1, 1, false, {}), eye(1), 0));
  std::vector<cd> tw = {cd(1, 1), 2.0, 3.0, cd(0, -1)};
  EXPECT_TRUE(close(butterfly(tw, 2, 1, false, {}),
                    fromRows({{cd(1, 1), 2}, {3, cd(0, -1)}}), 0));
  EXPECT_TRUE(close(butterfly(tw, 2, 1, false, {1, 0}),
                    fromRows({{2, cd(1, 1)}, {cd(0, -1), 3}}), 0));
  EXPECT_EQ(butterfly(tw, 4, 1, false, {}).size(), 0);    // wrong tw size
  EXPECT_EQ(butterfly(tw, 2, 1, false, {0}).size(), 0);   // wrong perm size
  EXPECT_EQ(butterfly(tw, 2, 1, false, {1, 1}).size(), 0); // not a perm
  EXPECT_EQ(butterfly({}, 3, 1, false, {}).size(), 0);
}

// ============================================================================
// Monarch
// ============================================================================

CMat blockDiag(const std::vector<cd> &w, int64_t count, int64_t size) {
  std::vector<CMat> blocks;
  for (int64_t c = 0; c < count; ++c)
    blocks.push_back(
        Eigen::Map<const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic,
                                       Eigen::RowMajor>>(
            w.data() + c * size * size, size, size));
  return directSum(blocks);
}

TEST(RefMath, MonarchMatchesPermutedBlockForm) {
  Rng rng(16);
  for (auto [b, n] : std::vector<std::pair<int64_t, int64_t>>{
           {4, 4}, {2, 8}, {8, 2}, {3, 5}, {5, 3}, {1, 6}, {6, 1}, {16, 16}}) {
    int64_t N = b * n;
    auto R = randomComplexes(rng, b * n * n), L = randomComplexes(rng, n * b * b);
    // M = L^N_b . diag(L) . L^N_n . diag(R).
    CMat want = permMatrix(stridePerm(N, b)) * blockDiag(L, n, b) *
                permMatrix(stridePerm(N, n)) * blockDiag(R, b, n);
    EXPECT_TRUE(close(monarch(L, R, b, n), want)) << b << "x" << n;
  }
  EXPECT_EQ(monarch({}, {}, 2, 2).size(), 0);
}

// Entry (i n + j, I n + J) of DFT_N L^N_n is w_N^((i n + j)(J b + I)) =
// w_b^(i J) w_N^(j J) w_n^(j I), which is the Monarch entry
// L[j][i][J] R[J][j][I] with L[j] = DFT_b, R[J] = diag(w_N^(J j)) DFT_n.
TEST(RefMath, MonarchDft) {
  for (auto [b, n] : std::vector<std::pair<int64_t, int64_t>>{
           {2, 2}, {4, 4}, {2, 8}, {8, 2}, {3, 5}, {4, 6}, {16, 16}, {8, 32}}) {
    int64_t N = b * n;
    std::vector<cd> L(n * b * b), R(b * n * n);
    CMat Fb = dft(b, false, Norm::None), Fn = dft(n, false, Norm::None);
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < b; ++i)
        for (int64_t ii = 0; ii < b; ++ii)
          L[(j * b + i) * b + ii] = Fb(i, ii);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t jj = 0; jj < n; ++jj)
          R[(i * n + j) * n + jj] =
              std::polar(1.0, -2.0 * M_PI * double(i * j) / double(N)) * Fn(j, jj);
    EXPECT_TRUE(close(monarch(L, R, b, n),
                      dft(N, false, Norm::None) * permMatrix(stridePerm(N, n))))
        << b << "x" << n;
  }
}

// ============================================================================
// kron / direct_sum
// ============================================================================

TEST(RefMath, Kron) {
  CMat A = fromRows({{1, 2}}), B = fromRows({{0, 1}, {1, 0}});
  EXPECT_TRUE(close(kron(A, B), fromRows({{0, 1, 0, 2}, {1, 0, 2, 0}}), 0));
  Rng rng(17);
  CMat A1 = randomCMat(rng, 2, 3), B1 = randomCMat(rng, 3, 4);
  CMat C1 = randomCMat(rng, 3, 2), D1 = randomCMat(rng, 4, 5);
  // Mixed product (A B)(C D) and transposes.
  EXPECT_TRUE(close(kron(A1, B1) * kron(C1, D1), kron(A1 * C1, B1 * D1)));
  EXPECT_TRUE(close(kron(A1, B1).transpose(),
                    kron(A1.transpose(), B1.transpose()), 0));
  EXPECT_TRUE(close(kron(kron(A1, B1), C1), kron(A1, kron(B1, C1))));
  EXPECT_TRUE(close(kron(eye(3), eye(4)), eye(12), 0));
  // (A (x) B) vec: with x viewed as row-major [N1, N2] matrix X, A X B^T.
  CMat X = randomCMat(rng, 3, 4);
  Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Xr = X;
  Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Yr =
      A1 * X * B1.transpose();
  EXPECT_TRUE(close(kron(A1, B1) * Eigen::Map<CVec>(Xr.data(), 12),
                    Eigen::Map<CVec>(Yr.data(), 6)));
}

TEST(RefMath, DirectSum) {
  Rng rng(18);
  CMat A = randomCMat(rng, 2, 3), B = randomCMat(rng, 4, 1), C = randomCMat(rng, 1, 1);
  CMat D = directSum({A, B, C});
  ASSERT_EQ(D.rows(), 7);
  ASSERT_EQ(D.cols(), 5);
  CVec x = randomCVec(rng, 5);
  CVec want(7);
  want << A * x.segment(0, 3), B * x.segment(3, 1), C * x.segment(4, 1);
  EXPECT_TRUE(close(D * x, want, 1e-15));
  // Everything off the diagonal blocks is zero.
  CMat masked = D;
  masked.block(0, 0, 2, 3).setZero();
  masked.block(2, 3, 4, 1).setZero();
  masked.block(6, 4, 1, 1).setZero();
  EXPECT_EQ(masked.norm(), 0.0);
  EXPECT_EQ(directSum({}).size(), 0);
  EXPECT_TRUE(close(directSum({eye(2), eye(3)}), eye(5), 0));
}

// ============================================================================
// Convolutions
// ============================================================================

TEST(RefMath, CirculantIsDiagonalizedByDft) {
  EXPECT_TRUE(close(circulant({1.0, 2.0, 3.0}),
                    fromRows({{1, 3, 2}, {2, 1, 3}, {3, 2, 1}}), 0));
  Rng rng(19);
  for (int64_t n : kAnyN) {
    auto h = randomComplexes(rng, n);
    CMat want = dft(n, true, Norm::Full) *
                (dft(n, false, Norm::None) * toVec(h)).asDiagonal() *
                dft(n, false, Norm::None);
    EXPECT_TRUE(close(circulant(h), want)) << n;
  }
}

// Circulant embedding: with P >= M+N-1 and c[d mod P] = t[d + N - 1] for
// -(N-1) <= d <= M-1 (zero elsewhere), T is the top-left M x N block of C.
TEST(RefMath, ToeplitzCirculantEmbedding) {
  // T[i,j] = t[i - j + N - 1], M = 2, N = 3, t = [a, b, c, d].
  EXPECT_TRUE(close(toeplitz({1.0, 2.0, 3.0, 4.0}, 2, 3),
                    fromRows({{3, 2, 1}, {4, 3, 2}}), 0));
  Rng rng(20);
  for (auto [m, n] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {3, 5}, {5, 3}, {8, 8}, {1, 7}, {7, 1}, {30, 17}}) {
    auto t = randomComplexes(rng, m + n - 1);
    for (int64_t P : {m + n - 1, m + n + 3}) {
      std::vector<cd> c(P, 0.0);
      for (int64_t d = -(n - 1); d <= m - 1; ++d)
        c[((d % P) + P) % P] = t[d + n - 1];
      EXPECT_TRUE(close(toeplitz(t, m, n), circulant(c).topLeftCorner(m, n), 0))
          << m << "x" << n << " P=" << P;
    }
  }
  EXPECT_EQ(toeplitz({1.0, 2.0}, 2, 2).size(), 0);
}

// numpy.convolve(k, x) ("full"): out[s + j] += k[s] x[j].
CVec npConvolve(const std::vector<cd> &k, const CVec &x) {
  int64_t K = k.size(), N = x.size();
  CVec out = CVec::Zero(K + N - 1);
  for (int64_t s = 0; s < K; ++s)
    for (int64_t j = 0; j < N; ++j)
      out(s + j) += k[s] * x(j);
  return out;
}

TEST(RefMath, Conv) {
  // np.convolve([1, 2, 3], [0, 1, 0.5]) = [0, 1, 2.5, 4, 1.5].
  CVec x3(3), np(5);
  x3 << 0, 1, 0.5;
  np << 0, 1, 2.5, 4, 1.5;
  EXPECT_TRUE(close(conv({1.0, 2.0, 3.0}, 3, false) * x3, np, 0));
  Rng rng(21);
  for (auto [K, n] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {1, 5}, {3, 8}, {8, 3}, {5, 5}, {16, 40}, {40, 16}}) {
    auto k = randomComplexes(rng, K);
    CVec x = randomCVec(rng, n);
    CMat full = conv(k, n, false), causal = conv(k, n, true);
    ASSERT_EQ(full.rows(), n + K - 1);
    ASSERT_EQ(causal.rows(), n);
    EXPECT_TRUE(close(full * x, npConvolve(k, x))) << K << "," << n;
    // Causal is the first N outputs of full.
    EXPECT_TRUE(close(causal * x, npConvolve(k, x).head(n))) << K << "," << n;
    // ... and the Toeplitz matrix with t = [0 (N-1 times), k, 0...].
    std::vector<cd> t(2 * n - 1, 0.0);
    for (int64_t s = 0; s < std::min(K, n); ++s)
      t[n - 1 + s] = k[s];
    EXPECT_TRUE(close(causal, toeplitz(t, n, n), 0)) << K << "," << n;
    // Circular convolution is the full one folded modulo N (K = N).
    if (K == n) {
      CVec folded = CVec::Zero(n), f = npConvolve(k, x);
      for (int64_t i = 0; i < f.size(); ++i)
        folded(i % n) += f(i);
      EXPECT_TRUE(close(circulant(k) * x, folded));
    }
  }
  EXPECT_EQ(conv({}, 4, true).size(), 0);
}

// ============================================================================
// Recurrence
// ============================================================================

struct RecCase {
  RecurrenceShape s;
  int gate, update;
  double scale;
  std::vector<double> q, k, v, g, beta, h0; // empty: absent
};

const double *ptr(const std::vector<double> &v) {
  return v.empty() ? nullptr : v.data();
}

void runRef(const RecCase &c, std::vector<double> &o, std::vector<double> &fin) {
  o.assign(c.s.B * c.s.T * c.s.H * c.s.Dv, NAN);
  fin.assign(c.s.B * c.s.H * c.s.Dk * c.s.Dv, NAN);
  recurrence(c.s, c.gate, c.update, c.scale, c.q.data(), c.k.data(),
             c.v.data(), ptr(c.g), ptr(c.beta), ptr(c.h0), o.data(),
             fin.data());
}

RecCase makeCase(Rng &rng, RecurrenceShape s, int gate, int update,
                 bool withBeta, bool withH0) {
  RecCase c{s, gate, update, 1.0 / std::sqrt(double(s.Dk)), {}, {}, {}, {}, {}, {}};
  int64_t bth = s.B * s.T * s.H;
  c.q = randomReals(rng, bth * s.Dk);
  c.k = randomReals(rng, bth * s.Dk);
  c.v = randomReals(rng, bth * s.Dv);
  if (update == 1) // unit keys keep the delta rule contractive, as in practice
    for (int64_t r = 0; r < bth; ++r) {
      double nrm = 0.0;
      for (int64_t d = 0; d < s.Dk; ++d)
        nrm += c.k[r * s.Dk + d] * c.k[r * s.Dk + d];
      for (int64_t d = 0; d < s.Dk; ++d)
        c.k[r * s.Dk + d] /= std::sqrt(nrm);
    }
  if (gate == 1)
    c.g = randomReals(rng, bth, -0.7, 0.0);
  if (gate == 2)
    c.g = randomReals(rng, bth * s.Dk, -0.7, 0.0);
  if (withBeta)
    c.beta = randomReals(rng, bth, 0.05, 1.0);
  if (withH0)
    c.h0 = randomReals(rng, s.B * s.H * s.Dk * s.Dv);
  return c;
}

// The chunked parallel form. Within a chunk (rows = time), with G the
// inclusive cumulative log-decay from the chunk start (G[t,d]) and S0 the
// state before the chunk:
//   A[t,s] = sum_d q_t[d] k_s[d] exp(G[t,d] - G[s,d]) for s <= t, else 0,
//   O = scale ((Q . exp(G)) S0 + A U),
//   S = diag(exp(G_last)) S0 + (K . exp(G_last - G))^T U,
// with U = V (additive) or, for the delta rule (S_t = D_t S_{t-1} + k_t u_t^T,
// u_t = beta_t (v_t - (D_t S_{t-1})^T k_t)), the UT transform
//   (I + diag(beta) Kstrict) U = diag(beta) (V - (K . exp(G)) S0),
//   Kstrict[t,s] = sum_d k_t[d] k_s[d] exp(G[t,d] - G[s,d]) for s < t.
void runChunked(const RecCase &c, int64_t C, std::vector<double> &o,
                std::vector<double> &fin) {
  const auto &s = c.s;
  o.assign(s.B * s.T * s.H * s.Dv, NAN);
  fin.assign(s.B * s.H * s.Dk * s.Dv, NAN);
  for (int64_t b = 0; b < s.B; ++b)
    for (int64_t h = 0; h < s.H; ++h) {
      RMat S = RMat::Zero(s.Dk, s.Dv);
      if (!c.h0.empty())
        for (int64_t i = 0; i < s.Dk; ++i)
          for (int64_t j = 0; j < s.Dv; ++j)
            S(i, j) = c.h0[((b * s.H + h) * s.Dk + i) * s.Dv + j];
      for (int64_t t0 = 0; t0 < s.T; t0 += C) {
        int64_t n = std::min(C, s.T - t0);
        RMat Q(n, s.Dk), K(n, s.Dk), V(n, s.Dv), G(n, s.Dk);
        Eigen::VectorXd beta = Eigen::VectorXd::Ones(n);
        for (int64_t t = 0; t < n; ++t) {
          int64_t row = (b * s.T + t0 + t) * s.H + h;
          for (int64_t d = 0; d < s.Dk; ++d) {
            Q(t, d) = c.q[row * s.Dk + d];
            K(t, d) = c.k[row * s.Dk + d];
            double gd = c.gate == 0   ? 0.0
                        : c.gate == 1 ? c.g[row]
                                      : c.g[row * s.Dk + d];
            G(t, d) = gd + (t > 0 ? G(t - 1, d) : 0.0);
          }
          for (int64_t j = 0; j < s.Dv; ++j)
            V(t, j) = c.v[row * s.Dv + j];
          if (!c.beta.empty())
            beta(t) = c.beta[row];
        }
        auto decayed = [&](const RMat &X, const RMat &Y, bool strict) {
          RMat A = RMat::Zero(n, n);
          for (int64_t t = 0; t < n; ++t)
            for (int64_t u = 0; u <= (strict ? t - 1 : t); ++u)
              for (int64_t d = 0; d < s.Dk; ++d)
                A(t, u) += X(t, d) * Y(u, d) * std::exp(G(t, d) - G(u, d));
          return A;
        };
        RMat eG = G.array().exp().matrix();
        RMat U = V;
        if (c.update == 1) {
          RMat M = RMat::Identity(n, n) + beta.asDiagonal() * decayed(K, K, true);
          RMat rhs = beta.asDiagonal() * (V - K.cwiseProduct(eG) * S);
          U = M.triangularView<Eigen::UnitLower>().solve(rhs);
        }
        RMat O = c.scale * (Q.cwiseProduct(eG) * S + decayed(Q, K, false) * U);
        RMat Kl(n, s.Dk);
        for (int64_t t = 0; t < n; ++t)
          for (int64_t d = 0; d < s.Dk; ++d)
            Kl(t, d) = K(t, d) * std::exp(G(n - 1, d) - G(t, d));
        S = eG.row(n - 1).transpose().asDiagonal() * S + Kl.transpose() * U;
        for (int64_t t = 0; t < n; ++t)
          for (int64_t j = 0; j < s.Dv; ++j)
            o[((b * s.T + t0 + t) * s.H + h) * s.Dv + j] = O(t, j);
      }
      for (int64_t i = 0; i < s.Dk; ++i)
        for (int64_t j = 0; j < s.Dv; ++j)
          fin[((b * s.H + h) * s.Dk + i) * s.Dv + j] = S(i, j);
    }
}

Eigen::Map<const Eigen::VectorXd> asVec(const std::vector<double> &v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}

TEST(RefMath, RecurrenceMatchesChunkedForm) {
  Rng rng(22);
  const RecurrenceShape shape{2, 37, 3, 5, 4};
  for (int update : {0, 1})
    for (int gate : {0, 1, 2})
      for (bool withH0 : {false, true})
        for (bool withBeta : {false, true}) {
          if (update == 0 && withBeta)
            continue;
          RecCase c = makeCase(rng, shape, gate, update, withBeta, withH0);
          std::vector<double> o, fin, oc, finc;
          runRef(c, o, fin);
          for (int64_t C : {1, 3, 4, 16, 64}) {
            runChunked(c, C, oc, finc);
            EXPECT_TRUE(close(asVec(o), asVec(oc)))
                << "update=" << update << " gate=" << gate << " h0=" << withH0
                << " beta=" << withBeta << " chunk=" << C;
            EXPECT_TRUE(close(asVec(fin), asVec(finc)))
                << "final: update=" << update << " gate=" << gate
                << " h0=" << withH0 << " beta=" << withBeta << " chunk=" << C;
          }
        }
}

// Gate none, additive: o_t = scale (h0^T q_t + sum_{s<=t} (q_t . k_s) v_s),
// S_T = h0 + sum_s k_s v_s^T.
TEST(RefMath, RecurrenceLinearAttentionClosedForm) {
  Rng rng(23);
  const RecurrenceShape s{2, 11, 2, 3, 6};
  for (bool withH0 : {false, true}) {
    RecCase c = makeCase(rng, s, 0, 0, false, withH0);
    c.scale = 0.37;
    std::vector<double> o, fin;
    runRef(c, o, fin);
    std::vector<double> wo(o.size(), 0.0), wf(fin.size(), 0.0);
    for (int64_t b = 0; b < s.B; ++b)
      for (int64_t h = 0; h < s.H; ++h) {
        auto h0 = [&](int64_t i, int64_t j) {
          return withH0 ? c.h0[((b * s.H + h) * s.Dk + i) * s.Dv + j] : 0.0;
        };
        auto at = [&](int64_t t) { return (b * s.T + t) * s.H + h; };
        for (int64_t t = 0; t < s.T; ++t)
          for (int64_t j = 0; j < s.Dv; ++j) {
            double acc = 0.0;
            for (int64_t i = 0; i < s.Dk; ++i)
              acc += h0(i, j) * c.q[at(t) * s.Dk + i];
            for (int64_t u = 0; u <= t; ++u) {
              double qk = 0.0;
              for (int64_t i = 0; i < s.Dk; ++i)
                qk += c.q[at(t) * s.Dk + i] * c.k[at(u) * s.Dk + i];
              acc += qk * c.v[at(u) * s.Dv + j];
            }
            wo[at(t) * s.Dv + j] = c.scale * acc;
          }
        for (int64_t i = 0; i < s.Dk; ++i)
          for (int64_t j = 0; j < s.Dv; ++j) {
            double acc = h0(i, j);
            for (int64_t u = 0; u < s.T; ++u)
              acc += c.k[at(u) * s.Dk + i] * c.v[at(u) * s.Dv + j];
            wf[((b * s.H + h) * s.Dk + i) * s.Dv + j] = acc;
          }
      }
    EXPECT_TRUE(close(asVec(o), asVec(wo)));
    EXPECT_TRUE(close(asVec(fin), asVec(wf)));
  }
}

// With beta_t = 1/|k_t|^2 the delta rule stores v_t exactly under key k_t:
// S_t^T k_t = (1 - beta |k|^2) S'^T k_t + beta |k|^2 v_t = v_t. With q = k,
// o_t = scale v_t whatever the gate and the history.
TEST(RefMath, RecurrenceDeltaRuleRetrieves) {
  Rng rng(24);
  const RecurrenceShape s{1, 20, 2, 4, 3};
  for (int gate : {0, 1, 2}) {
    RecCase c = makeCase(rng, s, gate, 1, true, true);
    c.k = randomReals(rng, s.B * s.T * s.H * s.Dk); // not normalized
    c.q = c.k;
    for (int64_t r = 0; r < s.B * s.T * s.H; ++r) {
      double nrm = 0.0;
      for (int64_t d = 0; d < s.Dk; ++d)
        nrm += c.k[r * s.Dk + d] * c.k[r * s.Dk + d];
      c.beta[r] = 1.0 / nrm;
    }
    std::vector<double> o, fin;
    runRef(c, o, fin);
    std::vector<double> want(c.v.size());
    for (size_t i = 0; i < want.size(); ++i)
      want[i] = c.scale * c.v[i];
    EXPECT_TRUE(close(asVec(o), asVec(want))) << "gate=" << gate;
  }
}

TEST(RefMath, RecurrenceHandValues) {
  // Delta, scalar gate, Dk = 2, Dv = 1, scale 1, h0 = [1, 2]^T.
  // t=0: a = 0.5: S' = [0.5, 1]; k = [1, 0], v = 3, beta = 0.5:
  //      S'^T k = 0.5, S = S' + 0.5 [1, 0] (3 - 0.5) = [1.75, 1];
  //      q = [1, 1]: o = 2.75.
  // t=1: a = 1; k = [1, 1], v = 1, beta = 1: S'^T k = 2.75,
  //      S = [1.75, 1] + [1, 1] (1 - 2.75) = [0, -0.75]; q = [2, -1]: o = 0.75.
  {
    RecCase c{{1, 2, 1, 2, 1}, 1, 1, 1.0,
              {1, 1, 2, -1}, {1, 0, 1, 1}, {3, 1},
              {std::log(0.5), 0.0}, {0.5, 1.0}, {1, 2}};
    std::vector<double> o, fin;
    runRef(c, o, fin);
    EXPECT_NEAR(o[0], 2.75, 1e-15);
    EXPECT_NEAR(o[1], 0.75, 1e-15);
    EXPECT_NEAR(fin[0], 0.0, 1e-15);
    EXPECT_NEAR(fin[1], -0.75, 1e-15);
  }
  // Additive, vector gate, Dk = Dv = 2, T = 1, scale 0.5, h0 = [[1,2],[3,4]]
  // (row-major [Dk, Dv]). g = [0, ln 0.5] scales ROW 1 (a key dimension):
  // S' = [[1,2],[1.5,2]]; k v^T = [1,2]^T [1,-1] = [[1,-1],[2,-2]];
  // S = [[2,1],[3.5,0]]; o = 0.5 S^T [1,1] = [2.75, 0.5].
  {
    RecCase c{{1, 1, 1, 2, 2}, 2, 0, 0.5,
              {1, 1}, {1, 2}, {1, -1},
              {0.0, std::log(0.5)}, {}, {1, 2, 3, 4}};
    std::vector<double> o, fin;
    runRef(c, o, fin);
    EXPECT_NEAR(o[0], 2.75, 1e-15);
    EXPECT_NEAR(o[1], 0.5, 1e-15);
    std::vector<double> wf = {2, 1, 3.5, 0};
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(fin[i], wf[i], 1e-15) << i;
  }
}

// Each (b, h) is independent, read from its own slices of [B, T, H, ...].
TEST(RefMath, RecurrenceSlicesAreIndependent) {
  Rng rng(25);
  const RecurrenceShape s{2, 5, 3, 2, 3};
  RecCase c = makeCase(rng, s, 2, 1, true, true);
  std::vector<double> o, fin;
  runRef(c, o, fin);
  for (int64_t b = 0; b < s.B; ++b)
    for (int64_t h = 0; h < s.H; ++h) {
      RecCase one{{1, s.T, 1, s.Dk, s.Dv}, c.gate, c.update, c.scale,
                  {}, {}, {}, {}, {}, {}};
      for (int64_t t = 0; t < s.T; ++t) {
        int64_t row = (b * s.T + t) * s.H + h;
        for (int64_t d = 0; d < s.Dk; ++d) {
          one.q.push_back(c.q[row * s.Dk + d]);
          one.k.push_back(c.k[row * s.Dk + d]);
          one.g.push_back(c.g[row * s.Dk + d]);
        }
        for (int64_t j = 0; j < s.Dv; ++j)
          one.v.push_back(c.v[row * s.Dv + j]);
        one.beta.push_back(c.beta[row]);
      }
      for (int64_t i = 0; i < s.Dk * s.Dv; ++i)
        one.h0.push_back(c.h0[(b * s.H + h) * s.Dk * s.Dv + i]);
      std::vector<double> o1, f1;
      runRef(one, o1, f1);
      for (int64_t t = 0; t < s.T; ++t)
        for (int64_t j = 0; j < s.Dv; ++j)
          EXPECT_EQ(o1[t * s.Dv + j], o[((b * s.T + t) * s.H + h) * s.Dv + j]);
      for (int64_t i = 0; i < s.Dk * s.Dv; ++i)
        EXPECT_EQ(f1[i], fin[(b * s.H + h) * s.Dk * s.Dv + i]);
    }
}

TEST(RefMath, RecurrenceEmptySequenceKeepsH0) {
  const RecurrenceShape s{1, 0, 2, 2, 2};
  std::vector<double> h0 = {1, 2, 3, 4, 5, 6, 7, 8}, fin(8, NAN);
  recurrence(s, 1, 1, 1.0, nullptr, nullptr, nullptr, nullptr, nullptr,
             h0.data(), nullptr, fin.data());
  EXPECT_EQ(fin, h0);
  recurrence(s, 0, 0, 1.0, nullptr, nullptr, nullptr, nullptr, nullptr,
             nullptr, nullptr, fin.data());
  EXPECT_EQ(fin, std::vector<double>(8, 0.0));
}

// ============================================================================
// Helpers
// ============================================================================

TEST(RefMath, RngIsDeterministic) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 10; ++i) {
    uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  Rng r(7);
  for (int i = 0; i < 1000; ++i) {
    double u = r.uniform(-2.0, 3.0);
    EXPECT_GE(u, -2.0);
    EXPECT_LT(u, 3.0);
  }
  auto p = randomPerm(r, 50);
  std::sort(p.begin(), p.end());
  for (int64_t i = 0; i < 50; ++i)
    EXPECT_EQ(p[i], i);
  EXPECT_EQ(relativeError(CMat::Ones(2, 2), CMat::Ones(2, 2)), 0.0);
  EXPECT_DOUBLE_EQ(relativeError(2.0 * CMat::Ones(2, 2), CMat::Ones(2, 2)), 1.0);
  EXPECT_DOUBLE_EQ(relativeError(CMat::Ones(2, 2), CMat::Zero(2, 2)), 2.0);
}

} // namespace
