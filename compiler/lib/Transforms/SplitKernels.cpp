//===- SplitKernels.cpp - linop-split-kernels: rows past the chip ---------===//
//
// The four-step FFT, read off a planned kernel. A DFT of n = N1 N2 whose
// stages first combine elements within blocks of N1 (the low digits) and
// then across blocks (the high digits) is two independent sets of smaller
// transforms:
//
//   pass 1: N2 sub-rows of N1 elements: the load (the digit reversal's
//           inner digits within a sub-row, its outer digits choosing the
//           sub-row, so the sub-rows interleave in the input) and the
//           low-digit stages; each sub-row is written whole to the result.
//   pass 2: N1 sub-rows of N2 elements, every N1-th element of the result
//           (reordered by the outer digit reversal as they load): the
//           high-digit stages, whose Cooley-Tukey twiddles are the whole
//           row's (TwiddlesAttr `subrows`), written back in place.
//
// The result holds the row between the passes (the entry points refuse
// overlapping operands), so no workspace is needed. Each pass reads and
// writes the row once, with every sub-row on chip.
//
//===----------------------------------------------------------------------===//

#include "linop/CostModel.h"
#include "linop/Target.h"
#include "linop/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/CommandLine.h"

#include <cmath>

namespace linop {
#define GEN_PASS_DEF_SPLITKERNELS
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;

namespace {

// For measuring split kernels against one kernel per row in one run
// (scripts/gpu-round.sh ab); not a user option.
llvm::cl::opt<bool> splitKernels(
    "linop-split", llvm::cl::Hidden, llvm::cl::init(true),
    llvm::cl::desc("split kernels whose rows do not fit on chip into two "
                   "passes through memory"));

// For tests that split small rows on any machine, and for measuring; the
// pass option max-row, where given, wins.
llvm::cl::opt<int64_t> splitMaxRow(
    "linop-split-max-row", llvm::cl::Hidden, llvm::cl::init(0),
    llvm::cl::desc("split rows longer than this, into sub-rows no longer "
                   "(0: the target's limits)"));

// Of two equally even splits, pass 2 (interleaved at both ends) gets the
// shorter sub-rows, so fewer of its accesses run in 32-byte pieces: DFT-1M
// as 4096 x 256 took 2.50x a copy's time against 2.77x (bench/NOTES.md
// CUDA v9). The switch stays for measuring; not a user option.
llvm::cl::opt<bool> shortPass2(
    "linop-split-short-pass2", llvm::cl::Hidden, llvm::cl::init(true),
    llvm::cl::desc("of two equally even splits, give pass 2 (interleaved at "
                   "both ends) the shorter sub-rows"));

/// A kernel the pass can split: its load, its stages, its store.
struct Parts {
  kernel::LoadOp load;
  SmallVector<kernel::StageOp> stages;
  kernel::StoreOp store;
  SmallVector<int64_t> radices; // of the load's digit reversal, or empty
};

/// Whether the pass can split `k` (a load, square Kronecker stages with
/// formula twiddles, a store of the tile's type to a result the load does
/// not read), with `parts` filled in.
bool splittable(kernel::KernelOp k, Parts &parts) {
  if (k.getSubrows())
    return false; // split already
  int64_t n = k.getN();
  for (Operation &op : k.steps()) {
    if (auto ld = dyn_cast<kernel::LoadOp>(op))
      parts.load = ld;
    else if (auto st = dyn_cast<kernel::StoreOp>(op))
      parts.store = st;
    else if (auto st = dyn_cast<kernel::StageOp>(op))
      parts.stages.push_back(st);
    else
      return false;
  }
  kernel::LoadOp ld = parts.load;
  kernel::StoreOp st = parts.store;
  // The result holds the row between the passes: it must have the tile's
  // type and length.
  if (ld.getN() || st.getN() || st.getGlobal() || st.getPacked() ||
      ld.getOperand() == st.getOperand())
    return false;
  for (kernel::StageOp s : parts.stages) {
    auto tw = s.getTwiddlesAttr();
    if (s.rowsOut() != s.getR() || s.getA() * s.getR() * s.getB() != n ||
        (tw && !isa<kernel::TwiddlesAttr>(tw)))
      return false;
  }
  // Stages on disjoint digits without twiddles commute (a Walsh-Hadamard
  // transform's factors): low digits first gives the split most choice.
  bool commute = llvm::none_of(parts.stages, [](kernel::StageOp s) {
    return bool(s.getTwiddlesAttr());
  });
  for (size_t i = 0; i < parts.stages.size(); ++i)
    for (size_t j = i + 1; j < parts.stages.size(); ++j) {
      kernel::StageOp x = parts.stages[i], y = parts.stages[j];
      commute &= x.getB() * x.getR() <= y.getB() ||
                 y.getB() * y.getR() <= x.getB();
    }
  if (commute)
    llvm::stable_sort(parts.stages, [](kernel::StageOp x, kernel::StageOp y) {
      return x.getB() < y.getB();
    });
  if (Attribute p = ld.getPermAttr()) {
    auto sp = dyn_cast<kernel::PermutationAttr>(p);
    if (!sp || sp.getKind() != kernel::PermKind::digit_reversal)
      return false;
    parts.radices.assign(sp.getRadices().begin(), sp.getRadices().end());
  }
  return true;
}

/// The split after stage `at`: the low block length N1, or 0 where the
/// stages before it do not stay within blocks that the stages after it
/// only combine, or the load's digit reversal has no boundary at N1.
int64_t lowBlock(const Parts &parts, size_t at, int64_t n) {
  int64_t n1 = 1, high = n;
  for (size_t i = 0; i < parts.stages.size(); ++i) {
    kernel::StageOp s = parts.stages[i];
    if (i < at)
      n1 = std::max<int64_t>(n1, s.getR() * s.getB());
    else
      high = std::min<int64_t>(high, s.getB());
  }
  if (n1 > high || n % n1)
    return 0;
  if (!parts.radices.empty()) {
    // Tile position p = s N1 + j: the inner radices must be exactly j's.
    int64_t prod = 1;
    for (size_t i = parts.radices.size(); i-- > 0 && prod < n1;)
      prod *= parts.radices[i];
    if (prod != n1)
      return 0;
  }
  return n1;
}

struct SplitKernelsPass
    : linop::impl::SplitKernelsBase<SplitKernelsPass> {
  using SplitKernelsBase::SplitKernelsBase;

  void runOnOperation() override {
    if (!splitKernels)
      return;
    ModuleOp module = getOperation();
    std::unique_ptr<CostModel> model = costModelFor(module);
    for (kernel::KernelOp k :
         llvm::make_early_inc_range(module.getOps<kernel::KernelOp>())) {
      KernelShape shape = kernelShape(k);
      int64_t given = maxRow > 0 ? int64_t(maxRow) : int64_t(splitMaxRow);
      int64_t limit = given > 0 ? given : model->maxRowOnChip(shape);
      // A row that fits stays whole, but may get passes beside it for
      // batches of few rows.
      bool keep = limit <= 0 || k.getN() <= limit;
      if (keep && (given > 0 || !model->splitForFewRows(shape)))
        continue;
      if (given <= 0)
        limit = model->maxSubrowOnChip(shape);
      Parts parts;
      if (!splittable(k, parts))
        continue;
      // The most even split whose passes both fit (of two as even, the
      // one with the shorter pass 2, unless --linop-split-short-pass2=false).
      int64_t n = k.getN(), best = 0;
      size_t bestAt = 0;
      auto better = [&](int64_t n1) {
        if (!best)
          return true;
        int64_t m = std::max(n1, n / n1), mb = std::max(best, n / best);
        return m < mb || (shortPass2 && m == mb && n1 > best);
      };
      for (size_t at = 1; at < parts.stages.size(); ++at) {
        int64_t n1 = lowBlock(parts, at, n);
        if (n1 && n1 <= limit && n / n1 <= limit &&
            model->runsSplit(n1, n / n1) && better(n1)) {
          best = n1;
          bestAt = at;
        }
      }
      if (best && failed(split(k, parts, bestAt, best, keep)))
        return signalPassFailure();
    }
  }

  LogicalResult split(kernel::KernelOp k, const Parts &parts, size_t at,
                      int64_t n1, bool keep) {
    int64_t n = k.getN(), n2 = n / n1;
    MLIRContext *ctx = &getContext();
    OpBuilder b(k);
    auto I = [&](int64_t v) { return b.getI64IntegerAttr(v); };
    auto digitrev = [&](ArrayRef<int64_t> r) -> Attribute {
      int64_t len = 1;
      for (int64_t x : r)
        len *= x;
      if (r.size() < 2)
        return {}; // one digit: the identity
      return kernel::PermutationAttr::get(
          ctx, kernel::PermKind::digit_reversal, len, r);
    };
    // The load's radices, outermost first: the outer ones (product N2)
    // choose the sub-row of pass 1 and reorder pass 2's load.
    SmallVector<int64_t> outer, inner;
    int64_t prod = 1;
    for (int64_t r : parts.radices)
      (prod < n2 ? outer : inner).push_back(r), prod *= r;
    bool permuted = !parts.radices.empty();

    auto makeKernel = [&](int pass, int64_t len, int64_t subrows) {
      auto nk = b.create<kernel::KernelOp>(
          k.getLoc(),
          b.getStringAttr(k.getSymName() + "_pass" + std::to_string(pass)),
          k.getFunctionAttr(), k.getOperandsAttr(), I(len), I(2),
          k.getElementAttr(), Attribute(), IntegerAttr(),
          k.getRadixChoicesAttr(), I(subrows));
      b.createBlock(&nk.getBody());
      return nk;
    };
    // Stages in ping-pong buffers, their shapes within a sub-row.
    auto stages = [&](ArrayRef<kernel::StageOp> ss, int64_t len,
                      int64_t digitScale) {
      int64_t cur = 0;
      for (kernel::StageOp s : ss) {
        int64_t r = s.getR(), bb = s.getB() / digitScale;
        Attribute tw = s.getTwiddlesAttr();
        if (auto f = dyn_cast_or_null<kernel::TwiddlesAttr>(tw);
            f && digitScale > 1)
          tw = kernel::TwiddlesAttr::get(ctx, r, bb, f.getInverse(),
                                         f.scale(), digitScale);
        b.create<kernel::StageOp>(
            s.getLoc(), s.getCodelet(), len / (r * bb), r, bb, cur, 1 - cur,
            s.getInverse(), s.getMatrixAttr(), tw, s.getScaleAttr(),
            IntegerAttr());
        cur = 1 - cur;
      }
      return cur;
    };
    kernel::LoadOp ld = parts.load;
    kernel::StoreOp st = parts.store;
    UnitAttr unit = b.getUnitAttr();

    // Pass 1: sub-row u holds input elements u + N2 j (permuted) or
    // u N1 + j (not), through the low-digit stages, to result row u N1 + j.
    kernel::KernelOp k1 = makeKernel(1, n1, n2);
    b.create<kernel::LoadOp>(ld.getLoc(), ld.getOperandAttr(), I(0),
                             permuted ? digitrev(inner) : Attribute(),
                             IntegerAttr(), ld.getGlobalAttr(),
                             ld.getPackedAttr(), permuted ? unit : UnitAttr());
    int64_t cur = stages(ArrayRef(parts.stages).take_front(at), n1, 1);
    b.create<kernel::StoreOp>(st.getLoc(), I(cur), st.getOperandAttr(),
                              IntegerAttr(), TypeAttr(), UnitAttr(),
                              UnitAttr());

    // Pass 2: sub-row t holds result elements t + N1 s, in place.
    b.setInsertionPoint(k);
    kernel::KernelOp k2 = makeKernel(2, n2, n1);
    b.create<kernel::LoadOp>(ld.getLoc(), st.getOperandAttr(), I(0),
                             permuted ? digitrev(outer) : Attribute(),
                             IntegerAttr(), TypeAttr(), UnitAttr(), unit);
    cur = stages(ArrayRef(parts.stages).drop_front(at), n2, n1);
    b.create<kernel::StoreOp>(st.getLoc(), I(cur), st.getOperandAttr(),
                              IntegerAttr(), TypeAttr(), UnitAttr(), unit);

    for (kernel::KernelOp nk : {k1, k2}) {
      // Assertions are off in release LLVM: check what we built.
      if (failed(mlir::verify(nk)))
        return failure();
      nk.setFlopsPerRowAttr(
          I(int64_t(std::llround(kernelShape(nk).flops))));
    }
    if (!keep)
      k.erase();
    return success();
  }
};

} // namespace
