//===- Pipeline.h - the compiler pipeline in one place --------------------===//
//
// The list of passes from a spec to the LLVM dialect reads top to bottom in
// compiler/lib/Pipeline.cpp. Tools call these entry points.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_PIPELINE_H
#define LINOP_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace linop {

struct CpuOptions {
  /// SIMD width in f32 lanes the plan vectorizes for (8: AVX2, 16: AVX-512).
  int vectorWidth = 8;
  /// DFT radices: "cost" (the cost model's search) or "largest"; the
  /// radices the choice may use (empty: linop-decompose's default).
  std::string radixChoice = "cost";
  std::vector<int64_t> radices;
};

/// Stops of the pipeline, for --emit.
enum class Stage { Decomposed, Kernel, LLVMDialect };

/// Adds the passes from the linop dialect down to `stop`.
void buildCpuPipeline(mlir::OpPassManager &pm, const CpuOptions &opts,
                      Stage stop = Stage::LLVMDialect);

/// Registers the dialects the pipeline creates (for contexts and tools).
void registerPipelineDialects(mlir::DialectRegistry &registry);

// The kernel ABI: for each public function @f of the spec, whose arguments
// are rank-2 tensors `tensor<?xNxT>` (data, batched) or static tensors
// (weights), and whose results are `tensor<?xMxT>`, the LLVM-dialect module
// contains
//
//   llvm.func @linop_k_f(%ptrs: !llvm.ptr, %strides: !llvm.ptr,
//                        %begin: i64, %end: i64)
//
// `ptrs` is an array of pointers: the arguments of @f in order, then its
// results. `strides` holds each one's row stride in elements (ignored for
// weights). The kernel computes rows [begin, end) of the batch. Complex
// values are interleaved (re, im). A C entry point wraps it (linopc).
inline std::string kernelSymbol(llvm::StringRef func) {
  return ("linop_k_" + func).str();
}

} // namespace linop

#endif
