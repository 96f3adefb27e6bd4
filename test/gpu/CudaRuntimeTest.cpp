// Tests of linop_cuda_run and linop_cuda_check_pointer on a GPU (ctest label
// gpu). Without a driver, a GPU of compute capability 9.0 or NVRTC, every
// test skips and says why. Kernels are CUDA C++ compiled here with NVRTC
// against linop/cuda_device.h, as generated libraries are. Inputs are
// random and never zero; outputs are poisoned (all bits set: NaN) first.
//
// The binary links only the static runtime, LinopNvrtc, gtest and system
// libraries, so that it can be copied to a GPU machine and run there.
#include "linop/CUDA/Nvrtc.h"
#include "linop/runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "'" << (haystack) << "' does not contain '" << (needle) << "'"

// ---- Whether the tests can run here ------------------------------------------

// "" when they can, else why not.
const std::string &gpuUnavailable() {
  static const std::string why = []() -> std::string {
    if (linop_cuda_init() != LINOP_OK)
      return std::string("no CUDA driver: ") + linop_last_error();
    int count = 0;
    if (linop_cuda_device_count(&count) != LINOP_OK)
      return std::string("no GPU: ") + linop_last_error();
    if (count == 0)
      return "no GPU: the CUDA driver sees no device";
    int major = 0, minor = 0;
    if (linop_cuda_compute_capability(0, &major, &minor) != LINOP_OK)
      return std::string("no GPU: ") + linop_last_error();
    if (major < 9)
      return "device 0 is sm_" + std::to_string(major) +
             std::to_string(minor) + "; these tests need sm_90 or newer";
    std::string nvrtc;
    if (!linop::cuda::nvrtcAvailable(nvrtc))
      return "cannot compile test kernels: " + nvrtc;
    return "";
  }();
  return why;
}

#define REQUIRE_GPU()                                                          \
  do {                                                                         \
    if (!gpuUnavailable().empty())                                             \
      GTEST_SKIP() << gpuUnavailable();                                        \
  } while (0)

// ---- Test kernels --------------------------------------------------------------

// y[row][i] = x[row][i] * w[i] + row, 4 rows per row group. args.ptr: x, w
// (weights: stride 0), y, a slot for gridDim.x.
const char kRowsSource[] = R"(
#include "linop/cuda_device.h"
#define N 100
#define ROWS 4

extern "C" __global__ void __launch_bounds__(128)
linop_test_rows(const __grid_constant__ linop_cuda_args args) {
  const float *x = reinterpret_cast<const float *>(args.ptr[0]);
  const float *w = reinterpret_cast<const float *>(args.ptr[1]);
  float *y = reinterpret_cast<float *>(args.ptr[2]);
  if (blockIdx.x == 0 && threadIdx.x == 0)
    *reinterpret_cast<unsigned *>(args.ptr[3]) = gridDim.x;
  for (long long g = blockIdx.x; g < linop_row_groups(args, ROWS);
       g += gridDim.x)
    for (long long row = g * ROWS; row < (g + 1) * ROWS && row < args.batch;
         ++row)
      for (int i = threadIdx.x; i < N; i += blockDim.x)
        y[row * args.stride[2] + i] =
            x[row * args.stride[0] + i] * w[i] + static_cast<float>(row);
}

// Allows only 128 threads per block, whatever the launch asks for.
extern "C" __global__ void __launch_bounds__(128)
linop_test_bounded(const __grid_constant__ linop_cuda_args args) {
  reinterpret_cast<float *>(args.ptr[2])[threadIdx.x] = 1.0f;
}
)";
constexpr int64_t kRowsN = 100, kRowsPerGroup = 4;

// A row of 256 spread over the cluster's blocks, 2 rows per row group.
// Block r keeps its slice of each row in shared memory; after a cluster
// barrier it reads block r+1's slice through distributed shared memory
// (y[row][r*s + j] = x[row][(r+1)*s + j] + r, float2 loads), and stores its
// own slice, tripled, into block r-1's inbox (scalar stores); after another
// barrier y[row][256 + r*s + j] = inbox[j] = 3 x[row][(r+1)*s + j].
// args.ptr: x, y (2 x 256 per row), an error counter, a slot for gridDim.x.
const char kClusterSource[] = R"(
#include "linop/cuda_device.h"
#define N 256
#define ROWS 2

