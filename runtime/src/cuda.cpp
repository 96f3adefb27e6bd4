// The CUDA driver API, loaded with dlopen on first use.
//
// Linking libcuda would make the runtime (and every generated CPU kernel)
// fail to load on machines without an NVIDIA driver, and would tie it to the
// toolkit it was built with. Instead the few driver types are declared here
// and the entry points are looked up at run time from one table.
#include "linop/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <new>
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

// cuLaunchKernelEx's configuration; only the cluster attribute is used.
struct CUlaunchAttribute {
  int id;
  char pad[4];
  union alignas(8) {
    char raw[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};
struct CUlaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute *attrs;
  unsigned numAttrs;
};
static_assert(sizeof(CUlaunchAttribute) == 72, "CUlaunchAttribute layout");
static_assert(sizeof(CUlaunchConfig) == 56, "CUlaunchConfig layout");

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_STUB_LIBRARY = 34;
constexpr int CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0;
constexpr int CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1;
constexpr int CU_FUNC_ATTRIBUTE_NUM_REGS = 4;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5;
constexpr int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115;
constexpr int CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH = 120;
constexpr int CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2;
constexpr int CU_POINTER_ATTRIBUTE_IS_MANAGED = 8;
constexpr int CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL = 9;
constexpr int CU_POINTER_ATTRIBUTE_RANGE_START_ADDR = 11;
constexpr int CU_POINTER_ATTRIBUTE_RANGE_SIZE = 12;
constexpr unsigned CU_MEMORYTYPE_HOST = 1;
constexpr int CU_JIT_INFO_LOG_BUFFER = 3;
constexpr int CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_JIT_LOG_VERBOSE = 12;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4;
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
  X(cuMemcpyDtoDAsync, (CUdeviceptr, CUdeviceptr, size_t, CUstream),          \
    "cuMemcpyDtoDAsync_v2", nullptr, true)                                     \
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
  X(cuDriverGetVersion, (int *), "cuDriverGetVersion", nullptr, true)          \
  X(cuCtxGetDevice, (CUdevice *), "cuCtxGetDevice", nullptr, true)             \
  X(cuCtxPushCurrent, (CUcontext), "cuCtxPushCurrent_v2", nullptr, true)       \
  X(cuCtxPopCurrent, (CUcontext *), "cuCtxPopCurrent_v2", nullptr, true)       \
  X(cuModuleLoadDataEx, (CUmodule *, const void *, unsigned, int *, void **),  \
    "cuModuleLoadDataEx", nullptr, true)                                       \
  X(cuFuncGetAttribute, (int *, int, CUfunction), "cuFuncGetAttribute",        \
    nullptr, true)                                                             \
  X(cuOccupancyMaxActiveBlocksPerMultiprocessor,                               \
    (int *, CUfunction, int, size_t),                                          \
    "cuOccupancyMaxActiveBlocksPerMultiprocessor", nullptr, true)              \
  X(cuPointerGetAttributes, (unsigned, int *, void **, CUdeviceptr),           \
    "cuPointerGetAttributes", nullptr, true)                                   \
  /* Newer entry points: linop_cuda_run works around their absence or says */ \
  /* which one it needs. */                                                    \
  X(cuLaunchKernelEx, (const CUlaunchConfig *, CUfunction, void **, void **),  \
    "cuLaunchKernelEx", nullptr, false)                                        \
  X(cuOccupancyMaxActiveClusters,                                              \
    (int *, CUfunction, const CUlaunchConfig *),                               \
    "cuOccupancyMaxActiveClusters", nullptr, false)                            \
  X(cuMemAllocAsync, (CUdeviceptr *, size_t, CUstream), "cuMemAllocAsync",     \
    nullptr, false)                                                            \
  X(cuMemFreeAsync, (CUdeviceptr, CUstream), "cuMemFreeAsync", nullptr, false) \
  X(cuCtxGetId, (CUcontext, unsigned long long *), "cuCtxGetId", nullptr,      \
    false)

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

// "CUDA_ERROR_X (error code): <description>".
std::string describe(CUresult result) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (g_drv.cuGetErrorName && g_drv.cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (g_drv.cuGetErrorString &&
      g_drv.cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  return std::string(name ? name : "CUDA error") + " (error " +
         std::to_string(result) + "): " + (text ? text : "unknown error");
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
  const linop_status status = result == CUDA_ERROR_OUT_OF_MEMORY
                                  ? LINOP_ERROR_OUT_OF_MEMORY
                                  : LINOP_ERROR_CUDA;
  return linop_set_error(status, "%s failed: %s", call.c_str(),
                         describe(result).c_str());
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

// ---- linop_cuda_run's state ---------------------------------------------------

// Kernels without workspace may have this many waves of row groups in flight;
// a few waves even out the tail when other work shares the GPU, and the
// grid-stride loop takes the rest. With workspace, one wave keeps it small.
constexpr int64_t kWavesWithoutWorkspace = 4;
constexpr size_t kJitLogBytes = 16384;

// What linop_cuda_run needs to know about a device, queried once.
struct DeviceInfo {
  std::string name;
  int major = 0, minor = 0;
  int multiprocessors = 0;
  int sharedOptin = 0; // shared memory a block may opt in to, in bytes
  int maxGridX = 0;
  int clusterLaunch = 0;
  int memoryPools = 0;
};

std::mutex g_deviceMutex;
std::map<CUdevice, DeviceInfo> g_devices; // never erased: pointers stay valid

linop_status deviceInfo(CUdevice device, const DeviceInfo *&out) {
  std::lock_guard<std::mutex> lock(g_deviceMutex);
  auto it = g_devices.find(device);
  if (it == g_devices.end()) {
    DeviceInfo info;
    char name[256] = "";
    if (CUresult r = g_drv.cuDeviceGetName(name, sizeof name, device))
      return cudaFailure(r, "cuDeviceGetName(device %d)", device);
    info.name = name;
    const struct {
      int attribute;
      int *value;
      const char *what;
    } queries[] = {
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &info.major,
         "COMPUTE_CAPABILITY_MAJOR"},
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &info.minor,
         "COMPUTE_CAPABILITY_MINOR"},
        {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &info.multiprocessors,
         "MULTIPROCESSOR_COUNT"},
        {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
         &info.sharedOptin, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, &info.maxGridX, "MAX_GRID_DIM_X"},
    };
    for (const auto &q : queries)
      if (CUresult r = g_drv.cuDeviceGetAttribute(q.value, q.attribute, device))
        return cudaFailure(r, "cuDeviceGetAttribute(%s, device %d)", q.what,
                           device);
    // Drivers older than these attributes have neither feature.
    if (g_drv.cuDeviceGetAttribute(&info.clusterLaunch,
                                   CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH, device))
      info.clusterLaunch = 0;
    if (g_drv.cuDeviceGetAttribute(
            &info.memoryPools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
            device))
      info.memoryPools = 0;
    it = g_devices.emplace(device, std::move(info)).first;
  }
  out = &it->second;
  return LINOP_OK;
}

// "device 0 (NVIDIA H200, sm_90)"
std::string deviceText(CUdevice device, const DeviceInfo &info) {
  return "device " + std::to_string(device) + " (" + info.name + ", sm_" +
         std::to_string(info.major) + std::to_string(info.minor) + ")";
}

// "driver 13000 (CUDA 13.0)"
std::string driverText() {
  int v = 0;
  if (g_drv.cuDriverGetVersion(&v) != CUDA_SUCCESS)
    return "a driver of unknown version";
  return "driver " + std::to_string(v) + " (CUDA " + std::to_string(v / 1000) +
         "." + std::to_string(v % 1000 / 10) + ")";
}

// One kernel of an image loaded into one context.
struct KernelState {
  CUfunction function = nullptr;
  int maxThreads = 0; // reflects its registers and launch bounds
  int registers = 0;
  int staticShared = 0;
  int dynamicLimit = 0; // MAX_DYNAMIC_SHARED_SIZE_BYTES as set so far
  bool nonPortable = false;
  // The configuration that last passed the checks, and its row-group cap.
  unsigned threads = 0, shared = 0, cluster = 0;
  bool workspace = false;
  int64_t groupCap = 0;
};

// An image loaded into one context.
struct ContextImage {
  unsigned long long key = 0; // see contextKey
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  std::map<std::string, KernelState> kernels;
};

// Identifies a context for the module cache. cuCtxGetId's ids are never
// reused, unlike handles, which a new context may get after cuCtxDestroy.
linop_status contextKey(CUcontext context, unsigned long long &key) {
  key = reinterpret_cast<uintptr_t>(context);
  if (g_drv.cuCtxGetId)
    if (CUresult r = g_drv.cuCtxGetId(context, &key))
      return cudaFailure(r, "cuCtxGetId");
  return LINOP_OK;
}

std::string trimmed(const char *text) {
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// Loads a module from `data` (a cubin, fatbin or PTX) with the JIT's logs
// captured: the error log, then the info log, in `log`.
CUresult loadModule(const void *data, CUmodule &module, std::string &log) {
  std::vector<char> errorLog(kJitLogBytes, '\0'), infoLog(kJitLogBytes, '\0');
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                   CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  // Sizes travel as integers in the pointer-sized option values.
  void *values[] = {errorLog.data(),
                    reinterpret_cast<void *>(uintptr_t(kJitLogBytes - 1)),
                    infoLog.data(),
                    reinterpret_cast<void *>(uintptr_t(kJitLogBytes - 1))};
  const CUresult r = g_drv.cuModuleLoadDataEx(&module, data, 4, options, values);
  log = trimmed(errorLog.data());
  const std::string infoText = trimmed(infoLog.data());
  if (!infoText.empty())
    log += (log.empty() ? "" : "\n") + infoText;
  return r;
}

// Loads the binary (a cubin, or a fatbin whose PTX the driver JIT-compiles
// where no cubin fits), or else JIT-compiles the PTX; the message of a
// failure has the JIT log, the device and the driver.
linop_status loadImage(const linop_cuda_image &image, const char *library,
                       CUdevice device, const DeviceInfo &info,
                       CUmodule &module) {
  std::string binaryFailure, log;
  if (image.binary) {
    const CUresult r = loadModule(image.binary, module, log);
    if (r == CUDA_SUCCESS)
      return LINOP_OK;
    binaryFailure = "loading its binary failed: " + describe(r) +
                    (log.empty() ? "" : " (JIT log: " + log + ")");
  }
  if (!image.ptx)
    return linop_set_error(LINOP_ERROR_CUDA,
                           "library %s: cannot load its kernels on %s with "
                           "%s: %s, and it has no PTX to fall back on",
                           library, deviceText(device, info).c_str(),
                           driverText().c_str(), binaryFailure.c_str());
  const CUresult r = loadModule(image.ptx, module, log);
  if (r == CUDA_SUCCESS)
    return LINOP_OK;
  return linop_set_error(
      r == CUDA_ERROR_OUT_OF_MEMORY ? LINOP_ERROR_OUT_OF_MEMORY
                                    : LINOP_ERROR_CUDA,
      "library %s: cannot load its kernels on %s with %s: %s%sJIT-compiling "
      "its PTX failed: %s; JIT log: %s",
      library, deviceText(device, info).c_str(), driverText().c_str(),
      binaryFailure.c_str(), binaryFailure.empty() ? "" : "; ",
      describe(r).c_str(), log.empty() ? "(empty)" : log.c_str());
}

// Finds the image's module in the current context, loading it on first use.
// Called with the linop_cuda_module's mutex held.
linop_status imageInContext(std::vector<std::unique_ptr<ContextImage>> &loaded,
                            const linop_cuda_image &image, const char *library,
                            CUcontext context, CUdevice device,
                            const DeviceInfo &info, ContextImage *&out) {
  unsigned long long key = 0;
  if (linop_status s = contextKey(context, key))
    return s;
  for (auto &entry : loaded)
    if (entry->key == key) {
      out = entry.get();
      return LINOP_OK;
    }
  auto entry = std::make_unique<ContextImage>();
  entry->key = key;
  entry->context = context;
  if (linop_status s = loadImage(image, library, device, info, entry->module))
    return s;
  out = entry.get();
  loaded.push_back(std::move(entry));
  return LINOP_OK;
}

// A 1-D launch of `k` with `grid` blocks, clustered along x when
// k.cluster > 1; `attribute` must outlive the configuration.
CUlaunchConfig launchConfig(const linop_cuda_kernel &k, unsigned grid,
                            CUstream stream, CUlaunchAttribute &attribute) {
  attribute = CUlaunchAttribute{};
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attribute.value.clusterDim = {k.cluster, 1, 1};
  CUlaunchConfig config{};
  config.gridDimX = grid;
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = k.threads;
  config.blockDimY = config.blockDimZ = 1;
  config.sharedMemBytes = k.shared_bytes;
  config.hStream = stream;
  config.attrs = &attribute;
  config.numAttrs = k.cluster > 1 ? 1 : 0;
  return config;
}

// Checks that `k` fits the device (see linop_cuda_run) and computes how many
// row groups may be in flight. The result is kept for the next call with the
// same configuration.
linop_status checkKernel(const char *library, const linop_cuda_kernel &k,
                         CUdevice device, const DeviceInfo &info,
                         KernelState &state) {
  const std::string dev = deviceText(device, info);
  if (k.threads > unsigned(state.maxThreads))
    return linop_set_error(
        LINOP_ERROR_UNSUPPORTED,
        "library %s, kernel %s: %u threads per block, but it can have at most "
        "%d on %s (MAX_THREADS_PER_BLOCK, given its %d registers per thread "
        "and launch bounds)",
        library, k.name, k.threads, state.maxThreads, dev.c_str(),
        state.registers);
  const int64_t sharedTotal = int64_t(state.staticShared) + k.shared_bytes;
  if (sharedTotal > info.sharedOptin)
    return linop_set_error(
        LINOP_ERROR_UNSUPPORTED,
        "library %s, kernel %s: %d bytes of static and %u bytes of dynamic "
        "shared memory per block, more than the %d bytes %s allows "
        "(MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)",
        library, k.name, state.staticShared, k.shared_bytes, info.sharedOptin,
        dev.c_str());
  // Above the default limit a kernel must opt in.
  if (k.shared_bytes > unsigned(state.dynamicLimit)) {
    if (CUresult r = g_drv.cuFuncSetAttribute(
            state.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            int(k.shared_bytes)))
      return cudaFailure(r,
                         "library %s: cuFuncSetAttribute(%s, "
                         "MAX_DYNAMIC_SHARED_SIZE_BYTES, %u)",
                         library, k.name, k.shared_bytes);
    state.dynamicLimit = int(k.shared_bytes);
  }
  int64_t resident = 0; // row groups that fit on the device at once
  if (k.cluster == 1) {
    int blocks = 0;
    if (CUresult r = g_drv.cuOccupancyMaxActiveBlocksPerMultiprocessor(
            &blocks, state.function, int(k.threads), k.shared_bytes))
      return cudaFailure(r,
                         "library %s: "
                         "cuOccupancyMaxActiveBlocksPerMultiprocessor(%s, %u "
                         "threads, %u bytes)",
                         library, k.name, k.threads, k.shared_bytes);
    if (blocks == 0)
      return linop_set_error(
          LINOP_ERROR_UNSUPPORTED,
          "library %s, kernel %s: a block of %u threads (%d registers each) "
          "with %u bytes of dynamic shared memory does not fit on a "
          "multiprocessor of %s",
          library, k.name, k.threads, state.registers, k.shared_bytes,
          dev.c_str());
    resident = int64_t(blocks) * info.multiprocessors;
  } else {
    if (!info.clusterLaunch)
      return linop_set_error(LINOP_ERROR_UNSUPPORTED,
                             "library %s, kernel %s: %s cannot launch "
                             "thread-block clusters",
                             library, k.name, dev.c_str());
    if (!g_drv.cuLaunchKernelEx || !g_drv.cuOccupancyMaxActiveClusters)
      return linop_set_error(LINOP_ERROR_UNSUPPORTED,
                             "library %s, kernel %s: clusters need "
                             "cuLaunchKernelEx and "
                             "cuOccupancyMaxActiveClusters, which %s (%s) "
                             "lacks; update the driver",
                             library, k.name, driverText().c_str(),
                             g_drv.path.c_str());
    if (k.cluster > 8 && !state.nonPortable) {
      if (CUresult r = g_drv.cuFuncSetAttribute(
              state.function,
              CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1))
        return linop_set_error(
            LINOP_ERROR_UNSUPPORTED,
            "library %s, kernel %s: clusters of %u blocks are above the "
            "portable 8 and %s does not allow them: "
            "cuFuncSetAttribute(NON_PORTABLE_CLUSTER_SIZE_ALLOWED) failed: %s",
            library, k.name, k.cluster, dev.c_str(), describe(r).c_str());
      state.nonPortable = true;
    }
    CUlaunchAttribute attribute;
    const CUlaunchConfig config =
        launchConfig(k, k.cluster, nullptr, attribute);
    int clusters = 0;
    const CUresult r =
        g_drv.cuOccupancyMaxActiveClusters(&clusters, state.function, &config);
    if (r != CUDA_SUCCESS || clusters == 0)
      return linop_set_error(
          LINOP_ERROR_UNSUPPORTED,
          "library %s, kernel %s: a cluster of %u blocks of %u threads with "
          "%u bytes of dynamic shared memory each cannot be scheduled on %s "
          "(cuOccupancyMaxActiveClusters: %s)",
          library, k.name, k.cluster, k.threads, k.shared_bytes, dev.c_str(),
          r == CUDA_SUCCESS ? "0 clusters" : describe(r).c_str());
    resident = clusters;
  }
  const bool workspace = k.workspace_bytes > 0;
  state.groupCap = std::min<int64_t>(
      resident * (workspace ? 1 : kWavesWithoutWorkspace),
      info.maxGridX / int64_t(k.cluster));
  state.threads = k.threads;
  state.shared = k.shared_bytes;
  state.cluster = k.cluster;
  state.workspace = workspace;
  return LINOP_OK;
}

// Looks the kernel up in the loaded image (once) and checks it (once per
// configuration); `groupCap` is how many row groups may be in flight.
linop_status prepareKernel(const char *library, const linop_cuda_kernel &k,
                           ContextImage &image, CUdevice device,
                           const DeviceInfo &info, CUfunction &function,
                           int64_t &groupCap) {
  auto it = image.kernels.find(k.name);
  if (it == image.kernels.end()) {
    KernelState state;
    if (CUresult r =
            g_drv.cuModuleGetFunction(&state.function, image.module, k.name))
      return cudaFailure(r,
                         "library %s: cuModuleGetFunction(\"%s\") (is the "
                         "kernel in this image, under that exact, unmangled "
                         "name?)",
                         library, k.name);
    const struct {
      int attribute;
      int *value;
      const char *what;
    } queries[] = {
        {CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &state.maxThreads,
         "MAX_THREADS_PER_BLOCK"},
        {CU_FUNC_ATTRIBUTE_NUM_REGS, &state.registers, "NUM_REGS"},
        {CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, &state.staticShared,
         "SHARED_SIZE_BYTES"},
        {CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, &state.dynamicLimit,
         "MAX_DYNAMIC_SHARED_SIZE_BYTES"},
    };
    for (const auto &q : queries)
      if (CUresult r =
              g_drv.cuFuncGetAttribute(q.value, q.attribute, state.function))
        return cudaFailure(r, "library %s: cuFuncGetAttribute(%s, %s)",
                           library, k.name, q.what);
    it = image.kernels.emplace(k.name, state).first;
  }
  KernelState &state = it->second;
  const bool workspace = k.workspace_bytes > 0;
  if (state.groupCap == 0 || state.threads != k.threads ||
      state.shared != k.shared_bytes || state.cluster != k.cluster ||
      state.workspace != workspace)
    if (linop_status s = checkKernel(library, k, device, info, state))
      return s;
  function = state.function;
  groupCap = state.groupCap;
  return LINOP_OK;
}

// LINOP_CUDA_SYNC, read once: anything but unset, "" or "0" turns it on.
bool syncAfterEachLaunch() {
  static const bool sync = [] {
    const char *env = std::getenv("LINOP_CUDA_SYNC");
    return env && *env && std::strcmp(env, "0") != 0;
  }();
  return sync;
}

linop_status launchKernel(const char *library, const linop_cuda_kernel &k,
                          CUfunction function, unsigned groups,
                          linop_cuda_args &args, CUstream stream) {
  const unsigned grid = groups * k.cluster;
  void *params[] = {&args};
  CUresult r;
  if (g_drv.cuLaunchKernelEx) {
    CUlaunchAttribute attribute;
    const CUlaunchConfig config = launchConfig(k, grid, stream, attribute);
    r = g_drv.cuLaunchKernelEx(&config, function, params, nullptr);
  } else { // an old driver; checkKernel refused clusters
    r = g_drv.cuLaunchKernel(function, grid, 1, 1, k.threads, 1, 1,
                             k.shared_bytes, stream, params, nullptr);
  }
  if (r != CUDA_SUCCESS)
    return cudaFailure(r,
                       "library %s: launching kernel %s (grid %u, block %u, "
                       "cluster %u, %u bytes of dynamic shared memory)",
                       library, k.name, grid, k.threads, k.cluster,
                       k.shared_bytes);
  if (syncAfterEachLaunch())
    if (CUresult r = g_drv.cuStreamSynchronize(stream))
      return cudaFailure(r,
                         "library %s: kernel %s (synchronized after its "
                         "launch because LINOP_CUDA_SYNC is set)",
                         library, k.name);
  return LINOP_OK;
}

// One linop_cuda_run's device scratch: stream-ordered where the device has
// memory pools, else allocated plainly and freed after a synchronization.
struct Workspace {
  CUdeviceptr ptr = 0;
  bool streamOrdered = false;
};

linop_status allocateWorkspace(const char *library, size_t bytes,
                               const DeviceInfo &info, CUstream stream,
                               Workspace &ws) {
  if (bytes == 0)
    return LINOP_OK;
  ws.streamOrdered =
      info.memoryPools && g_drv.cuMemAllocAsync && g_drv.cuMemFreeAsync;
  const CUresult r = ws.streamOrdered
                         ? g_drv.cuMemAllocAsync(&ws.ptr, bytes, stream)
                         : g_drv.cuMemAlloc(&ws.ptr, bytes);
  if (r != CUDA_SUCCESS) {
    ws.ptr = 0;
    return cudaFailure(r, "library %s: allocating %zu bytes of workspace (%s)",
                       library, bytes,
                       ws.streamOrdered ? "cuMemAllocAsync" : "cuMemAlloc");
  }
  return LINOP_OK;
}

linop_status freeWorkspace(const char *library, Workspace &ws,
                           CUstream stream) {
  if (ws.ptr == 0)
    return LINOP_OK;
  CUresult r = CUDA_SUCCESS;
  if (ws.streamOrdered) {
    r = g_drv.cuMemFreeAsync(ws.ptr, stream);
  } else {
    r = g_drv.cuStreamSynchronize(stream);
    const CUresult f = g_drv.cuMemFree(ws.ptr);
    if (r == CUDA_SUCCESS)
      r = f;
  }
  ws.ptr = 0;
  if (r != CUDA_SUCCESS)
    return cudaFailure(r, "library %s: freeing the workspace", library);
  return LINOP_OK;
}

const char *libraryName(const linop_cuda_image *image) {
  return image && image->library ? image->library : "(unnamed library)";
}

// linop_cuda_run's checks that need no driver.
linop_status checkRunArguments(linop_cuda_module **module,
                               const linop_cuda_image *image,
                               const linop_cuda_kernel *kernels, int count,
                               const linop_cuda_args *args) {
  if (linop_status s = linop_check_pointer(module, "module"))
    return s;
  if (linop_status s = linop_check_pointer(image, "image"))
    return s;
  if (linop_status s = linop_check_pointer(args, "args"))
    return s;
  const char *library = libraryName(image);
  if (!image->binary && !image->ptx)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "library %s: the image has neither a binary nor "
                           "PTX",
                           library);
  if (image->binary && image->binary_bytes == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "library %s: the binary is given with 0 bytes",
                           library);
  if (count < 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "library %s: kernel count must be >= 0, got %d",
                           library, count);
  if (count > 0)
    if (linop_status s = linop_check_pointer(kernels, "kernels"))
      return s;
  if (args->batch < 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "library %s: batch must be >= 0, got %lld",
                           library, static_cast<long long>(args->batch));
  for (int i = 0; i < count; ++i) {
    const linop_cuda_kernel &k = kernels[i];
    if (!k.name || !*k.name)
      return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                             "library %s: kernel %d has no name", library, i);
    if (k.threads == 0 || k.rows == 0 || k.cluster == 0 || k.cluster > 16)
      return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                             "library %s, kernel %s: threads (%u) and rows "
                             "(%u) must be >= 1 and cluster (%u) in 1..16",
                             library, k.name, k.threads, k.rows, k.cluster);
  }
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
  std::mutex mutex; // guards functions and loaded
  // linop_cuda_module_load's module, in the context current when loaded.
  CUmodule handle = nullptr;
  std::map<std::string, std::unique_ptr<linop_cuda_function>> functions;
  // linop_cuda_run's: one per context the image was loaded into.
  std::vector<std::unique_ptr<ContextImage>> loaded;
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
  if (module->handle)
    if (CUresult r = g_drv.cuModuleUnload(module->handle))
      return cudaFailure(r, "cuModuleUnload");
  // linop_cuda_run's modules, each in its own context. A context destroyed
  // since took its module with it: its id is gone (or, for a reused handle,
  // different).
  for (const auto &entry : module->loaded) {
    unsigned long long key = 0;
    if (g_drv.cuCtxGetId &&
        (g_drv.cuCtxGetId(entry->context, &key) != CUDA_SUCCESS ||
         key != entry->key))
      continue;
    if (CUresult r = g_drv.cuCtxPushCurrent(entry->context))
      return cudaFailure(r, "cuCtxPushCurrent (to unload a module)");
    const CUresult r = g_drv.cuModuleUnload(entry->module);
    CUcontext popped = nullptr;
    g_drv.cuCtxPopCurrent(&popped);
    if (r != CUDA_SUCCESS)
      return cudaFailure(r, "cuModuleUnload");
  }
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

