#include "learn/Targets.h"

#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace linop::learn {

const std::vector<std::string> &targetNames() {
  static const std::vector<std::string> names = {
      "dft",      "idft",     "dct",         "dst",      "hadamard",
      "hartley",  "convolution", "legendre", "randn",    "hilbert"};
  return names;
}

using ref::unitRoot;

static MatC legendre(int64_t n) {
  MatC m(n, n);
  for (int64_t j = 0; j < n; ++j) {
    double x = -1.0 + 2.0 * double(j + 1) / double(n + 1);
    double p0 = 1.0, p1 = x;
    for (int64_t k = 0; k < n; ++k) {
      double pk;
      if (k == 0)
        pk = p0;
      else if (k == 1)
        pk = p1;
      else {
        // (k) P_k = (2k-1) x P_{k-1} - (k-1) P_{k-2}
        pk = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / double(k);
        p0 = p1;
        p1 = pk;
      }
      m(k, j) = pk;
    }
  }
  return m;
}

static double spectralNorm(const MatR &h) {
  // Power iteration: fine for the Hilbert matrix, whose top eigenvalue is
  // well separated; the symmetric matrix makes |lambda_max| the norm.
  Eigen::VectorXd v = Eigen::VectorXd::Ones(h.rows()).normalized();
  double lambda = 0;
  for (int it = 0; it < 1000; ++it) {
    Eigen::VectorXd w = h * v;
    double next = w.norm();
    v = w / next;
    if (std::abs(next - lambda) <= 1e-16 * next)
      return next;
    lambda = next;
  }
  return lambda;
}

bool makeTarget(const std::string &spec, Target &out, std::string &error) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    error = "target '" + spec + "' must be NAME:N, e.g. dft:1024";
    return false;
  }
  std::string name = spec.substr(0, colon), size = spec.substr(colon + 1);
  int64_t n = 0;
  try {
    size_t used = 0;
    n = std::stoll(size, &used);
    if (used != size.size())
      n = 0;
  } catch (...) {
    n = 0;
  }
  if (n < 1 || n > (int64_t(1) << 16)) {
    error = "target size '" + size + "' must be an integer in [1, 65536]";
    return false;
  }
  bool known = false;
  for (auto &k : targetNames())
    known |= (k == name);
  if (!known) {
    error = "unknown target '" + name + "'; known:";
    for (auto &k : targetNames())
      error += " " + k;
    return false;
  }
  if (name == "hadamard" && !isPowerOfTwo(n)) {
    error = "hadamard needs N a power of two, got " + std::to_string(n);
    return false;
  }
  // The learner holds about three dense complex copies of the target
  // (measured: 169 MB at N = 2048).
  double need = 48.0 * double(n) * double(n);
  double have = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (have > 0 && need > have) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "target %s:%lld needs about %.3g GiB for its dense %lldx%lld "
                  "matrix and the learner's copies; this machine has %.3g GiB",
                  name.c_str(), (long long)n, need / (1 << 30), (long long)n,
                  (long long)n, have / (1 << 30));
    error = buf;
    return false;
  }
  double s = 1.0 / std::sqrt(double(n));
  MatC m(n, n);
  if (name == "dft" || name == "idft") {
    int sign = name == "dft" ? -1 : 1;
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k)
        m(j, k) = s * unitRoot(sign * ((j * k) % n), n);
  } else if (name == "dct" || name == "dst") {
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j) {
        // angle pi r / 2N with r reduced modulo 4N.
        int64_t r = name == "dct" ? (k * (2 * j + 1)) % (4 * n)
                                  : ((k + 1) * (2 * j + 1)) % (4 * n);
        cd w = unitRoot(r, 4 * n);
        m(k, j) = 2.0 * s * (name == "dct" ? w.real() : w.imag());
      }
  } else if (name == "hadamard") {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        m(i, j) = (__builtin_popcountll(uint64_t(i & j)) & 1) ? -s : s;
  } else if (name == "hartley") {
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k) {
        cd w = unitRoot((j * k) % n, n);
        m(j, k) = s * (w.real() + w.imag());
      }
  } else if (name == "convolution") {
    Rng rng(0);
    std::vector<double> h(n);
    for (auto &v : h)
      v = rng.normal();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        m(i, j) = s * h[((i - j) % n + n) % n];
  } else if (name == "legendre") {
    m = legendre(n) * s;
  } else if (name == "randn") {
    Rng rng(0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        m(i, j) = s * rng.normal();
  } else if (name == "hilbert") {
    MatR h(n, n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        h(i, j) = 1.0 / double(i + j + 1);
    m = (h / spectralNorm(h)).cast<cd>();
  }
  out.name = name + "_" + std::to_string(n);
  out.matrix = std::move(m);
  out.real = isReal(out.matrix);
  return true;
}

} // namespace linop::learn