extern "C" __global__ void __launch_bounds__(64)
linop_test_cluster(const __grid_constant__ linop_cuda_args args) {
  const float *x = reinterpret_cast<const float *>(args.ptr[0]);
  float *y = reinterpret_cast<float *>(args.ptr[1]);
  const unsigned c = linop_cluster_size(), r = linop_cluster_rank();
  if (r != blockIdx.x % c || gridDim.x % c != 0)
    atomicAdd(reinterpret_cast<unsigned *>(args.ptr[2]), 1u);
  if (blockIdx.x == 0 && threadIdx.x == 0)
    *reinterpret_cast<unsigned *>(args.ptr[3]) = gridDim.x;
  const unsigned s = N / c;
  float *mine = linop_shared<float>(); // [ROWS][s]
  float *inbox = mine + ROWS * s;      // [ROWS][s], written by block r + 1
  const unsigned next = (r + 1) % c, prev = (r + c - 1) % c;
  for (long long g = blockIdx.x / c; g < linop_row_groups(args, ROWS);
       g += gridDim.x / c) {
    for (unsigned k = threadIdx.x; k < ROWS * s; k += blockDim.x) {
      const long long row = g * ROWS + k / s;
      mine[k] = row < args.batch ? x[row * args.stride[0] + r * s + k % s]
                                 : 0.0f;
    }
    linop_cluster_sync();
    for (unsigned k = 2 * threadIdx.x; k < ROWS * s; k += 2 * blockDim.x) {
      const long long row = g * ROWS + k / s;
      const float2 v = linop_load_remote2(linop_map_shared(mine + k, next));
      if (row < args.batch) {
        float *out = y + row * args.stride[1] + r * s + k % s;
        out[0] = v.x + r;
        out[1] = v.y + r;
      }
    }
    for (unsigned k = threadIdx.x; k < ROWS * s; k += blockDim.x)
      linop_store_remote(linop_map_shared(inbox + k, prev), mine[k] * 3.0f);
    // After this barrier no block touches another's shared memory in this
    // round, so the next round (or exit) needs no further one.
    linop_cluster_sync();
    for (unsigned k = threadIdx.x; k < ROWS * s; k += blockDim.x) {
      const long long row = g * ROWS + k / s;
      if (row < args.batch)
        y[row * args.stride[1] + N + r * s + k % s] = inbox[k];
    }
  }
}
)";
constexpr int64_t kClusterN = 256, kClusterRows = 2;

// Two kernels that go through args.workspace: the first reverses each row
// into y, the second reverses y again and adds one, through the second half
// of a slot twice as large, so y = x + 1. args.ptr: x, y, a slot for the
// first kernel's gridDim.x.
const char kWorkspaceSource[] = R"(
#include "linop/cuda_device.h"
#define N 128
#define ROWS 2

static __device__ void reverseRows(const linop_cuda_args &args,
                                   const float *in, long long inStride,
                                   float *ws, float add) {
  float *y = reinterpret_cast<float *>(args.ptr[1]);
  for (long long g = blockIdx.x; g < linop_row_groups(args, ROWS);
       g += gridDim.x) {
    for (int k = threadIdx.x; k < ROWS * N; k += blockDim.x) {
      const long long row = g * ROWS + k / N;
      if (row < args.batch)
        ws[k / N * N + (N - 1 - k % N)] = in[row * inStride + k % N];
    }
    __syncthreads();
    for (int k = threadIdx.x; k < ROWS * N; k += blockDim.x) {
      const long long row = g * ROWS + k / N;
      if (row < args.batch)
        y[row * args.stride[1] + k % N] = ws[k] + add;
    }
    __syncthreads();
  }
}

extern "C" __global__ void __launch_bounds__(128)
linop_test_reverse(const __grid_constant__ linop_cuda_args args) {
  if (blockIdx.x == 0 && threadIdx.x == 0)
    *reinterpret_cast<unsigned *>(args.ptr[2]) = gridDim.x;
  float *ws = static_cast<float *>(
      linop_workspace(args, 1, ROWS * N * sizeof(float)));
  reverseRows(args, reinterpret_cast<const float *>(args.ptr[0]),
              args.stride[0], ws, 0.0f);
}

extern "C" __global__ void __launch_bounds__(128)
linop_test_reverse_add_one(const __grid_constant__ linop_cuda_args args) {
  float *ws = static_cast<float *>(
                  linop_workspace(args, 1, 2 * ROWS * N * sizeof(float))) +
              ROWS * N;
  reverseRows(args, reinterpret_cast<const float *>(args.ptr[1]),
              args.stride[1], ws, 1.0f);
}
)";
constexpr int64_t kWorkspaceN = 128, kWorkspaceRows = 2;

// Writes to an address that is not mapped.
const char kFaultSource[] = R"(
#include "linop/cuda_device.h"
extern "C" __global__ void
linop_test_fault(const __grid_constant__ linop_cuda_args args) {
  *reinterpret_cast<volatile float *>(args.ptr[0] + 16) = 1.0f;
}
)";

// PTX that no JIT accepts.
const char kBrokenPtx[] = ".version 8.0\n.target sm_90\n.address_size 64\n\n"
                          ".visible .entry linop_test_rows(.param .align 8 "
                          ".b8 p[272])\n{\n  frobnicate.u32 %r1;\n  ret;\n}\n";

struct Compiled {
  std::string cubin, ptx;
};

// Compiles a source once per process (null, and a test failure, on error).
const Compiled *compiled(const char *source) {
  static std::mutex mutex;
  static std::map<const char *, Compiled> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(source);
  if (it == cache.end()) {
    linop::cuda::NvrtcResult out;
    std::string error;
    // No FMA contraction: the host computes the same roundings.
    if (!linop::cuda::compileCuda("test_kernels.cu", source,
                                  {linop::cuda::deviceHeader()},
                                  {"--fmad=false"}, out, error)) {
      ADD_FAILURE() << error;
      return nullptr;
    }
    it = cache.emplace(source, Compiled{out.cubin, out.ptx}).first;
  }
  return &it->second;
}

