//===- bench_cuda.cpp - Linop's CUDA kernels side by side with their peers ===//
//
// One process, one GPU, one table: each function of bench/cpu/specs.mlir
// (the specs bench-cpu runs), compiled by linopc --target=cuda and called
// through its generated C entry point exactly as a user would, against its
// peer on the same data, and against the copy floor (a device-to-device copy
// of the same bytes, linop_cuda_memcpy_dtod, timed the same way):
//   - DFT: cuFFT C2C fp32, cufftPlanMany, planned once;
//   - rDFT: cuFFT R2C fp32, planned once;
//   - Hadamard, DCT-II, butterfly (run-time twiddles): the copy is the peer.
// Every Linop result is checked once before it is timed, on random inputs
// with poisoned (NaN) outputs: against cuFFT over the whole output where
// cuFFT has the transform, else against a float64 host reference on
// sampled rows (and every output element must have been written).
//
// Timing: CUDA events around each call, medians of >= 20 calls after
// warm-up, Linop, peer and copy in alternation so that clock drift hits all
// alike; the inputs rotate over enough buffers to exceed the L2 several
// times (at the default 2^27 elements a single buffer already does).
//
//   bench-cuda [log2 of the elements per call, default 27] [family]
// (family: dft, real, hadamard or butterfly; default all).
//
//===----------------------------------------------------------------------===//

#include "bench_specs.h"

#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char *fmt, ...) {
  std::va_list args;
  va_start(args, fmt);
  std::fprintf(stderr, "bench-cuda: ");
  std::vfprintf(stderr, fmt, args);
  std::fprintf(stderr, "\n");
  va_end(args);
  std::exit(1);
}

void check(linop_status s, const char *what) {
  if (s != LINOP_OK)
    fail("%s: %s: %s", what, linop_status_string(s), linop_last_error());
}

void checkCuda(cudaError_t e, const char *what) {
  if (e != cudaSuccess)
    fail("%s: %s", what, cudaGetErrorString(e));
}

void checkFft(cufftResult r, const char *what) {
  if (r != CUFFT_SUCCESS)
    fail("%s: cuFFT error %d", what, int(r));
}

/// The kernel driver's version ("580.159.04") where /proc shows it, else "".
std::string kernelDriverVersion() {
  std::FILE *f = std::fopen("/proc/driver/nvidia/version", "r");
  if (!f)
    return "";
  char line[512] = "";
  bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  <date>"
  const char *p = read ? std::strstr(line, "Kernel Module") : nullptr;
  if (!p)
    return "";
  p += std::strlen("Kernel Module");
  p += std::strspn(p, " ");
  return std::string(p, std::strcspn(p, " \n"));
}

struct Gpu {
  linop_stream stream = nullptr;
  size_t l2Bytes = 0;
};

/// The GPU, or a clear message and exit(1) where there is none: the
/// runtime loads the driver itself and says why it could not.
Gpu openGpu() {
  if (linop_cuda_init() != LINOP_OK)
    fail("no CUDA driver, nothing to measure: %s", linop_last_error());
  int count = 0;
  check(linop_cuda_device_count(&count), "linop_cuda_device_count");
  if (count == 0)
    fail("the CUDA driver sees no GPU, nothing to measure");
  int major = 0, minor = 0;
  check(linop_cuda_compute_capability(0, &major, &minor),
        "linop_cuda_compute_capability");
  if (major < 9)
    fail("GPU 0 is sm_%d%d; Linop's CUDA target needs sm_90 or newer", major,
         minor);
  // The device's primary context, current on this thread: cuFFT (runtime
  // API) and Linop (driver API) then share it, and its memory.
  checkCuda(cudaSetDevice(0), "cudaSetDevice");
  checkCuda(cudaFree(nullptr), "cudaFree(0) (context creation)");
  Gpu g;
  check(linop_cuda_stream_create(&g.stream), "linop_cuda_stream_create");
  int l2 = 0;
  checkCuda(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0),
            "cudaDeviceGetAttribute(L2)");
  g.l2Bytes = size_t(l2);

  char name[256] = "";
  int driver = 0, sms = 0, fft = 0;
  size_t freeBytes = 0, totalBytes = 0;
  check(linop_cuda_device_name(0, name, sizeof name), "linop_cuda_device_name");
  check(linop_cuda_driver_version(&driver), "linop_cuda_driver_version");
  checkCuda(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0),
            "cudaDeviceGetAttribute(SMs)");
  checkCuda(cudaMemGetInfo(&freeBytes, &totalBytes), "cudaMemGetInfo");
  checkFft(cufftGetVersion(&fft), "cufftGetVersion");
  std::string kernel = kernelDriverVersion();
  std::printf("GPU 0: %s, sm_%d%d, %d SMs, %.0f MB L2, %.1f GiB; driver %s"
              "(CUDA %d.%d), cuFFT %d\n",
              name, major, minor, sms, g.l2Bytes / 1e6,
              totalBytes / 1073741824.0,
              kernel.empty() ? "" : (kernel + " ").c_str(), driver / 1000,
              driver % 1000 / 10, fft);
  return g;
}