linop_status linop_cuda_check_offsets(linop_cuda_deviceptr offsets,
                                      int offset_bytes, int64_t stride,
                                      int64_t rows, int64_t sequences,
                                      int64_t T, linop_stream stream) {
  if (rows <= 0)
    return LINOP_OK;
  if (offsets == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "chunked recurrence: the offsets are 0");
  if (sequences < 0 || (rows > 1 && stride < sequences + 1))
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "chunked recurrence: %lld sequences with a stride "
                           "of %lld offsets between batch entries",
                           static_cast<long long>(sequences),
                           static_cast<long long>(stride));
  if (linop_status s = enter(true))
    return s;
  // The last row needs only its N + 1 offsets, not a whole stride.
  const size_t bytes = offset_bytes == 4 ? 4 : 8,
               count = size_t((rows - 1) * stride + sequences + 1);
  std::vector<char> host;
  try {
    host.resize(count * bytes);
  } catch (const std::bad_alloc &) {
    return linop_set_error(LINOP_ERROR_OUT_OF_MEMORY,
                           "chunked recurrence: out of memory for a host copy "
                           "of %zu offsets",
                           count);
  }
  if (CUresult r = g_drv.cuStreamSynchronize(static_cast<CUstream>(stream)))
    return cudaFailure(r, "cuStreamSynchronize before reading the offsets");
  if (CUresult r = g_drv.cuMemcpyDtoH(host.data(), offsets, host.size()))
    return cudaFailure(r, "cuMemcpyDtoH(offsets 0x%llx, %zu bytes)", offsets,
                       host.size());
  return linop_check_offsets(host.data(), offset_bytes, stride, rows,
                             sequences, T);
}