linop_cuda_image imageOf(const Compiled &c, const char *library) {
  return {library, c.cubin.data(), c.cubin.size(), c.ptx.c_str()};
}

// ---- Host-side helpers ---------------------------------------------------------

// Uniform in +-[0.5, 2): never zero.
std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> magnitude(0.5f, 2.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = (rng() & 1 ? 1.0f : -1.0f) * magnitude(rng);
  return v;
}

bool poisoned(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == 0xffffffffu;
}

// Device memory of the current context, freed on destruction.
struct DeviceBuffer {
  linop_cuda_deviceptr ptr = 0;
  size_t bytes = 0;

  explicit DeviceBuffer(size_t n) : bytes(n) {
    EXPECT_EQ(linop_cuda_malloc(&ptr, n), LINOP_OK) << linop_last_error();
    poison();
  }
  template <class T>
  explicit DeviceBuffer(const std::vector<T> &host)
      : DeviceBuffer(host.size() * sizeof(T)) {
    EXPECT_EQ(linop_cuda_memcpy_htod(ptr, host.data(), bytes), LINOP_OK)
        << linop_last_error();
  }
  ~DeviceBuffer() { linop_cuda_free(ptr); }
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  void poison() {
    EXPECT_EQ(linop_cuda_memset_d8(ptr, 0xff, bytes), LINOP_OK)
        << linop_last_error();
  }
  template <class T> std::vector<T> download() const {
    std::vector<T> host(bytes / sizeof(T));
    EXPECT_EQ(linop_cuda_memcpy_dtoh(host.data(), ptr, bytes), LINOP_OK)
        << linop_last_error();
    return host;
  }
};

struct StreamGuard {
  linop_stream stream = nullptr;
  StreamGuard() {
    EXPECT_EQ(linop_cuda_stream_create(&stream), LINOP_OK)
        << linop_last_error();
  }
  ~StreamGuard() { linop_cuda_stream_destroy(stream); }
};

// A module as generated code keeps it, unloaded at the end of the test.
struct ModuleGuard {
  linop_cuda_module *module = nullptr;
  ~ModuleGuard() {
    EXPECT_EQ(linop_cuda_module_unload(module), LINOP_OK)
        << linop_last_error();
  }
};

// The kernel parameter: operands in order as (device pointer, row stride),
// then the batch.
linop_cuda_args makeArgs(
    std::initializer_list<std::pair<linop_cuda_deviceptr, int64_t>> operands,
    int64_t batch) {
  linop_cuda_args args{};
  int i = 0;
  for (const auto &[ptr, stride] : operands) {
    args.ptr[i] = ptr;
    args.stride[i++] = stride;
  }
  args.batch = batch;
  return args;
}

linop_cuda_kernel rowsKernel(unsigned shared = 0) {
  return {"linop_test_rows", 128, unsigned(kRowsPerGroup), 1, shared, 0};
}

// Runs linop_test_rows over `batch` rows (strided, with padding that must
// stay untouched) and checks every element; `grid` gets gridDim.x.
void checkRows(linop_cuda_module **module, const linop_cuda_image &image,
               int64_t batch, linop_stream stream = nullptr,
               unsigned shared = 0, unsigned *grid = nullptr) {
  const int64_t sx = kRowsN + 3, sy = kRowsN + 5;
  const size_t rows = size_t(std::max<int64_t>(batch, 1));
  const std::vector<float> x = randomFloats(rows * sx, 1000 + unsigned(batch));
  const std::vector<float> w = randomFloats(kRowsN, 7);
  DeviceBuffer dx(x), dw(w), dy(rows * sy * sizeof(float)),
      dgrid(sizeof(unsigned));
  const linop_cuda_args args =
      makeArgs({{dx.ptr, sx}, {dw.ptr, 0}, {dy.ptr, sy}, {dgrid.ptr, 0}},
               batch);
  const linop_cuda_kernel kernel = rowsKernel(shared);
  ASSERT_EQ(linop_cuda_run(module, &image, &kernel, 1, &args, stream),
            LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_stream_synchronize(stream), LINOP_OK)
      << linop_last_error();
  const std::vector<float> y = dy.download<float>();
  for (int64_t row = 0; row < batch; ++row)
    for (int64_t i = 0; i < sy; ++i) {
      const float got = y[size_t(row * sy + i)];
      if (i >= kRowsN) {
        ASSERT_TRUE(poisoned(got)) << "padding written, row " << row;
        continue;
      }
      const float want =
          x[size_t(row * sx + i)] * w[size_t(i)] + static_cast<float>(row);
      ASSERT_EQ(got, want) << "row " << row << ", column " << i;
    }
  if (grid)
    *grid = dgrid.download<unsigned>()[0];
}

} // namespace

// ---- The test kernels (NVRTC only: runs without a GPU too) ------------------------