/// Uniform floats in [-1, 1), the same every run: element i is a hash of i,
/// so the pool can grow without changing what is already there.
const float *randomFloats(size_t count) {
  static std::vector<float> pool;
  for (size_t i = pool.size(); i < count; ++i) {
    if (pool.empty())
      pool.reserve(count);
    uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ull; // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    pool.push_back(float(z >> 40) * 0x1p-23f - 1.0f);
  }
  return pool.data();
}

/// Device memory freed with its owner.
struct DeviceBuffer {
  linop_cuda_deviceptr p = 0;
  explicit DeviceBuffer(size_t bytes) {
    check(linop_cuda_malloc(&p, bytes), "linop_cuda_malloc");
  }
  DeviceBuffer(DeviceBuffer &&o) noexcept : p(o.p) { o.p = 0; }
  DeviceBuffer(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { linop_cuda_free(p); }
  float *f() const { return reinterpret_cast<float *>(p); }
};

std::vector<float> download(const DeviceBuffer &b, size_t floats) {
  std::vector<float> v(floats);
  check(linop_cuda_memcpy_dtoh(v.data(), b.p, floats * sizeof(float)),
        "linop_cuda_memcpy_dtoh");
  return v;
}

/// The buffers of one benchmark: `sets` copies of (input, Linop's output,
/// the peer's output), enough that sets x (input + output) is >= 4x the L2
/// and no call finds its data still in the cache. The copy floor moves
/// (input + output) / 2 bytes from an input to a peer output, so all
/// buffers hold max(input, output).
struct Workload {
  int64_t batch;
  size_t inFloats, outFloats; // per set
  int sets;
  std::vector<DeviceBuffer> in, out, peer;

  Workload(const Gpu &g, int64_t rows, size_t inRow, size_t outRow)
      : batch(rows), inFloats(inRow * rows), outFloats(outRow * rows) {
    size_t setBytes = (inFloats + outFloats) * sizeof(float);
    sets = int(
        std::clamp<size_t>((4 * g.l2Bytes + setBytes - 1) / setBytes, 1, 256));
    size_t bytes = std::max(inFloats, outFloats) * sizeof(float);
    const float *x = randomFloats(sets * inFloats);
    for (int k = 0; k < sets; ++k) {
      in.emplace_back(bytes);
      out.emplace_back(bytes);
      peer.emplace_back(bytes);
      check(linop_cuda_memcpy_htod(in[k].p, x + k * inFloats,
                                   inFloats * sizeof(float)),
            "linop_cuda_memcpy_htod");
    }
  }
  /// Set 0's input, as uploaded.
  const float *hostInput() const { return randomFloats(inFloats); }
  size_t bytesMoved() const { return (inFloats + outFloats) * sizeof(float); }
  void copy(int k, linop_stream s) const {
    check(linop_cuda_memcpy_dtod(peer[k].p, in[k].p, bytesMoved() / 2, s),
          "linop_cuda_memcpy_dtod");
  }
  /// NaN in every output (all bytes 0xff), so unwritten elements show.
  void poison() const {
    for (int k = 0; k < sets; ++k) {
      check(linop_cuda_memset_d8(out[k].p, 0xff, outFloats * sizeof(float)),
            "linop_cuda_memset_d8");
      check(linop_cuda_memset_d8(peer[k].p, 0xff, outFloats * sizeof(float)),
            "linop_cuda_memset_d8");
    }
  }
};

/// The largest batch <= `batch` whose buffers (one set, a peer output and
/// room for cuFFT's work area) fit in 70% of the free device memory.
int64_t fitBatch(int64_t batch, size_t inRow, size_t outRow) {
  size_t freeBytes = 0, totalBytes = 0;
  checkCuda(cudaMemGetInfo(&freeBytes, &totalBytes), "cudaMemGetInfo");
  size_t rowBytes = 4 * std::max(inRow, outRow) * sizeof(float);
  while (batch > 1 && double(batch) * rowBytes > 0.7 * freeBytes)
    batch /= 2;
  return batch;
}

/// ||got - want|| / ||want|| over all elements; NaN if any is NaN.
double relError(const std::vector<float> &got, const std::vector<float> &want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double d = double(got[i]) - want[i];
    num += d * d;
    den += double(want[i]) * want[i];
  }
  return std::sqrt(num / den);
}

