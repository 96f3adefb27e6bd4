//===- Explain.cpp - linopc --explain: the plan, for people ---------------===//

#include "linop/Explain.h"

#include "linop/CostModel.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/Dialect/LinopKernel.h"
#include "linop/Target.h"

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
    os << "I_" << st.getA() << " (x) "
       << kernel::stringifyCodeletKind(st.getCodelet()) << "_";
    if (auto rOut = st.getROut())
      os << *rOut << "x";
    os << st.getR()
       << (st.getInverse() ? " inverse" : "") << " (x) I_" << st.getB();
    if (auto tw = st.getTwiddlesAttr())
      os << (isa<kernel::TwiddlesAttr>(tw) ? ", Cooley-Tukey twiddles merged"
                                           : ", twiddles merged (a table)");
    if (auto sc = st.getScale())
      os << ", scaled by " << sc->convertToDouble();
  } else if (auto bf = dyn_cast<kernel::ButterflyStageOp>(op)) {
    os << "butterfly block " << bf.getBlock() << " level " << bf.getLevel()
       << ", stride " << bf.getStride() << ", weights from argument #"
       << bf.getOperand();
  } else if (auto d = dyn_cast<kernel::DenseStageOp>(op)) {
    if (d.getR() == 1)
      os << "diagonal of " << d.getBlocks();
    else
      os << d.getBlocks() << " dense block(s) of " << d.getR() << "x"
         << d.getR();
    os << ", weights from argument #" << d.getOperand();
    if (auto m = d.getMembers())
      os << " (a family of " << *m << ": row b takes member b mod " << *m
         << ")";
    if (d.getBatched())
      os << " (a gate: row b takes row b of the argument)";
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
    os << "permute " << kernel::permutationIndices(p.getPerm()).size()
       << " elements";
  } else if (auto c = dyn_cast<kernel::ConvertOp>(op)) {
    os << kernel::stringifyConvertKind(c.getKind()) << " (" << c.getN()
       << " complex elements)";
  } else if (auto r = dyn_cast<kernel::RfftStageOp>(op)) {
    os << (r.getInverse() ? "rfft merge " : "rfft split ")
       << (r.getInverse() ? r.getM() + 1 : r.getM()) << " -> "
       << (r.getInverse() ? r.getM() : r.getM() + 1)
       << " (the real transform from a half-size complex one)";
  } else if (auto l = dyn_cast<kernel::LoadOp>(op)) {
    os << "load operand #" << l.getOperand() << " (global -> tile";
    if (l.getInterleaved())
      os << ", interleaved sub-rows";
    if (auto n = l.getN())
      os << ", " << *n << " elements";
    if (auto g = l.getGlobal())
      os << (l.getPacked()         ? ", pairs of "
             : isa<ComplexType>(l->getParentOfType<kernel::KernelOp>()
                                    .getElement())
                 ? ", promoted from "
                 : ", converted from ")
         << *g;
    os << ")";
    if (auto p = l.getPermAttr()) {
      os << ", permutation absorbed into the index map";
      if (auto sp = dyn_cast<kernel::PermutationAttr>(p))
        os << " (" << (sp.getKind() == kernel::PermKind::stride
                           ? "a stride permutation"
                           : "a digit reversal")
           << ")";
    }
  } else if (auto s = dyn_cast<kernel::StoreOp>(op)) {
    os << "store result to pointer #" << s.getOperand() << " (tile -> global";
    if (s.getInterleaved())
      os << ", interleaved sub-rows";
    if (auto n = s.getN())
      os << ", " << *n << " elements";
    if (auto g = s.getGlobal())
      os << (s.getPacked()         ? ", as pairs of "
             : isa<ComplexType>(s->getParentOfType<kernel::KernelOp>()
                                    .getElement())
                 ? ", real parts as "
                 : ", rounded to ")
         << *g;
    os << ")";
  }
  return s;
}

} // namespace

