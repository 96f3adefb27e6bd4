//===- GenerateC.h - the C header and C entry points of a library ---------===//
//
// linopc writes the public face of a library as C text: `<name>.h`, which
// documents every function (shapes, dtypes, strides, threads or streams,
// errors), and `<name>_entry.c`, the entry points that check the caller's
// arguments and run the kernels: on the runtime's thread pool (CPU), or
// launched on a stream through the runtime (CUDA).
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TOOLS_GENERATEC_H
#define LINOP_TOOLS_GENERATEC_H

#include "KernelAbi.h"

#include <string>
#include <vector>

namespace linop::cgen {

/// How to launch one CUDA kernel (runtime.h's linop_cuda_kernel).
struct CudaLaunch {
  std::string kernel, function;
  int64_t threads, rows, cluster, shared, workspace, subrows;
};

struct Library {
  std::string name;     ///< C identifier: lib<name>.a, <name>.h
  std::string specFile; ///< the spec's file name, for the comments
  std::string command;  ///< how linopc was called, for the header
  std::vector<abi::Signature> functions;
  bool cuda = false;    ///< device pointers and a stream (--target=cuda)
  std::vector<CudaLaunch> launches; ///< CUDA: the kernels of each function
};

std::string header(const Library &lib);
/// <name>.json: the functions as the Python module (python/linop) reads
/// them: each function's name and exported symbol, each operand's role,
/// dtype (numpy's name), shape (-1: the batch) and elements per row, in the
/// order of the C parameters.
std::string manifest(const Library &lib);
std::string entrySource(const Library &lib);
/// CUDA: the C file that carries the device code (the fatbin at that path,
/// embedded with .incbin) as a linop_cuda_image.
std::string imageSource(const Library &lib, const std::string &fatbinPath,
                        size_t fatbinBytes);

} // namespace linop::cgen

#endif