struct Event {
  linop_cuda_event e = nullptr;
  Event() { check(linop_cuda_event_create(&e), "linop_cuda_event_create"); }
  Event(Event &&o) noexcept : e(o.e) { o.e = nullptr; }
  Event(const Event &) = delete;
  ~Event() {
    if (e)
      linop_cuda_event_destroy(e);
  }
  void record(linop_stream s) {
    check(linop_cuda_event_record(e, s), "linop_cuda_event_record");
  }
};

float elapsedMs(const Event &a, const Event &b) {
  float ms = 0;
  check(linop_cuda_event_elapsed_ms(&ms, a.e, b.e),
        "linop_cuda_event_elapsed_ms");
  return ms;
}

using Call = std::function<void(int set)>;

/// Median milliseconds of each call, each timed by its own pair of events.
/// A round makes each call once, in order; successive calls read successive
/// input sets. Three rounds warm up (and size the run), then >= 20 rounds
/// and about 0.3 s are queued without host syncs, so that the GPU does not
/// wait on the host between two timed calls.
std::vector<double> timeCalls(const Gpu &g, const std::vector<Call> &calls,
                              int sets) {
  size_t k = calls.size();
  int next = 0;
  auto round = [&](std::vector<Event> *ev) {
    for (size_t i = 0; i < k; ++i) {
      if (ev)
        (*ev)[2 * i].record(g.stream);
      calls[i](next++ % sets);
      if (ev)
        (*ev)[2 * i + 1].record(g.stream);
    }
  };
  Event a, b;
  a.record(g.stream);
  for (int r = 0; r < 3; ++r)
    round(nullptr);
  b.record(g.stream);
  check(linop_cuda_event_synchronize(b.e), "warm-up");
  double roundMs = elapsedMs(a, b) / 3;
  int rounds = int(std::clamp(300.0 / std::max(roundMs, 1e-3), 20.0, 1000.0));

  std::vector<std::vector<Event>> ev(rounds);
  for (auto &e : ev) {
    e.resize(2 * k);
    round(&e);
  }
  check(linop_cuda_stream_synchronize(g.stream), "timed calls");
  std::vector<double> med;
  for (size_t i = 0; i < k; ++i) {
    std::vector<double> t;
    for (auto &e : ev)
      t.push_back(elapsedMs(e[2 * i], e[2 * i + 1]));
    std::sort(t.begin(), t.end());
    med.push_back(t[t.size() / 2]);
  }
  return med;
}

