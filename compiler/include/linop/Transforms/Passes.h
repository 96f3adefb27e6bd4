//===- Passes.h - the passes of the linop compiler -----------------------===//
#ifndef LINOP_TRANSFORMS_PASSES_H
#define LINOP_TRANSFORMS_PASSES_H

#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linop {
#define GEN_PASS_DECL
#include "linop/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

#endif
