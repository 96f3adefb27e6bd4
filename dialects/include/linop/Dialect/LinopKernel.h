//===- LinopKernel.h - the kernel IR dialect -----------------------------===//
#ifndef LINOP_DIALECT_LINOPKERNEL_H
#define LINOP_DIALECT_LINOPKERNEL_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "linop/Dialect/LinopKernelDialect.h.inc"
#define GET_OP_CLASSES
#include "linop/Dialect/LinopKernelOps.h.inc"

#endif
