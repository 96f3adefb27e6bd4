//===- bench_cpu.cpp - Linop's CPU kernels side by side with their peers --===//
//
// One process, one table: each compiled kernel (from specs.mlir, through
// linopc, called through its generated C entry point exactly as a user
// would) against its peer on the same data, and against the copy floor (a
// memcpy of the same bytes, measured in the same run):
//   - DFT: FFTW's fftwf_plan_many_dft, FFTW_MEASURE, planned once; and
//     the same DFT under the fixed radix rule (dft-rule.mlir), timed in
//     alternation with the cost model's plan so both see the same load;
//   - rDFT: fftwf_plan_many_dft_r2c; DCT-II: fftwf_plan_many_r2r with
//     FFTW_REDFT10 (which is twice our unnormalized DCT-II);
//   - Hadamard: the copy floor is the peer (the goal is <= 2x a copy);
//   - butterfly with run-time twiddles: Eigen's dense GEMM of the same N;
//   - causal convolution with a constant kernel as long as the signal: the
//     FFTW way (zero-pad to 2L, r2c, multiply by the kernel's spectrum,
//     c2r, keep L), planned once, on the same threads.
// The copy floor runs on the same threads as the kernel (the runtime's
// pool). Times are medians of repeated runs; no result here is a test.
//
// Built with peers (LINOP_BENCH_PEERS: scripts/cpu-peers.sh, README.md),
// the DFT and real tables put every FFT peer in one row, each planned once
// and timed in alternation with Linop: Debian's FFTW (no AVX-512), FFTW
// 3.3.10 built with AVX-512 (its symbols renamed avx512_fftwf_*) and
// oneMKL's DFTI, all on the same threads; each peer's output is checked
// against Linop's and its relative error printed.
//
//===----------------------------------------------------------------------===//

#include "bench_conv.h"
#include "bench_rule.h"
#include "bench_specs.h"

#include <Eigen/Dense>
#include <fftw3.h>

#ifdef LINOP_BENCH_PEERS
#include "kernel_lanes.h" // LINOP_BENCH_KERNEL_LANES, from linopc's plan
#include <sched.h>
#include <thread>
#include <unistd.h>
#endif
#ifdef LINOP_BENCH_MKL
#include <mkl_cblas.h>
#include <mkl_dfti.h>
#include <mkl_service.h>
#endif
#ifdef LINOP_BENCH_EMBED_CONV
#include "conv_kernels.h" // kConvKernel<n>: this binary may run elsewhere
#endif

#ifdef LINOP_BENCH_FFTW_AVX512
// FFTW 3.3.10 built with AVX-512 (scripts/cpu-peers.sh), linked beside
// Debian's FFTW: the same API and ABI as fftw3.h's, every symbol renamed
// fftwf_* -> avx512_fftwf_*. Only the functions used here.
extern "C" {
int avx512_fftwf_init_threads(void);
void avx512_fftwf_plan_with_nthreads(int nthreads);
fftwf_plan avx512_fftwf_plan_many_dft(int rank, const int *n, int howmany,
                                      fftwf_complex *in, const int *inembed,
                                      int istride, int idist,
                                      fftwf_complex *out, const int *onembed,
                                      int ostride, int odist, int sign,
                                      unsigned flags);
fftwf_plan avx512_fftwf_plan_many_dft_r2c(int rank, const int *n, int howmany,
                                          float *in, const int *inembed,
                                          int istride, int idist,
                                          fftwf_complex *out,
                                          const int *onembed, int ostride,
                                          int odist, unsigned flags);
fftwf_plan avx512_fftwf_plan_many_r2r(int rank, const int *n, int howmany,
                                      float *in, const int *inembed,
                                      int istride, int idist, float *out,
                                      const int *onembed, int ostride,
                                      int odist, const fftwf_r2r_kind *kind,
                                      unsigned flags);
void avx512_fftwf_execute(const fftwf_plan p);
void avx512_fftwf_destroy_plan(fftwf_plan p);
char *avx512_fftwf_sprint_plan(const fftwf_plan p);
extern const char avx512_fftwf_version[];
}
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

