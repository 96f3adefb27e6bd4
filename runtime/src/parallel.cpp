// linop_parallel_for on a small persistent thread pool.
//
// One job runs at a time: a top-level call takes g_mutex for its whole
// duration, publishes the job, and works on it alongside the pool's workers.
// Ranges are claimed from an atomic counter, so uneven ranges balance. A call
// made from inside a job (by a worker or by the calling thread) runs serially
// instead of waiting for the pool it is part of, so nesting cannot deadlock.
#include "linop/runtime.h"
#include "format.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <cstdarg>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

constexpr int kMaxThreads = 1024;
// Ranges per thread: a few more than one lets fast threads take over work
// from slow ones without making the ranges tiny.
constexpr int64_t kRangesPerThread = 4;

using RangeFn = void (*)(void *, int64_t, int64_t);

// True on pool workers, and on a calling thread while it runs a job.
thread_local bool tlsInJob = false;

// The first error the ranges of one linop_parallel_for reported
// (linop_job_error); `message` is written by the thread that set `status`
// and read after every range is done.
struct Failure {
  std::atomic<int> status{LINOP_OK};
  std::string message;
};
// The failure record of the linop_parallel_for whose range this thread runs.
thread_local Failure *tlsFailure = nullptr;

struct Job {
  RangeFn fn;
  void *ctx;
  Failure *failure;
  int64_t ranges;   // number of ranges
  int64_t quotient; // [0, n) split as `ranges` ranges of quotient or
  int64_t extra;    // quotient + 1 elements (the first `extra` get + 1)
  std::atomic<int64_t> next{0};

  void work() {
    for (;;) {
      const int64_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= ranges)
        return;
      const int64_t begin = i * quotient + std::min(i, extra);
      fn(ctx, begin, begin + quotient + (i < extra ? 1 : 0));
    }
  }
};

class Pool {
public:
  explicit Pool(int threads) : requested_(threads) {
    for (int i = 1; i < threads; ++i) {
      try {
        workers_.emplace_back([this] { workerLoop(); });
      } catch (const std::system_error &) {
        break; // run with the workers we could start
      }
    }
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }

  int requested() const { return requested_; }

  // Caller holds g_mutex, so jobs never overlap.
  void run(Job &job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      ++generation_;
    }
    wake_.notify_all();
    const bool wasInJob = tlsInJob;
    tlsInJob = true;
    job.work();
    tlsInJob = wasInJob;
    // Every range is claimed once our own loop ends; stop late workers from
    // attaching, then wait for the attached ones to finish theirs (the job
    // lives on our stack).
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = nullptr;
    done_.wait(lock, [this] { return attached_ == 0; });
  }

private:
  void workerLoop() {
    tlsInJob = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock,
                 [&] { return stop_ || (job_ && generation_ != seen); });
      if (stop_)
        return;
      seen = generation_;
      Job *job = job_;
      ++attached_;
      lock.unlock();
      tlsFailure = job->failure;
      job->work();
      tlsFailure = nullptr;
      lock.lock();
      if (--attached_ == 0)
        done_.notify_all();
    }
  }

  const int requested_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  Job *job_ = nullptr;
  uint64_t generation_ = 0;
  int attached_ = 0;
  bool stop_ = false;
};

std::mutex g_mutex; // guards g_pool; held for the whole of a top-level job
Pool *g_pool = nullptr;
std::atomic<int> g_requested{0};    // from linop_set_num_threads; 0: default
std::atomic<int> g_defaultThreads{0}; // 0: not computed yet

int computeDefaultThreads() {
  const unsigned hw = std::thread::hardware_concurrency();
  const int all =
      hw == 0 ? 1 : static_cast<int>(std::min<unsigned>(hw, kMaxThreads));
  const char *env = std::getenv("LINOP_NUM_THREADS");
  if (!env)
    return all;
  char *end = nullptr;
  errno = 0;
  const long v = std::strtol(env, &end, 10);
  const bool number = end != env && *end == '\0' && errno == 0;
  if (number && v > 0 && v <= kMaxThreads)
    return static_cast<int>(v);
  // A library cannot fail here; it says once what it does instead.
  const int used = number && v > kMaxThreads ? kMaxThreads : all;
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true))
    std::fprintf(stderr,
                 "linop: LINOP_NUM_THREADS='%s' is not a thread count from 1 "
                 "to %d; using %d threads\n",
                 env, kMaxThreads, used);
  return used;
}

