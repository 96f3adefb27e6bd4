//===- Passes.h - the CUDA target's passes -------------------------------===//
#ifndef LINOP_CUDA_PASSES_H
#define LINOP_CUDA_PASSES_H

#include "linop/Dialect/LinopKernel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linop::cuda {
#define GEN_PASS_DECL
#include "linop/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linop/CUDA/Passes.h.inc"
} // namespace linop::cuda

#endif
