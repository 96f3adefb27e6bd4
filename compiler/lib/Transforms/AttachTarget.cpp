//===- AttachTarget.cpp - linop-attach-target -----------------------------===//
//
// Records the target and its description on the module, so that the
// target-neutral passes after it read the target through one attribute
// rather than options threaded through every pass.
//
//===----------------------------------------------------------------------===//

#include "linop/Target.h"
#include "linop/Transforms/Passes.h"

namespace linop {
#define GEN_PASS_DEF_ATTACHTARGET
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;

namespace {

struct AttachTargetPass
    : linop::impl::AttachTargetBase<AttachTargetPass> {
  using AttachTargetBase::AttachTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const Target *t = lookupTarget(target);
    if (!t) {
      module.emitError("linop-attach-target: unknown target '")
          << target << "' (targets: " << targetNames() << ")";
      return signalPassFailure();
    }
    // A description already on the module is the base the entries refine;
    // it must be for the same target.
    std::vector<std::string> keys;
    if (TargetAttr old = moduleTarget(module)) {
      if (old.getName() != t->name()) {
        module.emitError("linop-attach-target: the module is planned for "
                         "target '")
            << old.getName() << "', not '" << t->name() << "'";
        return signalPassFailure();
      }
      for (NamedAttribute a : old.getDescription()) {
        auto i = dyn_cast<IntegerAttr>(a.getValue());
        if (!i) {
          module.emitError("linop-attach-target: description key '")
              << a.getName().getValue() << "' must be an integer";
          return signalPassFailure();
        }
        keys.push_back((a.getName().getValue() + "=" + Twine(i.getInt()))
                           .str());
      }
    }
    keys.insert(keys.end(), description.begin(), description.end());
    std::string error;
    FailureOr<TargetAttr> desc = t->describe(&getContext(), keys, error);
    if (failed(desc)) {
      module.emitError("linop-attach-target: ") << error;
      return signalPassFailure();
    }
    module->setAttr("linop.target", *desc);
  }
};

} // namespace
