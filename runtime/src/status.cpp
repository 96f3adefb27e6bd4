// Status strings, the thread-local last-error message, argument checks and
// the aligned allocator.
#include "linop/runtime.h"
#include "format.h"

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
// Per thread, so that concurrent calls from different threads do not mix up
// their messages.
thread_local std::string tlsLastError;
} // namespace

std::string linop::runtime::formatMessage(const char *fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int len = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (len < 0)
    return std::string("(unformattable error message: ") + fmt + ")";
  std::vector<char> buf(static_cast<size_t>(len) + 1);
  std::vsnprintf(buf.data(), buf.size(), fmt, args);
  return std::string(buf.data(), static_cast<size_t>(len));
}

extern "C" {

const char *linop_status_string(linop_status status) {
  switch (status) {
  case LINOP_OK: return "ok";
  case LINOP_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case LINOP_ERROR_UNSUPPORTED: return "unsupported";
  case LINOP_ERROR_OUT_OF_MEMORY: return "out of memory";
  case LINOP_ERROR_NO_CUDA_DRIVER: return "no CUDA driver";
  case LINOP_ERROR_CUDA: return "CUDA error";
  case LINOP_ERROR_INTERNAL: return "internal error";
  default: break;
  }
  return "unknown status";
}

const char *linop_last_error(void) { return tlsLastError.c_str(); }

linop_status linop_set_error(linop_status status, const char *fmt, ...) {
  if (!fmt) {
    tlsLastError = linop_status_string(status);
    return status;
  }
  // Format into a fresh string first: the arguments may point into the
  // current message (e.g. to add context to it).
  va_list args;
  va_start(args, fmt);
  std::string message = linop::runtime::formatMessage(fmt, args);
  va_end(args);
  tlsLastError = std::move(message);
  return status;
}


void linop_clear_error(void) { tlsLastError.clear(); }

linop_status linop_check_pointer(const void *p, const char *name) {
  if (p)
    return LINOP_OK;
  return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT, "argument '%s' is NULL",
                         name ? name : "(unnamed)");
}

linop_status linop_check_batch(int64_t batch) {
  if (batch >= 0)
    return LINOP_OK;
  return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                         "batch must be >= 0, got %" PRId64, batch);
}

linop_status linop_check_overlap(const void *in, int64_t in_bytes,
                                 const void *out, int64_t out_bytes,
                                 int allow_exact_alias) {
  if (in_bytes < 0 || out_bytes < 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "buffer sizes must be >= 0, got input %" PRId64
                           " bytes and output %" PRId64 " bytes",
                           in_bytes, out_bytes);
  if (in_bytes == 0 || out_bytes == 0)
    return LINOP_OK;
  const uintptr_t a = reinterpret_cast<uintptr_t>(in);
  const uintptr_t b = reinterpret_cast<uintptr_t>(out);
  // End addresses, saturated so that absurd sizes cannot wrap around.
  const uintptr_t aEnd = static_cast<uint64_t>(in_bytes) > UINTPTR_MAX - a
                             ? UINTPTR_MAX
                             : a + static_cast<uintptr_t>(in_bytes);
  const uintptr_t bEnd = static_cast<uint64_t>(out_bytes) > UINTPTR_MAX - b
                             ? UINTPTR_MAX
                             : b + static_cast<uintptr_t>(out_bytes);
  if (aEnd <= b || bEnd <= a)
    return LINOP_OK; // disjoint
  if (a == b && in_bytes == out_bytes) {
    if (allow_exact_alias)
      return LINOP_OK;
    return linop_set_error(
        LINOP_ERROR_INVALID_ARGUMENT,
        "input and output are the same buffer (%p, %" PRId64
        " bytes) but this operator cannot run in place; pass a separate "
        "output buffer",
        in, in_bytes);
  }
  return linop_set_error(
      LINOP_ERROR_INVALID_ARGUMENT,
      "input (%p, %" PRId64 " bytes) and output (%p, %" PRId64
      " bytes) partially overlap; they must be disjoint%s",
      in, in_bytes, out, out_bytes,
      allow_exact_alias ? " or exactly the same buffer (in place)" : "");
}

void *linop_aligned_alloc(size_t bytes, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0) {
    linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                    "linop_aligned_alloc: alignment must be a power of two, "
                    "got %zu",
                    align);
    return nullptr;
  }
  // posix_memalign needs a multiple of sizeof(void *).
  if (align < sizeof(void *))
    align = sizeof(void *);
  void *p = nullptr;
  // Size 0 still gets a real allocation so that the result is unique.
  const int rc = posix_memalign(&p, align, bytes ? bytes : 1);
  if (rc != 0) {
    linop_set_error(rc == ENOMEM ? LINOP_ERROR_OUT_OF_MEMORY
                                 : LINOP_ERROR_INVALID_ARGUMENT,
                    "linop_aligned_alloc: cannot allocate %zu bytes aligned "
                    "to %zu: %s",
                    bytes, align, rc == ENOMEM ? "out of memory" : "invalid "
                                                                   "argument");
    return nullptr;
  }
  return p;
}

void linop_aligned_free(void *p) { std::free(p); }

} // extern "C"