linop_status linop_cuda_memcpy_dtod(linop_cuda_deviceptr dst,
                                    linop_cuda_deviceptr src, size_t bytes,
                                    linop_stream stream) {
  if (bytes == 0)
    return LINOP_OK;
  if (linop_status s = enter(true))
    return s;
  if (CUresult r = g_drv.cuMemcpyDtoDAsync(dst, src, bytes,
                                           static_cast<CUstream>(stream)))
    return cudaFailure(r, "cuMemcpyDtoDAsync(0x%llx, 0x%llx, %zu bytes)", dst,
                       src, bytes);
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

linop_status linop_cuda_driver_version(int *version) {
  if (linop_status s = linop_check_pointer(version, "version"))
    return s;
  *version = 0;
  if (linop_status s = enter(false))
    return s;
  if (CUresult r = g_drv.cuDriverGetVersion(version))
    return cudaFailure(r, "cuDriverGetVersion");
  return LINOP_OK;
}

linop_status linop_cuda_run(linop_cuda_module **module,
                            const linop_cuda_image *image,
                            const linop_cuda_kernel *kernels, int count,
                            const linop_cuda_args *args, linop_stream stream) {
  static_assert(sizeof(linop_cuda_args) == 272 &&
                    offsetof(linop_cuda_args, workspace) == 264,
                "linop_cuda_args must match linop/cuda_device.h");
  if (linop_status s = checkRunArguments(module, image, kernels, count, args))
    return s;
  if (args->batch == 0 || count == 0)
    return LINOP_OK;
  const char *library = libraryName(image);
  if (linop_status s = enter(true))
    return s;
  CUcontext context = nullptr;
  if (CUresult r = g_drv.cuCtxGetCurrent(&context))
    return cudaFailure(r, "cuCtxGetCurrent");
  CUdevice device = 0;
  if (CUresult r = g_drv.cuCtxGetDevice(&device))
    return cudaFailure(r, "cuCtxGetDevice");
  const DeviceInfo *info = nullptr;
  if (linop_status s = deviceInfo(device, info))
    return s;
  if (info->major < 9)
    return linop_set_error(LINOP_ERROR_UNSUPPORTED,
                           "library %s needs a GPU of compute capability 9.0 "
                           "or newer (thread-block clusters), but the current "
                           "context is on %s",
                           library, deviceText(device, *info).c_str());

  linop_cuda_module *m = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_moduleMutex);
    if (!*module) {
      *module = new (std::nothrow) linop_cuda_module;
      if (!*module)
        return linop_set_error(LINOP_ERROR_OUT_OF_MEMORY,
                               "library %s: out of memory", library);
    }
    m = *module;
  }

  // Load, look up and check everything before launching anything.
  const CUstream cuStream = static_cast<CUstream>(stream);
  std::vector<CUfunction> functions(static_cast<size_t>(count));
  std::vector<unsigned> groups(static_cast<size_t>(count));
  size_t workspaceBytes = 0;
  {
    std::lock_guard<std::mutex> lock(m->mutex);
    ContextImage *loaded = nullptr;
    if (linop_status s = imageInContext(m->loaded, *image, library, context,
                                        device, *info, loaded))
      return s;
    for (int i = 0; i < count; ++i) {
      const linop_cuda_kernel &k = kernels[i];
      int64_t cap = 0;
      if (linop_status s = prepareKernel(library, k, *loaded, device, *info,
                                         functions[size_t(i)], cap))
        return s;
      // Split kernels run on batch * subrows sub-rows.
      const int64_t subrows = k.subrows > 1 ? k.subrows : 1;
      if (args->batch > INT64_MAX / subrows)
        return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                               "library %s, kernel %s: a batch of %lld rows "
                               "of %lld sub-rows overflows",
                               library, k.name,
                               static_cast<long long>(args->batch),
                               static_cast<long long>(subrows));
      const int64_t rowGroups = (args->batch * subrows - 1) / k.rows + 1;
      groups[size_t(i)] = static_cast<unsigned>(std::min(rowGroups, cap));
      if (k.workspace_bytes > 0) {
        if (k.workspace_bytes > SIZE_MAX / groups[size_t(i)])
          return linop_set_error(LINOP_ERROR_OUT_OF_MEMORY,
                                 "library %s, kernel %s: %u row groups of "
                                 "%llu bytes of workspace overflow size_t",
                                 library, k.name, groups[size_t(i)],
                                 static_cast<unsigned long long>(
                                     k.workspace_bytes));
        workspaceBytes = std::max<size_t>(
            workspaceBytes, k.workspace_bytes * groups[size_t(i)]);
      }
    }
  }

  Workspace ws;
  if (linop_status s =
          allocateWorkspace(library, workspaceBytes, *info, cuStream, ws))
    return s;
  linop_cuda_args launchArgs = *args;
  launchArgs.workspace = ws.ptr;
  linop_status status = LINOP_OK;
  for (int i = 0; i < count && status == LINOP_OK; ++i)
    status = launchKernel(library, kernels[i], functions[size_t(i)],
                          groups[size_t(i)], launchArgs, cuStream);
  // Free even after a failed launch, but report the launch's error.
  if (status != LINOP_OK) {
    const std::string message = linop_last_error();
    freeWorkspace(library, ws, cuStream);
    return linop_set_error(status, "%s", message.c_str());
  }
  return freeWorkspace(library, ws, cuStream);
}