/// Median seconds of `fn` over repeated runs (>= 5 runs and >= 0.2 s).
double timeIt(const std::function<void()> &fn) {
  fn(); // warm-up: page faults, plans, caches
  std::vector<double> t;
  double total = 0;
  while (t.size() < 5 || total < 0.2) {
    auto s = Clock::now();
    fn();
    double d = std::chrono::duration<double>(Clock::now() - s).count();
    t.push_back(d);
    total += d;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// Medians of `a` and `b` timed in alternation (>= 5 rounds and >= 0.4 s),
/// so that a busy machine slows both alike.
std::pair<double, double> timePair(const std::function<void()> &a,
                                   const std::function<void()> &b) {
  a();
  b();
  std::vector<double> ta, tb;
  double total = 0;
  auto once = [&](const std::function<void()> &fn, std::vector<double> &t) {
    auto s = Clock::now();
    fn();
    double d = std::chrono::duration<double>(Clock::now() - s).count();
    t.push_back(d);
    total += d;
  };
  while (ta.size() < 5 || total < 0.4) {
    once(a, ta);
    once(b, tb);
  }
  std::sort(ta.begin(), ta.end());
  std::sort(tb.begin(), tb.end());
  return {ta[ta.size() / 2], tb[tb.size() / 2]};
}

void check(linop_status s) {
  if (s != LINOP_OK) {
    std::fprintf(stderr, "linop error: %s\n", linop_last_error());
    std::exit(1);
  }
}

/// Exits unless `mine` times `scale` matches the peer's `theirs` to 1e-4
/// relative: a sanity check of the benchmark, not a test.
void expectAgreement(const std::string &what, const std::vector<float> &mine,
                     const float *theirs, double scale = 1) {
  double num = 0, den = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    double d = scale * mine[i] - theirs[i];
    num += d * d;
    den += theirs[i] * double(theirs[i]);
  }
  if (std::sqrt(num / den) > 1e-4) {
    std::fprintf(stderr, "%s disagrees with FFTW: %g\n", what.c_str(),
                 std::sqrt(num / den));
    std::exit(1);
  }
}

struct Buffers {
  std::vector<float> in, out;
  Buffers(size_t floats) : in(floats), out(floats) {
    std::mt19937 rng(1);
    std::normal_distribution<float> d;
    for (float &v : in)
      v = d(rng);
  }
};

/// The copy floor: a memcpy of the same bytes, split over the runtime's
/// threads as the kernels are.
double copyTime(Buffers &b) {
  struct Job {
    const float *in;
    float *out;
  } job{b.in.data(), b.out.data()};
  const int64_t chunk = 4096; // floats per range unit
  int64_t units = int64_t((b.in.size() + chunk - 1) / chunk);
  size_t total = b.in.size();
  return timeIt([&] {
    auto part = [](void *ctx, int64_t begin, int64_t end) {
      auto *j = static_cast<std::pair<Job *, size_t> *>(ctx);
      size_t lo = size_t(begin) * 4096,
             hi = std::min(j->second, size_t(end) * 4096);
      std::memcpy(j->first->out + lo, j->first->in + lo,
                  (hi - lo) * sizeof(float));
    };
    std::pair<Job *, size_t> ctx{&job, total};
    check(linop_parallel_for(units, 16, part, &ctx));
  });
}

void header() {
  std::printf("| transform | N | batch | threads | Linop ms | peer | peer ms | "
              "Linop vs peer | Linop GFLOP/s | copy ms | Linop / copy |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n");
}

void row(const char *what, int64_t n, int64_t batch, int threads, double t,
         const char *peer, double tp, double flops, double tc) {
  std::printf("| %s | %lld | %lld | %d | %.3f | %s | %.3f | %.2fx | %.1f | "
              "%.3f | %.2f |\n",
              what, (long long)n, (long long)batch, threads, t * 1e3, peer,
              tp * 1e3, tp / t, flops / t / 1e9, tc * 1e3, t / tc);
  std::fflush(stdout);
}

using DftFn = linop_status (*)(const float *, float *, int64_t, int64_t,
                               int64_t);
using BflyFn = linop_status (*)(const float *, const float *, float *, int64_t,
                                int64_t, int64_t);

void benchDft(int64_t n, DftFn fn, DftFn rule, int threads, int64_t elems) {
  int64_t batch = elems / n;
  Buffers b(2 * n * batch);
  fftwf_plan_with_nthreads(threads);
  int dims[1] = {int(n)};
  auto *in = reinterpret_cast<fftwf_complex *>(b.in.data());
  auto *out = reinterpret_cast<fftwf_complex *>(b.out.data());
  std::vector<float> saved = b.in; // FFTW_MEASURE overwrites the input
  fftwf_plan plan =
      fftwf_plan_many_dft(1, dims, int(batch), in, nullptr, 1, int(n), out,
                          nullptr, 1, int(n), FFTW_FORWARD, FFTW_MEASURE);
  b.in = saved;
  double tp = timeIt([&] { fftwf_execute(plan); });
  // Same answer as FFTW (a sanity check of the benchmark, not a test).
  check(fn(b.in.data(), b.out.data(), batch, 0, 0));
  std::vector<float> mine = b.out;
  fftwf_execute(plan);
  expectAgreement("dft" + std::to_string(n), mine, b.out.data());
  auto [t, tr] =
      timePair([&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); },
               [&] { check(rule(b.in.data(), b.out.data(), batch, 0, 0)); });
  double flops = 5.0 * n * std::log2(double(n)) * batch;
  double tc = copyTime(b);
  row("DFT c64", n, batch, threads, t, "FFTW", tp, flops, tc);
  row("DFT c64", n, batch, threads, t, "radix rule", tr, flops, tc);
  fftwf_destroy_plan(plan);
}

/// A real-input transform against its FFTW plan: n reals in, `outFloats`
/// floats out per row; FFTW's result is `peerScale` times ours.
void benchReal(const char *what, int64_t n, int64_t outFloats, DftFn fn,
               int threads, int64_t elems, bool dct) {
  int64_t batch = elems / n;
  Buffers b(std::max(n, outFloats) * batch);
  fftwf_plan_with_nthreads(threads);
  int dims[1] = {int(n)};
  std::vector<float> saved = b.in;
  fftwf_plan plan;
  double peerScale = 1;
  if (dct) {
    fftw_r2r_kind kind[1] = {FFTW_REDFT10};
    plan = fftwf_plan_many_r2r(1, dims, int(batch), b.in.data(), nullptr, 1,
                               int(n), b.out.data(), nullptr, 1, int(n), kind,
                               FFTW_MEASURE);
    peerScale = 2;
  } else {
    plan = fftwf_plan_many_dft_r2c(
        1, dims, int(batch), b.in.data(), nullptr, 1, int(n),
        reinterpret_cast<fftwf_complex *>(b.out.data()), nullptr, 1,
        int(outFloats / 2), FFTW_MEASURE);
  }
  b.in = saved;
  double tp = timeIt([&] { fftwf_execute(plan); });
  check(fn(b.in.data(), b.out.data(), batch, 0, 0));
  std::vector<float> mine(b.out.begin(), b.out.begin() + outFloats * batch);
  fftwf_execute(plan);
  expectAgreement(std::string(what) + " " + std::to_string(n), mine,
                  b.out.data(), peerScale);
  double t = timeIt([&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); });
  // FFTW's convention for real transforms: half the complex DFT's flops.
  double flops = 2.5 * n * std::log2(double(n)) * batch;
  Buffers copy((n + outFloats) / 2 * batch);
  row(what, n, batch, threads, t, "FFTW", tp, flops, copyTime(copy));
  fftwf_destroy_plan(plan);
}

