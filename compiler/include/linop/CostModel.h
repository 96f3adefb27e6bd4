//===- CostModel.h - what kernels cost, as targets see them ---------------===//
//
// Target-neutral: the shape of a kernel (its stages, element type, load),
// the flops a row costs (counted from the codelets as the backends emit
// them, Codelets.h), and the interface through which a target prices a
// kernel for the radix search and its schedule. Each target implements
// `CostModel` in its own folder.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_COSTMODEL_H
#define LINOP_COSTMODEL_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace linop {

namespace kernel {
class KernelOp;
class ChunkedRecurrenceOp;
} // namespace kernel

/// Real flops one row costs in a kernel step (0 for loads, stores and
/// permutations). `complex` says whether the tile holds complex values.
double stageFlopsPerRow(mlir::Operation *step, bool complex);

/// One step of a kernel between its load and its store: a stage
/// I_a (x) A_r (x) I_b, or another step.
struct StepShape {
  int64_t a = 1, r = 1, b = 1;
  bool stage = false;
  bool twiddles = false;
};

/// A kernel as the cost models see it, so that they can price kernels the
/// planner has not built yet (the DFT radix search).
struct KernelShape {
  int64_t n = 0;              // row length in the tile
  bool complex = false;       // complex tile elements
  int64_t scalarBytes = 4;    // bytes of one real scalar in the tile
  int64_t globalBytes = 0;    // bytes a row reads and writes in global memory
  bool permutedLoad = false;  // the load reads through an index map
  std::vector<int64_t> loadPerm; // ... that map, when known
  std::vector<int64_t> loadRadices; // ... the radices (outermost first)
                                    // when it is a digit reversal
  bool inRowForm = true;      // load, square stages, store: nothing else
  int64_t subrows = 1;        // sub-rows per row (linop-split-kernels)
  double flops = 0;           // real flops per row
  llvm::SmallVector<StepShape> steps;
};

/// The shape of `kernel`.
KernelShape kernelShape(kernel::KernelOp kernel);

/// A chunked recurrence as the cost models see it, for the chunk size a
/// spec leaves to the target.
struct RecurrenceShape {
  int64_t t = 1, h = 1, dk = 1, dv = 1;
  bool gated = false;       // a scalar or vector gate (log-decays)
  bool vectorGate = false;  // a vector per key channel (GLA)
  bool delta = false;       // the delta rule
  int64_t scalarBytes = 4;  // bytes of one stored q, k, v element
};

/// The shape of `rec`.
RecurrenceShape recurrenceShape(kernel::ChunkedRecurrenceOp rec);

/// The chunk a target chooses, and why (for --explain).
struct ChunkChoice {
  int64_t chunk = 64;
  std::string why;
};

/// A target's price of kernels.
class CostModel {
public:
  virtual ~CostModel();
  /// The estimated cost of one row through a kernel of shape `k`, in
  /// `unit()`; lower is better.
  virtual double rowCost(const KernelShape &k) const = 0;
  /// "vector ops/row", "ns/row", ...
  virtual llvm::StringRef unit() const = 0;
  /// What the estimate assumes, for --explain ("along the row"), or "".
  virtual std::string assumption(const KernelShape &k) const;
  /// A lower bound on rowCost of any kernel doing `flops` real flops per
  /// row (the radix search prunes with it).
  virtual double flopBound(double flops) const = 0;
  /// Repeated blocks of butterfly stages (stacked factors) past this many
  /// steps compile as a loop over the blocks: the backends' compilers take
  /// time that grows faster than the code's length, and a loop costs one
  /// branch per block of stages that each loop over the whole row.
  virtual int64_t maxUnrolledSteps() const { return 32; }
  /// The longest row a kernel of shape `k` keeps on chip in one pass
  /// through memory; linop-split-kernels splits longer rows into passes
  /// where their stages allow. 0: no limit.
  virtual int64_t maxRowOnChip(const KernelShape &) const { return 0; }
  /// The longest sub-row of a split kernel: a target may run sub-rows
  /// differently from whole rows (the CPU: many at once).
  virtual int64_t maxSubrowOnChip(const KernelShape &k) const {
    return maxRowOnChip(k);
  }
  /// Whether a row that fits is split too, its whole kernel kept: the
  /// tools run the passes when a batch has fewer rows than threads (one
  /// row then spreads over them all), the whole kernel otherwise.
  virtual bool splitForFewRows(const KernelShape &) const { return false; }
  /// Whether the target runs a row of n1 n2 elements split into n2
  /// sub-rows of n1 (pass 1), then n1 sub-rows of n2 (pass 2).
  virtual bool runsSplit(int64_t /*n1*/, int64_t /*n2*/) const {
    return true;
  }
  /// The chunk of steps for a recurrence whose spec gives no chunk_size
  /// (linop-plan then bounds it by T).
  virtual ChunkChoice recurrenceChunk(const RecurrenceShape &) const {
    return {64, "the default"};
  }
};

/// Without a target: the flops alone.
class FlopCostModel : public CostModel {
public:
  double rowCost(const KernelShape &k) const override { return k.flops; }
  llvm::StringRef unit() const override { return "flops/row"; }
  double flopBound(double flops) const override { return flops; }
};

} // namespace linop

#endif
