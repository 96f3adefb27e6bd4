//===- CostModel.h - flops and bytes of kernel IR --------------------------===//
//
// Counts what a kernel does per row of the batch, for the planner's
// annotations, linopc --explain and linop-run --bench. Flops are real
// floating-point operations the generated code performs (a complex
// multiply is 6, an add 2), counted from the codelets' structure.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_COSTMODEL_H
#define LINOP_COSTMODEL_H

#include "mlir/IR/Operation.h"

namespace linop {

/// Real flops one row costs in a kernel stage (0 for loads, stores and
/// permutations). `complex` says whether the tile holds complex values.
double stageFlopsPerRow(mlir::Operation *stage, bool complex);


} // namespace linop

#endif
