//===- CostModel.cpp - flops and bytes of kernel IR ------------------------===//

#include "linop/CostModel.h"

#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"
#include "reference/Math.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <complex>

using namespace mlir;
using namespace linop;

namespace {
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

/// Real flops of a DFT codelet as the CPU backend unrolls it: radix-2
/// splitting down to odd lengths, which are constant matrix products, with
/// products by 0, +-1 and +-i folded away.
double dftCodeletFlops(int64_t r, bool complex) {
  double add = complex ? 2 : 1;
  if (r == 1)
    return 0;
  if (r % 2) {
    double f = 0;
    for (int64_t k = 0; k < r; ++k) {
      for (int64_t j = 0; j < r; ++j)
        f += constProductFlops(ref::unitRoot(-j * k, r), complex);
      f += (r - 1) * add;
    }
    return f;
  }
  double f = 2 * dftCodeletFlops(r / 2, complex) + r * add;
  for (int64_t k = 0; k < r / 2; ++k)
    f += constProductFlops(ref::unitRoot(-k, r), complex);
  return f;
}

} // namespace

double linop::codeletFlops(StringRef codelet, int64_t r, bool complex) {
  double add = complex ? 2 : 1, mul = complex ? 6 : 1;
  if (codelet == "hadamard")
    return add * r * std::log2(double(r));
  if (codelet == "dft")
    return dftCodeletFlops(r, complex);
  return r * r * (add + mul); // dense products (matrices)
}

