//===- Explain.cpp - linopc --explain: the plan, for people ---------------===//

#include "linop/Explain.h"

#include "linop/CostModel.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Format.h"

#include <complex>

using namespace mlir;
using namespace linop;

namespace {

std::string describe(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto st = dyn_cast<kernel::StageOp>(op)) {
    os << "I_" << st.getA() << " (x) " << st.getCodelet() << "_";
    if (auto rOut = st.getROut())
      os << *rOut << "x";
    os << st.getR()
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
  } else if (auto e = dyn_cast<kernel::EmbedOp>(op)) {
    os << "embed " << e.getNIn() << " -> " << e.getNOut() << ":";
    for (auto [k, blk] : llvm::enumerate(e.getBlocks())) {
      int64_t r = e.getRows()[k], c = e.getCols()[k];
      auto m = dyn_cast<DenseElementsAttr>(blk);
      os << (k ? "," : "") << " ";
      if (!m)
        os << "copy " << r;
      else if (m.empty() ||
               (m.isSplat() && m.getSplatValue<std::complex<double>>() == 0.0))
        os << (c == 0 ? "zero " + std::to_string(r)
               : r == 0 ? "drop " + std::to_string(c)
                        : "zero " + std::to_string(r) + "x" + std::to_string(c));
      else
        os << "constant " << r << "x" << c;
    }
  } else if (auto p = dyn_cast<kernel::PermuteOp>(op)) {
    os << "permute " << p.getPerm().size() << " elements";
  } else if (auto c = dyn_cast<kernel::ConvertOp>(op)) {
    os << c.getKind() << " (" << c.getN() << " complex elements)";
  } else if (auto r = dyn_cast<kernel::RfftStageOp>(op)) {
    os << (r.getInverse() ? "rfft merge " : "rfft split ")
       << (r.getInverse() ? r.getM() + 1 : r.getM()) << " -> "
       << (r.getInverse() ? r.getM() : r.getM() + 1)
       << " (the real transform from a half-size complex one)";
  } else if (auto l = dyn_cast<kernel::LoadOp>(op)) {
    os << "load argument #" << l.getOperand() << " (global -> tile";
    if (auto n = l.getN())
      os << ", " << *n << " elements";
    if (auto g = l.getGlobal())
      os << (l.getPacked() ? ", pairs of " : ", promoted from ") << *g;
    os << ")"
       << (l.getPerm() ? ", permutation absorbed into the index map" : "");
  } else if (auto s = dyn_cast<kernel::StoreOp>(op)) {
    os << "store result to pointer #" << s.getOperand() << " (tile -> global";
    if (auto n = s.getN())
      os << ", " << *n << " elements";
    if (auto g = s.getGlobal())
      os << (s.getPacked() ? ", as pairs of " : ", real parts as ") << *g;
    os << ")";
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
    // Rectangular kernels (and Bluestein's padding) read and write rows of
    // other lengths than the tile buffers hold.
    int64_t nIn = n, nOut = n, inBytes = elemBytes, outBytes = elemBytes;
    // Bytes per tile element in global memory: a real global type stores
    // half of a complex tile element, unless it holds pairs.
    auto globalBytes = [&](std::optional<Type> g, bool packed) {
      return g && !packed ? scalarBytes : elemBytes;
    };
    for (Operation &op : loop.getBody().front()) {
      if (auto l = dyn_cast<kernel::LoadOp>(op)) {
        nIn = l.getN() ? *l.getN() : n;
        inBytes = globalBytes(l.getGlobal(), l.getPacked());
      }
      if (auto s = dyn_cast<kernel::StoreOp>(op)) {
        nOut = s.getN() ? *s.getN() : n;
        outBytes = globalBytes(s.getGlobal(), s.getPacked());
      }
    }
    os << "kernel @" << func.getSymName() << " (for @"
       << func->getAttrOfType<StringAttr>("linop.function").getValue()
       << "): ";
    if (nIn == n && nOut == n)
      os << n << " x " << elem << " per row\n";
    else
      os << nIn << " -> " << nOut << " x " << elem
         << " per row, padded to " << n << " in the tile\n";
    auto lanes = loop->getAttrOfType<IntegerAttr>("lanes");
    int64_t V = lanes ? lanes.getInt() : w;
    LayoutCost cost = estimateLayouts(loop, V, kDefaultL2Bytes);
    bool inRow = w == 1 && lanes && inRowSupported(loop, V);
    if (inRow)
      os << "  tiles: 1 row per tile, vectorized along the row (" << V
         << " lanes of " << realPart(elem)
         << "; load and store fused into the first and last stage)";
    else
      os << "  tiles: " << w << " rows per tile, vectorized across rows ("
         << w << " lanes of " << realPart(elem) << ")";
    os << "; rows split over the runtime's threads\n";
    if (inRowSupported(loop, V))
      os << "  layout: cost model estimates " << llvm::format("%.0f", cost.alongRow)
         << " vector loads, stores and shuffles per row along the row, "
         << llvm::format("%.0f", cost.acrossRows) << " across rows\n";
    else
      os << "  layout: across rows (a step of this kernel has no in-row form)\n";
    if (inRow)
      os << "  memory: global -> 3 row buffers of " << n * elemBytes / 1024
         << " KiB (" << n << (cplx ? ", real and imaginary planes" : "")
         << ") -> registers\n";
    else
      os << "  memory: global -> " << loop.getBuffers() << " tile buffers of "
         << tileBytes / 1024 << " KiB (" << n << " x " << w
         << (cplx ? ", real and imaginary planes" : "") << ") -> registers\n";
    if (auto why = func->getAttrOfType<ArrayAttr>("linop.radix_choices"))
      for (Attribute a : why)
        os << "  radices (outermost split first; the cost model's search): "
           << cast<StringAttr>(a).getValue() << "\n";
    double flops = 0;
    int k = 0;
    for (Operation &op : loop.getBody().front()) {
      double f = stageFlopsPerRow(&op, cplx);
      flops += f;
      os << "  " << k++ << ". " << describe(&op);
      if (isa<kernel::LoadOp>(op) && inRow &&
          splitFirstStage(kernelShape(loop, V), V))
        os << " (split: the next stage reads it in whole vectors, the one "
              "after through a map of vectors)";
      if (f > 0)
        os << "  [" << llvm::format("%.0f", f) << " flops/row]";
      os << "\n";
    }
    double bytes = double(nIn * inBytes + nOut * outBytes);
    os << "  per row: " << llvm::format("%.0f", flops) << " flops, "
       << llvm::format("%.0f", bytes) << " bytes to and from global memory ("
       << llvm::format("%.2f", flops / bytes) << " flops/byte)\n";
  });
}