void benchHadamard(int64_t n, DftFn fn, int threads, int64_t elems) {
  int64_t batch = elems / n;
  Buffers b(n * batch);
  double t = timeIt([&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); });
  double tc = copyTime(b);
  double flops = double(n) * std::log2(double(n)) * batch;
  row("Hadamard f32", n, batch, threads, t, "memcpy", tc, flops, tc);
}

void benchButterfly(int64_t n, bool cplx, BflyFn fn, int threads,
                    int64_t batch) {
  int L = int(std::log2(double(n)));
  int c = cplx ? 2 : 1;
  Buffers b(c * n * batch);
  std::vector<float> tw(size_t(c) * L * (n / 2) * 4);
  std::mt19937 rng(2);
  std::normal_distribution<float> d(0.0f, 0.7f);
  for (float &v : tw)
    v = d(rng);
  double t = timeIt(
      [&] { check(fn(b.in.data(), tw.data(), b.out.data(), batch, 0, 0)); });
  // Peer: the dense matrix the butterfly stands for, as one GEMM: oneMKL's
  // (on the same threads) where the bench has it, else Eigen's.
  double tp;
#ifdef LINOP_BENCH_MKL
  const char *peer = cplx ? "MKL CGEMM" : "MKL SGEMM";
  std::vector<float> W(size_t(c) * n * n);
  for (float &v : W)
    v = d(rng);
  const float one[2] = {1, 0}, zero[2] = {0, 0};
  // Column-major: column b of X (n x batch) is row b of the batch.
  tp = timeIt([&] {
    if (cplx)
      cblas_cgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, batch, n,
                  one, W.data(), n, b.in.data(), n, zero, b.out.data(), n);
    else
      cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, batch, n,
                  1.0f, W.data(), n, b.in.data(), n, 0.0f, b.out.data(), n);
  });
#else
  const char *peer = "Eigen GEMM";
  if (cplx) {
    Eigen::MatrixXcf W = Eigen::MatrixXcf::Random(n, n);
    Eigen::Map<Eigen::MatrixXcf> X(
        reinterpret_cast<std::complex<float> *>(b.in.data()), n, batch);
    Eigen::Map<Eigen::MatrixXcf> Y(
        reinterpret_cast<std::complex<float> *>(b.out.data()), n, batch);
    tp = timeIt([&] { Y.noalias() = W * X; });
  } else {
    Eigen::MatrixXf W = Eigen::MatrixXf::Random(n, n);
    Eigen::Map<Eigen::MatrixXf> X(b.in.data(), n, batch),
        Y(b.out.data(), n, batch);
    tp = timeIt([&] { Y.noalias() = W * X; });
  }
#endif
  double flops = (cplx ? 14.0 : 3.0) * n * L * batch;
  row(cplx ? "butterfly c64" : "butterfly f32", n, batch, threads, t, peer,
      tp, flops, copyTime(b));
}


