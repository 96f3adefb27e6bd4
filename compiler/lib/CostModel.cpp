//===- CostModel.cpp - flops and bytes of kernel IR ------------------------===//

#include "linop/CostModel.h"

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
