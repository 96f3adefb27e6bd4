//===- Nvrtc.h - CUDA C++ to cubin and PTX, in process ---------------------===//
//
// NVRTC compiles the CUDA C++ that the CUDA target emits. It is loaded with
// dlopen on first use, so that linopc starts, and the CPU target works,
// without the CUDA toolkit. No MLIR/LLVM here: the GPU tests link this alone.
//
// Library search: LINOP_NVRTC_LIBRARY if set (and only it); else
// libnvrtc.so.13, libnvrtc.so.12, libnvrtc.so from the loader's path, then
// the same names in $CUDA_HOME/lib64 and /usr/local/cuda/lib64.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CUDA_NVRTC_H
#define LINOP_CUDA_NVRTC_H

#include <string>
#include <utility>
#include <vector>

namespace linop::cuda {

struct NvrtcResult {
  std::string cubin;  ///< sm_90a ELF
  std::string ptx;    ///< compute_90 PTX (no trailing NUL)
  std::string log;    ///< NVRTC's warnings, if any
};

/// Whether NVRTC can be loaded. `why` says which library and version
/// ("NVRTC 13.0 (libnvrtc.so.13)"), or what was tried and why it failed.
bool nvrtcAvailable(std::string &why);

/// Compiles `source`, named `name` in messages, with the in-memory headers
/// (include name, text) to an sm_90a cubin (-arch=sm_90a) and compute_90 PTX
/// (-arch=compute_90), with -std=c++17 and `options`. On failure returns
/// false with `error`, which has NVRTC's log.
bool compileCuda(const std::string &name, const std::string &source,
                 const std::vector<std::pair<std::string, std::string>> &headers,
                 const std::vector<std::string> &options, NvrtcResult &out,
                 std::string &error);

/// runtime/include/linop/cuda_device.h as embedded at build time: its include
/// name ("linop/cuda_device.h") and text, ready for compileCuda's headers.
std::pair<std::string, std::string> deviceHeader();

/// runtime/include/linop/cuda_recurrence.h, the same way: the device
/// template of the chunked recurrence kernels.
std::pair<std::string, std::string> recurrenceHeader();

} // namespace linop::cuda

#endif // LINOP_CUDA_NVRTC_H
