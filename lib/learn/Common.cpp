#include "learn/Common.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#ifdef __linux__
#include <sched.h>
#endif

namespace linop::learn {

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (haveSpare_) {
    haveSpare_ = false;
    return spare_;
  }
  // 1 - uniform() is in (0, 1], so the log is finite.
  double u1 = 1.0 - uniform(), u2 = uniform();
  double r = std::sqrt(-2.0 * std::log(u1));
  double t = 2.0 * M_PI * u2;
  spare_ = r * std::sin(t);
  haveSpare_ = true;
  return r * std::cos(t);
}

int64_t Rng::below(int64_t n) { return int64_t(next() % uint64_t(n)); }

Perm randomPerm(Rng &rng, int64_t n) {
  Perm p = identityPerm(n);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(p[i], p[rng.below(i + 1)]);
  return p;
}

Perm identityPerm(int64_t n) {
  Perm p(n);
  for (int64_t i = 0; i < n; ++i)
    p[i] = i;
  return p;
}

Perm inversePerm(const Perm &p) {
  Perm q(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    q[p[i]] = int64_t(i);
  return q;
}

bool isPermutation(const Perm &p, int64_t n) {
  if (int64_t(p.size()) != n)
    return false;
  std::vector<bool> seen(n, false);
  for (int64_t v : p) {
    if (v < 0 || v >= n || seen[v])
      return false;
    seen[v] = true;
  }
  return true;
}

bool isIdentity(const Perm &p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != int64_t(i))
      return false;
  return true;
}

static int defaultThreads() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return std::max(1, CPU_COUNT(&set));
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

static std::atomic<int> gThreads{0};

int numThreads() {
  int n = gThreads.load();
  if (n <= 0) {
    n = defaultThreads();
    gThreads.store(n);
  }
  return n;
}

void setNumThreads(int n) { gThreads.store(n > 0 ? n : defaultThreads()); }

void parallelFor(int64_t n, const std::function<void(int64_t)> &f,
                 int64_t grain) {
  int64_t t = std::min<int64_t>(numThreads(), n / std::max<int64_t>(1, grain));
  if (t <= 1) {
    for (int64_t i = 0; i < n; ++i)
      f(i);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t);
  for (int64_t k = 0; k < t; ++k) {
    int64_t lo = n * k / t, hi = n * (k + 1) / t;
    pool.emplace_back([&f, lo, hi] {
      for (int64_t i = lo; i < hi; ++i)
        f(i);
    });
  }
  for (auto &th : pool)
    th.join();
}

static std::atomic<bool> gQuiet{false};
static std::mutex gProgressMutex;

void setQuiet(bool q) { gQuiet.store(q); }
bool quiet() { return gQuiet.load(); }

static const Timer gStart;

void progress(const std::string &msg) {
  if (gQuiet.load())
    return;
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%7.2fs] ", gStart.seconds());
  std::lock_guard<std::mutex> lock(gProgressMutex);
  std::cerr << "linop-learn: " << stamp << msg << "\n";
}

bool isReal(const MatC &m) {
  for (int64_t j = 0; j < m.cols(); ++j)
    for (int64_t i = 0; i < m.rows(); ++i)
      if (m(i, j).imag() != 0.0)
        return false;
  return true;
}

bool hasNonFinite(const MatC &m) {
  for (int64_t j = 0; j < m.cols(); ++j)
    for (int64_t i = 0; i < m.rows(); ++i)
      if (!std::isfinite(m(i, j).real()) || !std::isfinite(m(i, j).imag()))
        return true;
  return false;
}

MatC permuted(const MatC &m, const Perm &rowOf, const Perm &colOf) {
  MatC out(rowOf.size(), colOf.size());
  for (size_t b = 0; b < colOf.size(); ++b)
    for (size_t a = 0; a < rowOf.size(); ++a)
      out(a, b) = m(rowOf[a], colOf[b]);
  return out;
}

} // namespace linop::learn
