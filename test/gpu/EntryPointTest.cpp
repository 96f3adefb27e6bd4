// A user's program against a library that `linopc --target=cuda` wrote
// (test/gpu/entry.mlir): calls its C entry points exactly as the header
// documents them, with device memory, streams and row strides, and checks
// the results against the reference semantics (lib/reference/Math.h);
// then every bad input the header promises to refuse.
//
//   EntryPointTest            on a GPU (exit 77, a skip, without one)
//   EntryPointTest no-driver  on a machine without a driver: the checks
//                             that need none, and the missing driver's
//                             error (exit 77 if a driver is present)
//
// Random inputs (never zeros); outputs and the padding between rows
// poisoned with NaN before each call.
#include "entry_cuda.h"

#include "reference/Math.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace linop;

namespace {

int failures = 0;

void expect(bool ok, const std::string &what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  failures += !ok;
}

/// `status` is `want` and the message mentions `text`.
void expectError(linop_status status, linop_status want, const char *text,
                 const std::string &what) {
  std::string msg = linop_last_error();
  bool ok = status == want && msg.find(text) != std::string::npos;
  expect(ok, what + " -> " + linop_status_string(status) + ": " + msg);
}

/// IEEE binary16, round to nearest even; |f| < 2^-14 (f16's subnormals)
/// flushes to zero, which the reference then sees too.
uint16_t toHalf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  uint32_t sign = (b >> 16) & 0x8000, exp = (b >> 23) & 0xff, man = b & 0x7fffff;
  int e = int(exp) - 127 + 15;
  if (e <= 0)
    return sign;
  uint32_t m = man >> 13, rest = man & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (m & 1)))
    ++m;
  if (m == 0x400) {
    m = 0;
    ++e;
  }
  return uint16_t(sign | (uint32_t(e) << 10) | m);
}

float fromHalf(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0 ? std::ldexp(float(m), -24) : std::ldexp(float(m | 0x400), e - 25);
  if (e == 31)
    v = m ? NAN : INFINITY;
  return h & 0x8000 ? -v : v;
}

/// Device memory freed with its owner.
struct Device {
  linop_cuda_deviceptr p = 0;
  explicit Device(size_t bytes) {
    if (linop_cuda_malloc(&p, bytes) != LINOP_OK)
      std::printf("linop_cuda_malloc: %s\n", linop_last_error());
  }
  ~Device() { linop_cuda_free(p); }
  template <class T> T *as() const { return reinterpret_cast<T *>(p); }
};

template <class T> void upload(const Device &d, const std::vector<T> &v) {
  linop_cuda_memcpy_htod(d.p, v.data(), v.size() * sizeof(T));
}
template <class T> void download(std::vector<T> &v, const Device &d) {
  linop_cuda_memcpy_dtoh(v.data(), d.p, v.size() * sizeof(T));
}

double relError(const ref::CMat &got, const ref::CMat &want) {
  return ref::relativeError(got, want);
}

/// dft: 1024-point complex DFT, unitary, rows `stride` complex apart.
void testDft(ref::Rng &rng, int64_t batch, int64_t stride, linop_stream s) {
  const int64_t n = 1024;
  std::vector<float> x(2 * batch * stride), y(2 * batch * stride, NAN);
  for (float &v : x)
    v = float(rng.uniform());
  Device dx(x.size() * 4), dy(y.size() * 4);
  upload(dx, x);
  upload(dy, y);
  linop_status st = dft(dx.as<float>(), dy.as<float>(), batch, stride, stride, s);
  linop_cuda_stream_synchronize(s);
  download(y, dy);
  ref::CMat X(n, batch), Y(n, batch);
  bool padding = true;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < n; ++i) {
      X(i, b) = {x[2 * (b * stride + i)], x[2 * (b * stride + i) + 1]};
      Y(i, b) = {y[2 * (b * stride + i)], y[2 * (b * stride + i) + 1]};
    }
    for (int64_t i = 2 * n; i < 2 * stride; ++i)
      padding &= std::isnan(y[2 * b * stride + i]);
  }
  double err = relError(Y, ref::dft(n, false, ref::Norm::Sqrt) * X);
  expect(st == LINOP_OK && err < 1e-5 && padding,
         "dft, batch " + std::to_string(batch) + ", stride " +
             std::to_string(stride) + ": relative error " +
             std::to_string(err) + (padding ? "" : ", padding written"));
}

/// had: 4096-point Hadamard of f16 data (f32 arithmetic, f16 results).
void testHadamard(ref::Rng &rng, int64_t batch, linop_stream s) {
  const int64_t n = 4096;
  std::vector<uint16_t> x(batch * n), y(batch * n, 0x7e00);
  for (uint16_t &v : x)
    v = toHalf(float(rng.uniform()));
  Device dx(x.size() * 2), dy(y.size() * 2);
  upload(dx, x);
  upload(dy, y);
  linop_status st = had(dx.as<uint16_t>(), dy.as<uint16_t>(), batch, 0, 0, s);
  linop_cuda_stream_synchronize(s);
  download(y, dy);
  ref::CMat X(n, batch), Y(n, batch);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < n; ++i) {
      X(i, b) = fromHalf(x[b * n + i]);
      Y(i, b) = fromHalf(y[b * n + i]);
    }
  double err = relError(Y, ref::hadamard(n, ref::Norm::Sqrt) * X);
  expect(st == LINOP_OK && err < 1e-2,
         "had (f16), batch " + std::to_string(batch) + ": relative error " +
             std::to_string(err));
}

