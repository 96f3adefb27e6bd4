//===- CostModel.cpp - flops and bytes of kernel IR ------------------------===//

#include "linop/CostModel.h"

#include "linop/Dialect/LinopKernel.h"

#include <cmath>

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
} // namespace

double linop::nominalFftFlops(int64_t n) { return 5.0 * n * std::log2(double(n)); }

double linop::stageFlopsPerRow(Operation *op, bool complex, int64_t n) {
  double add = complex ? 2 : 1, mul = complex ? 6 : 1;
  if (auto s = dyn_cast<kernel::StageOp>(op)) {
    double f = s.getA() * s.getB() * codeletFlops(s.getCodelet(), s.getR(), complex);
    if (s.getTwiddles())
      f += n * mul;
    if (s.getScale())
      f += n * (complex ? 2 : 1);
    return f;
  }
  if (isa<kernel::ButterflyStageOp>(op))
    return n * (2 * mul + add); // two products and a sum per output
  if (auto d = dyn_cast<kernel::DenseStageOp>(op))
    return d.getBlocks() * d.getR() * d.getR() * (mul + add);
  return 0;
}