/// A causal convolution of n samples with a constant kernel of n taps
/// (conv_specs.mlir), against the FFTW way on the same threads: each row
/// zero-padded to 2n, r2c, times the kernel's spectrum (computed once),
/// c2r, the first n kept (the padding and the products are the peer's, in
/// one pass each).
void benchConv(int64_t n, DftFn fn, int threads, int64_t elems) {
  int64_t batch = elems / n, P = 2 * n, H = n + 1;
  std::vector<float> k(n);
#ifdef LINOP_BENCH_EMBED_CONV
  // The kernels compiled in: this binary may run where gen/ is not.
  const float *embedded = n == 1024    ? kConvKernel1024
                          : n == 4096  ? kConvKernel4096
                          : n == 16384 ? kConvKernel16384
                                       : nullptr;
  if (!embedded) {
    std::fprintf(stderr, "conv%lld: no kernel compiled in\n", (long long)n);
    std::exit(1);
  }
  std::copy(embedded, embedded + n, k.begin());
#else
  std::ifstream kf(std::string(LINOP_BENCH_CONV_DIR) + "/conv" +
                       std::to_string(n) + ".f32",
                   std::ios::binary);
  if (!kf.read(reinterpret_cast<char *>(k.data()), n * sizeof(float))) {
    std::fprintf(stderr, "conv%lld: no kernel file\n", (long long)n);
    std::exit(1);
  }
#endif
  Buffers b(n * batch);
  std::vector<float> pad(P * batch);
  std::vector<std::complex<float>> spec(H * batch), kspec(H);
  fftwf_plan_with_nthreads(threads);
  int dims[1] = {int(P)};
  auto *cs = reinterpret_cast<fftwf_complex *>(spec.data());
  fftwf_plan fwd = fftwf_plan_many_dft_r2c(1, dims, int(batch), pad.data(),
                                           nullptr, 1, int(P), cs, nullptr, 1,
                                           int(H), FFTW_MEASURE);
  fftwf_plan inv = fftwf_plan_many_dft_c2r(1, dims, int(batch), cs, nullptr,
                                           1, int(H), pad.data(), nullptr, 1,
                                           int(P), FFTW_MEASURE);
  { // The kernel's spectrum over P, once.
    std::vector<float> kp(P, 0.0f);
    std::copy(k.begin(), k.end(), kp.begin());
    fftwf_plan one = fftwf_plan_dft_r2c_1d(
        int(P), kp.data(), reinterpret_cast<fftwf_complex *>(kspec.data()),
        FFTW_ESTIMATE);
    fftwf_execute(one);
    fftwf_destroy_plan(one);
    for (auto &v : kspec)
      v /= float(P);
  }
  struct Ctx {
    const float *x;
    float *pad, *y;
    std::complex<float> *spec;
    const std::complex<float> *k;
    int64_t n, P, H;
  } c{b.in.data(), pad.data(), b.out.data(), spec.data(), kspec.data(), n, P,
      H};
  auto padRows = [](void *p, int64_t lo, int64_t hi) {
    auto *c = static_cast<Ctx *>(p);
    for (int64_t r = lo; r < hi; ++r) {
      std::memcpy(c->pad + r * c->P, c->x + r * c->n, c->n * sizeof(float));
      std::memset(c->pad + r * c->P + c->n, 0, c->n * sizeof(float));
    }
  };
  auto multiply = [](void *p, int64_t lo, int64_t hi) {
    auto *c = static_cast<Ctx *>(p);
    for (int64_t r = lo; r < hi; ++r)
      for (int64_t i = 0; i < c->H; ++i)
        c->spec[r * c->H + i] *= c->k[i];
  };
  auto keep = [](void *p, int64_t lo, int64_t hi) {
    auto *c = static_cast<Ctx *>(p);
    for (int64_t r = lo; r < hi; ++r)
      std::memcpy(c->y + r * c->n, c->pad + r * c->P, c->n * sizeof(float));
  };
  auto peer = [&] {
    check(linop_parallel_for(batch, 1, padRows, &c));
    fftwf_execute(fwd);
    check(linop_parallel_for(batch, 1, multiply, &c));
    fftwf_execute(inv);
    check(linop_parallel_for(batch, 1, keep, &c));
  };
  peer();
  std::vector<float> theirs = b.out;
  check(fn(b.in.data(), b.out.data(), batch, 0, 0));
  expectAgreement("conv" + std::to_string(n), b.out, theirs.data());
  auto [t, tp] =
      timePair([&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); },
               peer);
  // Two real FFTs of 2n and the products: FFTW's convention.
  double flops = 2 * 2.5 * P * std::log2(double(P)) * batch + 6.0 * H * batch;
  row("causal conv f32", n, batch, threads, t, "FFTW r2c/c2r", tp, flops,
      copyTime(b));
  fftwf_destroy_plan(fwd);
  fftwf_destroy_plan(inv);
}

#ifdef LINOP_BENCH_PEERS
//===----------------------------------------------------------------------===//
// The FFT peers side by side (built with LINOP_BENCH_MKL and/or
// LINOP_BENCH_FFTW_AVX512): one row per transform and size, every peer
// planned once on the same threads and timed in alternation with Linop.
//===----------------------------------------------------------------------===//

/// Medians of every function of `fns`, timed in turn, round after round
/// (>= 5 rounds and >= 0.2 s per function), so that a busy machine slows
/// them alike.
std::vector<double> timeMany(const std::vector<std::function<void()>> &fns) {
  for (const auto &fn : fns)
    fn(); // warm-up: page faults, plans, caches
  std::vector<std::vector<double>> t(fns.size());
  double total = 0;
  while (t[0].size() < 5 || total < 0.2 * fns.size()) {
    for (size_t i = 0; i < fns.size(); ++i) {
      auto s = Clock::now();
      fns[i]();
      double d = std::chrono::duration<double>(Clock::now() - s).count();
      t[i].push_back(d);
      total += d;
    }
  }
  std::vector<double> med;
  for (auto &v : t) {
    std::sort(v.begin(), v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

/// sqrt(sum |scale * mine - theirs|^2 / sum |theirs|^2).
double relError(const std::vector<float> &mine, const float *theirs,
                double scale) {
  double num = 0, den = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    double d = scale * mine[i] - theirs[i];
    num += d * d;
    den += theirs[i] * double(theirs[i]);
  }
  return std::sqrt(num / den);
}

/// The machine, above each table: the CPU, its cores, L2, and the SIMD
/// width of Linop's kernels (fixed when linopc compiled them).
void printMachine(int threads) {
  std::string model = "unknown CPU", cores = "?", siblings = "?";
  std::ifstream info("/proc/cpuinfo");
  auto value = [](const std::string &line) {
    size_t colon = line.find(':');
    return colon == std::string::npos ? std::string("?")
                                      : line.substr(colon + 2);
  };
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("model name", 0) == 0)
      model = value(line);
    else if (line.rfind("cpu cores", 0) == 0)
      cores = value(line);
    else if (line.rfind("siblings", 0) == 0)
      siblings = value(line);
    else if (line.empty()) // the first CPU's block is enough
      break;
  }
  cpu_set_t set;
  int usable = sched_getaffinity(0, sizeof(set), &set) == 0
                   ? CPU_COUNT(&set)
                   : int(std::thread::hardware_concurrency());
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE), l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  std::printf("machine: %s; %u CPUs online (%s cores, %s CPUs per socket), "
              "%d usable here; L2 %ld KiB per core, L3 %ld MiB; AVX-512 %s; "
              "%d thread(s)\n",
              model.c_str(), std::thread::hardware_concurrency(),
              cores.c_str(), siblings.c_str(), usable, l2 / 1024, l3 >> 20,
              __builtin_cpu_supports("avx512f") ? "yes" : "no", threads);
  std::printf("Linop: kernels for --cpu=%s, %d-bit SIMD (%d f32 lanes)\n",
              LINOP_BENCH_KERNEL_CPU, LINOP_BENCH_KERNEL_LANES * 32,
              LINOP_BENCH_KERNEL_LANES);
}