TEST(CudaKernels, CompileWithNvrtc) {
  std::string why;
  if (!linop::cuda::nvrtcAvailable(why))
    GTEST_SKIP() << why;
  for (const char *source :
       {kRowsSource, kClusterSource, kWorkspaceSource, kFaultSource}) {
    const Compiled *c = compiled(source);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->cubin.substr(0, 4), "\x7f" "ELF");
    EXPECT_NE(c->ptx.find(".target sm_90"), std::string::npos);
  }
}

// ---- linop_cuda_run ----------------------------------------------------------------

TEST(CudaRun, DriverVersion) {
  REQUIRE_GPU();
  int version = 0;
  ASSERT_EQ(linop_cuda_driver_version(&version), LINOP_OK)
      << linop_last_error();
  EXPECT_GE(version, 12000);
  std::printf("CUDA driver %d\n", version);
}

TEST(CudaRun, RowsInGroups) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m;
  // One row; a batch that is not a multiple of the 4 rows of a group; more.
  for (int64_t batch : {1, 7, 1000}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    unsigned grid = 0;
    ASSERT_NO_FATAL_FAILURE(
        checkRows(&m.module, image, batch, nullptr, 0, &grid));
    EXPECT_EQ(grid, unsigned((batch + 3) / 4)) << "one block per row group";
  }
  // Enough rows that the grid is capped and blocks loop over row groups.
  unsigned grid = 0;
  const int64_t batch = 200003;
  ASSERT_NO_FATAL_FAILURE(
      checkRows(&m.module, image, batch, nullptr, 0, &grid));
  EXPECT_LT(grid, unsigned((batch + 3) / 4));
  EXPECT_GT(grid, 0u);
  std::printf("%lld rows: %u blocks for %lld row groups\n",
              static_cast<long long>(batch), grid,
              static_cast<long long>((batch + 3) / 4));
}

TEST(CudaRun, BatchZeroAndNoKernelsLaunchNothing) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m;
  DeviceBuffer y(64);
  linop_cuda_args args{};
  args.ptr[2] = y.ptr;
  args.ptr[3] = y.ptr;
  const linop_cuda_kernel kernel = rowsKernel();
  EXPECT_EQ(linop_cuda_run(&m.module, &image, &kernel, 1, &args, nullptr),
            LINOP_OK);
  args.batch = 5;
  EXPECT_EQ(linop_cuda_run(&m.module, &image, &kernel, 0, &args, nullptr),
            LINOP_OK);
  ASSERT_EQ(linop_cuda_stream_synchronize(nullptr), LINOP_OK);
  for (float v : y.download<float>())
    EXPECT_TRUE(poisoned(v));
}

TEST(CudaRun, OptsInToLargeDynamicSharedMemory) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m;
  // 100 KiB is above the 48 KiB a kernel gets without opting in.
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 77, nullptr, 100 << 10));
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 77, nullptr, 0));
}

namespace {

// Runs linop_test_cluster with clusters of `cluster` blocks and checks it;
// `y` gets the output (for comparing runs). Returns false, with the
// runtime's message in `refused`, if the runtime says the device cannot
// schedule such clusters.
bool runCluster(linop_cuda_module **module, const linop_cuda_image &image,
                unsigned cluster, int64_t batch, unsigned shared,
                std::vector<float> &y, std::string &refused) {
  const int64_t sx = kClusterN + 2, sy = 2 * kClusterN + 6;
  const std::vector<float> x =
      randomFloats(size_t(batch * sx), 2000 + unsigned(batch));
  DeviceBuffer dx(x), dy(size_t(batch * sy) * sizeof(float)),
      errors(sizeof(unsigned)), dgrid(sizeof(unsigned));
  EXPECT_EQ(linop_cuda_memset_d8(errors.ptr, 0, errors.bytes), LINOP_OK);
  const linop_cuda_args args = makeArgs(
      {{dx.ptr, sx}, {dy.ptr, sy}, {errors.ptr, 0}, {dgrid.ptr, 0}}, batch);
  const unsigned s = unsigned(kClusterN) / cluster;
  const unsigned needed = 2 * unsigned(kClusterRows) * s * sizeof(float);
  const linop_cuda_kernel kernel = {"linop_test_cluster",
                                    64,
                                    unsigned(kClusterRows),
                                    cluster,
                                    std::max(needed, shared),
                                    0};
  const linop_status status =
      linop_cuda_run(module, &image, &kernel, 1, &args, nullptr);
  if (status == LINOP_ERROR_UNSUPPORTED) {
    refused = linop_last_error();
    return false;
  }
  EXPECT_EQ(status, LINOP_OK) << linop_last_error();
  EXPECT_EQ(linop_cuda_stream_synchronize(nullptr), LINOP_OK)
      << linop_last_error();
  EXPECT_EQ(errors.download<unsigned>()[0], 0u)
      << "cluster rank or grid inconsistent";
  const unsigned grid = dgrid.download<unsigned>()[0];
  const int64_t groups = (batch + kClusterRows - 1) / kClusterRows;
  EXPECT_EQ(grid % cluster, 0u);
  EXPECT_LE(grid, groups * cluster);
  y = dy.download<float>();
  for (int64_t row = 0; row < batch; ++row)
    for (unsigned r = 0; r < cluster; ++r)
      for (unsigned j = 0; j < s; ++j) {
        const unsigned next = (r + 1) % cluster;
        const float in = x[size_t(row * sx + next * s + j)];
        const float *out = &y[size_t(row * sy + r * s + j)];
        EXPECT_EQ(out[0], in + static_cast<float>(r))
            << "loaded through DSMEM: row " << row << " block " << r;
        EXPECT_EQ(out[kClusterN], in * 3.0f)
            << "stored through DSMEM: row " << row << " block " << r;
        if (::testing::Test::HasFailure())
          return true;
      }
  return true;
}

} // namespace

