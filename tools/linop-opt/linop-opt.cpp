//===- linop-opt.cpp - the linop optimizer driver ------------------------===//
//
// Parses, verifies, transforms and prints linop IR: the driver for lit tests
// of every pass and of the registered pipelines (linop-cpu-pipeline,
// linop-cuda-pipeline).
//
//===----------------------------------------------------------------------===//

#include "linop/CPU/Passes.h"
#include "linop/CUDA/Passes.h"
#include "linop/Target.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  linop::registerPipelineDialects(registry);
  // The upstream passes the CPU target's lowering uses, for its lit tests.
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
  linop::cpu::registerLinopCpuPasses();
  linop::cuda::registerLinopCudaPasses();
  linop::registerPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Linop optimizer driver\n", registry));
}
