// The CUDA driver API, loaded with dlopen on first use.
//
// Linking libcuda would make the runtime (and every generated CPU kernel)
// fail to load on machines without an NVIDIA driver, and would tie it to the
// toolkit it was built with. Instead the few driver types are declared here
// and the entry points are looked up at run time from one table.
#include "linop/runtime.h"

#include <dlfcn.h>

#include <atomic>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

// ---- Driver types (ABI-compatible with cuda.h) ----------------------------
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
struct CUlaunchConfig; // only passed by pointer

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_STUB_LIBRARY = 34;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
// Kernels may use up to this much dynamic shared memory without opting in.
constexpr unsigned kDefaultSharedLimit = 48 * 1024;

// ---- The symbol table -------------------------------------------------------
// X(member, parameter list, symbol, fallback symbol or nullptr, required).
// The _v2 names matter: the unversioned cuMemAlloc & co. are the old 32-bit
// ABI kept for binary compatibility.
#define LINOP_CUDA_DRIVER_SYMBOLS(X)                                           \
  X(cuInit, (unsigned int), "cuInit", nullptr, true)                           \
  X(cuDeviceGetCount, (int *), "cuDeviceGetCount", nullptr, true)              \
  X(cuDeviceGet, (CUdevice *, int), "cuDeviceGet", nullptr, true)              \
  X(cuDeviceGetAttribute, (int *, int, CUdevice), "cuDeviceGetAttribute",      \
    nullptr, true)                                                             \
  X(cuDeviceGetName, (char *, int, CUdevice), "cuDeviceGetName", nullptr,      \
    true)                                                                      \
  X(cuCtxGetCurrent, (CUcontext *), "cuCtxGetCurrent", nullptr, true)          \
  X(cuDevicePrimaryCtxRetain, (CUcontext *, CUdevice),                         \
    "cuDevicePrimaryCtxRetain", nullptr, true)                                 \
  X(cuCtxSetCurrent, (CUcontext), "cuCtxSetCurrent", nullptr, true)            \
  X(cuModuleLoadData, (CUmodule *, const void *), "cuModuleLoadData", nullptr, \
    true)                                                                      \
  X(cuModuleUnload, (CUmodule), "cuModuleUnload", nullptr, true)               \
  X(cuModuleGetFunction, (CUfunction *, CUmodule, const char *),               \
    "cuModuleGetFunction", nullptr, true)                                      \
  X(cuLaunchKernel,                                                            \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,   \
     unsigned, CUstream, void **, void **),                                    \
    "cuLaunchKernel", nullptr, true)                                           \
  X(cuFuncSetAttribute, (CUfunction, int, int), "cuFuncSetAttribute", nullptr, \
    true)                                                                      \
  X(cuMemAlloc, (CUdeviceptr *, size_t), "cuMemAlloc_v2", nullptr, true)       \
  X(cuMemFree, (CUdeviceptr), "cuMemFree_v2", nullptr, true)                   \
  X(cuMemcpyHtoD, (CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2",      \
    nullptr, true)                                                             \
  X(cuMemcpyDtoH, (void *, CUdeviceptr, size_t), "cuMemcpyDtoH_v2", nullptr,   \
    true)                                                                      \
  X(cuMemsetD8, (CUdeviceptr, unsigned char, size_t), "cuMemsetD8_v2",         \
    nullptr, true)                                                             \
  X(cuStreamCreate, (CUstream *, unsigned int), "cuStreamCreate", nullptr,     \
    true)                                                                      \
  X(cuStreamDestroy, (CUstream), "cuStreamDestroy_v2", nullptr, true)          \
  X(cuStreamSynchronize, (CUstream), "cuStreamSynchronize", nullptr, true)     \
  X(cuEventCreate, (CUevent *, unsigned int), "cuEventCreate", nullptr, true)  \
  X(cuEventRecord, (CUevent, CUstream), "cuEventRecord", nullptr, true)        \
  X(cuEventSynchronize, (CUevent), "cuEventSynchronize", nullptr, true)        \
  X(cuEventElapsedTime, (float *, CUevent, CUevent), "cuEventElapsedTime_v2",  \
    "cuEventElapsedTime", true)                                                \
  X(cuEventDestroy, (CUevent), "cuEventDestroy_v2", nullptr, true)             \
  X(cuGetErrorString, (CUresult, const char **), "cuGetErrorString", nullptr,  \
    true)                                                                      \
  X(cuGetErrorName, (CUresult, const char **), "cuGetErrorName", nullptr,      \
    false)                                                                     \
  X(cuLaunchKernelEx, (const CUlaunchConfig *, CUfunction, void **, void **),  \
    "cuLaunchKernelEx", nullptr, false)

struct Driver {
#define LINOP_DECLARE_MEMBER(member, params, symbol, fallback, required)       \
  CUresult(*member) params = nullptr;
  LINOP_CUDA_DRIVER_SYMBOLS(LINOP_DECLARE_MEMBER)
#undef LINOP_DECLARE_MEMBER
  void *handle = nullptr;
  std::string path; // the library that was loaded
};

Driver g_drv;
std::mutex g_initMutex;
std::atomic<bool> g_initDone{false};
linop_status g_initStatus = LINOP_OK;
std::string g_initMessage;

// The primary context used by threads that have none of their own.
std::mutex g_contextMutex;
CUcontext g_primary = nullptr;
int g_device = -1; // -1: LINOP_CUDA_DEVICE or 0, decided on first use
int g_primaryDevice = -1;

std::mutex g_moduleMutex; // serializes lazy module loads

std::string vformat(const char *fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int len = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (len < 0)
    return fmt;
  std::vector<char> buf(static_cast<size_t>(len) + 1);
  std::vsnprintf(buf.data(), buf.size(), fmt, args);
  return std::string(buf.data(), static_cast<size_t>(len));
}

// "<call> failed: CUDA_ERROR_X (code): <description>", as LINOP_ERROR_CUDA
// (or LINOP_ERROR_OUT_OF_MEMORY for allocation failures).
linop_status cudaFailure(CUresult result, const char *callFmt, ...)
    __attribute__((format(printf, 2, 3)));
linop_status cudaFailure(CUresult result, const char *callFmt, ...) {
  va_list args;
  va_start(args, callFmt);
  const std::string call = vformat(callFmt, args);
  va_end(args);
  const char *name = nullptr;
  const char *text = nullptr;
  if (g_drv.cuGetErrorName && g_drv.cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (g_drv.cuGetErrorString &&
      g_drv.cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  const linop_status status = result == CUDA_ERROR_OUT_OF_MEMORY
                                  ? LINOP_ERROR_OUT_OF_MEMORY
                                  : LINOP_ERROR_CUDA;
  return linop_set_error(status, "%s failed: %s (error %d): %s", call.c_str(),
                         name ? name : "CUDA error", result,
                         text ? text : "unknown error");
}

// Loads the library and resolves the table; returns the failure message, or
// an empty string.
std::string loadDriver(Driver &d) {
  std::vector<std::string> candidates;
  const char *override = std::getenv("LINOP_CUDA_LIBRARY");
  if (override && *override) {
    candidates.push_back(override);
  } else {
    candidates.push_back("libcuda.so.1");
    candidates.push_back("libcuda.so");
  }
  std::string failures;
  for (const std::string &name : candidates) {
    d.handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (d.handle) {
      d.path = name;
      break;
    }
    const char *why = dlerror();
    if (!failures.empty())
      failures += "; ";
    failures += "dlopen(" + name + ") failed: " + (why ? why : "unknown error");
  }
  if (!d.handle)
    return "CUDA driver not available: " + failures +
           "; the CPU target works without it";

  std::string missing;
  auto resolve = [&](const char *symbol, const char *fallback,
                     bool required) {
    void *p = dlsym(d.handle, symbol);
    if (!p && fallback)
      p = dlsym(d.handle, fallback);
    if (!p && required)
      missing += std::string(missing.empty() ? "" : ", ") + symbol;
    return p;
  };
  // POSIX guarantees that dlsym's void* holds a function pointer; copy the
  // bits rather than cast between object and function pointers.
#define LINOP_RESOLVE(member, params, symbol, fallback, required)              \
  {                                                                            \
    void *p = resolve(symbol, fallback, required);                             \
    static_assert(sizeof(p) == sizeof(d.member), "function pointer size");     \
    std::memcpy(&d.member, &p, sizeof p);                                      \
  }
  LINOP_CUDA_DRIVER_SYMBOLS(LINOP_RESOLVE)
#undef LINOP_RESOLVE
  if (!missing.empty()) {
    const std::string path = d.path;
    dlclose(d.handle);
    d = Driver();
    return "CUDA driver not available: " + path +
           " lacks the driver entry points " + missing +
           " (too old a driver, or not libcuda); the CPU target works "
           "without it";
  }
  return std::string();
}

linop_status initOnce() {
  std::string failure = loadDriver(g_drv);
  if (!failure.empty())
    return linop_set_error(LINOP_ERROR_NO_CUDA_DRIVER, "%s", failure.c_str());
  if (CUresult r = g_drv.cuInit(0)) {
    // The toolkit ships a stub libcuda for linking; finding it means there
    // is no driver, which is not a CUDA failure.
    if (r == CUDA_ERROR_STUB_LIBRARY)
      return linop_set_error(LINOP_ERROR_NO_CUDA_DRIVER,
                             "CUDA driver not available: %s is the CUDA "
                             "toolkit's stub library, not a driver (cuInit "
                             "returned CUDA_ERROR_STUB_LIBRARY); the CPU target "
                             "works without it",
                             g_drv.path.c_str());
    return cudaFailure(r, "cuInit(0) (driver %s)", g_drv.path.c_str());
  }
  return LINOP_OK;
}

// Makes sure the calling thread has a current context: its own if it has
// one (e.g. set by an application that manages contexts), else the primary
// context of the selected device.
linop_status ensureContext() {
  CUcontext current = nullptr;
  if (CUresult r = g_drv.cuCtxGetCurrent(&current))
    return cudaFailure(r, "cuCtxGetCurrent");
  if (current)
    return LINOP_OK;
  std::lock_guard<std::mutex> lock(g_contextMutex);
  if (!g_primary) {
    int ordinal = g_device;
    if (ordinal < 0) {
      ordinal = 0;
      if (const char *env = std::getenv("LINOP_CUDA_DEVICE")) {
        char *end = nullptr;
        const long v = std::strtol(env, &end, 10);
        if (end == env || *end != '\0' || v < 0 || v > INT_MAX)
          return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                                 "LINOP_CUDA_DEVICE='%s' is not a device "
                                 "number",
                                 env);
        ordinal = static_cast<int>(v);
      }
    }
    CUdevice device = 0;
    if (CUresult r = g_drv.cuDeviceGet(&device, ordinal))
      return cudaFailure(r, "cuDeviceGet(%d)", ordinal);
    if (CUresult r = g_drv.cuDevicePrimaryCtxRetain(&g_primary, device))
      return cudaFailure(r, "cuDevicePrimaryCtxRetain(device %d)", ordinal);
    g_primaryDevice = ordinal;
  }
  if (CUresult r = g_drv.cuCtxSetCurrent(g_primary))
    return cudaFailure(r, "cuCtxSetCurrent(primary context of device %d)",
                       g_primaryDevice);
  return LINOP_OK;
}

linop_status enter(bool needContext) {
  if (linop_status s = linop_cuda_init())
    return s;
  return needContext ? ensureContext() : LINOP_OK;
}

linop_status getDevice(int ordinal, CUdevice &device) {
  int count = 0;
  if (CUresult r = g_drv.cuDeviceGetCount(&count))
    return cudaFailure(r, "cuDeviceGetCount");
  if (ordinal < 0 || ordinal >= count)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "CUDA device %d does not exist (%d device%s)",
                           ordinal, count, count == 1 ? "" : "s");
  if (CUresult r = g_drv.cuDeviceGet(&device, ordinal))
    return cudaFailure(r, "cuDeviceGet(%d)", ordinal);
  return LINOP_OK;
}

} // namespace

// The opaque types of the C API.
struct linop_cuda_function {
  CUfunction handle;
  std::string name;
  // The largest dynamic shared memory size enabled so far; raised under
  // sharedMutex so that concurrent launches cannot lower it again.
  std::atomic<unsigned> sharedLimit{kDefaultSharedLimit};
  std::mutex sharedMutex;
};

struct linop_cuda_module {
  CUmodule handle = nullptr;
  std::mutex mutex; // guards functions
  std::map<std::string, std::unique_ptr<linop_cuda_function>> functions;
};

extern "C" {

linop_status linop_cuda_init(void) {
  if (!g_initDone.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(g_initMutex);
    if (!g_initDone.load(std::memory_order_relaxed)) {
      g_initStatus = initOnce();
      if (g_initStatus != LINOP_OK)
        g_initMessage = linop_last_error();
      g_initDone.store(true, std::memory_order_release);
      return g_initStatus;
    }
  }
  // Repeat the first failure on this thread, whose message slot is its own.
  if (g_initStatus != LINOP_OK)
    return linop_set_error(g_initStatus, "%s", g_initMessage.c_str());
  return LINOP_OK;
}

linop_status linop_cuda_device_count(int *count) {
  if (linop_status s = linop_check_pointer(count, "count"))
    return s;
  *count = 0;
  if (linop_status s = enter(false))
    return s;
  if (CUresult r = g_drv.cuDeviceGetCount(count))
    return cudaFailure(r, "cuDeviceGetCount");
  return LINOP_OK;
}

linop_status linop_cuda_set_device(int device) {
  if (linop_status s = enter(false))
    return s;
  CUdevice handle = 0;
  if (linop_status s = getDevice(device, handle))
    return s;
  std::lock_guard<std::mutex> lock(g_contextMutex);
  if (g_primary && g_primaryDevice != device)
    return linop_set_error(LINOP_ERROR_UNSUPPORTED,
                           "linop_cuda_set_device(%d): device %d's context is "
                           "already in use; select the device before any "
                           "other CUDA call",
                           device, g_primaryDevice);
  g_device = device;
  return LINOP_OK;
}

linop_status linop_cuda_device_name(int device, char *name, size_t size) {
  if (linop_status s = linop_check_pointer(name, "name"))
    return s;
  if (size == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "linop_cuda_device_name: size must be > 0");
  name[0] = '\0';
  if (linop_status s = enter(false))
    return s;
  CUdevice handle = 0;
  if (linop_status s = getDevice(device, handle))
    return s;
  const int len = size > INT_MAX ? INT_MAX : static_cast<int>(size);
  if (CUresult r = g_drv.cuDeviceGetName(name, len, handle))
    return cudaFailure(r, "cuDeviceGetName(device %d)", device);
  return LINOP_OK;
}

linop_status linop_cuda_compute_capability(int device, int *major,
                                           int *minor) {
  if (linop_status s = linop_check_pointer(major, "major"))
    return s;
  if (linop_status s = linop_check_pointer(minor, "minor"))
    return s;
  if (linop_status s = enter(false))
    return s;
  CUdevice handle = 0;
  if (linop_status s = getDevice(device, handle))
    return s;
  if (CUresult r = g_drv.cuDeviceGetAttribute(
          major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle))
    return cudaFailure(r, "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
  if (CUresult r = g_drv.cuDeviceGetAttribute(
          minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle))
    return cudaFailure(r, "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
  return LINOP_OK;
}

linop_status linop_cuda_module_load(const void *image,
                                    linop_cuda_module **module) {
  if (linop_status s = linop_check_pointer(image, "image"))
    return s;
  if (linop_status s = linop_check_pointer(module, "module"))
    return s;
  // One lock for all modules: loads happen once per image, and this keeps
  // two threads from loading the same image into the same static.
  std::lock_guard<std::mutex> lock(g_moduleMutex);
  if (*module)
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  CUmodule handle = nullptr;
  if (CUresult r = g_drv.cuModuleLoadData(&handle, image)) {
    // Name the GPU: a common cause is an image built for another one.
    std::string gpu = "this GPU";
    int major = 0, minor = 0;
    CUdevice device = 0;
    if (g_primaryDevice >= 0 &&
        g_drv.cuDeviceGet(&device, g_primaryDevice) == CUDA_SUCCESS &&
        g_drv.cuDeviceGetAttribute(
            &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device) ==
            CUDA_SUCCESS &&
        g_drv.cuDeviceGetAttribute(
            &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device) ==
            CUDA_SUCCESS)
      gpu = "sm_" + std::to_string(major) + std::to_string(minor);
    return cudaFailure(r,
                       "cuModuleLoadData (is the cubin/fatbin/PTX image "
                       "valid and built for %s?)",
                       gpu.c_str());
  }
  linop_cuda_module *m = new (std::nothrow) linop_cuda_module;
  if (!m) {
    g_drv.cuModuleUnload(handle);
    return linop_set_error(LINOP_ERROR_OUT_OF_MEMORY,
                           "linop_cuda_module_load: out of memory");
  }
  m->handle = handle;
  *module = m;
  return LINOP_OK;
}

linop_status linop_cuda_module_unload(linop_cuda_module *module) {
  if (!module)
    return LINOP_OK;
  std::unique_ptr<linop_cuda_module> owned(module);
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuModuleUnload(module->handle))
    return cudaFailure(r, "cuModuleUnload");
  return LINOP_OK;
}

linop_status linop_cuda_get_function(linop_cuda_module *module,
                                     const char *name,
                                     linop_cuda_function **function) {
  if (linop_status s = linop_check_pointer(module, "module"))
    return s;
  if (linop_status s = linop_check_pointer(name, "name"))
    return s;
  if (linop_status s = linop_check_pointer(function, "function"))
    return s;
  *function = nullptr;
  if (linop_status s = enter(true))
    return s;
  std::lock_guard<std::mutex> lock(module->mutex);
  auto it = module->functions.find(name);
  if (it != module->functions.end()) {
    *function = it->second.get();
    return LINOP_OK;
  }
  CUfunction handle = nullptr;
  if (CUresult r = g_drv.cuModuleGetFunction(&handle, module->handle, name))
    return cudaFailure(r,
                       "cuModuleGetFunction(\"%s\") (is the kernel in this "
                       "image, under that exact, unmangled name?)",
                       name);
  auto fn = std::make_unique<linop_cuda_function>();
  fn->handle = handle;
  fn->name = name;
  *function = fn.get();
  module->functions.emplace(name, std::move(fn));
  return LINOP_OK;
}

linop_status linop_cuda_launch(linop_cuda_function *function,
                               const unsigned int grid[3],
                               const unsigned int block[3],
                               unsigned int shared_bytes, linop_stream stream,
                               void **args) {
  if (linop_status s = linop_check_pointer(function, "function"))
    return s;
  if (linop_status s = linop_check_pointer(grid, "grid"))
    return s;
  if (linop_status s = linop_check_pointer(block, "block"))
    return s;
  if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0 || block[0] == 0 ||
      block[1] == 0 || block[2] == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "launch of %s: grid (%u, %u, %u) and block (%u, "
                           "%u, %u) must have no zero dimension",
                           function->name.c_str(), grid[0], grid[1], grid[2],
                           block[0], block[1], block[2]);
  if (linop_status s = enter(true))
    return s;
  // Above 48 KiB a kernel must opt in to dynamic shared memory.
  if (shared_bytes > function->sharedLimit.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(function->sharedMutex);
    if (shared_bytes > function->sharedLimit.load(std::memory_order_relaxed)) {
      if (CUresult r = g_drv.cuFuncSetAttribute(
              function->handle,
              CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
              static_cast<int>(shared_bytes)))
        return cudaFailure(r,
                           "cuFuncSetAttribute(%s, "
                           "MAX_DYNAMIC_SHARED_SIZE_BYTES, %u)",
                           function->name.c_str(), shared_bytes);
      function->sharedLimit.store(shared_bytes, std::memory_order_release);
    }
  }
  if (CUresult r = g_drv.cuLaunchKernel(
          function->handle, grid[0], grid[1], grid[2], block[0], block[1],
          block[2], shared_bytes, static_cast<CUstream>(stream), args,
          nullptr))
    return cudaFailure(r,
                       "cuLaunchKernel(%s, grid=(%u, %u, %u), block=(%u, %u, "
                       "%u), shared=%u bytes)",
                       function->name.c_str(), grid[0], grid[1], grid[2],
                       block[0], block[1], block[2], shared_bytes);
  return LINOP_OK;
}

linop_status linop_cuda_malloc(linop_cuda_deviceptr *ptr, size_t bytes) {
  if (linop_status s = linop_check_pointer(ptr, "ptr"))
    return s;
  *ptr = 0;
  if (linop_status s = enter(true))
    return s;
  if (bytes == 0) // the driver rejects size 0; 0 is a valid "no memory"
    return LINOP_OK;
  if (CUresult r = g_drv.cuMemAlloc(ptr, bytes))
    return cudaFailure(r, "cuMemAlloc(%zu bytes)", bytes);
  return LINOP_OK;
}

linop_status linop_cuda_free(linop_cuda_deviceptr ptr) {
  if (ptr == 0)
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuMemFree(ptr))
    return cudaFailure(r, "cuMemFree(0x%llx)", ptr);
  return LINOP_OK;
}

linop_status linop_cuda_memcpy_htod(linop_cuda_deviceptr dst, const void *src,
                                    size_t bytes) {
  if (bytes == 0)
    return LINOP_OK;
  if (linop_status s = linop_check_pointer(src, "src"))
    return s;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuMemcpyHtoD(dst, src, bytes))
    return cudaFailure(r, "cuMemcpyHtoD(0x%llx, %p, %zu bytes)", dst, src,
                       bytes);
  return LINOP_OK;
}

