//===- Explain.cpp - linopc --explain: the plan, for people ---------------===//

#include "linop/Explain.h"

#include "linop/CostModel.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace linop;

namespace {

std::string describe(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto st = dyn_cast<kernel::StageOp>(op)) {
    os << "I_" << st.getA() << " (x) " << st.getCodelet() << "_" << st.getR()
       << (st.getInverse() ? " inverse" : "") << " (x) I_" << st.getB();
    if (st.getTwiddles())
      os << ", twiddles merged";
    if (auto sc = st.getScale())
      os << ", scaled by " << sc->convertToDouble();
  } else if (auto bf = dyn_cast<kernel::ButterflyStageOp>(op)) {
    os << "butterfly block " << bf.getBlock() << " level " << bf.getLevel()
       << ", stride " << bf.getStride() << ", weights from argument #"
       << bf.getOperand();
  } else if (auto d = dyn_cast<kernel::DenseStageOp>(op)) {
    os << d.getBlocks() << " dense block(s) of " << d.getR() << "x"
       << d.getR() << ", weights from argument #" << d.getOperand();
  } else if (auto p = dyn_cast<kernel::PermuteOp>(op)) {
    os << "permute " << p.getPerm().size() << " elements";
  } else if (auto l = dyn_cast<kernel::LoadOp>(op)) {
    os << "load argument #" << l.getOperand() << " (global -> tile)"
       << (l.getPerm() ? ", permutation absorbed into the index map" : "");
  } else if (auto s = dyn_cast<kernel::StoreOp>(op)) {
    os << "store result to pointer #" << s.getOperand()
       << " (tile -> global)";
  }
  return s;
}

} // namespace

void linop::explainPlan(ModuleOp module, llvm::raw_ostream &os) {
  module.walk([&](kernel::TileLoopOp loop) {
    auto func = loop->getParentOfType<func::FuncOp>();
    Type elem = loop.getElement();
    bool cplx = isa<ComplexType>(elem);
    int64_t n = loop.getN(), w = loop.getWidth();
    int64_t scalarBytes = realPart(elem).getIntOrFloatBitWidth() / 8;
    int64_t elemBytes = scalarBytes * (cplx ? 2 : 1);
    int64_t tileBytes = n * w * elemBytes;
    os << "kernel @" << func.getSymName() << " (for @"
       << func->getAttrOfType<StringAttr>("linop.function").getValue()
       << "): " << n << " x " << elem << " per row\n";
    os << "  tiles: " << w << " rows per tile, vectorized across rows ("
       << w << " lanes of " << realPart(elem) << "); rows split over the "
       << "runtime's threads\n";
    os << "  memory: global -> " << loop.getBuffers() << " tile buffers of "
       << tileBytes / 1024 << " KiB (" << n << " x " << w
       << (cplx ? ", real and imaginary planes" : "") << ") -> registers\n";
    double flops = 0;
    int k = 0;
    for (Operation &op : loop.getBody().front()) {
      double f = stageFlopsPerRow(&op, cplx, n);
      flops += f;
      os << "  " << k++ << ". " << describe(&op);
      if (f > 0)
        os << "  [" << llvm::format("%.0f", f) << " flops/row]";
      os << "\n";
    }
    double bytes = 2.0 * n * elemBytes;
    os << "  per row: " << llvm::format("%.0f", flops) << " flops, "
       << llvm::format("%.0f", bytes) << " bytes to and from global memory ("
       << llvm::format("%.2f", flops / bytes) << " flops/byte)\n";
  });
}
