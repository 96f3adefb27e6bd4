//===- Pipeline.cpp - the compiler pipeline, top to bottom -----------------===//

#include "linop/CPU/CpuTarget.h"
#include "linop/CUDA/CudaTarget.h"
#include "linop/Target.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace linop;

void linop::registerTargets() {
  registerTarget(cpu::createCpuTarget());
  registerTarget(cuda::createCudaTarget());
}

void linop::buildPipeline(OpPassManager &pm, const Target &target,
                          const PipelineOptions &opts, Stage stop) {
  // The target and its description, which the passes below read.
  AttachTargetOptions attach;
  attach.target = target.name().str();
  attach.description = opts.description;
  pm.addPass(createAttachTarget(attach));
  // Constants that overflow or underflow their element type: a warning.
  pm.addPass(createCheckConstants());
  // A convolution's run-time kernel: its spectrum in an entry point of its
  // own (the tools run this on the spec before reading its signatures).
  pm.addPass(createSplitPrepare());

  // Spec: simplify the operator algebra, decompose named transforms into
  // the factor normal form (SPIRAL's rules; radices priced by the target's
  // cost model), simplify the factors.
  pm.addPass(createCanonicalizerPass());
  DecomposeOptions decompose;
  decompose.radixChoice = opts.radixChoice;
  decompose.radices = opts.radices;
  pm.addPass(createDecompose(decompose));
  pm.addPass(createSimplify());
  pm.addPass(createCanonicalizerPass());
  if (stop == Stage::Decomposed)
    return;

  // Plan: factors into target-neutral kernels (the kernel IR).
  pm.addPass(createPlan());
  // Rows too long for the chip: two passes through memory.
  pm.addPass(createSplitKernels());

  // The target: its schedule, then its code.
  target.buildBackend(pm, stop);
}

namespace {

/// The options of `linop-<target>-pipeline`.
struct PipelineCLOptions : public PassPipelineOptions<PipelineCLOptions> {
  Option<Stage> stop{*this, "stop", llvm::cl::desc("where to stop"),
                     llvm::cl::init(Stage::Final),
                     llvm::cl::values(
                         clEnumValN(Stage::Decomposed, "decomposed",
                                    "the factor normal form"),
                         clEnumValN(Stage::Kernel, "kernel",
                                    "the scheduled kernel IR"),
                         clEnumValN(Stage::Final, "final",
                                    "the target's last MLIR form"))};
  ListOption<std::string> description{
      *this, "description",
      llvm::cl::desc("key=value entries of the target description")};
  Option<std::string> radixChoice{
      *this, "radix-choice", llvm::cl::desc("cost (the search) or largest"),
      llvm::cl::init("cost")};
  ListOption<int64_t> radices{*this, "radices",
                              llvm::cl::desc("DFT radices the plan may use")};
};

} // namespace

void linop::registerPipelines() {
  registerTargets();
  static std::vector<std::unique_ptr<PassPipelineRegistration<PipelineCLOptions>>>
      registrations;
  if (!registrations.empty())
    return;
  for (StringRef name : {"cpu", "cuda"}) {
    const Target *t = lookupTarget(name);
    registrations.push_back(
        std::make_unique<PassPipelineRegistration<PipelineCLOptions>>(
            ("linop-" + name + "-pipeline").str(),
            ("The whole pipeline for the " + name + " target: " + t->summary())
                .str(),
            [t](OpPassManager &pm, const PipelineCLOptions &o) {
              PipelineOptions opts;
              opts.description.assign(o.description.begin(),
                                      o.description.end());
              opts.radixChoice = o.radixChoice;
              opts.radices.assign(o.radices.begin(), o.radices.end());
              buildPipeline(pm, *t, opts, o.stop);
            }));
  }
}

void linop::registerPipelineDialects(DialectRegistry &registry) {
  registry.insert<LinopDialect, kernel::LinopKernelDialect, func::FuncDialect,
                  arith::ArithDialect, complex::ComplexDialect,
                  tensor::TensorDialect, scf::SCFDialect,
                  vector::VectorDialect, memref::MemRefDialect,
                  LLVM::LLVMDialect>();
}
