//===- CheckEquivalence.cpp - linop-check-equivalence ------------------===//
//
// Runs a pipeline and checks each function against its own pre-pipeline
// copy with the dense reference evaluator: the test harness for rewrites.
//
//===----------------------------------------------------------------------===//

#include "linop/Transforms/Passes.h"
#include "reference/Evaluator.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace linop {
#define GEN_PASS_DEF_CHECKEQUIVALENCE
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;

namespace {

/// The bound for a function whose constants a rewrite may round to its
/// element types: the loosest over its arguments and results (tensors, and
/// operators returned as values).
double defaultBound(func::FuncOp f) {
  double bound = 0;
  auto widen = [&](Type t) {
    if (auto st = dyn_cast<ShapedType>(t))
      bound = std::max(bound, ref::errorBound(st.getElementType()));
    if (auto ot = dyn_cast<linop::OperatorType>(t))
      bound = std::max(bound, std::max(ref::errorBound(ot.getDomain()),
                                       ref::errorBound(ot.getCodomain())));
  };
  for (Type t : f.getArgumentTypes())
    widen(t);
  for (Type t : f.getResultTypes())
    widen(t);
  return bound > 0 ? bound : ref::errorBound(Float64Type::get(f.getContext()));
}

struct CheckEquivalencePass
    : linop::impl::CheckEquivalenceBase<CheckEquivalencePass> {
  using CheckEquivalenceBase::CheckEquivalenceBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    // The checked pipeline's dialects must be loaded before threads start.
    OpPassManager pm(ModuleOp::getOperationName());
    if (succeeded(parsePassPipeline(pipeline, pm, llvm::nulls())))
      pm.getDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!(tolerance >= 0) || !std::isfinite(tolerance)) {
      module.emitError("linop-check-equivalence: tolerance must be a "
                       "positive, finite bound (0: by element type), got ")
          << tolerance;
      return signalPassFailure();
    }
    std::string errors;
    llvm::raw_string_ostream os(errors);
    OpPassManager pm(ModuleOp::getOperationName());
    if (failed(parsePassPipeline(pipeline, pm, os))) {
      module.emitError("linop-check-equivalence: bad pipeline '")
          << pipeline << "': " << os.str();
      return signalPassFailure();
    }
    OwningOpRef<ModuleOp> before = module.clone();
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();
    for (auto f : before->getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      auto g = module.lookupSymbol<func::FuncOp>(f.getSymName());
      if (!g) {
        module.emitError("function @")
            << f.getSymName() << " disappeared in the pipeline";
        return signalPassFailure();
      }
      FailureOr<double> err = linop::ref::compareFunctions(f, g, trials);
      if (failed(err))
        return signalPassFailure();
      double bound = tolerance > 0 ? double(tolerance) : defaultBound(f);
      if (*err > bound) {
        g.emitError("not equivalent after '")
            << pipeline << "': relative error " << *err << " > " << bound;
        return signalPassFailure();
      }
      g.emitRemark("equivalent after '")
          << pipeline << "' (relative error "
          << (*err < 1e-15 ? std::string("< 1e-15")
                           : llvm::formatv("{0:e2}", *err).str())
          << ")";
    }
  }
};
} // namespace