/// One FFT peer: `run` computes the row's transform from the shared input
/// into the shared output, planned once beforehand; its output is `scale`
/// times Linop's.
struct Peer {
  std::string name;
  std::function<void()> run;
  double scale = 1;
  std::function<void()> destroy;
  std::string note;     // how this peer computes the row, if not plainly
  std::string codelets; // FFTW: the instruction sets its plan uses
  double err = 0, ms = 0;
};

/// The peers' columns, in this order; absent peers print n/a.
const char *const kPeerNames[] = {"FFTW", "FFTW-AVX512", "MKL"};

void peersHeader(int threads, bool rule) {
  std::printf("\n");
  printMachine(threads);
  std::printf("FFTW: Debian's libfftw3f (%s, no AVX-512 or AVX2 codelets); "
              "FFTW-AVX512: %s; MKL: %s. Each planned once (FFTW_MEASURE, "
              "DFTI committed), on %d thread(s), timed in turn with Linop "
              "(medians). Linop vs best = best peer's time / Linop's (> 1: "
              "Linop faster). rel. err: each peer against Linop. codelets: "
              "the instruction sets in each FFTW plan. MKL's OpenMP threads: "
              "OMP_WAIT_POLICY=%s.\n",
              fftwf_version,
#ifdef LINOP_BENCH_FFTW_AVX512
              avx512_fftwf_version,
#else
              "n/a",
#endif
#ifdef LINOP_BENCH_MKL
              [] {
                static char v[256];
                mkl_get_version_string(v, sizeof(v));
                return v;
              }(),
#else
              "n/a",
#endif
              threads,
              std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY")
                                             : "unset");
#ifdef LINOP_BENCH_MKL
  if (!rule)
    std::printf("MKL DCT-II*: MKL has no DCT; its r2c of the same n with "
                "Makhoul's reordering before and one twiddle per output after "
                "(two passes on the runtime's threads).\n");
#endif
  std::printf("| transform | N | batch | threads | Linop ms |%s FFTW ms | "
              "FFTW-AVX512 ms | MKL ms | best peer | Linop vs best | Linop "
              "GFLOP/s | copy ms | Linop / copy | rel. err FFTW / AVX512 / "
              "MKL | codelets FFTW / AVX512 |\n|---|---|---|---|---|%s---|---|"
              "---|---|---|---|---|---|---|---|\n",
              rule ? " rule ms |" : "", rule ? "---|" : "");
}

/// Checks every peer against Linop's output `mine` once, times Linop (and
/// the radix rule's plan, if any) and the peers in alternation, prints the
/// row. Debian's FFTW must agree (as without peers); another peer that
/// disagrees is flagged and left out of "best".
void peersRow(const char *what, int64_t n, int64_t batch, int threads,
              const std::function<void()> &linop,
              const std::function<void()> *rule, bool ruleColumn,
              std::vector<Peer> &peers,
              const std::vector<float> &mine, std::vector<float> &out,
              double flops, double copyMs) {
  for (Peer &p : peers) {
    std::fill(out.begin(), out.end(), 0.0f);
    p.run();
    p.err = relError(mine, out.data(), p.scale);
    if (p.name == "FFTW" && !(p.err <= 1e-4)) {
      std::fprintf(stderr, "%s %lld disagrees with FFTW: %g\n", what,
                   (long long)n, p.err);
      std::exit(1);
    }
    if (!(p.err <= 1e-4))
      std::fprintf(stderr, "%s %lld: %s disagrees with Linop (%g): left out\n",
                   what, (long long)n, p.name.c_str(), p.err);
  }
  std::vector<std::function<void()>> fns{linop};
  if (rule)
    fns.push_back(*rule);
  for (Peer &p : peers)
    fns.push_back(p.run);
  std::vector<double> t = timeMany(fns);
  double linopMs = t[0] * 1e3, ruleMs = rule ? t[1] * 1e3 : 0;
  const Peer *best = nullptr;
  for (size_t i = 0; i < peers.size(); ++i) {
    peers[i].ms = t[i + (rule ? 2 : 1)] * 1e3;
    if (peers[i].err <= 1e-4 && (!best || peers[i].ms < best->ms))
      best = &peers[i];
  }
  auto col = [&](const char *name, bool ms) {
    static char buf[8][64];
    static int k = 0;
    char *b = buf[k++ % 8];
    std::snprintf(b, 64, "n/a");
    for (const Peer &p : peers)
      if (p.name == name) {
        if (ms)
          std::snprintf(b, 64, "%.3f%s%s", p.ms, p.err <= 1e-4 ? "" : " WRONG",
                        p.note.empty() ? "" : "*");
        else
          std::snprintf(b, 64, "%.1e", p.err);
      }
    return b;
  };
  char ruleCol[32] = ""; // the DFT table's column: "-" where no rule plan
  if (rule)
    std::snprintf(ruleCol, sizeof(ruleCol), " %.3f |", ruleMs);
  else if (ruleColumn)
    std::snprintf(ruleCol, sizeof(ruleCol), " - |");
  char ratio[32] = "-";
  if (best)
    std::snprintf(ratio, sizeof(ratio), "%.2fx", best->ms / linopMs);
  std::string plans;
  for (const char *name : {kPeerNames[0], kPeerNames[1]}) {
    std::string c = "n/a";
    for (const Peer &p : peers)
      if (p.name == name)
        c = p.codelets;
    plans += (plans.empty() ? "" : " / ") + c;
  }
  std::printf("| %s | %lld | %lld | %d | %.3f |%s %s | %s | %s | %s | %s | "
              "%.1f | %.3f | %.2f | %s / %s / %s | %s |\n",
              what, (long long)n, (long long)batch, threads, linopMs, ruleCol,
              col(kPeerNames[0], true), col(kPeerNames[1], true),
              col(kPeerNames[2], true), best ? best->name.c_str() : "none",
              ratio, flops / (linopMs * 1e-3) / 1e9, copyMs, linopMs / copyMs,
              col(kPeerNames[0], false), col(kPeerNames[1], false),
              col(kPeerNames[2], false), plans.c_str());
  std::fflush(stdout);
  for (Peer &p : peers)
    if (p.destroy)
      p.destroy();
}

