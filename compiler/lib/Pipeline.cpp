//===- Pipeline.cpp - the compiler pipeline, top to bottom -----------------===//

#include "linop/Pipeline.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void linop::buildCpuPipeline(OpPassManager &pm, const CpuOptions &opts,
                             Stage stop) {
  // Spec: simplify the operator algebra, decompose named transforms into
  // the factor normal form (SPIRAL's rules), simplify the factors.
  pm.addPass(createCanonicalizerPass());
  DecomposeOptions decompose;
  decompose.vectorWidth = opts.vectorWidth;
  decompose.radixChoice = opts.radixChoice;
  decompose.radices = opts.radices;
  pm.addPass(createDecompose(decompose));
  pm.addPass(createSimplify());
  pm.addPass(createCanonicalizerPass());
  if (stop == Stage::Decomposed)
    return;

  // Plan: factors into kernels (the kernel IR).
  PlanOptions plan;
  plan.vectorWidth = opts.vectorWidth;
  pm.addPass(createPlan(plan));
  if (stop == Stage::Kernel)
    return;

  // CPU backend: kernel IR to loops over vectors, then to the LLVM dialect.
  pm.addPass(createLowerKernels());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void linop::registerPipelineDialects(DialectRegistry &registry) {
  registry.insert<LinopDialect, kernel::LinopKernelDialect, func::FuncDialect,
                  arith::ArithDialect, complex::ComplexDialect,
                  tensor::TensorDialect, scf::SCFDialect,
                  vector::VectorDialect, memref::MemRefDialect,
                  LLVM::LLVMDialect>();
}