linop_status linop_cuda_check_pointer(linop_cuda_deviceptr p, size_t bytes,
                                      size_t align, const char *name) {
  const char *arg = name ? name : "(unnamed)";
  if (p == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s' is 0", arg);
  if (align & (align - 1))
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "linop_cuda_check_pointer('%s'): align must be a "
                           "power of two, got %zu",
                           arg, align);
  if (align > 1 && p % align != 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s' (0x%llx) is not aligned to "
                           "%zu bytes",
                           arg, p, align);
  if (bytes > 0 && p + bytes - 1 < p)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s' (0x%llx): %zu bytes wrap "
                           "around the address space",
                           arg, p, bytes);
  if (linop_status s = enter(true))
    return s;
  unsigned memoryType = 0;
  unsigned long long managed = 0; // "a boolean": any width reads as nonzero
  int ordinal = -1;
  CUdeviceptr start = 0;
  size_t size = 0;
  int attributes[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                      CU_POINTER_ATTRIBUTE_IS_MANAGED,
                      CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL,
                      CU_POINTER_ATTRIBUTE_RANGE_START_ADDR,
                      CU_POINTER_ATTRIBUTE_RANGE_SIZE};
  void *data[] = {&memoryType, &managed, &ordinal, &start, &size};
  // Unknown (host) pointers either fail or come back with memory type 0.
  if (CUresult r = g_drv.cuPointerGetAttributes(5, attributes, data, p))
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s' (0x%llx) is not CUDA memory "
                           "(host memory?): cuPointerGetAttributes failed: %s",
                           arg, p, describe(r).c_str());
  if (memoryType == 0)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s' (0x%llx) is not CUDA memory "
                           "(host memory?)",
                           arg, p);
  if (!managed) {
    if (memoryType == CU_MEMORYTYPE_HOST)
      return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                             "device pointer '%s' (0x%llx) is host memory "
                             "(page-locked), not device or managed memory",
                             arg, p);
    CUdevice current = 0;
    if (CUresult r = g_drv.cuCtxGetDevice(&current))
      return cudaFailure(r, "cuCtxGetDevice");
    if (ordinal != current)
      return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                             "device pointer '%s' (0x%llx) is memory of "
                             "device %d, but the current context is on "
                             "device %d",
                             arg, p, ordinal, current);
  }
  if (bytes > 0 && size > 0 && (p < start || p - start > size ||
                                bytes > size - (p - start)))
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "device pointer '%s': [0x%llx, +%zu bytes) does "
                           "not fit in its allocation [0x%llx, +%zu bytes)",
                           arg, p, bytes, start, size);
  return LINOP_OK;
}

} // extern "C"
