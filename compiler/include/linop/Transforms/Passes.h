//===- Passes.h - the passes of the linop compiler -----------------------===//
#ifndef LINOP_TRANSFORMS_PASSES_H
#define LINOP_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linop {
#define GEN_PASS_DECL
#include "linop/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

#endif