void header() {
  std::printf("| transform | N | batch | Linop ms | peer | peer ms | "
              "Linop vs peer | Linop GB/s | peer GB/s | copy ms | "
              "Linop / copy | checked |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

/// GB/s count bytes read plus bytes written (inputs and outputs once;
/// weights, a few hundred KB at most, are not counted).
void row(const char *what, int64_t n, const Workload &w, double t,
         const char *peer, double tp, double tc, const std::string &checked) {
  double gb = w.bytesMoved() / 1e6; // GB/s = MB / ms
  std::printf("| %s | %lld | %lld | %.3f | %s | %.3f | %.2fx | %.0f | %.0f | "
              "%.3f | %.2f | %s |\n",
              what, (long long)n, (long long)w.batch, t, peer, tp, tp / t,
              gb / t, gb / tp, tc, t / tc, checked.c_str());
  std::fflush(stdout);
}

std::string formatError(double err, const char *against) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1e vs %s", err, against);
  return buf;
}

const double kTolerance = 1e-5;
int notTimed = 0; // functions that failed their check; main then exits 1

/// The row of a function that failed its check, and why; it is not timed.
void notTimedRow(const char *what, int64_t n, const Workload &w,
                 const std::string &why) {
  std::printf("| %s | %lld | %lld | not timed: %s | | | | | | | | |\n", what,
              (long long)n, (long long)w.batch, why.c_str());
  std::fflush(stdout);
  ++notTimed;
}

/// The generated entry point of a spec function with one input:
/// (x, y, batch, x_stride, y_stride, stream).
using PlainFn = linop_status (*)(const float *, float *, int64_t, int64_t,
                                 int64_t, linop_stream);

/// A Linop entry point bound to its extra arguments: (x, y, batch, stream).
using Run =
    std::function<linop_status(const float *, float *, int64_t, linop_stream)>;

/// Linop's first call, on set 0 with poisoned outputs; "" or why it failed.
/// A fault inside a kernel leaves the context unusable: that exits.
std::string firstCall(const Gpu &g, const char *name, Workload &w,
                      const Run &run) {
  w.poison();
  if (run(w.in[0].f(), w.out[0].f(), w.batch, g.stream) != LINOP_OK)
    return std::string(name) + ": " + linop_last_error();
  check(linop_cuda_stream_synchronize(g.stream),
        (std::string(name) + " (LINOP_CUDA_SYNC=1 names the kernel)").c_str());
  return "";
}

std::string disagrees(const char *name, double err, const char *against) {
  char buf[160];
  if (std::isnan(err))
    std::snprintf(buf, sizeof buf, "%s left output elements unwritten (NaN)",
                  name);
  else
    std::snprintf(buf, sizeof buf, "%s disagrees with %s: relative error %.2g",
                  name, against, err);
  return buf;
}

/// Linop against a cuFFT plan that computes the same transform, unscaled.
/// Checked over the whole output against cuFFT's, both poisoned first.
void benchAgainstFft(const Gpu &g, const char *what, const char *name,
                     int64_t n, Workload &w, const Run &run,
                     const std::function<cufftResult(int set)> &fft) {
  Call linop = [&](int k) {
    check(run(w.in[k].f(), w.out[k].f(), w.batch, g.stream), name);
  };
  Call peer = [&](int k) { checkFft(fft(k), "cuFFT exec"); };
  Call copy = [&](int k) { w.copy(k, g.stream); };

  std::string why = firstCall(g, name, w, run);
  if (!why.empty())
    return notTimedRow(what, n, w, why);
  peer(0);
  check(linop_cuda_stream_synchronize(g.stream), "cuFFT");
  double err = relError(download(w.out[0], w.outFloats),
                        download(w.peer[0], w.outFloats));
  if (!(err < kTolerance))
    return notTimedRow(what, n, w, disagrees(name, err, "cuFFT"));

  std::vector<double> t = timeCalls(g, {linop, peer, copy}, w.sets);
  row(what, n, w, t[0], "cuFFT", t[1], t[2], formatError(err, "cuFFT"));
}

void benchDft(const Gpu &g, const char *name, int64_t n, PlainFn fn,
              int64_t elems) {
  Workload w(g, fitBatch(elems / n, 2 * n, 2 * n), 2 * n, 2 * n);
  cufftHandle plan;
  int dims[1] = {int(n)};
  checkFft(cufftPlanMany(&plan, 1, dims, nullptr, 1, int(n), nullptr, 1, int(n),
                         CUFFT_C2C, int(w.batch)),
           "cufftPlanMany(C2C)");
  checkFft(cufftSetStream(plan, cudaStream_t(g.stream)), "cufftSetStream");
  benchAgainstFft(
      g, "DFT c64", name, n, w,
      [&](const float *x, float *y, int64_t b, linop_stream s) {
        return fn(x, y, b, 0, 0, s);
      },
      [&](int k) {
        return cufftExecC2C(plan, reinterpret_cast<cufftComplex *>(w.in[k].f()),
                            reinterpret_cast<cufftComplex *>(w.peer[k].f()),
                            CUFFT_FORWARD);
      });
  cufftDestroy(plan);
}

void benchRdft(const Gpu &g, const char *name, int64_t n, PlainFn fn,
               int64_t elems) {
  int64_t m = n / 2 + 1; // complex outputs per row
  Workload w(g, fitBatch(elems / n, n, 2 * m), n, 2 * m);
  cufftHandle plan;
  int dims[1] = {int(n)}, inEmbed[1] = {int(n)}, outEmbed[1] = {int(m)};
  checkFft(cufftPlanMany(&plan, 1, dims, inEmbed, 1, int(n), outEmbed, 1,
                         int(m), CUFFT_R2C, int(w.batch)),
           "cufftPlanMany(R2C)");
  checkFft(cufftSetStream(plan, cudaStream_t(g.stream)), "cufftSetStream");
  benchAgainstFft(
      g, "rDFT f32", name, n, w,
      [&](const float *x, float *y, int64_t b, linop_stream s) {
        return fn(x, y, b, 0, 0, s);
      },
      [&](int k) {
        return cufftExecR2C(plan, w.in[k].f(),
                            reinterpret_cast<cufftComplex *>(w.peer[k].f()));
      });
  cufftDestroy(plan);
}

/// y = the reference of one row x, in float64.
using HostRef = std::function<void(const float *x, double *y)>;

/// Linop against the copy (its peer) for transforms cuFFT does not have.
/// Every output element must have been written; sampled rows (first,
/// last, middle and a few more) are checked against `ref`.
void benchAgainstCopy(const Gpu &g, const char *what, const char *name,
                      int64_t n, Workload &w, size_t inRow, size_t outRow,
                      const Run &run, const HostRef &ref) {
  Call linop = [&](int k) {
    check(run(w.in[k].f(), w.out[k].f(), w.batch, g.stream), name);
  };
  Call copy = [&](int k) { w.copy(k, g.stream); };

  std::string why = firstCall(g, name, w, run);
  if (!why.empty())
    return notTimedRow(what, n, w, why);
  std::vector<float> y = download(w.out[0], w.outFloats);
  if (std::any_of(y.begin(), y.end(), [](float v) { return std::isnan(v); }))
    return notTimedRow(what, n, w, disagrees(name, NAN, ""));
  int64_t b = w.batch;
  std::vector<int64_t> rows = {0, 1, b / 3, b / 2, 2 * b / 3, b - 2, b - 1};
  std::vector<float> got, want;
  std::vector<double> r(outRow);
  for (int64_t i : rows) {
    i = std::clamp<int64_t>(i, 0, b - 1);
    ref(w.hostInput() + i * inRow, r.data());
    got.insert(got.end(), y.begin() + i * outRow, y.begin() + (i + 1) * outRow);
    want.insert(want.end(), r.begin(), r.end());
  }
  double err = relError(got, want);
  std::string against = "host, " + std::to_string(rows.size()) + " rows";
  if (!(err < kTolerance))
    return notTimedRow(what, n, w, disagrees(name, err, against.c_str()));

  std::vector<double> t = timeCalls(g, {linop, copy}, w.sets);
  row(what, n, w, t[0], "copy", t[1], t[1], formatError(err, against.c_str()));
}

// Float64 references of one row (docs/semantics.md), for the transforms
// cuFFT does not have.

/// Walsh-Hadamard in Sylvester order, unnormalized (linop.hadamard).
void hadamardRef(int64_t n, const float *x, double *y) {
  std::copy(x, x + n, y);
  for (int64_t h = 1; h < n; h *= 2)
    for (int64_t i = 0; i < n; i += 2 * h)
      for (int64_t j = i; j < i + h; ++j) {
        double a = y[j], b = y[j + h];
        y[j] = a + b;
        y[j + h] = a - b;
      }
}

/// DCT-II, unnormalized: y[k] = sum_j x[j] cos(pi k (2j+1) / 2N).
void dctRef(int64_t n, const float *x, double *y) {
  std::vector<double> c(4 * n); // cos(pi m / 2N) for m mod 4N
  for (int64_t m = 0; m < 4 * n; ++m)
    c[m] = std::cos(std::acos(-1.0) * double(m) / double(2 * n));
  for (int64_t k = 0; k < n; ++k) {
    double s = 0;
    for (int64_t j = 0; j < n; ++j)
      s += x[j] * c[(k * (2 * j + 1)) % (4 * n)];
    y[k] = s;
  }
}

/// One butterfly block with twiddles tw[1][L][N/2][2][2] (interleaved
/// re, im when complex): stage l = 0 .. L-1 has stride s = 2^l and maps
/// the pair (a, a + s), a & s == 0, pair number p = (a / 2s) s + a mod 2s,
/// through the 2x2 matrix tw[0][l][p].
void butterflyRef(int64_t n, bool cplx, const float *tw, const float *x,
                  double *y) {
  using C = std::complex<double>;
  auto at = [cplx](const float *v, size_t i) {
    return cplx ? C(v[2 * i], v[2 * i + 1]) : C(v[i], 0.0);
  };
  std::vector<C> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = at(x, i);
  for (int64_t l = 0, s = 1; s < n; ++l, s *= 2)
    for (int64_t a = 0; a < n; ++a) {
      if (a & s)
        continue;
      size_t t = (size_t(l) * (n / 2) + (a / (2 * s)) * s + a % (2 * s)) * 4;
      C x0 = v[a], x1 = v[a + s];
      v[a] = at(tw, t) * x0 + at(tw, t + 1) * x1;
      v[a + s] = at(tw, t + 2) * x0 + at(tw, t + 3) * x1;
    }
  for (int64_t i = 0; i < n; ++i) {
    if (cplx) {
      y[2 * i] = v[i].real();
      y[2 * i + 1] = v[i].imag();
    } else {
      y[i] = v[i].real();
    }
  }
}

void benchHadamard(const Gpu &g, const char *name, int64_t n, PlainFn fn,
                   int64_t elems) {
  Workload w(g, fitBatch(elems / n, n, n), n, n);
  benchAgainstCopy(
      g, "Hadamard f32", name, n, w, n, n,
      [&](const float *x, float *y, int64_t b, linop_stream s) {
        return fn(x, y, b, 0, 0, s);
      },
      [n](const float *x, double *y) { hadamardRef(n, x, y); });
}

void benchDct(const Gpu &g, const char *name, int64_t n, PlainFn fn,
              int64_t elems) {
  Workload w(g, fitBatch(elems / n, n, n), n, n);
  benchAgainstCopy(
      g, "DCT-II f32", name, n, w, n, n,
      [&](const float *x, float *y, int64_t b, linop_stream s) {
        return fn(x, y, b, 0, 0, s);
      },
      [n](const float *x, double *y) { dctRef(n, x, y); });
}

using ButterflyFn = linop_status (*)(const float *, const float *, float *,
                                     int64_t, int64_t, int64_t, linop_stream);

/// Twiddles for butterflyRef's layout, uniform in [-a, a) so that a stage
/// keeps the variance and 12 stages neither blow up nor fade: a = 1.2 for
/// real ones (2 a^2 / 3 ~ 1), 0.85 for each of re and im of complex ones
/// (4 a^2 / 3 ~ 1). Drawn past the first `skip` pool floats (the inputs).
std::vector<float> butterflyTwiddles(int64_t n, bool cplx, size_t skip) {
  int64_t stages = 0;
  while ((int64_t(1) << stages) < n)
    ++stages;
  std::vector<float> tw((cplx ? 2 : 1) * stages * (n / 2) * 4);
  const float *u = randomFloats(skip + tw.size()) + skip;
  for (size_t i = 0; i < tw.size(); ++i)
    tw[i] = (cplx ? 0.85f : 1.2f) * u[i];
  return tw;
}

/// One butterfly block (BP) with run-time twiddles, the weights uploaded
/// once (as a model would keep them on the GPU).
void benchButterfly(const Gpu &g, const char *name, int64_t n, bool cplx,
                    ButterflyFn fn, int64_t elems) {
  size_t c = cplx ? 2 : 1;
  Workload w(g, fitBatch(elems / n, c * n, c * n), c * n, c * n);
  std::vector<float> tw = butterflyTwiddles(n, cplx, w.sets * w.inFloats);
  DeviceBuffer dtw(tw.size() * sizeof(float));
  check(linop_cuda_memcpy_htod(dtw.p, tw.data(), tw.size() * sizeof(float)),
        "linop_cuda_memcpy_htod");
  const float *twp = dtw.f();
  benchAgainstCopy(
      g, cplx ? "butterfly c64" : "butterfly f32", name, n, w, c * n, c * n,
      [&](const float *x, float *y, int64_t b, linop_stream s) {
        return fn(x, twp, y, b, 0, 0, s);
      },
      [&](const float *x, double *y) {
        butterflyRef(n, cplx, tw.data(), x, y);
      });
}

} // namespace

