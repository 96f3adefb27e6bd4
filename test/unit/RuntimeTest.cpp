// Tests of the C runtime: errors, argument checks, the thread pool, the
// aligned allocator and the dlopen'ed CUDA driver (with and without one).
#include "linop/runtime.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern "C" int linop_runtime_c_api_smoke(void);

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "'" << (haystack) << "' does not contain '" << (needle) << "'"

// Restores the thread count after a test changes it.
struct ThreadCountGuard {
  ~ThreadCountGuard() { linop_set_num_threads(0); }
};

} // namespace

TEST(Runtime, CHeaderWorksFromC) { EXPECT_EQ(linop_runtime_c_api_smoke(), 0); }

// ---------------------------------------------------------------------------
// Errors

TEST(Runtime, StatusStrings) {
  EXPECT_STREQ(linop_status_string(LINOP_OK), "ok");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_INVALID_ARGUMENT),
               "invalid argument");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_UNSUPPORTED), "unsupported");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_OUT_OF_MEMORY), "out of memory");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_NO_CUDA_DRIVER),
               "no CUDA driver");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_CUDA), "CUDA error");
  EXPECT_STREQ(linop_status_string(LINOP_ERROR_INTERNAL), "internal error");
  EXPECT_STREQ(linop_status_string(static_cast<linop_status>(99)),
               "unknown status");
}

TEST(Runtime, LastError) {
  linop_clear_error();
  EXPECT_STREQ(linop_last_error(), "");
  EXPECT_EQ(linop_set_error(LINOP_ERROR_UNSUPPORTED, "n=%d name=%s", 7, "dft"),
            LINOP_ERROR_UNSUPPORTED);
  EXPECT_STREQ(linop_last_error(), "n=7 name=dft");
  // A message may quote the previous one.
  linop_set_error(LINOP_ERROR_INTERNAL, "outer: %s", linop_last_error());
  EXPECT_STREQ(linop_last_error(), "outer: n=7 name=dft");
  const std::string longText(5000, 'x');
  linop_set_error(LINOP_ERROR_INTERNAL, "%s", longText.c_str());
  EXPECT_EQ(std::string(linop_last_error()), longText);
  linop_clear_error();
  EXPECT_STREQ(linop_last_error(), "");
}

TEST(Runtime, LastErrorIsPerThread) {
  linop_set_error(LINOP_ERROR_INTERNAL, "main thread");
  std::string seen, after;
  std::thread t([&] {
    seen = linop_last_error();
    linop_set_error(LINOP_ERROR_UNSUPPORTED, "other thread");
    after = linop_last_error();
  });
  t.join();
  EXPECT_EQ(seen, "");
  EXPECT_EQ(after, "other thread");
  EXPECT_STREQ(linop_last_error(), "main thread");
}

// ---------------------------------------------------------------------------
// Checks

