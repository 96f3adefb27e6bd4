//===- Nvrtc.cpp - NVRTC, loaded at run time -------------------------------===//
//
// The few NVRTC entry points are declared here and looked up with dlsym, so
// that nothing links libnvrtc: a machine without the toolkit runs linopc for
// the CPU and gets a clear message for the CUDA target.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/Nvrtc.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <memory>

// Generated from runtime/include/linop/cuda_device.h at configure time.
#include "cuda_device.inc"
#include "cuda_recurrence.inc"

namespace linop::cuda {
namespace {

using nvrtcResult = int;
using nvrtcProgram = struct _nvrtcProgram *;
constexpr nvrtcResult NVRTC_SUCCESS = 0;

struct Nvrtc {
  std::string path;    // the library loaded
  std::string failure; // or why none could be
  int major = 0, minor = 0;
  const char *(*getErrorString)(nvrtcResult) = nullptr;
  nvrtcResult (*version)(int *, int *) = nullptr;
  nvrtcResult (*createProgram)(nvrtcProgram *, const char *, const char *, int,
                               const char *const *,
                               const char *const *) = nullptr;
  nvrtcResult (*destroyProgram)(nvrtcProgram *) = nullptr;
  nvrtcResult (*compileProgram)(nvrtcProgram, int,
                                const char *const *) = nullptr;
  nvrtcResult (*getProgramLogSize)(nvrtcProgram, size_t *) = nullptr;
  nvrtcResult (*getProgramLog)(nvrtcProgram, char *) = nullptr;
  nvrtcResult (*getPTXSize)(nvrtcProgram, size_t *) = nullptr;
  nvrtcResult (*getPTX)(nvrtcProgram, char *) = nullptr;
  nvrtcResult (*getCUBINSize)(nvrtcProgram, size_t *) = nullptr;
  nvrtcResult (*getCUBIN)(nvrtcProgram, char *) = nullptr;
};

std::vector<std::string> candidates() {
  if (const char *path = std::getenv("LINOP_NVRTC_LIBRARY"); path && *path)
    return {path};
  const char *names[] = {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};
  std::vector<std::string> dirs = {""};
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    dirs.push_back(std::string(home) + "/lib64/");
  dirs.push_back("/usr/local/cuda/lib64/");
  std::vector<std::string> out;
  for (const std::string &dir : dirs)
    for (const char *name : names)
      out.push_back(dir + name);
  return out;
}

// Copies dlsym's result into a function pointer (POSIX guarantees the bits
// fit); false if the symbol is missing.
template <class Fn> bool bind(void *handle, const char *symbol, Fn &fn) {
  void *p = dlsym(handle, symbol);
  static_assert(sizeof(p) == sizeof(fn), "function pointer size");
  std::memcpy(&fn, &p, sizeof p);
  return p != nullptr;
}

Nvrtc loadNvrtc() {
  Nvrtc nv;
  void *handle = nullptr;
  std::string tried;
  for (const std::string &name : candidates()) {
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      nv.path = name;
      break;
    }
    const char *why = dlerror();
    tried += (tried.empty() ? "" : "; ") + name + ": " +
             (why ? why : "unknown error");
  }
  if (!handle) {
    nv.failure = "NVRTC (the CUDA toolkit's runtime compiler) not found; "
                 "tried " + tried +
                 ". Install the CUDA toolkit or set LINOP_NVRTC_LIBRARY to "
                 "libnvrtc's path";
    return nv;
  }
  std::string missing;
  const auto need = [&](const char *symbol, auto &fn) {
    if (!bind(handle, symbol, fn))
      missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  need("nvrtcGetErrorString", nv.getErrorString);
  need("nvrtcVersion", nv.version);
  need("nvrtcCreateProgram", nv.createProgram);
  need("nvrtcDestroyProgram", nv.destroyProgram);
  need("nvrtcCompileProgram", nv.compileProgram);
  need("nvrtcGetProgramLogSize", nv.getProgramLogSize);
  need("nvrtcGetProgramLog", nv.getProgramLog);
  need("nvrtcGetPTXSize", nv.getPTXSize);
  need("nvrtcGetPTX", nv.getPTX);
  need("nvrtcGetCUBINSize", nv.getCUBINSize);
  need("nvrtcGetCUBIN", nv.getCUBIN);
  if (!missing.empty()) {
    nv.failure = nv.path + " is not a usable NVRTC: it lacks " + missing +
                 " (NVRTC 11.1 or newer is needed)";
    dlclose(handle);
    return nv;
  }
  nv.version(&nv.major, &nv.minor);
  return nv; // the handle stays open for the life of the process
}

// Loaded once; the result, success or failure, is kept.
const Nvrtc &nvrtc() {
  static const Nvrtc nv = loadNvrtc();
  return nv;
}

std::string errorText(const Nvrtc &nv, nvrtcResult r) {
  const char *text = nv.getErrorString(r);
  return std::string(text ? text : "unknown NVRTC error") + " (" +
         std::to_string(r) + ")";
}

// One NVRTC compilation for `arch`; the cubin or the PTX goes to `code`.
bool compileFor(const Nvrtc &nv, const std::string &name,
                const std::string &source,
                const std::vector<std::pair<std::string, std::string>> &headers,
                const std::vector<std::string> &options,
                const std::string &arch, bool cubin, std::string &code,
                std::string &log, std::string &error) {
  std::vector<const char *> headerTexts, headerNames;
  for (const auto &[include, text] : headers) {
    headerNames.push_back(include.c_str());
    headerTexts.push_back(text.c_str());
  }
  nvrtcProgram program = nullptr;
  if (nvrtcResult r = nv.createProgram(
          &program, source.c_str(), name.c_str(), int(headers.size()),
          headerTexts.data(), headerNames.data())) {
    error = "nvrtcCreateProgram(" + name + ") failed: " + errorText(nv, r);
    return false;
  }
  const auto destroy = [&nv](nvrtcProgram *p) { nv.destroyProgram(p); };
  std::unique_ptr<nvrtcProgram, decltype(destroy)> guard(&program, destroy);

  std::vector<std::string> args = {arch, "-std=c++17"};
  args.insert(args.end(), options.begin(), options.end());
  std::vector<const char *> argv;
  for (const std::string &arg : args)
    argv.push_back(arg.c_str());
  const nvrtcResult compiled =
      nv.compileProgram(program, int(argv.size()), argv.data());

  size_t logSize = 0;
  log.clear();
  if (nv.getProgramLogSize(program, &logSize) == NVRTC_SUCCESS &&
      logSize > 1) {
    log.resize(logSize);
    if (nv.getProgramLog(program, log.data()) != NVRTC_SUCCESS)
      log.clear();
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n'))
      log.pop_back();
  }
  if (compiled != NVRTC_SUCCESS) {
    error = "NVRTC " + std::to_string(nv.major) + "." +
            std::to_string(nv.minor) + " could not compile " + name + " (" +
            arch + "): " + errorText(nv, compiled) + "\n" +
            (log.empty() ? "(empty log)" : log);
    return false;
  }

  size_t size = 0;
  const nvrtcResult sized =
      cubin ? nv.getCUBINSize(program, &size) : nv.getPTXSize(program, &size);
  code.assign(size, '\0');
  const nvrtcResult got = sized != NVRTC_SUCCESS ? sized
                          : cubin ? nv.getCUBIN(program, code.data())
                                  : nv.getPTX(program, code.data());
  if (got != NVRTC_SUCCESS) {
    error = "NVRTC compiled " + name + " (" + arch + ") but returned no " +
            (cubin ? "cubin" : "PTX") + ": " + errorText(nv, got);
    return false;
  }
  if (!cubin) // the PTX size counts its NUL
    while (!code.empty() && code.back() == '\0')
      code.pop_back();
  return true;
}

} // namespace

bool nvrtcAvailable(std::string &why) {
  const Nvrtc &nv = nvrtc();
  if (!nv.failure.empty()) {
    why = nv.failure;
    return false;
  }
  why = "NVRTC " + std::to_string(nv.major) + "." + std::to_string(nv.minor) +
        " (" + nv.path + ")";
  return true;
}

bool compileCuda(const std::string &name, const std::string &source,
                 const std::vector<std::pair<std::string, std::string>> &headers,
                 const std::vector<std::string> &options, NvrtcResult &out,
                 std::string &error) {
  out = NvrtcResult();
  const Nvrtc &nv = nvrtc();
  if (!nv.failure.empty()) {
    error = nv.failure;
    return false;
  }
  // Machine code for the H100/H200, and PTX that the driver can JIT for
  // any sm_90 or newer GPU.
  std::string ptxLog;
  if (!compileFor(nv, name, source, headers, options, "-arch=sm_90a", true,
                  out.cubin, out.log, error) ||
      !compileFor(nv, name, source, headers, options, "-arch=compute_90",
                  false, out.ptx, ptxLog, error))
    return false;
  if (ptxLog != out.log && !ptxLog.empty())
    out.log += (out.log.empty() ? "" : "\n") + ptxLog;
  return true;
}

std::pair<std::string, std::string> deviceHeader() {
  return {"linop/cuda_device.h", kHeader_cuda_device};
}

std::pair<std::string, std::string> recurrenceHeader() {
  return {"linop/cuda_recurrence.h", kHeader_cuda_recurrence};
}

} // namespace linop::cuda
