//===- Passes.td - the CPU target's passes -------------------------------===//
//
// One pass per file under compiler/lib/CPU/, each with a lit test in
// test/lit/CPU/. Their place in the pipeline: compiler/lib/CPU/CpuTarget.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CPU_PASSES_TD
#define LINOP_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CpuSchedule : Pass<"linop-cpu-schedule", "::mlir::ModuleOp"> {
  let summary = "Choose each kernel's CPU layout with the CPU cost model";
  let description = [{
    Attaches `#linop_kernel.cpu<layout, lanes = L>` to every kernel, L the
    SIMD lanes of the module's CPU description (`linop.target`): across
    rows (tiles of L rows, every stage SIMD across rows) unless the kernel
    has an along-the-row form and the cost model (linop/CPU/CpuTarget.h:
    vector loads, stores and shuffles per row, cache sizes from the
    description) prices it cheaper.
  }];
  let dependentDialects = ["::linop::kernel::LinopKernelDialect"];
}

def CpuLowerKernels : Pass<"linop-cpu-lower-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower scheduled kernels to the CPU ABI in scf, vector, memref and arith";
  let description = [{
    Each `linop_kernel.kernel` becomes `func.func @linop_k_f(ptrs, strides,
    begin, end)` (the CPU kernel ABI, linop/Target.h): a loop over the
    rows [begin, end) in tiles, tile buffers as memrefs (split real and
    imaginary planes), stages as loop nests over vectors with the codelets
    of linop/Codelets.h unrolled, global memory through the ABI's
    pointers, in the layout its schedule names.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif
