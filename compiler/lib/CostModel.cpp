//===- CostModel.cpp - flops and bytes of kernel IR ------------------------===//

#include "linop/CostModel.h"

#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <complex>

using namespace mlir;
using namespace linop;

namespace {
/// Real flops of one size-r codelet, in the form the lowering unrolls it.
double codeletFlops(StringRef codelet, int64_t r, bool complex) {
  double add = complex ? 2 : 1, mul = complex ? 6 : 1;
  if (codelet == "hadamard")
    return add * r * std::log2(double(r));
  if (codelet == "dft" && (r & (r - 1)) == 0) // radix-2 splitting
    return r / 2 * std::log2(double(r)) * (2 * add + mul);
  return r * r * (add + mul); // dense products (odd DFTs, matrices)
}

/// Real flops of a product by constant c as the lowering folds it: free for
/// 0 and +-1 (+-i too, a swap and a negation), half a complex product for a
/// real or imaginary c.
double constProductFlops(std::complex<double> c, bool complex) {
  double r = std::abs(c.real()), i = std::abs(c.imag());
  if ((r == 0 || r == 1) && (i == 0 || (r == 0 && i == 1)))
    return 0;
  if (!complex)
    return 1;
  return r == 0 || i == 0 ? 2 : 6;
}

/// Real flops of one row through an embedding: copies and zero fills are
/// free, each constant row costs its products and the additions between
/// its nonzero terms.
double embedFlops(kernel::EmbedOp e, bool complex) {
  double add = complex ? 2 : 1, f = 0;
  for (auto [k, blk] : llvm::enumerate(e.getBlocks())) {
    auto m = dyn_cast<DenseElementsAttr>(blk);
    if (!m || m.isSplat())
      continue; // a copy, or a zero fill
    int64_t cols = e.getCols()[k];
    auto values = m.getValues<std::complex<double>>();
    for (int64_t i = 0; i < e.getRows()[k]; ++i) {
      int64_t terms = 0;
      for (int64_t j = 0; j < cols; ++j) {
        std::complex<double> c = values[i * cols + j];
        if (c == 0.0)
          continue;
        ++terms;
        f += constProductFlops(c, complex);
      }
      f += std::max<int64_t>(terms - 1, 0) * add;
    }
  }
  return f;
}
} // namespace

double linop::stageFlopsPerRow(Operation *op, bool complex) {
  double add = complex ? 2 : 1, mul = complex ? 6 : 1;
  // Stages count their own length: a rectangular kernel's tile buffers are
  // longer than some of its stages.
  if (auto s = dyn_cast<kernel::StageOp>(op)) {
    int64_t len = s.getA() * s.getR() * s.getB();
    double f = s.getA() * s.getB() * codeletFlops(s.getCodelet(), s.getR(), complex);
    if (auto rOut = s.getROut()) // a rectangular matrix
      f = s.getA() * s.getB() * double(*rOut * s.getR()) * (add + mul);
    if (s.getTwiddles())
      f += len * mul;
    if (s.getScale())
      f += len * (complex ? 2 : 1);
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

bool linop::inRowSupported(kernel::TileLoopOp loop, int64_t lanes) {
  int64_t n = loop.getN(), V = lanes;
  auto pow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
  if (!pow2(V) || V < 2 || n % V)
    return false;
  auto &ops = loop.getBody().front().getOperations();
  if (ops.size() < 2 || !isa<kernel::LoadOp>(ops.front()) ||
      !isa<kernel::StoreOp>(ops.back()))
    return false;
  for (Operation &op : ops) {
    if (auto l = dyn_cast<kernel::LoadOp>(op)) {
      // Real global rows under a complex tile: across rows only, so far.
      if ((l.getN() && *l.getN() != n) || &op != &ops.front() || l.getGlobal())
        return false;
      continue;
    }
    if (auto s = dyn_cast<kernel::StoreOp>(op)) {
      if ((s.getN() && *s.getN() != n) || &op != &ops.back() || s.getGlobal())
        return false;
      continue;
    }
    auto st = dyn_cast<kernel::StageOp>(op);
    if (!st || st.getROut() || st.getA() * st.getR() * st.getB() != n ||
        st.getSrc() == st.getDst() ||
        st.getSrc() > 1 || st.getDst() > 1)
      return false;
    int64_t a = st.getA(), r = st.getR(), b = st.getB();
    if (b % V == 0)
      continue;
    if (V % b || !pow2(r) || r < 2 || a % (V / b))
      return false;
  }
  return true;
}

LayoutCost linop::estimateLayouts(kernel::TileLoopOp loop, int64_t lanes,
                                  int64_t l2Bytes) {
  bool cplx = isa<ComplexType>(loop.getElement());
  double n = loop.getN(), planes = cplx ? 2 : 1, V = lanes;
  double bytes = realPart(loop.getElement()).getIntOrFloatBitWidth() / 8;
  double vecs = n * planes / V; // vectors per row and pass
  int64_t stages = 0;
  bool perm = false;
  LayoutCost c;
  for (Operation &op : loop.getBody().front()) {
    if (auto l = dyn_cast<kernel::LoadOp>(op))
      perm = bool(l.getPerm());
    if (!isa<kernel::LoadOp, kernel::StoreOp>(op))
      ++stages;
    auto st = dyn_cast<kernel::StageOp>(op);
    if (!st || st.getB() % lanes == 0)
      continue;
    // Regrouping shuffles before and after the codelet; a stage reading a
    // permuted load gathers instead (a gather costs about 8 shuffles).
    double rounds = std::log2(double(st.getR()));
    c.alongRow += (perm && stages == 1 ? rounds + 8 : 2 * rounds) * vecs;
  }
  // Along the row: one read and one write per stage, (de)interleaving of
  // complex rows, a copy before a permuted load's gathers.
  c.alongRow += std::max<int64_t>(stages, 1) * 2 * vecs;
  c.alongRow += (cplx ? 2 : 0) * vecs + (perm ? 2 : 0) * vecs;
  if (3 * n * planes * bytes > l2Bytes)
    c.alongRow += 2 * std::max<int64_t>(stages, 1) * 2 * vecs;
  // Across rows: a pass per stage plus the load and the store (a permuted
  // load one more), global passes touch `lanes` rows at once (counted
  // twice), transposes log2(lanes) shuffles per vector at each end.
  double passes = stages + 2 + (perm ? 1 : 0);
  double mem = passes * 2 * vecs + 2 * 2 * vecs;
  if (2 * n * V * planes * bytes > l2Bytes)
    mem *= 3;
  c.acrossRows = mem + 2 * vecs * std::log2(V);
  return c;
}

bool linop::chooseInRow(kernel::TileLoopOp loop, int64_t lanes,
                        int64_t l2Bytes) {
  if (!inRowSupported(loop, lanes))
    return false;
  LayoutCost c = estimateLayouts(loop, lanes, l2Bytes);
  return c.alongRow < c.acrossRows;
}
