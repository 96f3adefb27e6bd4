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
//===----------------------------------------------------------------------===//

#include "bench_conv.h"
#include "bench_rule.h"
#include "bench_specs.h"

#include <Eigen/Dense>
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
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
  // Peer: the dense matrix the butterfly stands for, as one GEMM.
  double tp;
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
  double flops = (cplx ? 14.0 : 3.0) * n * L * batch;
  row(cplx ? "butterfly c64" : "butterfly f32", n, batch, threads, t,
      "Eigen GEMM", tp, flops, copyTime(b));
}


/// A causal convolution of n samples with a constant kernel of n taps
/// (conv_specs.mlir), against the FFTW way on the same threads: each row
/// zero-padded to 2n, r2c, times the kernel's spectrum (computed once),
/// c2r, the first n kept (the padding and the products are the peer's, in
/// one pass each).
void benchConv(int64_t n, DftFn fn, int threads, int64_t elems) {
  int64_t batch = elems / n, P = 2 * n, H = n + 1;
  std::vector<float> k(n);
  std::ifstream kf(std::string(LINOP_BENCH_CONV_DIR) + "/conv" +
                       std::to_string(n) + ".f32",
                   std::ios::binary);
  if (!kf.read(reinterpret_cast<char *>(k.data()), n * sizeof(float))) {
    std::fprintf(stderr, "conv%lld: no kernel file\n", (long long)n);
    std::exit(1);
  }
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

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  int64_t elems = int64_t(1) << 22;
  linop_set_num_threads(threads);
  fftwf_init_threads();
  Eigen::setNbThreads(1);
  std::printf("bench-cpu: %d thread(s), about %lld elements per call\n\n",
              threads, (long long)elems);
  // An optional second argument runs one family: dft, real, hadamard,
  // butterfly or conv.
  std::string only = argc > 2 ? argv[2] : "";
  auto want = [&](const char *family) {
    return only.empty() || only == family;
  };
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
