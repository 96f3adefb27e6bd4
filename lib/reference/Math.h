// Dense float64/complex128 math behind the reference evaluator.
//
// Every function here is written straight from docs/semantics.md: a direct
// sum or a sequential loop, O(n^2) or worse, chosen to be obviously right
// rather than fast. Compiler rewrites and generated kernels are checked
// against these matrices, so nothing here may depend on a fast algorithm.
//
// Precondition violations (a size that is not a power of two where one is
// needed, Norm::Full for dct/dst, a weight array of the wrong length, ...)
// return an empty result (0x0 matrix, empty vector) instead of asserting, so
// that the caller can report the error.
#ifndef LINOP_REFERENCE_MATH_H
#define LINOP_REFERENCE_MATH_H

#include <Eigen/Dense>

#include <complex>
#include <cstdint>
#include <vector>

namespace linop::ref {

using cd = std::complex<double>;
using CMat = Eigen::MatrixXcd;
using CVec = Eigen::VectorXcd;
using RMat = Eigen::MatrixXd;

enum class Norm { None, Sqrt, Full };

/// 1, 1/sqrt(n), 1/n.
double normScale(Norm norm, int64_t n);

/// exp(2 pi i r / n), with r reduced modulo n in integers first so that the
/// angle is accurate for large r, and exact at multiples of a quarter turn.
cd unitRoot(int64_t r, int64_t n);
/// Entry k of the Cooley-Tukey twiddle diagonal T^{rb}_b, repeated with
/// period r b: w^(l j) with l = (k / b) mod r, j = k mod b and
/// w = exp(-+2 pi i / (r b)) (plus when `inverse`).
cd twiddle(int64_t k, int64_t r, int64_t b, bool inverse);

/// n >= 1 and a power of two.
bool isPowerOfTwo(int64_t n);
/// The smallest l with 2^l >= n (log2 n for a power of two).
int log2Exact(int64_t n);

// ---- Fast transforms (as dense matrices) ---------------------------------

/// y[k] = s sum_j x[j] w^(jk), w = exp(-+2 pi i/n). n >= 1.
CMat dft(int64_t n, bool inverse, Norm norm);
/// The same sums (s = 1) applied to one row of a power-of-two n by an
/// iterative radix-2 FFT, for rows too long for the O(n^2) sums (the
/// reference evaluator's DFTs past 4096 points); roots from unitRoot.
void fftPow2(const cd *x, cd *y, int64_t n, bool inverse);
/// The same for any n >= 1: fftPow2, or Bluestein's chirp convolution
/// through fftPow2 (O(n log n) at every size).
void fft(const cd *x, cd *y, int64_t n, bool inverse);
/// (n/2+1) x n: the first n/2+1 rows of dft(n, false, norm).
CMat rdft(int64_t n, Norm norm);
/// X has n/2+1 entries; the result is real (imaginary parts 0). Real-linear
/// only, so it has no complex matrix; see irdftRealMatrix.
CVec irdft(const CVec &X, int64_t n, Norm norm);
/// The real n x 2(n/2+1) matrix of irdft acting on X stored interleaved as
/// [Re X0, Im X0, Re X1, Im X1, ...] (the storage order of complex tensors).
RMat irdftRealMatrix(int64_t n, Norm norm);
/// Real <-> complex steps (real-linear; see semantics.md). pack reads the
/// real parts of x only (its domain is real); sizes that do not fit give an
/// empty vector.
CVec pack(const CVec &x);
CVec unpack(const CVec &z);
/// C^M -> C^(M+1): rdft(x) from DFT_M(pack(x)).
CVec rfftSplit(const CVec &Z);
/// C^(M+1) -> C^M: the step with unpack(iDFT_M(.)) = irdft of size 2M.
CVec rfftMerge(const CVec &X);
/// type 2, 3, 4; Norm::Sqrt is scipy's "ortho"; Norm::Full is rejected.
CMat dct(int64_t n, int type, Norm norm);
CMat dst(int64_t n, int type, Norm norm);
/// Sylvester order; n a power of two.
CMat hadamard(int64_t n, Norm norm);
CMat hartley(int64_t n, Norm norm);

// ---- Permutations ----------------------------------------------------------

/// p[i] = i with its log2(n) bits reversed; n a power of two.
std::vector<int64_t> bitrevPerm(int64_t n);
/// SPIRAL's L^n_m (m divides n, n = m q): y[j q + i] = x[i m + j] for i < q,
/// j < m, i.e. p[j q + i] = i m + j.
std::vector<int64_t> stridePerm(int64_t n, int64_t m);
/// The input permutation of the Cooley-Tukey DFT with radices r1
/// (outermost split) ... rk: (I_r1 (x) P') L^n_r1, P' that of r2 ... rk,
/// n = r1 ... rk (bitrevPerm for radices 2, ..., 2). Empty for a radix < 1.
std::vector<int64_t> digitReversalPerm(const std::vector<int64_t> &radices);
/// The radices (at least two, each >= 2) whose digitReversalPerm is p, or
/// empty if p is no digit reversal.
std::vector<int64_t> digitReversalRadices(const std::vector<int64_t> &p);
/// P with y = P x, y[i] = x[p[i]]. Empty if p is not a permutation.
CMat permMatrix(const std::vector<int64_t> &p);

// ---- Structured ----------------------------------------------------------

/// tw is row-major [nblocks, L, n/2, 2, 2] with n = 2^L; inputPerm is empty
/// (none) or a permutation of 0..n-1. Result B_{nblocks-1} ... B_0 P.
CMat butterfly(const std::vector<cd> &tw, int64_t n, int64_t nblocks,
               bool decreasing, const std::vector<int64_t> &inputPerm);
/// N = b n; R is row-major [b, n, n], L is [n, b, b].
CMat monarch(const std::vector<cd> &L, const std::vector<cd> &R, int64_t b,
             int64_t n);

// ---- Combinators ---------------------------------------------------------

CMat kron(const CMat &A, const CMat &B);
/// Block diagonal; blocks need not be square.
CMat directSum(const std::vector<CMat> &blocks);

// ---- Convolutions ----------------------------------------------------------

/// C[i,j] = h[(i - j) mod N], N = h.size().
CMat circulant(const std::vector<cd> &h);
/// m x n, T[i,j] = t[i - j + n - 1]; t has m + n - 1 entries.
CMat toeplitz(const std::vector<cd> &t, int64_t m, int64_t n);
/// causal: n x n; full: (n + K - 1) x n. C[i,j] = k[i - j] for 0 <= i-j < K.
CMat conv(const std::vector<cd> &k, int64_t n, bool causal);

// ---- Chunked linear recurrences -------------------------------------------

struct RecurrenceShape {
  int64_t B, T, H, Dk, Dv;
};
/// The sequential loop of semantics.md on row-major real arrays:
/// q, k: [B,T,H,Dk]; v: [B,T,H,Dv]; g: [B,T,H] (gate 1, scalar) or
/// [B,T,H,Dk] (gate 2, vector), unused for gate 0; beta: [B,T,H], used only
/// for update 1 (delta); h0: [B,H,Dk,Dv]. Outputs o: [B,T,H,Dv] and
/// finalState: [B,H,Dk,Dv]. A null g, beta or h0 means log-decay 0, beta 1
/// and a zero initial state. o and finalState must not alias the inputs.
void recurrence(const RecurrenceShape &s, int gate, int update, double scale,
                const double *q, const double *k, const double *v,
                const double *g, const double *beta, const double *h0,
                double *o, double *finalState);

// ---- Test helpers (shared by the project's unit tests) --------------------

/// ||got - ref||_F / ||ref||_F, or ||got - ref||_F when ref is 0.
template <typename A, typename B>
double relativeError(const Eigen::MatrixBase<A> &got,
                     const Eigen::MatrixBase<B> &ref) {
  double diff = (got - ref).norm();
  double base = ref.norm();
  return base == 0.0 ? diff : diff / base;
}

/// A small deterministic generator (splitmix64), identical on every
/// platform and standard library, unlike <random>'s distributions.
class Rng {
public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  /// Uniform in [lo, hi).
  double uniform(double lo = -1.0, double hi = 1.0);
  /// Re and Im independently uniform in [-1, 1).
  cd complexUniform();
  /// Uniform integer in [0, n); n >= 1.
  int64_t below(int64_t n);

private:
  uint64_t state_;
};

CMat randomCMat(Rng &rng, int64_t rows, int64_t cols);
CVec randomCVec(Rng &rng, int64_t n);
/// Real entries in [-1, 1) stored as complex (imaginary part 0).
CVec randomRealCVec(Rng &rng, int64_t n);
RMat randomRMat(Rng &rng, int64_t rows, int64_t cols);
std::vector<cd> randomComplexes(Rng &rng, int64_t n);
std::vector<double> randomReals(Rng &rng, int64_t n, double lo = -1.0,
                                double hi = 1.0);
/// A uniformly random permutation of 0..n-1.
std::vector<int64_t> randomPerm(Rng &rng, int64_t n);

} // namespace linop::ref

#endif // LINOP_REFERENCE_MATH_H
