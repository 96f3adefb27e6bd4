//===- GenerateC.h - the C header and C entry points of a library ---------===//
//
// linopc writes the public face of a library as C text: `<name>.h`, which
// documents every function (shapes, dtypes, strides, threads, errors), and
// `<name>_entry.c`, the entry points that check the caller's arguments and
// run the kernels on the runtime's thread pool.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TOOLS_GENERATEC_H
#define LINOP_TOOLS_GENERATEC_H

#include "KernelAbi.h"

#include <string>
#include <vector>

namespace linop::cgen {

struct Library {
  std::string name;     ///< C identifier: lib<name>.a, <name>.h
  std::string specFile; ///< the spec's file name, for the comments
  std::vector<abi::Signature> functions;
};

std::string header(const Library &lib);
std::string entrySource(const Library &lib);

} // namespace linop::cgen

#endif