TEST(Runtime, CheckPointer) {
  int x = 0;
  EXPECT_EQ(linop_check_pointer(&x, "x"), LINOP_OK);
  EXPECT_EQ(linop_check_pointer(nullptr, "weights"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(linop_last_error(), "argument 'weights' is NULL");
  EXPECT_EQ(linop_check_pointer(nullptr, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "(unnamed)");
}

TEST(Runtime, CheckBatch) {
  EXPECT_EQ(linop_check_batch(0), LINOP_OK);
  EXPECT_EQ(linop_check_batch(1000000), LINOP_OK);
  EXPECT_EQ(linop_check_batch(-3), LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(linop_last_error(), "batch must be >= 0, got -3");
}

TEST(Runtime, CheckOverlap) {
  char buf[256] = {};
  // Disjoint, including touching ends.
  EXPECT_EQ(linop_check_overlap(buf, 64, buf + 64, 64, 0), LINOP_OK);
  EXPECT_EQ(linop_check_overlap(buf + 128, 64, buf, 128, 0), LINOP_OK);
  // Empty buffers never overlap.
  EXPECT_EQ(linop_check_overlap(buf, 0, buf, 64, 0), LINOP_OK);
  EXPECT_EQ(linop_check_overlap(buf, 64, buf + 10, 0, 0), LINOP_OK);
  // Exact alias: only when in place is allowed.
  EXPECT_EQ(linop_check_overlap(buf, 64, buf, 64, 1), LINOP_OK);
  EXPECT_EQ(linop_check_overlap(buf, 64, buf, 64, 0),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "same buffer");
  EXPECT_CONTAINS(linop_last_error(), "64 bytes");
  EXPECT_CONTAINS(linop_last_error(), "cannot run in place");
  // Partial overlap is always an error, in place allowed or not.
  for (int allow : {0, 1}) {
    EXPECT_EQ(linop_check_overlap(buf, 64, buf + 32, 64, allow),
              LINOP_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(linop_last_error(), "partially overlap");
    EXPECT_EQ(linop_check_overlap(buf + 32, 64, buf, 64, allow),
              LINOP_ERROR_INVALID_ARGUMENT);
    // Same start, different sizes is not an exact alias.
    EXPECT_EQ(linop_check_overlap(buf, 64, buf, 128, allow),
              LINOP_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(linop_last_error(), "64 bytes");
    EXPECT_CONTAINS(linop_last_error(), "128 bytes");
    // One inside the other.
    EXPECT_EQ(linop_check_overlap(buf, 256, buf + 8, 8, allow),
              LINOP_ERROR_INVALID_ARGUMENT);
  }
  EXPECT_EQ(linop_check_overlap(buf, -1, buf + 128, 64, 0),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "-1");
  // Sizes that would wrap the address space do not confuse the check.
  EXPECT_EQ(linop_check_overlap(buf + 64, INT64_MAX, buf, 8, 0), LINOP_OK);
  EXPECT_EQ(linop_check_overlap(buf, INT64_MAX, buf + 64, 8, 0),
            LINOP_ERROR_INVALID_ARGUMENT);
}

// ---------------------------------------------------------------------------
// parallel_for

namespace {

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> shortest{INT64_MAX};
  explicit Coverage(int64_t n) : hits(static_cast<size_t>(n)) {}
};

void cover(void *ctx, int64_t begin, int64_t end) {
  auto *c = static_cast<Coverage *>(ctx);
  ++c->calls;
  int64_t len = end - begin, prev = c->shortest.load();
  while (len < prev && !c->shortest.compare_exchange_weak(prev, len)) {
  }
  for (int64_t i = begin; i < end; ++i)
    ++c->hits[static_cast<size_t>(i)];
}

} // namespace

TEST(Runtime, ParallelForCoversEveryIndexOnce) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 3, 8}) {
    linop_set_num_threads(threads);
    EXPECT_EQ(linop_get_num_threads(), threads);
    for (int64_t n : {1, 2, 3, 7, 100, 1000, 12345}) {
      for (int64_t grain : {-5, 0, 1, 3, 64, 1000, 100000}) {
        SCOPED_TRACE("threads=" + std::to_string(threads) +
                     " n=" + std::to_string(n) +
                     " grain=" + std::to_string(grain));
        Coverage c(n);
        ASSERT_EQ(linop_parallel_for(n, grain, cover, &c), LINOP_OK);
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(c.hits[static_cast<size_t>(i)].load(), 1) << "index " << i;
        // Every range has at least `grain` elements, unless there is only
        // one range.
        if (c.calls > 1) {
          EXPECT_GE(c.shortest.load(), grain);
        }
        if (grain > n || threads == 1) {
          EXPECT_EQ(c.calls.load(), 1);
        }
      }
    }
  }
}

TEST(Runtime, ParallelForSums) {
  ThreadCountGuard guard;
  linop_set_num_threads(4);
  const int64_t n = 1000000;
  std::vector<int64_t> partial(static_cast<size_t>(n));
  struct Ctx {
    std::vector<int64_t> *out;
  } ctx{&partial};
  auto fn = [](void *p, int64_t begin, int64_t end) {
    auto &out = *static_cast<Ctx *>(p)->out;
    for (int64_t i = begin; i < end; ++i)
      out[static_cast<size_t>(i)] = i * 3;
  };
  for (int rep = 0; rep < 50; ++rep) {
    ASSERT_EQ(linop_parallel_for(n, 1 + rep * 997, fn, &ctx), LINOP_OK);
    int64_t sum = 0;
    for (int64_t v : partial)
      sum += v;
    ASSERT_EQ(sum, 3 * n * (n - 1) / 2);
    std::fill(partial.begin(), partial.end(), 0);
  }
}

TEST(Runtime, ParallelForUsesSeveralThreads) {
  ThreadCountGuard guard;
  linop_set_num_threads(4);
  struct Ctx {
    std::mutex m;
    std::set<std::thread::id> ids;
  } ctx;
  auto fn = [](void *p, int64_t, int64_t) {
    auto *c = static_cast<Ctx *>(p);
    {
      std::lock_guard<std::mutex> lock(c->m);
      c->ids.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  ASSERT_EQ(linop_parallel_for(64, 1, fn, &ctx), LINOP_OK);
  EXPECT_GT(ctx.ids.size(), 1u);
  EXPECT_LE(ctx.ids.size(), 4u);
}

TEST(Runtime, ParallelForNested) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 4}) {
    linop_set_num_threads(threads);
    struct Ctx {
      std::atomic<int64_t> sum{0};
    } ctx;
    auto outer = [](void *p, int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        // Nested calls run serially on this thread and must not deadlock.
        const linop_status s = linop_parallel_for(
            100, 1,
            [](void *q, int64_t b, int64_t e) {
              for (int64_t j = b; j < e; ++j)
                static_cast<Ctx *>(q)->sum += j;
            },
            p);
        if (s != LINOP_OK)
          std::abort();
      }
    };
    ASSERT_EQ(linop_parallel_for(50, 1, outer, &ctx), LINOP_OK);
    EXPECT_EQ(ctx.sum.load(), 50 * 4950);
  }
}

