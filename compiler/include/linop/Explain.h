//===- Explain.h - the plan of a compiled spec, for linopc --explain -----===//
//
// linopc --explain runs the target's pipeline down to Stage::Kernel and
// hands the result to explainPlan: the target-neutral parts (stages, flops,
// bytes, radices) come from here, the schedule's from the target.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_EXPLAIN_H
#define LINOP_EXPLAIN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace linop {

/// Prints the plan of `kernelModule` (a module at Stage::Kernel) for people:
/// per kernel its schedule (tiles, memory levels), stages, bytes and flops.
void explainPlan(mlir::ModuleOp kernelModule, llvm::raw_ostream &os);

} // namespace linop

#endif