TEST(CudaRun, ClustersShareSharedMemory) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kClusterSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_cluster");
  ModuleGuard m;
  for (unsigned cluster : {2u, 4u, 8u, 16u}) {
    for (int64_t batch : {int64_t(1), int64_t(37), int64_t(50001)}) {
      SCOPED_TRACE("cluster " + std::to_string(cluster) + ", batch " +
                   std::to_string(batch));
      std::vector<float> y;
      std::string refused;
      if (!runCluster(&m.module, image, cluster, batch, 0, y, refused)) {
        // 16 is non-portable: a device may not offer it. The portable
        // sizes must work.
        ASSERT_EQ(cluster, 16u) << refused;
        EXPECT_CONTAINS(refused, "linop_test_cluster");
        std::printf("clusters of 16 refused: %s\n", refused.c_str());
        break;
      }
      ASSERT_FALSE(HasFailure());
    }
  }
}

TEST(CudaRun, ClusterWithLargeSharedMemory) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kClusterSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_cluster");
  ModuleGuard m;
  std::vector<float> y;
  std::string refused;
  ASSERT_TRUE(runCluster(&m.module, image, 2, 1001, 150 << 10, y, refused))
      << refused;
}

TEST(CudaRun, ResultsAreBitIdenticalAcrossRuns) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kClusterSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_cluster");
  ModuleGuard m;
  std::vector<float> first, second;
  std::string refused;
  ASSERT_TRUE(runCluster(&m.module, image, 4, 3001, 0, first, refused))
      << refused;
  ASSERT_TRUE(runCluster(&m.module, image, 4, 3001, 0, second, refused))
      << refused;
  ASSERT_EQ(first.size(), second.size());
  EXPECT_EQ(std::memcmp(first.data(), second.data(),
                        first.size() * sizeof(float)),
            0);
}

namespace {

// Runs the two workspace kernels over `batch` rows on `stream` (without
// synchronizing); check() verifies y = x + 1 afterwards.
struct WorkspaceRun {
  int64_t batch;
  int64_t sx = kWorkspaceN + 1, sy = kWorkspaceN + 3;
  std::vector<float> x;
  DeviceBuffer dx, dy, dgrid;

  explicit WorkspaceRun(int64_t rows)
      : batch(rows), x(randomFloats(size_t(rows * sx), 3000 + unsigned(rows))),
        dx(x), dy(size_t(rows * sy) * sizeof(float)),
        dgrid(sizeof(unsigned)) {}

  linop_status start(linop_cuda_module **module, const linop_cuda_image &image,
                     linop_stream stream) {
    const linop_cuda_args args =
        makeArgs({{dx.ptr, sx}, {dy.ptr, sy}, {dgrid.ptr, 0}}, batch);
    const uint64_t slot = kWorkspaceRows * kWorkspaceN * sizeof(float);
    const linop_cuda_kernel kernels[] = {
        {"linop_test_reverse", 128, unsigned(kWorkspaceRows), 1, 0, slot},
        {"linop_test_reverse_add_one", 128, unsigned(kWorkspaceRows), 1, 0,
         2 * slot}};
    return linop_cuda_run(module, &image, kernels, 2, &args, stream);
  }

  void check() {
    const std::vector<float> y = dy.download<float>();
    for (int64_t row = 0; row < batch; ++row)
      for (int64_t i = 0; i < kWorkspaceN; ++i)
        ASSERT_EQ(y[size_t(row * sy + i)], x[size_t(row * sx + i)] + 1.0f)
            << "row " << row << ", column " << i;
  }
  unsigned grid() { return dgrid.download<unsigned>()[0]; }
};

} // namespace

TEST(CudaRun, WorkspaceOnTwoStreams) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kWorkspaceSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_workspace");
  ModuleGuard m;
  StreamGuard s1, s2;
  WorkspaceRun small(9), a(100003), b(77777);
  ASSERT_EQ(small.start(&m.module, image, s1.stream), LINOP_OK)
      << linop_last_error();
  // Both in flight at once, each with its own stream-ordered workspace.
  ASSERT_EQ(a.start(&m.module, image, s1.stream), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(b.start(&m.module, image, s2.stream), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_stream_synchronize(s1.stream), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_stream_synchronize(s2.stream), LINOP_OK)
      << linop_last_error();
  ASSERT_NO_FATAL_FAILURE(small.check());
  ASSERT_NO_FATAL_FAILURE(a.check());
  ASSERT_NO_FATAL_FAILURE(b.check());
  // With workspace, one wave of row groups: fewer blocks than row groups,
  // each slot reused by many.
  EXPECT_EQ(small.grid(), 5u);
  EXPECT_LT(a.grid(), unsigned(100003 / 2));
  std::printf("workspace kernel: %u blocks for %d row groups\n", a.grid(),
              100003 / 2 + 1);
}

