//===- LinopKernel.cpp - the kernel IR dialect ---------------------------===//

#include "linop/Dialect/LinopKernel.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace linop::kernel;

#include "linop/Dialect/LinopKernelDialect.cpp.inc"

void LinopKernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "linop/Dialect/LinopKernelOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "linop/Dialect/LinopKernelOps.cpp.inc"
