//===- Target.h - the seam between the planner and the targets -----------===//
//
// The middle of the compiler knows no target. What differs between targets
// sits behind `Target`: its description (recorded in the module as
// `#linop.target`), its cost model, its part of the pipeline and how it
// explains a schedule. Targets register by name; tools look `--target` up
// here. A third target is a third folder under compiler/lib/ that
// implements this interface and registers in compiler/lib/Target.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TARGET_H
#define LINOP_TARGET_H

#include "linop/CostModel.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace linop {

/// Stops of the pipeline, for --emit.
enum class Stage {
  Decomposed, ///< the factor normal form (linop ops)
  Kernel,     ///< the scheduled kernel IR
  Final,      ///< the target's last MLIR form (CPU: the LLVM dialect)
};

/// The target-neutral options of every pipeline.
struct PipelineOptions {
  /// DFT radices: "cost" (the cost model's search) or "largest".
  std::string radixChoice = "cost";
  /// The radices the choice may use (empty: linop-decompose's default).
  std::vector<int64_t> radices;
  /// "key=value" entries of the target description, over its defaults.
  std::vector<std::string> description;
};

class Target {
public:
  virtual ~Target();
  virtual llvm::StringRef name() const = 0;
  /// One line for --help and error messages.
  virtual llvm::StringRef summary() const = 0;

  /// The description: the defaults, then `keys` ("key=value"), checked.
  /// Errors say which key and why.
  virtual mlir::FailureOr<TargetAttr>
  describe(mlir::MLIRContext *ctx, llvm::ArrayRef<std::string> keys,
           std::string &error) const = 0;

  /// The cost model for `desc` (a description of this target).
  virtual std::unique_ptr<CostModel> costModel(TargetAttr desc) const = 0;

  /// The passes after linop-plan, down to `stop` (Kernel or Final).
  virtual void buildBackend(mlir::OpPassManager &pm, Stage stop) const = 0;

  /// For --explain: how `kernel` runs on this target (layout, tiles,
  /// memory levels, the cost model's estimate), a few indented lines.
  virtual void explainSchedule(kernel::KernelOp kernel, TargetAttr desc,
                               llvm::raw_ostream &os) const = 0;

  /// For --explain: how a chunked recurrence runs on this target, a few
  /// indented lines.
  virtual void explainRecurrence(kernel::ChunkedRecurrenceOp rec,
                                 llvm::raw_ostream &os) const = 0;
};

/// One integer key of a target description, for describeWithKeys.
struct DescriptionKey {
  llvm::StringRef name;
  int64_t value; ///< the default
  int64_t min, max;
  llvm::StringRef meaning;
};

/// A target's description struct D seen as its keys: one table per target
/// gives both the keys (with D's defaults) and the reading of an attribute.
template <class D> struct DescriptionField {
  llvm::StringRef name;
  int64_t D::*field;
  int64_t min, max;
  llvm::StringRef meaning;
};
template <class D>
std::vector<DescriptionKey>
descriptionKeys(llvm::ArrayRef<DescriptionField<D>> fields) {
  D defaults;
  std::vector<DescriptionKey> keys;
  for (const DescriptionField<D> &f : fields)
    keys.push_back({f.name, defaults.*f.field, f.min, f.max, f.meaning});
  return keys;
}
template <class D>
D readDescription(TargetAttr desc, llvm::ArrayRef<DescriptionField<D>> fields) {
  D d;
  if (desc)
    for (const DescriptionField<D> &f : fields)
      d.*f.field = desc.getInt(f.name, d.*f.field);
  return d;
}

/// The description of target `name`: `defaults`, then each "key=value" of
/// `keys` (values may end in K, M or G: binary multiples), checked against
/// their ranges; an unknown key or a bad value is an error naming the
/// target's keys.
mlir::FailureOr<TargetAttr>
describeWithKeys(mlir::MLIRContext *ctx, llvm::StringRef name,
                 llvm::ArrayRef<DescriptionKey> defaults,
                 llvm::ArrayRef<std::string> keys, std::string &error);

/// Registers the built-in targets (cpu, cuda); safe to call many times.
/// (compiler/lib/Pipeline.cpp; tools call it, or registerPipelines.)
void registerTargets();
/// Adds `target` to the registry (a second one of the same name is
/// ignored).
void registerTarget(std::unique_ptr<Target> target);
/// The target named `name`, or null.
const Target *lookupTarget(llvm::StringRef name);
/// "cpu, cuda", for messages.
std::string targetNames();

/// The module's `linop.target` attribute, or null.
TargetAttr moduleTarget(mlir::ModuleOp module);
/// The cost model of the module's target, the flop count alone when the
/// module has no target, null when its target is not registered.
std::unique_ptr<CostModel> costModelFor(mlir::ModuleOp module);

/// The runs of `kernel`'s butterfly stages that every backend compiles as
/// loops over blocks: those past its module's cost model's
/// maxUnrolledSteps, which `limit` receives when given.
llvm::SmallVector<kernel::ButterflyRepeat>
loopedRepeats(kernel::KernelOp kernel, int64_t *limit = nullptr);

/// The whole pipeline for `target`, from a spec down to `stop`: attach the
/// target's description, decompose, simplify, plan, then the target's own
/// passes. Reads top to bottom in compiler/lib/Pipeline.cpp.
void buildPipeline(mlir::OpPassManager &pm, const Target &target,
                   const PipelineOptions &opts, Stage stop);

/// Registers `linop-<target>-pipeline` for every target (for linop-opt).
void registerPipelines();

/// Registers the dialects the pipelines create.
void registerPipelineDialects(mlir::DialectRegistry &registry);

/// The CPU kernel ABI: for each public function @f of the spec, whose
/// arguments are rank-2 tensors `tensor<?xNxT>` (data, batched) or static
/// tensors (weights), and whose results are `tensor<?xMxT>`, the CPU
/// target's LLVM-dialect module contains
///
///   llvm.func @linop_k_f(%ptrs: !llvm.ptr, %strides: !llvm.ptr,
///                        %begin: i64, %end: i64)
///
/// `ptrs` is an array of pointers: the arguments of @f in order, then its
/// results. `strides` holds each one's row stride in elements (ignored for
/// weights). The kernel computes rows [begin, end) of the batch (a
/// recurrence's kernel: units [begin, end) of batch entry x head, head
/// fastest; each entry is one row of all its operands' elements). Complex
/// values are interleaved (re, im). The CUDA kernel of @f has the same
/// name and takes one `linop_cuda_args` (runtime/include/linop/runtime.h).
inline std::string kernelSymbol(llvm::StringRef func) {
  return ("linop_k_" + func).str();
}

} // namespace linop

#endif