TEST(CudaRun, ManyThreadsShareOneModule) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m; // first loaded by whichever thread comes first
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      StreamGuard stream;
      for (int rep = 0; rep < 3; ++rep)
        checkRows(&m.module, image, 500 + t * 31 + rep, stream.stream);
    });
  for (auto &t : threads)
    t.join();
}

// ---- Resource checks ---------------------------------------------------------------

namespace {

// Runs `kernels` of kRowsSource over a few rows, expecting `status`, and
// returns the message. Nothing may have run: the rows' output (also where
// linop_test_bounded writes) stays poisoned.
std::string expectRefused(const linop_cuda_kernel *kernels, int count,
                          linop_status status) {
  const Compiled *c = compiled(kRowsSource);
  if (!c)
    return "";
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m;
  DeviceBuffer x(randomFloats(4 * 103, 1)), w(randomFloats(100, 2)),
      y(4 * 105 * sizeof(float)), grid(sizeof(unsigned));
  const linop_cuda_args args = makeArgs(
      {{x.ptr, 103}, {w.ptr, 0}, {y.ptr, 105}, {grid.ptr, 0}}, 4);
  EXPECT_EQ(linop_cuda_run(&m.module, &image, kernels, count, &args, nullptr),
            status);
  const std::string message = linop_last_error();
  std::printf("%s\n", message.c_str());
  EXPECT_EQ(linop_cuda_stream_synchronize(nullptr), LINOP_OK);
  for (float v : y.download<float>())
    if (!poisoned(v)) {
      ADD_FAILURE() << "a kernel ran";
      break;
    }
  return message;
}

} // namespace

TEST(CudaRun, TooManyThreadsIsRefusedBeforeAnyLaunch) {
  REQUIRE_GPU();
  // The first kernel is fine; the second asks for 256 threads where its
  // launch bounds allow 128. Neither may run.
  const linop_cuda_kernel kernels[] = {rowsKernel(),
                                       {"linop_test_bounded", 256, 1, 1, 0, 0}};
  const std::string message =
      expectRefused(kernels, 2, LINOP_ERROR_UNSUPPORTED);
  EXPECT_CONTAINS(message, "library test_rows, kernel linop_test_bounded");
  EXPECT_CONTAINS(message, "256 threads per block");
  EXPECT_CONTAINS(message, "at most 128");
  EXPECT_CONTAINS(message, "MAX_THREADS_PER_BLOCK");
}

TEST(CudaRun, TooMuchSharedMemoryIsRefused) {
  REQUIRE_GPU();
  const linop_cuda_kernel kernel = rowsKernel(240 << 10); // above 227 KiB
  const std::string message =
      expectRefused(&kernel, 1, LINOP_ERROR_UNSUPPORTED);
  EXPECT_CONTAINS(message, "kernel linop_test_rows");
  EXPECT_CONTAINS(message, "245760 bytes of dynamic shared memory");
  EXPECT_CONTAINS(message, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN");
}

TEST(CudaRun, BadDescriptionsAreRefused) {
  REQUIRE_GPU();
  linop_cuda_kernel kernel = rowsKernel();
  kernel.cluster = 17;
  EXPECT_CONTAINS(expectRefused(&kernel, 1, LINOP_ERROR_INVALID_ARGUMENT),
                  "cluster (17) in 1..16");
  kernel = rowsKernel();
  kernel.name = "linop_no_such_kernel";
  const std::string message = expectRefused(&kernel, 1, LINOP_ERROR_CUDA);
  EXPECT_CONTAINS(message, "library test_rows: cuModuleGetFunction(\"linop_"
                           "no_such_kernel\")");
  EXPECT_CONTAINS(message, "CUDA_ERROR_NOT_FOUND");
}

// ---- Loading: cubin, PTX fallback, JIT log -----------------------------------------

TEST(CudaRun, LoadsCubinOrPtx) {
  REQUIRE_GPU();
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const std::string garbage(512, '\x5a');
  const linop_cuda_image images[] = {
      {"cubin_only", c->cubin.data(), c->cubin.size(), nullptr},
      {"ptx_only", nullptr, 0, c->ptx.c_str()},
      {"garbage_cubin", garbage.data(), garbage.size(), c->ptx.c_str()},
  };
  for (const linop_cuda_image &image : images) {
    SCOPED_TRACE(image.library);
    ModuleGuard m;
    ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 41));
  }
}