/// The instruction sets of the codelets in an FFTW plan (from
/// fftwf_sprint_plan, which names each codelet, e.g. "t1fv_64_avx512"): the
/// planner measures and may pick AVX or scalar codelets over AVX-512 ones,
/// or have none for a transform (FFTW's r2r codelets are scalar).
std::string fftwCodelets(char *plan) {
  const char *const sets[] = {"avx512", "avx2_128", "avx2", "avx_128_fma",
                              "avx", "sse2", "generic_simd256",
                              "generic_simd128"};
  std::vector<std::string> seen;
  for (const char *q = plan ? std::strchr(plan, '"') : nullptr; q;) {
    const char *e = std::strchr(q + 1, '"');
    if (!e)
      break;
    std::string name(q + 1, e), set = "scalar";
    for (const char *s : sets) {
      std::string suffix = std::string("_") + s;
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) ==
              0) {
        set = s;
        break;
      }
    }
    if (std::find(seen.begin(), seen.end(), set) == seen.end())
      seen.push_back(set);
    q = std::strchr(e + 1, '"');
  }
  std::free(plan);
  std::string out;
  for (const std::string &s : seen)
    out += (out.empty() ? "" : "+") + s;
  return out.empty() ? "none" : out;
}

#ifdef LINOP_BENCH_MKL
void checkMkl(MKL_LONG status, const char *what) {
  if (status && !DftiErrorClass(status, DFTI_NO_ERROR)) {
    std::fprintf(stderr, "MKL %s: %s\n", what, DftiErrorMessage(status));
    std::exit(1);
  }
}

/// A committed DFTI descriptor for `batch` rows of n: complex to complex,
/// or real to complex (n/2 + 1 complex values per output row), out of place.
DFTI_DESCRIPTOR_HANDLE mklPlan(int64_t n, int64_t batch, bool real) {
  DFTI_DESCRIPTOR_HANDLE h = nullptr;
  using L = MKL_LONG;
  checkMkl(DftiCreateDescriptor(&h, DFTI_SINGLE, real ? DFTI_REAL : DFTI_COMPLEX,
                                1, L(n)),
           "DftiCreateDescriptor");
  checkMkl(DftiSetValue(h, DFTI_PLACEMENT, DFTI_NOT_INPLACE), "placement");
  checkMkl(DftiSetValue(h, DFTI_NUMBER_OF_TRANSFORMS, L(batch)),
           "number of transforms");
  // The forward domain's rows (the input) are n apart, the backward
  // domain's (the output) n, or n/2 + 1 complex values for a real input.
  checkMkl(DftiSetValue(h, DFTI_FWD_DISTANCE, L(n)), "forward distance");
  checkMkl(DftiSetValue(h, DFTI_BWD_DISTANCE, L(real ? n / 2 + 1 : n)),
           "backward distance");
  if (real)
    checkMkl(DftiSetValue(h, DFTI_CONJUGATE_EVEN_STORAGE, DFTI_COMPLEX_COMPLEX),
             "conjugate-even storage");
  checkMkl(DftiCommitDescriptor(h), "DftiCommitDescriptor");
  return h;
}

/// oneMKL as a peer: mklPlan's descriptor, run from `in` to `out`.
Peer mklPeer(int64_t n, int64_t batch, bool real, float *in, float *out) {
  DFTI_DESCRIPTOR_HANDLE h = mklPlan(n, batch, real);
  return {"MKL", [=] { checkMkl(DftiComputeForward(h, in, out), "compute"); },
          1, [h]() mutable { DftiFreeDescriptor(&h); }, "", ""};
}
#endif

/// The batched complex DFT of n against every peer.
void peersDft(int64_t n, DftFn fn, DftFn ruleFn, int threads, int64_t elems) {
  int64_t batch = std::max<int64_t>(1, elems / n);
  Buffers b(2 * n * batch);
  std::vector<float> saved = b.in; // FFTW_MEASURE overwrites the input
  int dims[1] = {int(n)};
  auto *in = reinterpret_cast<fftwf_complex *>(b.in.data());
  auto *out = reinterpret_cast<fftwf_complex *>(b.out.data());
  std::vector<Peer> peers;
  fftwf_plan_with_nthreads(threads);
  fftwf_plan deb =
      fftwf_plan_many_dft(1, dims, int(batch), in, nullptr, 1, int(n), out,
                          nullptr, 1, int(n), FFTW_FORWARD, FFTW_MEASURE);
  peers.push_back({"FFTW", [=] { fftwf_execute(deb); }, 1,
                   [=] { fftwf_destroy_plan(deb); }, "",
                   fftwCodelets(fftwf_sprint_plan(deb))});
#ifdef LINOP_BENCH_FFTW_AVX512
  avx512_fftwf_plan_with_nthreads(threads);
  fftwf_plan f512 = avx512_fftwf_plan_many_dft(
      1, dims, int(batch), in, nullptr, 1, int(n), out, nullptr, 1, int(n),
      FFTW_FORWARD, FFTW_MEASURE);
  peers.push_back({"FFTW-AVX512", [=] { avx512_fftwf_execute(f512); }, 1,
                   [=] { avx512_fftwf_destroy_plan(f512); }, "",
                   fftwCodelets(avx512_fftwf_sprint_plan(f512))});
#endif
#ifdef LINOP_BENCH_MKL
  peers.push_back(mklPeer(n, batch, false, b.in.data(), b.out.data()));
#endif
  b.in = saved;
  auto linop = [&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); };
  linop();
  std::vector<float> mine = b.out;
  std::function<void()> rule = [&] {
    check(ruleFn(b.in.data(), b.out.data(), batch, 0, 0));
  };
  double flops = 5.0 * n * std::log2(double(n)) * batch;
  double tc = copyTime(b) * 1e3;
  peersRow("DFT c64", n, batch, threads, linop, ruleFn ? &rule : nullptr,
           true, peers, mine, b.out, flops, tc);
}

