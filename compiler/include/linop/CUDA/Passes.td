//===- Passes.td - the CUDA target's passes ------------------------------===//
//
// One pass per file under compiler/lib/CUDA/, each with a lit test in
// test/lit/CUDA/. Their place in the pipeline: compiler/lib/CUDA/CudaTarget.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CUDA_PASSES_TD
#define LINOP_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def CudaSchedule : Pass<"linop-cuda-schedule", "::mlir::ModuleOp"> {
  let summary = "Choose each kernel's CUDA launch shape and memory level";
  let description = [{
    Attaches `#linop_kernel.cuda<threads, rows, level, cluster, shared,
    workspace>` to every kernel, within the module's GPU description
    (`linop.target`): the tile buffers of `rows` rows in one block's shared
    memory where they fit, else spread over the shared memory of a cluster
    of blocks (distributed shared memory), else in a global workspace; as
    many rows per block as keep two blocks resident per multiprocessor;
    threads enough for one codelet each in the widest stage. Refuses, with
    the op and the reason, kernels the CUDA backend cannot run (f64, more
    operands than a launch carries).
  }];
  let dependentDialects = ["::linop::kernel::LinopKernelDialect"];
}

#endif