/// mon: a 256-point Monarch matrix with run-time weights.
void testMonarch(ref::Rng &rng, int64_t batch, linop_stream s) {
  const int64_t n = 256, b = 16;
  std::vector<float> x(batch * n), y(batch * n, NAN), l(b * b * b), r(b * b * b);
  for (auto *v : {&x, &l, &r})
    for (float &e : *v)
      e = float(rng.uniform());
  Device dx(x.size() * 4), dy(y.size() * 4), dl(l.size() * 4), dr(r.size() * 4);
  upload(dx, x);
  upload(dy, y);
  upload(dl, l);
  upload(dr, r);
  linop_status st = mon(dx.as<float>(), dl.as<float>(), dr.as<float>(),
                        dy.as<float>(), batch, 0, 0, s);
  linop_cuda_stream_synchronize(s);
  download(y, dy);
  std::vector<ref::cd> L(l.begin(), l.end()), R(r.begin(), r.end());
  ref::CMat X(n, batch), Y(n, batch);
  for (int64_t k = 0; k < batch; ++k)
    for (int64_t i = 0; i < n; ++i) {
      X(i, k) = x[k * n + i];
      Y(i, k) = y[k * n + i];
    }
  double err = relError(Y, ref::monarch(L, R, b, b) * X);
  expect(st == LINOP_OK && err < 1e-5,
         "mon (run-time weights), batch " + std::to_string(batch) +
             ": relative error " + std::to_string(err));
}

/// The refusals that need no driver: NULL and misaligned pointers, a
/// negative batch, a stride shorter than a row.
void testArgumentChecks() {
  float *fake = reinterpret_cast<float *>(uintptr_t(1) << 20);
  expectError(dft(nullptr, fake, 4, 0, 0, nullptr),
              LINOP_ERROR_INVALID_ARGUMENT, "'x' is 0", "dft with x = NULL");
  expectError(dft(fake, reinterpret_cast<float *>(uintptr_t(1) << 21) + 1, 4, 0,
                  0, nullptr),
              LINOP_ERROR_INVALID_ARGUMENT, "not aligned to 8 bytes",
              "dft with a misaligned result");
  expectError(dft(fake, fake + (1 << 20), -1, 0, 0, nullptr),
              LINOP_ERROR_INVALID_ARGUMENT, "batch", "dft with batch -1");
  expectError(dft(fake, fake, 4, 1000, 0, nullptr),
              LINOP_ERROR_INVALID_ARGUMENT, "x_stride is 1000 elements",
              "dft with a stride shorter than a row");
}

} // namespace

int main(int argc, char **argv) {
  bool noDriver = argc > 1 && std::strcmp(argv[1], "no-driver") == 0;
  testArgumentChecks();
  int count = 0;
  linop_status st = linop_cuda_device_count(&count);
  if (noDriver) {
    if (st == LINOP_OK) {
      std::printf("SKIPPED: a CUDA driver is installed here\n");
      return 77;
    }
    // Valid-looking pointers: the missing driver is the error.
    float *fake = reinterpret_cast<float *>(uintptr_t(1) << 20);
    expectError(dft(fake, fake + (2 << 20), 4, 0, 0, nullptr),
                LINOP_ERROR_NO_CUDA_DRIVER, "libcuda",
                "dft on a machine without a CUDA driver");
    return failures ? 1 : 0;
  }
  if (st != LINOP_OK || count == 0) {
    std::printf("SKIPPED: no GPU here (%s)\n",
                st != LINOP_OK ? linop_last_error() : "no device");
    return 77;
  }

  ref::Rng rng(7);
  linop_stream stream = nullptr;
  linop_cuda_stream_create(&stream);
  for (int64_t batch : {1, 5, 1000})
    testDft(rng, batch, 1024, nullptr);
  testDft(rng, 33, 1027, stream); // odd row strides, a user's stream
  testHadamard(rng, 17, stream);
  testMonarch(rng, 9, nullptr);

  // Bad pointers that need the driver to tell.
  {
    std::vector<float> host(2 * 1024 * 4);
    Device d(2 * 1024 * 4 * 4);
    expectError(dft(host.data(), d.as<float>(), 4, 0, 0, nullptr),
                LINOP_ERROR_INVALID_ARGUMENT, "host memory",
                "dft with a host pointer as x");
    Device small(2 * 1024 * 4);
    expectError(dft(d.as<float>(), small.as<float>(), 4, 0, 0, nullptr),
                LINOP_ERROR_INVALID_ARGUMENT, "device pointer 'y'",
                "dft with a result too small for the batch");
    expectError(dft(d.as<float>(), d.as<float>() + 2 * 1024, 2, 0, 0, nullptr),
                LINOP_ERROR_INVALID_ARGUMENT, "'x' and 'y'",
                "dft with overlapping x and result");
  }
  linop_cuda_stream_destroy(stream);
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