namespace {

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

bool linop::permutationSplits(ArrayRef<int64_t> perm, int64_t lanes,
                              SmallVectorImpl<int64_t> &blocks) {
  int64_t N = perm.size(), W = lanes;
  if (W < 2 || N % (W * W))
    return false;
  int64_t n = N / W;
  blocks.assign(n, 0);
  SmallVector<bool> seen(n, false);
  for (int64_t q = 0; q < n; ++q) {
    blocks[q] = perm[W * q];
    if (blocks[q] < 0 || blocks[q] >= n || seen[blocks[q]])
      return false;
    seen[blocks[q]] = true;
    for (int64_t l = 0; l < W; ++l)
      if (perm[W * q + l] != l * n + blocks[q])
        return false;
  }
  return true;
}

KernelShape linop::kernelShape(kernel::TileLoopOp loop, int64_t lanes) {
  KernelShape k;
  k.n = loop.getN();
  k.complex = isa<ComplexType>(loop.getElement());
  k.scalarBytes = realPart(loop.getElement()).getIntOrFloatBitWidth() / 8;
  auto &ops = loop.getBody().front().getOperations();
  if (ops.size() < 2 || !isa<kernel::LoadOp>(ops.front()) ||
      !isa<kernel::StoreOp>(ops.back()))
    k.inRowForm = false;
  for (Operation &op : ops) {
    if (auto l = dyn_cast<kernel::LoadOp>(op)) {
      k.permutedLoad = bool(l.getPerm());
      SmallVector<int64_t> blocks;
      k.splitLoad = l.getPerm() && permutationSplits(*l.getPerm(), lanes, blocks);
      // Real global rows under a complex tile: across rows only, so far.
      if ((l.getN() && *l.getN() != k.n) || &op != &ops.front() ||
          l.getGlobal())
        k.inRowForm = false;
      continue;
    }
    if (auto s = dyn_cast<kernel::StoreOp>(op)) {
      if ((s.getN() && *s.getN() != k.n) || &op != &ops.back() ||
          s.getGlobal())
        k.inRowForm = false;
      continue;
    }
    StepShape step;
    auto st = dyn_cast<kernel::StageOp>(op);
    if (st) {
      step = {st.getA(), st.getR(), st.getB(), /*stage=*/true,
              bool(st.getTwiddles())};
      if (st.getROut() || st.getA() * st.getR() * st.getB() != k.n ||
          st.getSrc() == st.getDst() || st.getSrc() > 1 || st.getDst() > 1)
        k.inRowForm = false;
    } else {
      k.inRowForm = false;
    }
    k.steps.push_back(step);
  }
  return k;
}

bool linop::splitFirstStage(const KernelShape &k, int64_t lanes) {
  if (!k.splitLoad || !k.complex || k.steps.size() < 2)
    return false;
  const StepShape &s0 = k.steps[0], &s1 = k.steps[1];
  return s0.stage && s1.stage && s0.r == lanes && s0.b == 1 &&
         !s0.twiddles && s0.a * lanes == k.n && s1.b % lanes == 0;
}

bool linop::inRowSupported(const KernelShape &k, int64_t lanes) {
  int64_t n = k.n, V = lanes;
  auto pow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
  if (!k.inRowForm || !pow2(V) || V < 2 || n % V)
    return false;
  for (const StepShape &st : k.steps) {
    int64_t a = st.a, r = st.r, b = st.b;
    if (b % V == 0)
      continue;
    if (V % b || !pow2(r) || r < 2 || a % (V / b))
      return false;
  }
  return true;
}

bool linop::inRowSupported(kernel::TileLoopOp loop, int64_t lanes) {
  return inRowSupported(kernelShape(loop, lanes), lanes);
}

LayoutCost linop::estimateLayouts(const KernelShape &k, int64_t lanes,
                                  int64_t l2Bytes) {
  double n = k.n, planes = k.complex ? 2 : 1, V = lanes;
  double bytes = k.scalarBytes;
  double vecs = n * planes / V; // vectors per row and pass
  int64_t stages = 0;
  bool perm = k.permutedLoad;
  LayoutCost c;
  bool split = splitFirstStage(k, lanes);
  for (const StepShape &st : k.steps) {
    ++stages;
    if (!st.stage || st.b % lanes == 0)
      continue;
    // Regrouping shuffles before and after the codelet; a stage reading a
    // permuted load gathers instead (a gather costs about 8 shuffles), or
    // on a split load transposes its outputs only.
    double rounds = std::log2(double(st.r));
    c.alongRow += (split && stages == 1   ? rounds
                   : perm && stages == 1 ? rounds + 8
                                         : 2 * rounds) *
                  vecs;
  }
  // Along the row: one read and one write per stage, (de)interleaving of
  // complex rows, a copy before a permuted load's gathers.
  c.alongRow += std::max<int64_t>(stages, 1) * 2 * vecs;
  c.alongRow += (k.complex ? 2 : 0) * vecs + (perm && !split ? 2 : 0) * vecs;
  if (3 * n * planes * bytes > l2Bytes)
    c.alongRow += 2 * std::max<int64_t>(stages, 1) * 2 * vecs;
  // The rows a stage touches (a complex row: the global rows and planar
  // buffers; a real row: the global rows in and out, its stages run in
  // place) stream from L2 once they fill L1, where the tiles across rows
  // live in L2 anyway. Fitted, not derived: 2x (complex) puts DFT-1K
  // across rows and 4K-64K along the row, 1.5x (real) keeps Hadamard
  // 4K-16K along the row, as measured (bench/NOTES.md v6, v9).
  if ((k.complex ? 4 : 2) * n * planes * bytes >= kDefaultL1Bytes)
    c.alongRow *= k.complex ? 2 : 1.5;
  // Across rows: a pass per stage plus the load and the store (a permuted
  // load one more), global passes touch `lanes` rows at once (counted
  // twice), transposes log2(lanes) shuffles per vector at each end.
  double passes = stages + 2 + (perm ? 1 : 0);
  double mem = passes * 2 * vecs + 2 * 2 * vecs;
  // Two tile buffers filling half of L2 already share it with the global
  // rows streaming through (measured: DFT-4096's 1 MiB of tiles runs 1.5x
  // slower per pass than DFT-2048's 512 KiB, bench/NOTES.md v6); far past
  // L2 they stream from L3 (DFT-64K: 16 MiB, 1.6x slower than in rows).
  double tiles = 2 * n * V * planes * bytes;
  if (tiles > 4 * l2Bytes)
    mem *= 4;
  else if (tiles > l2Bytes / 2)
    mem *= 2;
  c.acrossRows = mem + 2 * vecs * std::log2(V);
  return c;
}

LayoutCost linop::estimateLayouts(kernel::TileLoopOp loop, int64_t lanes,
                                  int64_t l2Bytes) {
  return estimateLayouts(kernelShape(loop, lanes), lanes, l2Bytes);
}

bool linop::chooseInRow(kernel::TileLoopOp loop, int64_t lanes,
                        int64_t l2Bytes) {
  if (!inRowSupported(loop, lanes))
    return false;
  LayoutCost c = estimateLayouts(loop, lanes, l2Bytes);
  return c.alongRow < c.acrossRows;
}