linop_status linop_cuda_memcpy_dtoh(void *dst, linop_cuda_deviceptr src,
                                    size_t bytes) {
  if (bytes == 0)
    return LINOP_OK;
  if (linop_status s = linop_check_pointer(dst, "dst"))
    return s;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuMemcpyDtoH(dst, src, bytes))
    return cudaFailure(r, "cuMemcpyDtoH(%p, 0x%llx, %zu bytes)", dst, src,
                       bytes);
  return LINOP_OK;
}

linop_status linop_cuda_memset_d8(linop_cuda_deviceptr dst,
                                  unsigned char value, size_t bytes) {
  if (bytes == 0)
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuMemsetD8(dst, value, bytes))
    return cudaFailure(r, "cuMemsetD8(0x%llx, %u, %zu bytes)", dst,
                       static_cast<unsigned>(value), bytes);
  return LINOP_OK;
}

linop_status linop_cuda_stream_create(linop_stream *stream) {
  if (linop_status s = linop_check_pointer(stream, "stream"))
    return s;
  *stream = nullptr;
  if (linop_status s = enter(true))
    return s;
  CUstream handle = nullptr;
  if (CUresult r = g_drv.cuStreamCreate(&handle, 0))
    return cudaFailure(r, "cuStreamCreate");
  *stream = handle;
  return LINOP_OK;
}