TEST(Runtime, ParallelForReturnsARangesError) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 4}) {
    linop_set_num_threads(threads);
    linop_clear_error();
    // Every range runs; ranges holding 17 or 60 report errors, and the
    // first reported is the call's (either, by timing).
    Coverage c(100);
    auto fn = [](void *p, int64_t begin, int64_t end) {
      cover(p, begin, end);
      for (int64_t bad : {17, 60})
        if (begin <= bad && bad < end)
          linop_job_error(LINOP_ERROR_OUT_OF_MEMORY, "range at %lld failed",
                          static_cast<long long>(bad));
    };
    EXPECT_EQ(linop_parallel_for(100, 1, fn, &c), LINOP_ERROR_OUT_OF_MEMORY)
        << threads << " threads";
    const std::string msg = linop_last_error();
    EXPECT_TRUE(msg == "range at 17 failed" || msg == "range at 60 failed")
        << msg;
    for (auto &h : c.hits)
      EXPECT_EQ(h.load(), 1);
    // The next call starts clean.
    Coverage d(100);
    EXPECT_EQ(linop_parallel_for(100, 1, cover, &d), LINOP_OK);
  }
  // Outside a job it is linop_set_error.
  EXPECT_EQ(linop_job_error(LINOP_ERROR_INTERNAL, "alone %d", 7),
            LINOP_ERROR_INTERNAL);
  EXPECT_STREQ(linop_last_error(), "alone 7");
}

TEST(Runtime, NestedParallelForKeepsItsOwnError) {
  ThreadCountGuard guard;
  linop_set_num_threads(4);
  // The inner call returns its range's error; the outer, whose ranges
  // report nothing themselves, returns LINOP_OK.
  std::atomic<int> innerErrors{0};
  auto outer = [](void *p, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      linop_status s = linop_parallel_for(
          10, 1,
          [](void *, int64_t b, int64_t) {
            if (b == 0)
              linop_job_error(LINOP_ERROR_UNSUPPORTED, "inner");
          },
          nullptr);
      if (s == LINOP_ERROR_UNSUPPORTED)
        ++*static_cast<std::atomic<int> *>(p);
    }
  };
  EXPECT_EQ(linop_parallel_for(8, 1, outer, &innerErrors), LINOP_OK);
  EXPECT_EQ(innerErrors.load(), 8);
}