#ifdef LINOP_BENCH_MKL
/// MKL has no batched DCT: DCT-II through its r2c of the same n (Makhoul:
/// even samples forward, odd ones backward, then one twiddle per output),
/// the two passes on the runtime's threads, as an MKL user would write it.
/// Its output is FFTW's REDFT10 (twice Linop's unnormalized DCT-II).
struct MklDct {
  int64_t n, batch;
  std::vector<float> v;
  std::vector<std::complex<float>> V, tw;
  const float *x;
  float *y;
  DFTI_DESCRIPTOR_HANDLE h;
  MklDct(int64_t n, int64_t batch, const float *x, float *y)
      : n(n), batch(batch), v(n * batch), V((n / 2 + 1) * batch),
        tw(n / 2 + 1), x(x), y(y), h(mklPlan(n, batch, true)) {
    for (int64_t k = 0; k <= n / 2; ++k)
      tw[k] = std::polar(2.0, -M_PI * double(k) / (2.0 * double(n)));
  }
  ~MklDct() { DftiFreeDescriptor(&h); }
  void operator()() {
    check(linop_parallel_for(
        batch, 1,
        [](void *p, int64_t lo, int64_t hi) {
          auto *d = static_cast<MklDct *>(p);
          int64_t n = d->n;
          for (int64_t r = lo; r < hi; ++r) {
            const float *x = d->x + r * n;
            float *v = d->v.data() + r * n;
            for (int64_t j = 0; j < n / 2; ++j) {
              v[j] = x[2 * j];
              v[n - 1 - j] = x[2 * j + 1];
            }
          }
        },
        this));
    checkMkl(DftiComputeForward(h, v.data(), V.data()), "compute");
    check(linop_parallel_for(
        batch, 1,
        [](void *p, int64_t lo, int64_t hi) {
          auto *d = static_cast<MklDct *>(p);
          int64_t n = d->n, H = n / 2 + 1;
          for (int64_t r = lo; r < hi; ++r) {
            const std::complex<float> *V = d->V.data() + r * H;
            float *y = d->y + r * n;
            // y[k] = 2 Re(e^{-i pi k / 2n} V[k]); y[n - k] from conj(V[k]).
            for (int64_t k = 0; k <= n / 2; ++k) {
              float c = d->tw[k].real(), s = -d->tw[k].imag();
              float a = V[k].real(), b = V[k].imag();
              y[k] = c * a + s * b;
              if (k > 0 && k < n / 2)
                y[n - k] = s * a - c * b;
            }
          }
        },
        this));
  }
};
#endif

/// A real-input transform (rDFT, or DCT-II when `dct`) against every peer:
/// n reals in, `outFloats` floats out per row.
void peersReal(const char *what, int64_t n, int64_t outFloats, DftFn fn,
               int threads, int64_t elems, bool dct) {
  int64_t batch = elems / n;
  Buffers b(std::max(n, outFloats) * batch);
  std::vector<float> saved = b.in;
  int dims[1] = {int(n)};
  float *in = b.in.data(), *outp = b.out.data();
  auto *cout = reinterpret_cast<fftwf_complex *>(outp);
  fftwf_r2r_kind kind[1] = {FFTW_REDFT10};
  double scale = dct ? 2 : 1; // REDFT10 is twice our DCT-II
  std::vector<Peer> peers;
  fftwf_plan_with_nthreads(threads);
  fftwf_plan deb =
      dct ? fftwf_plan_many_r2r(1, dims, int(batch), in, nullptr, 1, int(n),
                                outp, nullptr, 1, int(n), kind, FFTW_MEASURE)
          : fftwf_plan_many_dft_r2c(1, dims, int(batch), in, nullptr, 1,
                                    int(n), cout, nullptr, 1,
                                    int(outFloats / 2), FFTW_MEASURE);
  peers.push_back({"FFTW", [=] { fftwf_execute(deb); }, scale,
                   [=] { fftwf_destroy_plan(deb); }, "",
                   fftwCodelets(fftwf_sprint_plan(deb))});
#ifdef LINOP_BENCH_FFTW_AVX512
  avx512_fftwf_plan_with_nthreads(threads);
  fftwf_plan f512 =
      dct ? avx512_fftwf_plan_many_r2r(1, dims, int(batch), in, nullptr, 1,
                                       int(n), outp, nullptr, 1, int(n), kind,
                                       FFTW_MEASURE)
          : avx512_fftwf_plan_many_dft_r2c(1, dims, int(batch), in, nullptr, 1,
                                           int(n), cout, nullptr, 1,
                                           int(outFloats / 2), FFTW_MEASURE);
  peers.push_back({"FFTW-AVX512", [=] { avx512_fftwf_execute(f512); }, scale,
                   [=] { avx512_fftwf_destroy_plan(f512); }, "",
                   fftwCodelets(avx512_fftwf_sprint_plan(f512))});
#endif
#ifdef LINOP_BENCH_MKL
  if (dct) {
    auto mdct = std::make_shared<MklDct>(n, batch, in, outp);
    peers.push_back({"MKL", [mdct] { (*mdct)(); }, scale, {},
                     "r2c + Makhoul's reordering (MKL has no DCT-II)", ""});
  } else {
    peers.push_back(mklPeer(n, batch, true, in, outp));
  }
#endif
  b.in = saved;
  auto linop = [&] { check(fn(b.in.data(), b.out.data(), batch, 0, 0)); };
  linop();
  std::vector<float> mine(b.out.begin(), b.out.begin() + outFloats * batch);
  // FFTW's convention for real transforms: half the complex DFT's flops.
  double flops = 2.5 * n * std::log2(double(n)) * batch;
  Buffers copy((n + outFloats) / 2 * batch);
  double tc = copyTime(copy) * 1e3;
  // Each peer's check compares the first outFloats * batch floats.
  peersRow(what, n, batch, threads, linop, nullptr, false, peers, mine, b.out,
           flops, tc);
}
#endif // LINOP_BENCH_PEERS

} // namespace

