//===- Schedule.cpp - linop-cuda-schedule ---------------------------------===//
//
// Each kernel's launch shape and memory level (CudaTarget.cpp:
// chooseSchedule), checked against the GPU description. A kernel the CUDA
// backend cannot run is refused here, at compile time, with its reason.
//
// Runs of stages on disjoint digits with no twiddles between them commute
// (Kronecker factors: Walsh-Hadamard, small matrices, DFT leaves); the pass
// orders each run so that the emitter can fuse the row's load into the
// first stage and its store into the last (EmitCuda.cpp): first the stage
// over the outermost digit (its inputs sit at the widest stride, so
// consecutive threads read consecutive elements), last the one with the
// widest stride left (its outputs run consecutively over the threads).
//
// A kernel that is a load, square or butterfly stages and a store keeps
// its row in one tile buffer: a stage I_a (x) A_r (x) I_b reads and writes
// the same elements, each codelet reading all of its inputs before it
// writes (a butterfly's thread, both elements of its pair), so it can work
// in place. Half the shared memory lets a 16K-point complex row
// fit one block, and smaller rows more blocks per multiprocessor.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/CudaTarget.h"
#include "linop/CUDA/Passes.h"

#include "llvm/Support/CommandLine.h"

namespace linop::cuda {
#define GEN_PASS_DEF_CUDASCHEDULE
#include "linop/CUDA/Passes.h.inc"
} // namespace linop::cuda

using namespace mlir;
using namespace linop;
using namespace linop::cuda;

namespace {

// For measuring the single buffer against ping-pong buffers in one run
// (scripts/gpu-round.sh ab); not a user option.
llvm::cl::opt<bool> inPlace(
    "linop-cuda-in-place", llvm::cl::Hidden, llvm::cl::init(true),
    llvm::cl::desc("CUDA: run a kernel of square or butterfly stages in one "
                   "tile buffer"));

/// Whether `op` is a square stage over one digit of the row with no
/// twiddles (a scale commutes too).
bool isDigitStage(kernel::StageOp op, int64_t n) {
  return op && !op.getTwiddlesAttr() && op.rowsOut() == op.getR() &&
         op.getA() * op.getR() * op.getB() == n;
}

/// Reorders each run of commuting stages (see the file comment) by moving
/// their shapes, codelets and matrices; the ops and their buffers stay
/// where they are.
void orderCommutingRuns(kernel::KernelOp k) {
  SmallVector<SmallVector<kernel::StageOp>> runs(1);
  for (Operation &op : k.steps()) {
    auto st = dyn_cast<kernel::StageOp>(op);
    if (isDigitStage(st, k.getN()))
      runs.back().push_back(st);
    else if (!runs.back().empty())
      runs.emplace_back();
  }
  for (SmallVector<kernel::StageOp> &run : runs) {
    if (run.size() < 2)
      continue;
    struct Shape {
      int64_t a, r, b;
      size_t op; // whose codelet, matrix and scale go with the shape
    };
    SmallVector<Shape> shapes;
    for (auto [i, st] : llvm::enumerate(run))
      shapes.push_back({int64_t(st.getA()), int64_t(st.getR()),
                        int64_t(st.getB()), i});
    // Digits [b, b r) must not overlap, or the stages do not commute.
    bool disjoint = true;
    for (size_t i = 0; i < shapes.size(); ++i)
      for (size_t j = i + 1; j < shapes.size(); ++j)
        disjoint &= shapes[i].b * shapes[i].r <= shapes[j].b ||
                    shapes[j].b * shapes[j].r <= shapes[i].b;
    if (!disjoint)
      continue;
    auto outer = llvm::find_if(shapes, [](Shape s) { return s.a == 1; });
    if (outer != shapes.end())
      std::rotate(shapes.begin(), outer, outer + 1);
    auto widest = std::max_element(
        shapes.begin() + 1, shapes.end(),
        [](Shape x, Shape y) { return x.b < y.b; });
    std::rotate(widest, widest + 1, shapes.end());
    // Each op keeps its buffers and takes the rest of its new stage.
    SmallVector<NamedAttrList> stages;
    for (kernel::StageOp st : run)
      stages.emplace_back(st->getAttrs());
    for (auto [st, sh] : llvm::zip(run, shapes)) {
      NamedAttrList attrs = stages[sh.op];
      attrs.set("src", st.getSrcAttr());
      attrs.set("dst", st.getDstAttr());
      st->setAttrs(attrs.getDictionary(k.getContext()));
    }
  }
}

/// One tile buffer for a kernel that is one load, square or butterfly
/// stages and one store (see the file comment).
void workInPlace(kernel::KernelOp k) {
  SmallVector<Operation *> steps;
  for (Operation &op : k.steps())
    steps.push_back(&op);
  if (steps.size() < 3 || !isa<kernel::LoadOp>(steps.front()) ||
      !isa<kernel::StoreOp>(steps.back()))
    return;
  for (Operation *op : ArrayRef(steps).slice(1, steps.size() - 2)) {
    // A butterfly stage works in place too: a thread reads both elements
    // of its pair before it writes them, and pairs are disjoint.
    if (isa<kernel::ButterflyStageOp>(op))
      continue;
    auto st = dyn_cast<kernel::StageOp>(op);
    if (!st || st.rowsOut() != st.getR())
      return;
  }
  OpBuilder b(k.getContext());
  for (Operation *op : steps)
    for (StringRef which : {"src", "dst"})
      if (op->hasAttr(which))
        op->setAttr(which, b.getI64IntegerAttr(0));
  k.setBuffers(1);
}

struct CudaSchedulePass
    : linop::cuda::impl::CudaScheduleBase<CudaSchedulePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr desc = moduleTarget(module);
    if (!desc || desc.getName() != "cuda") {
      module.emitError("linop-cuda-schedule: the module has no CUDA target "
                       "description (run linop-attach-target{target=cuda} "
                       "first)");
      return signalPassFailure();
    }
    GpuDescription gpu = gpuDescription(desc);
    // Every recurrence the kernel cannot take is reported, not the first.
    bool refused = false;
    for (auto r : module.getOps<kernel::ChunkedRecurrenceOp>()) {
      std::string why;
      auto s = chooseRecurrenceSchedule(r, gpu, why);
      if (failed(s)) {
        r.emitError("linop-cuda-schedule: @") << r.getFunction() << ": "
                                              << why;
        refused = true;
        continue;
      }
      r.setScheduleAttr(*s);
    }
    if (refused)
      return signalPassFailure();
    for (kernel::KernelOp k : module.getOps<kernel::KernelOp>()) {
      orderCommutingRuns(k);
      if (inPlace)
        workInPlace(k);
      std::string why;
      FailureOr<kernel::CudaScheduleAttr> s = chooseSchedule(k, gpu, why);
      if (failed(s)) {
        k.emitError("linop-cuda-schedule: @") << k.getFunction() << ": "
                                              << why;
        return signalPassFailure();
      }
      k.setScheduleAttr(*s);
      if (failed(verifySchedule(k, gpu)))
        return signalPassFailure();
    }
  }
};

} // namespace