TEST(Runtime, ParallelForFromManyThreads) {
  ThreadCountGuard guard;
  linop_set_num_threads(3);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&failures] {
      for (int rep = 0; rep < 100; ++rep) {
        Coverage c(257);
        if (linop_parallel_for(257, 4, cover, &c) != LINOP_OK)
          ++failures;
        for (auto &h : c.hits)
          if (h.load() != 1)
            ++failures;
      }
    });
  }
  for (auto &t : callers)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Runtime, ParallelForEdgeCases) {
  bool called = false;
  auto fn = [](void *p, int64_t, int64_t) { *static_cast<bool *>(p) = true; };
  EXPECT_EQ(linop_parallel_for(0, 1, fn, &called), LINOP_OK);
  EXPECT_FALSE(called);
  EXPECT_EQ(linop_parallel_for(-1, 1, fn, &called),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "n must be >= 0, got -1");
  EXPECT_EQ(linop_parallel_for(10, 1, nullptr, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'fn' is NULL");
  EXPECT_FALSE(called);
}

TEST(Runtime, ThreadCountChanges) {
  ThreadCountGuard guard;
  linop_set_num_threads(0);
  EXPECT_GE(linop_get_num_threads(), 1);
  // Resizing between calls keeps working, and so does shrinking to 1.
  for (int threads : {5, 2, 7, 1, 3}) {
    linop_set_num_threads(threads);
    Coverage c(1000);
    ASSERT_EQ(linop_parallel_for(1000, 1, cover, &c), LINOP_OK);
    for (auto &h : c.hits)
      ASSERT_EQ(h.load(), 1);
  }
}

TEST(Runtime, NumThreadsFromEnvironment) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("LINOP_NUM_THREADS", "3", 1);
        linop_set_num_threads(0);
        std::exit(linop_get_num_threads());
      },
      ::testing::ExitedWithCode(3), "");
  EXPECT_EXIT(
      {
        setenv("LINOP_NUM_THREADS", "zero", 1);
        linop_set_num_threads(0);
        std::exit(linop_get_num_threads() >= 1 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Runtime, ParallelForAfterFork) {
  ThreadCountGuard guard;
  linop_set_num_threads(4);
  Coverage warm(100);
  ASSERT_EQ(linop_parallel_for(100, 1, cover, &warm), LINOP_OK);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The parent's workers do not exist here; the pool must start afresh.
    Coverage c(1000);
    const bool ok = linop_parallel_for(1000, 1, cover, &c) == LINOP_OK;
    int bad = 0;
    for (auto &h : c.hits)
      bad += h.load() != 1;
    _exit(ok && bad == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---------------------------------------------------------------------------
// Aligned allocation

TEST(Runtime, AlignedAlloc) {
  for (size_t align = 1; align <= 8192; align *= 2) {
    for (size_t bytes : {size_t(0), size_t(1), size_t(100), size_t(100000)}) {
      void *p = linop_aligned_alloc(bytes, align);
      ASSERT_NE(p, nullptr) << linop_last_error();
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
      std::memset(p, 0xab, bytes);
      linop_aligned_free(p);
    }
  }
  linop_aligned_free(nullptr);
  EXPECT_EQ(linop_aligned_alloc(64, 48), nullptr);
  EXPECT_CONTAINS(linop_last_error(), "power of two, got 48");
  EXPECT_EQ(linop_aligned_alloc(64, 0), nullptr);
  EXPECT_EQ(linop_aligned_alloc(SIZE_MAX / 2, 64), nullptr);
  EXPECT_CONTAINS(linop_last_error(), "out of memory");
}

// ---------------------------------------------------------------------------
// CUDA without a driver

namespace {
bool haveDriver() {
  static const bool have = linop_cuda_init() == LINOP_OK;
  return have;
}
} // namespace

TEST(Runtime, CudaInitWithoutDriver) {
  const linop_status status = linop_cuda_init();
  if (status == LINOP_OK)
    GTEST_SKIP() << "a CUDA driver is installed here";
  if (status == LINOP_ERROR_CUDA)
    GTEST_SKIP() << "a CUDA driver is installed but failed: "
                 << linop_last_error();
  EXPECT_EQ(status, LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_CONTAINS(linop_last_error(), "CUDA driver not available");
  EXPECT_CONTAINS(linop_last_error(), "libcuda");
  EXPECT_CONTAINS(linop_last_error(), "the CPU target works without it");
  // Repeated calls, and calls on other threads, give the same answer.
  linop_clear_error();
  EXPECT_EQ(linop_cuda_init(), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_CONTAINS(linop_last_error(), "libcuda");
  std::string other;
  std::thread([&] {
    linop_cuda_init();
    other = linop_last_error();
  }).join();
  EXPECT_CONTAINS(other, "libcuda");
  // Everything else reports the missing driver too.
  int count = -1;
  EXPECT_EQ(linop_cuda_device_count(&count), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(count, 0);
  linop_cuda_module *module = nullptr;
  EXPECT_EQ(linop_cuda_module_load("not ptx", &module),
            LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(module, nullptr);
  linop_cuda_deviceptr ptr = 1;
  EXPECT_EQ(linop_cuda_malloc(&ptr, 16), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(ptr, 0u);
  linop_stream stream = nullptr;
  EXPECT_EQ(linop_cuda_stream_create(&stream), LINOP_ERROR_NO_CUDA_DRIVER);
  linop_cuda_event event = nullptr;
  EXPECT_EQ(linop_cuda_event_create(&event), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(linop_cuda_stream_synchronize(nullptr), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(linop_cuda_check_offsets(0x1000, 8, 6, 2, 5, 300, nullptr),
            LINOP_ERROR_NO_CUDA_DRIVER);
  // Bad arguments are named before the driver is needed.
  EXPECT_EQ(linop_cuda_check_offsets(0x1000, 8, 4, 2, 5, 300, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "5 sequences with a stride of 4");
  EXPECT_EQ(linop_cuda_check_offsets(0x1000, 4, 6, 1, -1, 300, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(linop_cuda_check_offsets(0, 8, 6, 2, 5, 300, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "the offsets are 0");
  // No-ops stay no-ops.
  EXPECT_EQ(linop_cuda_check_offsets(0, 8, 6, 0, 5, 300, nullptr), LINOP_OK);
  EXPECT_EQ(linop_cuda_free(0), LINOP_OK);
  EXPECT_EQ(linop_cuda_module_unload(nullptr), LINOP_OK);
}

TEST(Runtime, CudaLibraryWithoutDriverSymbols) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // libc loads fine but is no driver.
  EXPECT_EXIT(
      {
        setenv("LINOP_CUDA_LIBRARY", "libc.so.6", 1);
        const linop_status s = linop_cuda_init();
        std::fprintf(stderr, "%s\n", linop_last_error());
        std::exit(s == LINOP_ERROR_NO_CUDA_DRIVER ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "libc.so.6 lacks the driver entry points cuInit, cuDeviceGetCount");
  EXPECT_EXIT(
      {
        setenv("LINOP_CUDA_LIBRARY", "/no/such/libcuda.so", 1);
        const linop_status s = linop_cuda_init();
        std::fprintf(stderr, "%s\n", linop_last_error());
        std::exit(s == LINOP_ERROR_NO_CUDA_DRIVER ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "CUDA driver not available: dlopen\\(/no/such/libcuda.so\\) failed");
}

TEST(Runtime, CudaStubLibraryIsNoDriver) {
  const char *stubs[] = {"/usr/local/cuda/lib64/stubs/libcuda.so",
                         "/usr/local/cuda/lib/stubs/libcuda.so",
                         "/usr/local/cuda/targets/x86_64-linux/lib/stubs/"
                         "libcuda.so"};
  const char *stub = nullptr;
  for (const char *path : stubs)
    if (access(path, R_OK) == 0)
      stub = path;
  if (!stub)
    GTEST_SKIP() << "no CUDA toolkit stub library here";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("LINOP_CUDA_LIBRARY", stub, 1);
        const linop_status s = linop_cuda_init();
        std::fprintf(stderr, "%s\n", linop_last_error());
        std::exit(s == LINOP_ERROR_NO_CUDA_DRIVER ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "stub library, not a driver");
}

namespace {

// A description linop_cuda_run accepts; `batch` rows.
struct RunCall {
  linop_cuda_module *module = nullptr;
  linop_cuda_image image = {"libtest", nullptr, 0, "// PTX, never loaded"};
  linop_cuda_kernel kernel = {"linop_k", 128, 2, 1, 0, 0};
  linop_cuda_args args = {};
  explicit RunCall(int64_t batch) { args.batch = batch; }
  linop_status run() {
    return linop_cuda_run(&module, &image, &kernel, 1, &args, nullptr);
  }
};

} // namespace

// Checks that need no driver, so they behave the same with or without one.
TEST(Runtime, CudaRunArgumentChecks) {
  RunCall ok(0);
  EXPECT_EQ(ok.run(), LINOP_OK) << "batch 0 is nothing to do";
  EXPECT_EQ(ok.module, nullptr);
  EXPECT_EQ(linop_cuda_run(&ok.module, &ok.image, nullptr, 0, &ok.args,
                           nullptr),
            LINOP_OK);

  RunCall c(10);
  EXPECT_EQ(linop_cuda_run(nullptr, &c.image, &c.kernel, 1, &c.args, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'module' is NULL");
  EXPECT_EQ(linop_cuda_run(&c.module, nullptr, &c.kernel, 1, &c.args, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'image' is NULL");
  EXPECT_EQ(linop_cuda_run(&c.module, &c.image, nullptr, 1, &c.args, nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'kernels' is NULL");
  EXPECT_EQ(linop_cuda_run(&c.module, &c.image, &c.kernel, -1, &c.args,
                           nullptr),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "kernel count must be >= 0, got -1");

  RunCall negative(-4);
  EXPECT_EQ(negative.run(), LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "library libtest: batch must be >= 0");

  RunCall empty(10);
  empty.image.ptx = nullptr;
  EXPECT_EQ(empty.run(), LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "neither a binary nor PTX");

  for (unsigned cluster : {0u, 17u}) {
    RunCall bad(10);
    bad.kernel.cluster = cluster;
    EXPECT_EQ(bad.run(), LINOP_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(linop_last_error(), "library libtest, kernel linop_k");
    EXPECT_CONTAINS(linop_last_error(),
                    "cluster (" + std::to_string(cluster) + ") in 1..16");
  }
  RunCall noRows(10);
  noRows.kernel.rows = 0;
  EXPECT_EQ(noRows.run(), LINOP_ERROR_INVALID_ARGUMENT);
  RunCall noName(10);
  noName.kernel.name = nullptr;
  EXPECT_EQ(noName.run(), LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "kernel 0 has no name");

  EXPECT_EQ(linop_cuda_check_pointer(0, 16, 4, "x"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(linop_last_error(), "device pointer 'x' is 0");
  EXPECT_EQ(linop_cuda_check_pointer(0x1002, 16, 4, "y"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "'y' (0x1002) is not aligned to 4 bytes");
  EXPECT_EQ(linop_cuda_check_pointer(0x1000, 16, 3, "y"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "power of two, got 3");
  EXPECT_EQ(linop_cuda_check_pointer(~0ull - 7, 16, 8, "z"),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "wrap around");
}

TEST(Runtime, CudaRunWithoutDriver) {
  if (haveDriver())
    GTEST_SKIP() << "a CUDA driver is installed here";
  RunCall c(10);
  EXPECT_EQ(c.run(), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_CONTAINS(linop_last_error(), "CUDA driver not available");
  EXPECT_CONTAINS(linop_last_error(), "the CPU target works without it");
  EXPECT_EQ(c.module, nullptr);
  EXPECT_EQ(linop_cuda_check_pointer(0x10000, 64, 16, "x"),
            LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_CONTAINS(linop_last_error(), "CUDA driver not available");
  int version = -1;
  EXPECT_EQ(linop_cuda_driver_version(&version), LINOP_ERROR_NO_CUDA_DRIVER);
  EXPECT_EQ(version, 0);
}

// ---------------------------------------------------------------------------
// CUDA with a driver (runs only where there is a GPU)

namespace {

// Hand-written PTX, so the test needs no CUDA compiler: x[i] += a, and a
// kernel that goes through dynamic shared memory above 64 KiB.
const char kTestPtx[] = R"(
.version 7.0
.target sm_52
.address_size 64

.extern .shared .align 4 .b8 linop_smem[];

.visible .entry linop_test_add(
    .param .u64 x_param,
    .param .u32 n_param,
    .param .f32 a_param)
{
    .reg .pred %p<2>;
    .reg .b32 %r<6>;
    .reg .f32 %f<4>;
    .reg .b64 %rd<5>;

    ld.param.u64 %rd1, [x_param];
    ld.param.u32 %r1, [n_param];
    ld.param.f32 %f1, [a_param];
    mov.u32 %r2, %ctaid.x;
    mov.u32 %r3, %ntid.x;
    mov.u32 %r4, %tid.x;
    mad.lo.s32 %r5, %r2, %r3, %r4;
    setp.ge.u32 %p1, %r5, %r1;
    @%p1 bra DONE;
    cvta.to.global.u64 %rd2, %rd1;
    mul.wide.u32 %rd3, %r5, 4;
    add.s64 %rd4, %rd2, %rd3;
    ld.global.f32 %f2, [%rd4];
    add.f32 %f3, %f2, %f1;
    st.global.f32 [%rd4], %f3;
DONE:
    ret;
}

.visible .entry linop_test_smem(
    .param .u64 x_param)
{
    .reg .b32 %r<5>;
    .reg .f32 %f<3>;
    .reg .b64 %rd<4>;

    ld.param.u64 %rd1, [x_param];
    cvta.to.global.u64 %rd1, %rd1;
    mov.u32 %r1, %tid.x;
    mul.wide.u32 %rd2, %r1, 4;
    add.s64 %rd3, %rd1, %rd2;
    ld.global.f32 %f1, [%rd3];
    mov.u32 %r2, linop_smem;
    shl.b32 %r3, %r1, 2;
    add.u32 %r4, %r2, %r3;
    st.shared.f32 [%r4+65536], %f1;
    bar.sync 0;
    ld.shared.f32 %f2, [%r4+65536];
    add.f32 %f2, %f2, %f2;
    st.global.f32 [%rd3], %f2;
    ret;
}
)";

} // namespace

TEST(RuntimeCuda, DeviceQueries) {
  if (!haveDriver())
    GTEST_SKIP() << linop_last_error();
  int count = 0;
  ASSERT_EQ(linop_cuda_device_count(&count), LINOP_OK) << linop_last_error();
  ASSERT_GE(count, 1);
  char name[256];
  ASSERT_EQ(linop_cuda_device_name(0, name, sizeof name), LINOP_OK)
      << linop_last_error();
  EXPECT_GT(std::strlen(name), 0u);
  int major = 0, minor = 0;
  ASSERT_EQ(linop_cuda_compute_capability(0, &major, &minor), LINOP_OK)
      << linop_last_error();
  EXPECT_GE(major, 3);
  std::printf("device 0: %s, sm_%d%d, %d device(s)\n", name, major, minor,
              count);
  EXPECT_EQ(linop_cuda_device_name(count, name, sizeof name),
            LINOP_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(linop_last_error(), "does not exist");
}

TEST(RuntimeCuda, LoadLaunchCopyAndTime) {
  if (!haveDriver())
    GTEST_SKIP() << linop_last_error();
  static linop_cuda_module *module = nullptr; // as generated code keeps it
  ASSERT_EQ(linop_cuda_module_load(kTestPtx, &module), LINOP_OK)
      << linop_last_error();
  linop_cuda_module *first = module;
  ASSERT_EQ(linop_cuda_module_load(kTestPtx, &module), LINOP_OK);
  EXPECT_EQ(module, first) << "the second load must reuse the module";

  linop_cuda_function *add = nullptr, *again = nullptr, *smem = nullptr;
  ASSERT_EQ(linop_cuda_get_function(module, "linop_test_add", &add), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_get_function(module, "linop_test_add", &again),
            LINOP_OK);
  EXPECT_EQ(add, again);
  ASSERT_EQ(linop_cuda_get_function(module, "linop_test_smem", &smem),
            LINOP_OK)
      << linop_last_error();
  linop_cuda_function *missing = nullptr;
  EXPECT_EQ(linop_cuda_get_function(module, "no_such_kernel", &missing),
            LINOP_ERROR_CUDA);
  EXPECT_CONTAINS(linop_last_error(), "cuModuleGetFunction(\"no_such_kernel\")");
  EXPECT_CONTAINS(linop_last_error(), "CUDA_ERROR_NOT_FOUND");

  const unsigned n = 1000;
  std::vector<float> host(n);
  for (unsigned i = 0; i < n; ++i)
    host[i] = static_cast<float>(i);
  linop_cuda_deviceptr x = 0;
  ASSERT_EQ(linop_cuda_malloc(&x, n * sizeof(float)), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_memcpy_htod(x, host.data(), n * sizeof(float)),
            LINOP_OK)
      << linop_last_error();

  linop_stream stream = nullptr;
  ASSERT_EQ(linop_cuda_stream_create(&stream), LINOP_OK) << linop_last_error();
  linop_cuda_event start = nullptr, stop = nullptr;
  ASSERT_EQ(linop_cuda_event_create(&start), LINOP_OK);
  ASSERT_EQ(linop_cuda_event_create(&stop), LINOP_OK);
  ASSERT_EQ(linop_cuda_event_record(start, stream), LINOP_OK);
  float a = 0.5f;
  unsigned count = n;
  void *args[] = {&x, &count, &a};
  const unsigned grid[3] = {(n + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
  ASSERT_EQ(linop_cuda_launch(add, grid, block, 0, stream, args), LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_event_record(stop, stream), LINOP_OK);
  ASSERT_EQ(linop_cuda_event_synchronize(stop), LINOP_OK);
  float ms = -1;
  ASSERT_EQ(linop_cuda_event_elapsed_ms(&ms, start, stop), LINOP_OK)
      << linop_last_error();
  EXPECT_GE(ms, 0.0f);
  ASSERT_EQ(linop_cuda_stream_synchronize(stream), LINOP_OK);

  // 80 KiB of dynamic shared memory needs the opt-in attribute.
  const unsigned one[3] = {1, 1, 1}, threads[3] = {256, 1, 1};
  void *smemArgs[] = {&x};
  ASSERT_EQ(linop_cuda_launch(smem, one, threads, 80 * 1024, nullptr,
                              smemArgs),
            LINOP_OK)
      << linop_last_error();
  ASSERT_EQ(linop_cuda_stream_synchronize(nullptr), LINOP_OK)
      << linop_last_error();

  std::vector<float> back(n);
  ASSERT_EQ(linop_cuda_memcpy_dtoh(back.data(), x, n * sizeof(float)),
            LINOP_OK)
      << linop_last_error();
  for (unsigned i = 0; i < n; ++i) {
    const float expected = (static_cast<float>(i) + 0.5f) * (i < 256 ? 2 : 1);
    ASSERT_EQ(back[i], expected) << i;
  }
  ASSERT_EQ(linop_cuda_memset_d8(x, 0, n * sizeof(float)), LINOP_OK);
  ASSERT_EQ(linop_cuda_memcpy_dtoh(back.data(), x, n * sizeof(float)),
            LINOP_OK);
  EXPECT_EQ(back[7], 0.0f);

  // Launch errors name the kernel and the configuration.
  const unsigned huge[3] = {2048, 1, 1};
  EXPECT_EQ(linop_cuda_launch(add, grid, huge, 0, nullptr, args),
            LINOP_ERROR_CUDA);
  EXPECT_CONTAINS(linop_last_error(), "cuLaunchKernel(linop_test_add");
  EXPECT_CONTAINS(linop_last_error(), "block=(2048, 1, 1)");
  const unsigned zero[3] = {0, 1, 1};
  EXPECT_EQ(linop_cuda_launch(add, zero, block, 0, nullptr, args),
            LINOP_ERROR_INVALID_ARGUMENT);

  EXPECT_EQ(linop_cuda_event_destroy(start), LINOP_OK);
  EXPECT_EQ(linop_cuda_event_destroy(stop), LINOP_OK);
  EXPECT_EQ(linop_cuda_stream_destroy(stream), LINOP_OK);
  EXPECT_EQ(linop_cuda_free(x), LINOP_OK);
  EXPECT_EQ(linop_cuda_module_unload(module), LINOP_OK);
  module = nullptr;
}

TEST(RuntimeCuda, BadImageAndHugeAllocation) {
  if (!haveDriver())
    GTEST_SKIP() << linop_last_error();
  linop_cuda_module *module = nullptr;
  EXPECT_EQ(linop_cuda_module_load("this is not PTX", &module),
            LINOP_ERROR_CUDA);
  EXPECT_EQ(module, nullptr);
  EXPECT_CONTAINS(linop_last_error(), "cuModuleLoadData");
  std::printf("bad image: %s\n", linop_last_error());
  linop_cuda_deviceptr p = 0;
  EXPECT_EQ(linop_cuda_malloc(&p, size_t(1) << 50), LINOP_ERROR_OUT_OF_MEMORY);
  EXPECT_CONTAINS(linop_last_error(), "cuMemAlloc");
  std::printf("huge allocation: %s\n", linop_last_error());
}
