//===- CheckConstants.cpp - linop-check-constants -------------------------===//
//
// Warns where a constant of the spec does not fit the element type of the
// operator it builds: the kernel would compute with infinity or zero and
// say nothing (issue 13: `scale by 1.0e-50` on f32 gave zeros).
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <complex>
#include <optional>

namespace linop {
#define GEN_PASS_DEF_CHECKCONSTANTS
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;

namespace {

/// The range of a real floating-point type: its largest finite value and
/// its smallest normal one.
struct Range {
  double largest, smallestNormal;
};

std::optional<Range> rangeOf(Type t) {
  if (auto c = dyn_cast<ComplexType>(t))
    t = c.getElementType();
  auto f = dyn_cast<FloatType>(t);
  if (!f || f.isF64())
    return std::nullopt; // the constants are f64 already
  const llvm::fltSemantics &sem = f.getFloatSemantics();
  return Range{llvm::APFloat::getLargest(sem).convertToDouble(),
               llvm::APFloat::getSmallestNormalized(sem).convertToDouble()};
}

/// What happens to `v` in type `t` with range `r`, or "".
std::string problem(double v, Type t, Range r) {
  std::string s;
  llvm::raw_string_ostream os(s);
  auto g = [](double x) { return llvm::format("%g", x); };
  double a = std::fabs(v);
  if (a > r.largest)
    os << "the constant " << g(v) << " overflows " << t
       << " (its largest finite value is " << g(r.largest)
       << "): the kernel computes with infinity";
  else if (a != 0 && a < r.smallestNormal)
    os << "the constant " << g(v) << " underflows " << t
       << " (its smallest normal value is " << g(r.smallestNormal)
       << "): the kernel computes with a subnormal or zero";
  return s;
}

struct CheckConstantsPass
    : linop::impl::CheckConstantsBase<CheckConstantsPass> {
  void runOnOperation() override {
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() != 1)
        return;
      auto type = dyn_cast<OperatorType>(op->getResult(0).getType());
      if (!type)
        return;
      Type elem = type.getCodomain();
      std::optional<Range> range = rangeOf(elem);
      if (!range)
        return;
      Type scalar = elem;
      if (auto c = dyn_cast<ComplexType>(elem))
        scalar = c.getElementType();
      // The first value out of range, and how many are.
      std::string first;
      int64_t count = 0, total = 0;
      auto check = [&](double v) {
        ++total;
        std::string p = problem(v, scalar, *range);
        if (p.empty())
          return;
        if (first.empty())
          first = p;
        ++count;
      };
      if (auto sc = dyn_cast<ScaleOp>(op)) {
        std::complex<double> c = sc.getFactor();
        check(c.real());
        if (c.imag() != 0)
          check(c.imag());
      }
      for (Value in : op->getOperands()) {
        auto cst = in.getDefiningOp<arith::ConstantOp>();
        auto values = cst ? dyn_cast<DenseElementsAttr>(cst.getValue())
                          : DenseElementsAttr();
        if (!values)
          continue;
        Type et = values.getElementType();
        if (isa<FloatType>(et)) {
          for (const llvm::APFloat &v : values.getValues<llvm::APFloat>())
            check(v.convertToDouble());
        } else if (auto c = dyn_cast<ComplexType>(et);
                   c && isa<FloatType>(c.getElementType())) {
          for (std::complex<llvm::APFloat> v :
               values.getValues<std::complex<llvm::APFloat>>()) {
            check(v.real().convertToDouble());
            check(v.imag().convertToDouble());
          }
        }
      }
      if (count == 1)
        op->emitWarning() << first;
      else if (count > 0)
        op->emitWarning() << count << " of its " << total
                          << " constant values are out of range; the first: "
                          << first;
    });
    markAllAnalysesPreserved();
  }
};

} // namespace
