//===- Passes.h - the CPU target's passes --------------------------------===//
#ifndef LINOP_CPU_PASSES_H
#define LINOP_CPU_PASSES_H

#include "linop/Dialect/LinopKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linop::cpu {
#define GEN_PASS_DECL
#include "linop/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linop/CPU/Passes.h.inc"
} // namespace linop::cpu

#endif