int effectiveThreads() {
  const int requested = g_requested.load(std::memory_order_relaxed);
  if (requested > 0)
    return requested;
  int d = g_defaultThreads.load(std::memory_order_relaxed);
  if (d == 0) {
    d = computeDefaultThreads();
    g_defaultThreads.store(d, std::memory_order_relaxed);
  }
  return d;
}

// After fork() only the forking thread exists in the child: forget the pool
// (its workers are gone, its mutexes may be held) and start afresh on demand.
void forgetPoolInChild() {
  new (&g_mutex) std::mutex();
  g_pool = nullptr; // leaked on purpose: it cannot be torn down here
  tlsInJob = false;
}

// Joins the workers at exit (and at dlclose of a shared runtime) so that no
// thread is left running code that is being unloaded.
struct PoolReaper {
  ~PoolReaper() {
    // A job still running at exit is the caller's bug; do not block on it.
    if (g_mutex.try_lock()) {
      delete g_pool;
      g_pool = nullptr;
      g_mutex.unlock();
    }
  }
} g_reaper;

void run(int64_t n, int64_t grain, RangeFn fn, void *ctx, Failure &failure);

} // namespace

extern "C" {

void linop_set_num_threads(int n) {
  if (n <= 0) {
    g_requested.store(0, std::memory_order_relaxed);
    g_defaultThreads.store(computeDefaultThreads(), std::memory_order_relaxed);
  } else {
    g_requested.store(std::min(n, kMaxThreads), std::memory_order_relaxed);
  }
}

int linop_get_num_threads(void) { return effectiveThreads(); }

linop_status linop_parallel_for(int64_t n, int64_t grain,
                                void (*fn)(void *ctx, int64_t begin,
                                           int64_t end),
                                void *ctx) {
  if (n < 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "linop_parallel_for: n must be >= 0, got %lld",
                           static_cast<long long>(n));
  if (!fn)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "linop_parallel_for: argument 'fn' is NULL");
  if (n == 0)
    return LINOP_OK;
  if (grain < 1)
    grain = 1;
  // The ranges' errors, whichever thread runs them; restored for a nested
  // call's caller.
  Failure failure;
  Failure *const outer = tlsFailure;
  tlsFailure = &failure;
  run(n, grain, fn, ctx, failure);
  tlsFailure = outer;
  const int status = failure.status.load();
  if (status != LINOP_OK)
    return linop_set_error(static_cast<linop_status>(status), "%s",
                           failure.message.c_str());
  return LINOP_OK;
}

linop_status linop_job_error(linop_status status, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string message = linop::runtime::formatMessage(fmt, args);
  va_end(args);
  if (Failure *f = tlsFailure) {
    int ok = LINOP_OK;
    if (f->status.compare_exchange_strong(ok, status))
      f->message = message;
    return status;
  }
  return linop_set_error(status, "%s", message.c_str());
}

} // extern "C"

namespace {

// The ranges of one linop_parallel_for: serially, or on the pool.
void run(int64_t n, int64_t grain, RangeFn fn, void *ctx, Failure &failure) {
  const int threads = effectiveThreads();
  const int64_t maxRanges = n / grain; // every range keeps >= grain elements
  if (tlsInJob || threads == 1 || maxRanges < 2) {
    fn(ctx, 0, n);
    return;
  }

  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_pool || g_pool->requested() != threads) {
    static std::once_flag atforkOnce;
    std::call_once(atforkOnce,
                   [] { pthread_atfork(nullptr, nullptr, forgetPoolInChild); });
    delete g_pool;
    g_pool = nullptr;
    try {
      g_pool = new Pool(threads);
    } catch (const std::bad_alloc &) {
      fn(ctx, 0, n); // no pool: still correct, just serial
      return;
    }
  }
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.failure = &failure;
  job.ranges = std::min<int64_t>(maxRanges, kRangesPerThread * threads);
  job.quotient = n / job.ranges;
  job.extra = n % job.ranges;
  g_pool->run(job);
}

} // namespace
