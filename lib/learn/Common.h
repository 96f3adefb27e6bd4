// Shared types and small helpers of the learn library (no LLVM, no MLIR).
#ifndef LINOP_LEARN_COMMON_H
#define LINOP_LEARN_COMMON_H

#include "reference/Math.h"

#include <Eigen/Dense>

#include <chrono>
#include <complex>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace linop::learn {

using cd = std::complex<double>;
using MatC = Eigen::MatrixXcd;
using MatR = Eigen::MatrixXd;
using VecC = Eigen::VectorXcd;
using Perm = std::vector<int64_t>;

template <typename S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <typename S> using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

// The shared index math (lib/reference/Math.h).
using ref::isPowerOfTwo;
using ref::log2Exact;

/// Deterministic generator, the same on every machine: splitmix64 for bits,
/// Box-Muller for normals. Used for the randn / convolution targets and for
/// random starts, so results are reproducible everywhere.
class Rng {
public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Standard normal (Box-Muller; both values of a pair are used in turn).
  double normal();
  /// Uniform integer in [0, n).
  int64_t below(int64_t n);

private:
  uint64_t state_;
  bool haveSpare_ = false;
  double spare_ = 0;
};

/// A uniformly random permutation of 0..n-1 (Fisher-Yates on Rng).
Perm randomPerm(Rng &rng, int64_t n);
Perm identityPerm(int64_t n);
Perm inversePerm(const Perm &p);
using ref::bitrevPerm;
bool isPermutation(const Perm &p, int64_t n);
bool isIdentity(const Perm &p);

/// Number of worker threads for parallelFor. Default: the CPUs this process
/// may run on (so `taskset -c 0` gives 1).
int numThreads();
void setNumThreads(int n);
/// Calls f(i) for i in [0, n), split over numThreads() threads in contiguous
/// chunks of at least `grain` items (threads are started per call, so small
/// loops must run on one). f must be safe to run concurrently for
/// different i.
void parallelFor(int64_t n, const std::function<void(int64_t)> &f,
                 int64_t grain = 1);

/// Progress messages on stderr; silenced by setQuiet(true).
void setQuiet(bool quiet);
bool quiet();
void progress(const std::string &msg);

class Timer {
public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }

private:
  std::chrono::steady_clock::time_point start_;
};

/// True when every imaginary part is exactly zero.
bool isReal(const MatC &m);
/// True when some entry is NaN or infinite.
bool hasNonFinite(const MatC &m);

/// Rows and columns permuted: out(a, b) = m(rowOf[a], colOf[b]).
MatC permuted(const MatC &m, const Perm &rowOf, const Perm &colOf);

} // namespace linop::learn

#endif // LINOP_LEARN_COMMON_H
