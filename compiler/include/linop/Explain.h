//===- Explain.h - the plan of a compiled spec, for linopc --explain -----===//
//
// linopc --explain runs the CPU pipeline down to Stage::Kernel and hands the
// result to explainPlan. Implemented with the pipeline, in
// compiler/lib/Explain.cpp (part of LinopPipeline): linopc calls it when that
// file exists and otherwise prints each linop_kernel op itself.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_EXPLAIN_H
#define LINOP_EXPLAIN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace linop {

/// Prints the plan of `kernelModule` (a module at Stage::Kernel) for people:
/// per kernel its stages, tiles, memory levels, bytes and flops.
void explainPlan(mlir::ModuleOp kernelModule, llvm::raw_ostream &os);

} // namespace linop

#endif
