//===- linop-opt.cpp - the linop optimizer driver ------------------------===//
//
// Parses, verifies, transforms and prints linop IR: the driver for lit tests
// of every pass.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"
#include "linop/Pipeline.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  linop::registerPipelineDialects(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::registerSCFToControlFlow();
  mlir::registerConvertVectorToLLVMPass();
  mlir::registerFinalizeMemRefToLLVMConversionPass();
  mlir::registerArithToLLVMConversionPass();
  mlir::registerConvertFuncToLLVMPass();
  mlir::registerConvertControlFlowToLLVMPass();
  mlir::registerReconcileUnrealizedCastsPass();
  mlir::memref::registerExpandStridedMetadataPass();
  linop::registerLinopPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Linop optimizer driver\n", registry));
}
