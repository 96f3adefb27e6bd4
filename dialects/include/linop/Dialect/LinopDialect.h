//===- LinopDialect.h - the linop dialect -------------------------------===//
#ifndef LINOP_DIALECT_LINOPDIALECT_H
#define LINOP_DIALECT_LINOPDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <complex>
#include <vector>

#include "linop/Dialect/LinopEnums.h.inc"
#include "linop/Dialect/LinopDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "linop/Dialect/LinopAttrs.h.inc"
#define GET_TYPEDEF_CLASSES
#include "linop/Dialect/LinopTypes.h.inc"
#define GET_OP_CLASSES
#include "linop/Dialect/LinopOps.h.inc"

namespace linop {
/// Element types an operator or a kernel may use: f16, bf16, f32, f64,
/// complex<f32>, complex<f64>.
bool isSupportedElementType(mlir::Type t);
/// The real type of a complex type, or the type itself.
mlir::Type realPart(mlir::Type t);
/// The field a value of type `in` has after applying an operator of type
/// `op`, or null when the operator cannot take it. A real endomorphic operator
/// also acts on complex values (on real and imaginary parts alike).
mlir::Type applyField(OperatorType op, mlir::Type in);
/// Broadcast two family shapes like numpy; false when they do not match.
bool broadcastFamilies(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                       llvm::SmallVectorImpl<int64_t> &out);
} // namespace linop

#endif
