//===- Fatbin.h - a cubin and PTX in one fatbin ---------------*- C++ -*-===//

#ifndef LINOP_CUDA_FATBIN_H
#define LINOP_CUDA_FATBIN_H

#include "linop/CUDA/Nvrtc.h"

#include <string>

namespace linop::cuda {

/// Packs `r`'s cubin and PTX into one fatbin with the toolkit's
/// `fatbinary` (LINOP_FATBINARY, else CUDA_HOME/bin, /usr/local/cuda/bin
/// or PATH); false with the reason.
bool packFatbin(const NvrtcResult &r, std::string &fatbin, std::string &error);

} // namespace linop::cuda

#endif // LINOP_CUDA_FATBIN_H