int main(int argc, char **argv) {
  int log2Elems = argc > 1 ? std::atoi(argv[1]) : 27;
  if (log2Elems < 16 || log2Elems > 30)
    fail("usage: bench-cuda [log2 elements per call, 16..30, default 27] "
         "[dft|real|hadamard|butterfly]");
  int64_t elems = int64_t(1) << log2Elems;
  std::string only = argc > 2 ? argv[2] : "";
  auto want = [&](const char *family) {
    return only.empty() || only == family;
  };
  const char *sync = std::getenv("LINOP_CUDA_SYNC");
  if (sync && *sync && *sync != '0')
    std::printf("warning: LINOP_CUDA_SYNC is set: Linop synchronizes after "
                "every kernel, its times are not meaningful\n");

  Gpu g = openGpu();
  std::printf("bench-cuda: about 2^%d elements per call (fewer where memory "
              "runs short); medians of CUDA event times\n\n",
              log2Elems);
  header();
  if (want("dft")) {
    benchDft(g, "dft256", 256, dft256, elems);
    benchDft(g, "dft1024", 1024, dft1024, elems);
    benchDft(g, "dft4096", 4096, dft4096, elems);
    benchDft(g, "dft16384", 16384, dft16384, elems);
    benchDft(g, "dft65536", 65536, dft65536, elems);
    benchDft(g, "dft1048576", 1048576, dft1048576, elems);
  }
  if (want("real")) {
    benchRdft(g, "rdft1024", 1024, rdft1024, elems);
    benchRdft(g, "rdft4096", 4096, rdft4096, elems);
    benchDct(g, "dct1024", 1024, dct1024, elems);
  }
  if (want("hadamard")) {
    benchHadamard(g, "hadamard256", 256, hadamard256, elems);
    benchHadamard(g, "hadamard1024", 1024, hadamard1024, elems);
    benchHadamard(g, "hadamard4096", 4096, hadamard4096, elems);
    benchHadamard(g, "hadamard16384", 16384, hadamard16384, elems);
    benchHadamard(g, "hadamard65536", 65536, hadamard65536, elems);
  }
  if (want("butterfly")) {
    benchButterfly(g, "butterfly1024_real", 1024, false, butterfly1024_real,
                   elems);
    benchButterfly(g, "butterfly1024_complex", 1024, true,
                   butterfly1024_complex, elems);
    benchButterfly(g, "butterfly4096_real", 4096, false, butterfly4096_real,
                   elems);
    benchButterfly(g, "butterfly4096_complex", 4096, true,
                   butterfly4096_complex, elems);
  }
  check(linop_cuda_stream_destroy(g.stream), "linop_cuda_stream_destroy");
  if (notTimed)
    std::printf("\n%d function(s) failed their check and were not timed\n",
                notTimed);
  return notTimed ? 1 : 0;
}