TEST(CudaRun, BadPtxGivesTheJitLog) {
  REQUIRE_GPU();
  const std::string garbage(512, '\x5a');
  DeviceBuffer y(4096);
  linop_cuda_args args{};
  args.ptr[2] = y.ptr;
  args.ptr[3] = y.ptr;
  args.batch = 3;
  const linop_cuda_kernel kernel = rowsKernel();
  {
    const linop_cuda_image image = {"broken_ptx", nullptr, 0, kBrokenPtx};
    ModuleGuard m;
    EXPECT_EQ(linop_cuda_run(&m.module, &image, &kernel, 1, &args, nullptr),
              LINOP_ERROR_CUDA);
    const std::string message = linop_last_error();
    std::printf("%s\n", message.c_str());
    EXPECT_CONTAINS(message, "library broken_ptx: cannot load its kernels");
    EXPECT_CONTAINS(message, "sm_");
    EXPECT_CONTAINS(message, "driver ");
    EXPECT_CONTAINS(message, "JIT-compiling its PTX failed");
    EXPECT_CONTAINS(message, "JIT log: ");
    EXPECT_CONTAINS(message, "frobnicate"); // from the JIT's log
  }
  {
    const linop_cuda_image image = {"broken_both", garbage.data(),
                                    garbage.size(), kBrokenPtx};
    ModuleGuard m;
    EXPECT_EQ(linop_cuda_run(&m.module, &image, &kernel, 1, &args, nullptr),
              LINOP_ERROR_CUDA);
    EXPECT_CONTAINS(linop_last_error(), "loading its binary failed");
    EXPECT_CONTAINS(linop_last_error(), "frobnicate");
  }
  {
    const linop_cuda_image image = {"bad_cubin_no_ptx", garbage.data(),
                                    garbage.size(), nullptr};
    ModuleGuard m;
    EXPECT_EQ(linop_cuda_run(&m.module, &image, &kernel, 1, &args, nullptr),
              LINOP_ERROR_CUDA);
    EXPECT_CONTAINS(linop_last_error(), "no PTX to fall back on");
  }
}

// ---- LINOP_CUDA_SYNC ---------------------------------------------------------------

namespace {

// The death test's child: runs linop_test_fault with LINOP_CUDA_SYNC=1 and
// exits 0 if the runtime reports a CUDA error (printed for the parent).
[[noreturn]] void runFaultingKernel() {
  setenv("LINOP_CUDA_SYNC", "1", 1);
  const Compiled *c = compiled(kFaultSource);
  if (!c)
    std::exit(2);
  const linop_cuda_image image = imageOf(*c, "test_fault");
  linop_cuda_module *module = nullptr;
  linop_cuda_args args{};
  args.batch = 1;
  const linop_cuda_kernel kernel = {"linop_test_fault", 32, 1, 1, 0, 0};
  const linop_status s =
      linop_cuda_run(&module, &image, &kernel, 1, &args, nullptr);
  std::fprintf(stderr, "%s\n", linop_last_error());
  std::exit(s == LINOP_ERROR_CUDA ? 0 : 1);
}

} // namespace

TEST(CudaRun, SyncNamesTheFaultingKernel) {
  REQUIRE_GPU();
  // In a child process: the fault ruins its context for good.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(runFaultingKernel(), ::testing::ExitedWithCode(0),
              "library test_fault: kernel linop_test_fault \\(synchronized "
              "after its launch because LINOP_CUDA_SYNC is set\\) failed: "
              "CUDA_ERROR_");
}

// ---- Contexts ------------------------------------------------------------------------

namespace {

// The few driver calls the runtime does not offer (contexts, managed
// memory), straight from libcuda: for tests only.
struct TestDriver {
  using CUcontext = void *;
  int (*ctxCreate)(CUcontext *, unsigned, int) = nullptr;
  int (*ctxDestroy)(CUcontext) = nullptr;
  int (*ctxPush)(CUcontext) = nullptr;
  int (*ctxPop)(CUcontext *) = nullptr;
  int (*memAllocManaged)(linop_cuda_deviceptr *, size_t, unsigned) = nullptr;
  int (*memFree)(linop_cuda_deviceptr) = nullptr;

  static const TestDriver *get() {
    static const TestDriver *d = [] () -> const TestDriver * {
      void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
      if (!h)
        return nullptr;
      static TestDriver t;
      const bool ok = bind(h, "cuCtxCreate_v2", t.ctxCreate) &&
                      bind(h, "cuCtxDestroy_v2", t.ctxDestroy) &&
                      bind(h, "cuCtxPushCurrent_v2", t.ctxPush) &&
                      bind(h, "cuCtxPopCurrent_v2", t.ctxPop) &&
                      bind(h, "cuMemAllocManaged", t.memAllocManaged) &&
                      bind(h, "cuMemFree_v2", t.memFree);
      return ok ? &t : nullptr;
    }();
    return d;
  }

  template <class Fn> static bool bind(void *h, const char *name, Fn &fn) {
    void *p = dlsym(h, name);
    std::memcpy(&fn, &p, sizeof p);
    return p != nullptr;
  }
};

} // namespace

