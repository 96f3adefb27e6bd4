//===- CostModel.cpp - flops and shapes of kernel IR ----------------------===//

#include "linop/CostModel.h"

#include "linop/Codelets.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace linop;
using codelets::FlopCounter;

CostModel::~CostModel() = default;

std::string CostModel::assumption(const KernelShape &) const { return ""; }

namespace {

/// An embedding's constant rows as the backends unroll them: each nonzero
/// row accumulates its nonzero products; copies and zero fills are free.
double embedFlops(kernel::EmbedOp e, bool complex) {
  FlopCounter c(complex);
  for (auto [k, blk] : llvm::enumerate(e.getBlocks())) {
    auto m = dyn_cast<DenseElementsAttr>(blk);
    if (!m || m.isSplat())
      continue; // a copy, or a zero fill
    int64_t cols = e.getCols()[k];
    auto values = m.getValues<std::complex<double>>();
    for (int64_t i = 0; i < e.getRows()[k]; ++i) {
      FlopCounter::V acc;
      for (int64_t j = 0; j < cols; ++j)
        acc = codelets::accumulate(
            c, acc, codelets::mulConst(c, {true}, values[i * cols + j]));
    }
  }
  return c.flops;
}

} // namespace

double linop::stageFlopsPerRow(Operation *op, bool complex) {
  double add = complex ? 2 : 1, mul = complex ? 6 : 1;
  if (auto s = dyn_cast<kernel::StageOp>(op)) {
    FlopCounter c(complex);
    codelets::stage(c, s, c.inputs(s.getR()));
    double f = c.flops * s.getA() * s.getB();
    if (s.getTwiddles())
      f += s.lengthIn() * mul;
    return f;
  }
  if (auto bf = dyn_cast<kernel::ButterflyStageOp>(op)) {
    double len = std::ldexp(1.0, bf.getLevels());
    return len * (2 * mul + add); // two products and a sum per output
  }
  if (auto e = dyn_cast<kernel::EmbedOp>(op))
    return embedFlops(e, complex);
  if (auto d = dyn_cast<kernel::DenseStageOp>(op))
    return d.getBlocks() * d.getR() * d.getR() * (mul + add);
  // Per pair: two complex sums, a complex product, a sum (and the halving).
  if (auto r = dyn_cast<kernel::RfftStageOp>(op))
    return r.getM() * (r.getInverse() ? 12 : 16);
  return 0;
}

KernelShape linop::kernelShape(kernel::KernelOp kernel) {
  KernelShape k;
  k.n = kernel.getN();
  k.complex = kernel.isComplex();
  k.subrows = kernel.subrowCount();
  k.scalarBytes = realPart(kernel.getElement()).getIntOrFloatBitWidth() / 8;
  int64_t elemBytes = k.scalarBytes * (k.complex ? 2 : 1);
  // Bytes of one tile element in global memory.
  auto globalBytes = [&](std::optional<Type> g, bool packed) -> int64_t {
    if (!g)
      return elemBytes;
    int64_t bytes = (*g).getIntOrFloatBitWidth() / 8;
    return packed ? 2 * bytes : bytes; // a packed element is a real pair
  };
  Block &body = kernel.steps();
  for (Operation &op : body) {
    k.flops += stageFlopsPerRow(&op, k.complex);
    if (auto l = dyn_cast<kernel::LoadOp>(op)) {
      int64_t len = l.getN().value_or(k.n);
      k.globalBytes += len * globalBytes(l.getGlobal(), l.getPacked());
      if (auto p = l.getPermAttr()) {
        k.permutedLoad = true;
        k.loadPerm = kernel::permutationIndices(p);
        if (auto d = dyn_cast<kernel::PermutationAttr>(p);
            d && d.getKind() == kernel::PermKind::digit_reversal)
          k.loadRadices.assign(d.getRadices().begin(), d.getRadices().end());
      }
      // Rows of other lengths or types than the tile's: not in-row.
      if (len != k.n || &op != &body.front() || l.getGlobal())
        k.inRowForm = false;
      continue;
    }
    if (auto s = dyn_cast<kernel::StoreOp>(op)) {
      int64_t len = s.getN().value_or(k.n);
      k.globalBytes += len * globalBytes(s.getGlobal(), s.getPacked());
      if (len != k.n || &op != &body.back() || s.getGlobal())
        k.inRowForm = false;
      continue;
    }
    // A gate reads a row of its own.
    if (auto d = dyn_cast<kernel::DenseStageOp>(op); d && d.getBatched())
      k.globalBytes +=
          d.getBlocks() *
          (d.getGlobal() ? (*d.getGlobal()).getIntOrFloatBitWidth() / 8
                         : k.scalarBytes * (d.getComplexWeights() ? 2 : 1));
    StepShape step;
    if (auto st = dyn_cast<kernel::StageOp>(op)) {
      step = {int64_t(st.getA()), int64_t(st.getR()), int64_t(st.getB()),
              /*stage=*/true, bool(st.getTwiddles())};
      if (st.getROut() || st.lengthIn() != k.n || st.getSrc() == st.getDst() ||
          st.getSrc() > 1 || st.getDst() > 1)
        k.inRowForm = false;
    } else {
      k.inRowForm = false;
    }
    k.steps.push_back(step);
  }
  return k;
}

RecurrenceShape linop::recurrenceShape(kernel::ChunkedRecurrenceOp rec) {
  RecurrenceShape r;
  r.t = rec.getT(), r.h = rec.getH(), r.dk = rec.getDk(), r.dv = rec.getDv();
  r.gated = rec.getDecay() != kernel::Decay::none;
  r.vectorGate = rec.getDecay() == kernel::Decay::vector;
  r.delta = rec.getUpdate() == kernel::StateUpdate::delta;
  r.scalarBytes = rec.getElement().getIntOrFloatBitWidth() / 8;
  return r;
}
