//===- Target.cpp - the registry of targets -------------------------------===//
//
// Target-neutral: targets register themselves here (the built-in ones
// through registerTargets(), compiler/lib/Pipeline.cpp), and passes find
// them by the name in the module's #linop.target.
//
//===----------------------------------------------------------------------===//

#include "linop/Target.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <mutex>

using namespace mlir;
using namespace linop;

Target::~Target() = default;

namespace {

// Targets live for the whole process; registration happens once.
std::vector<std::unique_ptr<Target>> &registry() {
  static std::vector<std::unique_ptr<Target>> targets;
  return targets;
}

/// "64", "32K", "1M" -> bytes; false on anything else.
bool parseSize(StringRef text, int64_t &out) {
  int64_t unit = 1;
  if (text.consume_back("K") || text.consume_back("k"))
    unit = int64_t(1) << 10;
  else if (text.consume_back("M"))
    unit = int64_t(1) << 20;
  else if (text.consume_back("G"))
    unit = int64_t(1) << 30;
  int64_t v;
  if (text.empty() || text.getAsInteger(10, v) || v < 0 ||
      v > std::numeric_limits<int64_t>::max() / unit)
    return false;
  out = v * unit;
  return true;
}

} // namespace

void linop::registerTarget(std::unique_ptr<Target> target) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto &t : registry())
    if (t->name() == target->name())
      return;
  registry().push_back(std::move(target));
}

const Target *linop::lookupTarget(StringRef name) {
  for (const auto &t : registry())
    if (t->name() == name)
      return t.get();
  return nullptr;
}

std::string linop::targetNames() {
  std::vector<std::string> names;
  for (const auto &t : registry())
    names.push_back(t->name().str());
  return llvm::join(names, ", ");
}

FailureOr<TargetAttr>
linop::describeWithKeys(MLIRContext *ctx, StringRef name,
                        ArrayRef<DescriptionKey> defaults,
                        ArrayRef<std::string> keys, std::string &error) {
  llvm::StringMap<int64_t> values;
  for (const DescriptionKey &k : defaults)
    values[k.name] = k.value;
  auto known = [&] {
    std::vector<std::string> all;
    for (const DescriptionKey &k : defaults)
      all.push_back((k.name + " (" + k.meaning + ")").str());
    return llvm::join(all, ", ");
  };
  for (StringRef entry : keys) {
    auto [key, text] = entry.split('=');
    key = key.trim();
    text = text.trim();
    const DescriptionKey *spec = nullptr;
    for (const DescriptionKey &k : defaults)
      if (k.name == key)
        spec = &k;
    if (!spec) {
      error = ("the " + name + " target has no description key '" + key +
               "'; its keys: " + known())
                  .str();
      return failure();
    }
    int64_t v;
    if (!entry.contains('=') || !parseSize(text, v) || v < spec->min ||
        v > spec->max) {
      error = ("'" + entry + "': " + key + " must be an integer in [" +
               Twine(spec->min) + ", " + Twine(spec->max) +
               "] (K, M, G suffixes allowed)")
                  .str();
      return failure();
    }
    values[key] = v;
  }
  Builder b(ctx);
  SmallVector<NamedAttribute> attrs;
  for (const DescriptionKey &k : defaults)
    attrs.push_back(b.getNamedAttr(k.name, b.getI64IntegerAttr(values[k.name])));
  return TargetAttr::get(ctx, name, b.getDictionaryAttr(attrs));
}

TargetAttr linop::moduleTarget(ModuleOp module) {
  return module ? module->getAttrOfType<TargetAttr>("linop.target")
                : TargetAttr();
}

std::unique_ptr<CostModel> linop::costModelFor(ModuleOp module) {
  TargetAttr desc = moduleTarget(module);
  if (!desc)
    return std::make_unique<FlopCostModel>();
  if (const Target *t = lookupTarget(desc.getName()))
    return t->costModel(desc);
  return nullptr;
}

SmallVector<kernel::ButterflyRepeat>
linop::loopedRepeats(kernel::KernelOp kernel, int64_t *limit) {
  std::unique_ptr<CostModel> cost =
      costModelFor(kernel->getParentOfType<ModuleOp>());
  int64_t max = cost ? cost->maxUnrolledSteps()
                     : FlopCostModel().maxUnrolledSteps();
  if (limit)
    *limit = max;
  SmallVector<Operation *> steps;
  for (Operation &op : kernel.steps())
    steps.push_back(&op);
  return kernel::butterflyRepeats(steps, max);
}