TEST(CudaRun, ModuleIsLoadedOncePerContext) {
  REQUIRE_GPU();
  const TestDriver *drv = TestDriver::get();
  if (!drv)
    GTEST_SKIP() << "libcuda.so.1 lacks cuCtxCreate_v2 & co.";
  const Compiled *c = compiled(kRowsSource);
  ASSERT_NE(c, nullptr);
  const linop_cuda_image image = imageOf(*c, "test_rows");
  ModuleGuard m;
  // The primary context.
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 21));
  linop_cuda_module *const first = m.module;
  // A context of our own: the module from the primary context would not
  // work here, so a correct result means a second load.
  TestDriver::CUcontext a = nullptr, popped = nullptr;
  ASSERT_EQ(drv->ctxCreate(&a, 0, 0), 0);
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 22));
  ASSERT_EQ(drv->ctxPop(&popped), 0);
  EXPECT_EQ(popped, a);
  // Back to the primary context, then to `a` again: both cached.
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 23));
  ASSERT_EQ(drv->ctxPush(a), 0);
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 24));
  ASSERT_EQ(drv->ctxPop(&popped), 0);
  EXPECT_EQ(m.module, first) << "one linop_cuda_module for all contexts";
  // A context destroyed and another created, quite possibly at the same
  // address: the cache must not hand out the dead context's module.
  ASSERT_EQ(drv->ctxDestroy(a), 0);
  TestDriver::CUcontext b = nullptr;
  ASSERT_EQ(drv->ctxCreate(&b, 0, 0), 0);
  std::printf("new context %s the destroyed one's handle\n",
              a == b ? "reuses" : "does not reuse");
  ASSERT_NO_FATAL_FAILURE(checkRows(&m.module, image, 25));
  ASSERT_EQ(drv->ctxPop(&popped), 0);
  // Unloading (ModuleGuard) skips the destroyed context and unloads from
  // `b` and the primary context; then `b` can go.
  EXPECT_EQ(linop_cuda_module_unload(m.module), LINOP_OK) << linop_last_error();
  m.module = nullptr;
  EXPECT_EQ(drv->ctxDestroy(b), 0);
}

// ---- linop_cuda_check_pointer ------------------------------------------------------

TEST(CudaCheckPointer, AcceptsDeviceMemoryAndRefusesTheRest) {
  REQUIRE_GPU();
  DeviceBuffer buffer(1000);
  const linop_cuda_deviceptr p = buffer.ptr;
  EXPECT_EQ(linop_cuda_check_pointer(p, 1000, 256, "x"), LINOP_OK)
      << linop_last_error();
  EXPECT_EQ(linop_cuda_check_pointer(p + 500, 500, 4, "x"), LINOP_OK)
      << linop_last_error();
  EXPECT_EQ(linop_cuda_check_pointer(p + 999, 0, 1, "x"), LINOP_OK)
      << linop_last_error();

  EXPECT_EQ(linop_cuda_check_pointer(0, 16, 4, "weights"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'weights' is 0");

  EXPECT_EQ(linop_cuda_check_pointer(p + 2, 16, 4, "x"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "not aligned to 4 bytes");

  EXPECT_EQ(linop_cuda_check_pointer(p, 1001, 4, "y"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "does not fit in its allocation");
  EXPECT_CONTAINS(linop_last_error(), "+1001 bytes");
  EXPECT_EQ(linop_cuda_check_pointer(p + 500, 501, 4, "y"),
            LINOP_ERROR_INVALID_ARGUMENT);

  std::vector<float> host(256, 1.0f);
  const auto hostAddress = static_cast<linop_cuda_deviceptr>(
      reinterpret_cast<uintptr_t>(host.data()));
  EXPECT_EQ(linop_cuda_check_pointer(hostAddress, 1024, 4, "x"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "host memory");
  std::printf("%s\n", linop_last_error());
}

TEST(CudaCheckPointer, AcceptsManagedMemory) {
  REQUIRE_GPU();
  const TestDriver *drv = TestDriver::get();
  if (!drv)
    GTEST_SKIP() << "libcuda.so.1 lacks cuMemAllocManaged & co.";
  linop_cuda_deviceptr p = 0;
  // CU_MEM_ATTACH_GLOBAL = 1
  ASSERT_EQ(drv->memAllocManaged(&p, 4096, 1), 0);
  EXPECT_EQ(linop_cuda_check_pointer(p, 4096, 16, "x"), LINOP_OK)
      << linop_last_error();
  EXPECT_EQ(linop_cuda_check_pointer(p, 4097, 16, "x"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(drv->memFree(p), 0);
}

// ---- Older GPUs ----------------------------------------------------------------------

TEST(CudaRun, RefusesGpusBeforeSm90) {
  int major = 0, minor = 0;
  if (linop_cuda_init() != LINOP_OK ||
      linop_cuda_compute_capability(0, &major, &minor) != LINOP_OK)
    GTEST_SKIP() << "no CUDA driver or GPU: " << linop_last_error();
  if (major >= 9)
    GTEST_SKIP() << "device 0 is sm_" << major << minor
                 << ", which linop_cuda_run supports";
  const linop_cuda_image image = {"test_old", nullptr, 0, kBrokenPtx};
  linop_cuda_module *module = nullptr;
  linop_cuda_args args{};
  args.batch = 1;
  const linop_cuda_kernel kernel = rowsKernel();
  EXPECT_EQ(linop_cuda_run(&module, &image, &kernel, 1, &args, nullptr),
            LINOP_ERROR_UNSUPPORTED);
  EXPECT_CONTAINS(linop_last_error(), "compute capability 9.0");
  EXPECT_CONTAINS(linop_last_error(), "sm_" + std::to_string(major));
  EXPECT_EQ(module, nullptr);
}