void linop::explainPlan(ModuleOp module, llvm::raw_ostream &os) {
  TargetAttr desc = moduleTarget(module);
  const Target *target = desc ? lookupTarget(desc.getName()) : nullptr;
  std::unique_ptr<CostModel> model = costModelFor(module);
  module.walk([&](kernel::KernelOp k) {
    Type elem = k.getElement();
    bool cplx = k.isComplex();
    int64_t n = k.getN();
    KernelShape shape = kernelShape(k);
    // Each end as global memory holds it: "512 x f32 (256 complex pairs)".
    std::string in, out;
    auto side = [&](int64_t len, std::optional<Type> global, bool packed) {
      std::string t;
      llvm::raw_string_ostream os(t);
      if (packed)
        os << 2 * len << " x " << *global << " (" << len << " " << elem
           << " pairs)";
      else
        os << len << " x " << global.value_or(elem);
      return t;
    };
    for (Operation &op : k.steps()) {
      if (auto l = dyn_cast<kernel::LoadOp>(op))
        in = side(l.getN().value_or(n), l.getGlobal(), l.getPacked());
      if (auto s = dyn_cast<kernel::StoreOp>(op))
        out = side(s.getN().value_or(n), s.getGlobal(), s.getPacked());
    }
    os << "kernel @" << k.getSymName() << " (for @" << k.getFunction()
       << "): ";
    // Passes beside a whole kernel of the same function serve batches
    // with fewer rows than threads (CostModel::splitForFewRows).
    bool beside = k.getSubrows() &&
                  llvm::any_of(module.getOps<kernel::KernelOp>(),
                               [&](kernel::KernelOp o) {
                                 return !o.getSubrows() &&
                                        o.getFunction() == k.getFunction();
                               });
    if (beside)
      os << k.subrowCount() << " sub-rows of " << n << " x " << elem
         << " per row: a pass through memory, for a batch with fewer rows "
            "than threads, so that one row uses them all (linop-split-kernels; "
            "the whole kernel runs larger batches)\n";
    else if (k.getSubrows())
      os << k.subrowCount() << " sub-rows of " << n << " x " << elem
         << " per row: a pass through memory of a row too long for the chip "
            "(linop-split-kernels)\n";
    else if (in == out && in == side(n, std::nullopt, false))
      os << n << " x " << elem << " per row\n";
    else
      os << in << " -> " << out << " per row, in a tile of " << n << " x "
         << elem << "\n";
    if (target)
      target->explainSchedule(k, desc, os);
    int64_t limit;
    for (const kernel::ButterflyRepeat &r : loopedRepeats(k, &limit))
      os << "  loop: steps " << r.first << " to "
         << r.first + r.period * r.repeats - 1 << " run as a loop of "
         << r.repeats << " x " << r.period
         << " stages (stacked factors, past the cost model's " << limit
         << " unrolled steps)\n";
    if (auto why = k.getRadixChoicesAttr())
      for (Attribute a : why)
        os << "  radices (outermost split first; the cost model's search): "
           << cast<StringAttr>(a).getValue() << "\n";
    // A split kernel's figures are per sub-row.
    const char *unit = k.getSubrows() ? "sub-row" : "row";
    int i = 0;
    for (Operation &op : k.steps()) {
      double f = stageFlopsPerRow(&op, cplx);
      os << "  " << i++ << ". " << describe(&op);
      if (f > 0)
        os << "  [" << llvm::format("%.0f", f) << " flops/" << unit << "]";
      os << "\n";
    }
    double bytes = shape.globalBytes;
    os << "  per " << unit << ": " << llvm::format("%.0f", shape.flops) << " flops, "
       << llvm::format("%.0f", bytes) << " bytes to and from global memory ("
       << llvm::format("%.2f", shape.flops / bytes) << " flops/byte)\n";
  });
  module.walk([&](kernel::ChunkedRecurrenceOp r) {
    int64_t T = r.getT(), H = r.getH(), Dk = r.getDk(), Dv = r.getDv(),
            C = r.getChunk();
    bool delta = r.getUpdate() == kernel::StateUpdate::delta;
    os << "kernel @" << r.getSymName() << " (for @" << r.getFunction()
       << "): a chunked linear recurrence, T = " << T << ", " << H
       << (H == 1 ? " head" : " heads") << ", Dk = " << Dk << ", Dv = " << Dv
       << ", " << r.getElement()
       << " in, " << r.getOutElement() << " out"
       << (r.getHeadsFirst() ? ", heads first ([B, H, T, D])" : "") << "\n";
    if (auto cu = r.getOffsetElement())
      os << "  variable lengths: " << r.getSequences()
         << " sequences a batch entry along T, cut where its offsets (" << *cu
         << ", checked at run time) say, each with its own state\n";
    os << "  gate: "
       << (r.getDecay() == kernel::Decay::none     ? "none"
           : r.getDecay() == kernel::Decay::scalar ? "a scalar per head and step"
                                                   : "a vector per key channel")
       << "; update: " << (delta ? "the delta rule" : "additive")
       << "; scale " << llvm::format("%.6g", r.getScale().convertToDouble())
       << "\n"
       << "  chunks of " << C << " steps ("
       << (r.getChunkChosen() && model
               ? "the " + std::string(target ? target->name() : "flop") +
                     " cost model's choice, as the spec gives no "
                     "chunk_size: " +
                     model->recurrenceChunk(recurrenceShape(r)).why + ";"
               : std::string("the spec's chunk_size,"))
       << " at most T): "
       << "within a chunk, dense products (decayed q.k, their product with "
          "v), "
       << (delta ? "one forward substitution for the delta rule's "
                   "corrections, "
                 : "")
       << "the state [" << Dk << " x " << Dv << "] in f32 carried from chunk "
          "to chunk\n";
    if (target)
      target->explainRecurrence(r, os);
    if (auto f = r.getFlopsPerRow())
      os << "  per batch entry: " << *f << " flops\n";
  });
}
