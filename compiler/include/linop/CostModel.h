//===- CostModel.h - flops and bytes of kernel IR --------------------------===//
//
// Counts what a kernel does per row of the batch, for the planner's
// annotations, linopc --explain and linop-run --bench. Flops are real
// floating-point operations the generated code performs (a complex
// multiply is 6, an add 2), counted from the codelets' structure.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_COSTMODEL_H
#define LINOP_COSTMODEL_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace linop {

/// Real flops one row costs in a kernel stage (0 for loads, stores and
/// permutations). `complex` says whether the tile holds complex values.
double stageFlopsPerRow(mlir::Operation *stage, bool complex);

/// Real flops of one size-r codelet ("dft", "hadamard" or "matrix") as the
/// CPU backend unrolls it, constant products by 0, +-1 and +-i folded.
double codeletFlops(llvm::StringRef codelet, int64_t r, bool complex);

/// One step of a kernel between its load and its store, as the layout
/// model sees it: a stage I_a (x) A_r (x) I_b, or another step.
struct StepShape {
  int64_t a = 1, r = 1, b = 1;
  bool stage = false;
  bool twiddles = false;
};

/// A kernel as the layout model sees it, so that the model can price
/// kernels the planner has not built yet (the DFT radix search).
struct KernelShape {
  int64_t n = 0;              // row length in the tile
  bool complex = false;       // complex tile elements
  int64_t scalarBytes = 4;    // bytes of one real scalar
  bool permutedLoad = false;  // the load reads through an index map
  bool splitLoad = false;     // ... one that permutationSplits for lanes
  bool inRowForm = true;      // load, square stages, store: nothing else
  llvm::SmallVector<StepShape> steps;
};

namespace kernel {
class TileLoopOp;
}

/// Whether the load permutation `perm` of n elements, followed by a stage
/// I_(n/lanes) (x) A_lanes (x) I_1, splits as P = (P' (x) I_lanes) L with L
/// reading at stride n/lanes (a digit reversal whose last radix is
/// `lanes`): along the row that stage then reads contiguous vectors, one
/// codelet per lane, and P' moves whole vectors. Fills `blocks` with P'.
bool permutationSplits(llvm::ArrayRef<int64_t> perm, int64_t lanes,
                       llvm::SmallVectorImpl<int64_t> &blocks);

/// The shape of `loop` for the layout model.
KernelShape kernelShape(kernel::TileLoopOp loop, int64_t lanes);

/// Whether the row layout runs `kernel`'s first stage on a split permuted
/// load (permutationSplits): complex rows, a first stage
/// I_(n/lanes) (x) A_lanes (x) I_1 without twiddles, a second stage whose b
/// is a multiple of lanes.
bool splitFirstStage(const KernelShape &kernel, int64_t lanes);

/// Whether the CPU backend can vectorize `loop` along its rows with `lanes`
/// lanes (one row per tile): a load, `I_a (x) A_r (x) I_b` stages and a
/// store, every length a multiple of `lanes`, and each stage either with
/// b a multiple of `lanes` (plain SIMD) or b dividing `lanes` with r a power
/// of two (the stage's r vectors are regrouped with shuffles).
bool inRowSupported(kernel::TileLoopOp loop, int64_t lanes);
bool inRowSupported(const KernelShape &kernel, int64_t lanes);

/// L1 data and L2 bytes per core the layout choice assumes (Zen 4: 32 KiB
/// and 1 MiB).
constexpr int64_t kDefaultL1Bytes = int64_t(32) << 10;
constexpr int64_t kDefaultL2Bytes = int64_t(1) << 20;

/// Estimated vector memory operations and shuffles per row of `loop` in
/// each layout (flops are the same in both): across rows in tiles of
/// `lanes` rows (transposes at load and store, one pass per stage, tiles
/// past L2 cost three times), and along the row (fused load and store,
/// shuffles in stages with small b, gathers for a permuted load).
struct LayoutCost {
  double acrossRows = 0, alongRow = 0;
};
LayoutCost estimateLayouts(kernel::TileLoopOp loop, int64_t lanes,
                           int64_t l2Bytes);
LayoutCost estimateLayouts(const KernelShape &kernel, int64_t lanes,
                           int64_t l2Bytes);

/// The planner's layout choice for `loop`: true to vectorize along the row
/// (where supported and cheaper by estimateLayouts).
bool chooseInRow(kernel::TileLoopOp loop, int64_t lanes, int64_t l2Bytes);

} // namespace linop

#endif