linop_status linop_cuda_stream_destroy(linop_stream stream) {
  if (!stream) // the default stream is not ours to destroy
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuStreamDestroy(static_cast<CUstream>(stream)))
    return cudaFailure(r, "cuStreamDestroy(%p)", stream);
  return LINOP_OK;
}

linop_status linop_cuda_stream_synchronize(linop_stream stream) {
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuStreamSynchronize(static_cast<CUstream>(stream)))
    return cudaFailure(r, "cuStreamSynchronize(%p)", stream);
  return LINOP_OK;
}

linop_status linop_cuda_event_create(linop_cuda_event *event) {
  if (linop_status s = linop_check_pointer(event, "event"))
    return s;
  *event = nullptr;
  if (linop_status s = enter(true))
    return s;
  CUevent handle = nullptr;
  if (CUresult r = g_drv.cuEventCreate(&handle, 0))
    return cudaFailure(r, "cuEventCreate");
  *event = handle;
  return LINOP_OK;
}

linop_status linop_cuda_event_record(linop_cuda_event event,
                                     linop_stream stream) {
  if (linop_status s = linop_check_pointer(event, "event"))
    return s;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuEventRecord(static_cast<CUevent>(event),
                                       static_cast<CUstream>(stream)))
    return cudaFailure(r, "cuEventRecord(%p, stream %p)", event, stream);
  return LINOP_OK;
}

linop_status linop_cuda_event_synchronize(linop_cuda_event event) {
  if (linop_status s = linop_check_pointer(event, "event"))
    return s;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuEventSynchronize(static_cast<CUevent>(event)))
    return cudaFailure(r, "cuEventSynchronize(%p)", event);
  return LINOP_OK;
}

linop_status linop_cuda_event_elapsed_ms(float *ms, linop_cuda_event start,
                                         linop_cuda_event end) {
  if (linop_status s = linop_check_pointer(ms, "ms"))
    return s;
  if (linop_status s = linop_check_pointer(start, "start"))
    return s;
  if (linop_status s = linop_check_pointer(end, "end"))
    return s;
  *ms = 0.0f;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuEventElapsedTime(ms, static_cast<CUevent>(start),
                                            static_cast<CUevent>(end)))
    return cudaFailure(r, "cuEventElapsedTime(%p, %p)", start, end);
  return LINOP_OK;
}

linop_status linop_cuda_event_destroy(linop_cuda_event event) {
  if (!event)
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuEventDestroy(static_cast<CUevent>(event)))
    return cudaFailure(r, "cuEventDestroy(%p)", event);
  return LINOP_OK;
}

} // extern "C"