int main(int argc, char **argv) {
#ifdef LINOP_BENCH_MKL
  // MKL's threads are libgomp's, which spin for milliseconds after each
  // parallel region unless OMP_WAIT_POLICY=PASSIVE: on the very cores that
  // the next run (Linop's or another peer's, timed in turn) needs, which
  // measured 1.9x slower for it on 2 threads. libgomp reads the variable
  // as the program starts: set it and start again, once, unless given.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "bench-cpu: could not restart with "
                         "OMP_WAIT_POLICY=PASSIVE; MKL's threads spin\n");
  }
#endif
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  int64_t elems = int64_t(1) << 22;
  linop_set_num_threads(threads);
  fftwf_init_threads();
  Eigen::setNbThreads(1);
#ifdef LINOP_BENCH_FFTW_AVX512
  avx512_fftwf_init_threads();
#endif
#ifdef LINOP_BENCH_MKL
  // Exactly the bench's threads (MKL's OpenMP, GCC's libgomp).
  mkl_set_dynamic(0);
  mkl_set_num_threads(threads);
#endif
  std::printf("bench-cpu: %d thread(s), about %lld elements per call\n\n",
              threads, (long long)elems);
  // An optional second argument runs one family: dft, real, hadamard,
  // butterfly or conv.
  std::string only = argc > 2 ? argv[2] : "";
  auto want = [&](const char *family) {
    return only.empty() || only == family;
  };
#ifdef LINOP_BENCH_PEERS
  // With peers: a table of their own for the FFTs (every peer in one row,
  // 1M points too if compiled), then the usual table for the others.
  if (want("dft")) {
    peersHeader(threads, true);
    peersDft(256, dft256, dft256_rule, threads, elems);
    peersDft(1024, dft1024, dft1024_rule, threads, elems);
    peersDft(4096, dft4096, dft4096_rule, threads, elems);
    peersDft(16384, dft16384, dft16384_rule, threads, elems);
    peersDft(65536, dft65536, dft65536_rule, threads, elems);
#ifdef LINOP_BENCH_DFT_1M // on by default (LINOP_BENCH_DFT_1M=OFF leaves it out)
    peersDft(1048576, dft1048576, nullptr, threads, elems);
#endif
  }
  if (want("real")) {
    peersHeader(threads, false);
    peersReal("rDFT f32", 1024, 2 * 513, rdft1024, threads, elems, false);
    peersReal("rDFT f32", 4096, 2 * 2049, rdft4096, threads, elems, false);
    peersReal("DCT-II f32", 1024, 1024, dct1024, threads, elems, true);
  }
  if (only.empty() || (only != "dft" && only != "real")) {
    std::printf("\n");
    printMachine(threads);
    header();
  }
#else
  header();
  if (want("dft")) {
    benchDft(256, dft256, dft256_rule, threads, elems);
    benchDft(1024, dft1024, dft1024_rule, threads, elems);
    benchDft(4096, dft4096, dft4096_rule, threads, elems);
    benchDft(16384, dft16384, dft16384_rule, threads, elems);
    benchDft(65536, dft65536, dft65536_rule, threads, elems);
  }
  if (want("real")) {
    benchReal("rDFT f32", 1024, 2 * 513, rdft1024, threads, elems, false);
    benchReal("rDFT f32", 4096, 2 * 2049, rdft4096, threads, elems, false);
    benchReal("DCT-II f32", 1024, 1024, dct1024, threads, elems, true);
  }
#endif
  if (want("hadamard")) {
    benchHadamard(256, hadamard256, threads, elems);
    benchHadamard(1024, hadamard1024, threads, elems);
    benchHadamard(4096, hadamard4096, threads, elems);
    benchHadamard(16384, hadamard16384, threads, elems);
  }
  if (want("butterfly")) {
    benchButterfly(1024, false, butterfly1024_real, threads, 4096);
    benchButterfly(1024, true, butterfly1024_complex, threads, 4096);
    benchButterfly(4096, false, butterfly4096_real, threads, 4096);
    benchButterfly(4096, true, butterfly4096_complex, threads, 4096);
  }
  if (want("conv")) {
    benchConv(1024, conv1024, threads, elems);
    benchConv(4096, conv4096, threads, elems);
    benchConv(16384, conv16384, threads, elems);
  }
  return 0;
}
