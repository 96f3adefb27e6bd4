//===- SpecFuzzer.cpp - libFuzzer target for the spec front end -----------===//
//
// Parses the input as a spec, verifies it, and runs the CPU and CUDA
// pipelines down to the scheduled kernel IR (canonicalize, decompose,
// simplify, plan, schedule). Any input may be refused with diagnostics;
// none may crash, hang or leak. Seeds: corpus/spec (the examples and lit
// inputs).
//
//===----------------------------------------------------------------------===//

#include "KernelAbi.h"
#include "linop/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool registered = (linop::registerTargets(), true);
  (void)registered;
  mlir::DialectRegistry registry;
  linop::abi::registerDialects(registry);
  mlir::MLIRContext ctx(registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  // Diagnostics are the expected outcome for most inputs: drop them.
  ctx.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> parsed =
      mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!parsed || failed(mlir::verify(*parsed)))
    return 0;
  for (const char *name : {"cpu", "cuda"}) {
    const linop::Target *target = linop::lookupTarget(name);
    if (!target)
      continue;
    mlir::OwningOpRef<mlir::ModuleOp> module = parsed->clone();
    mlir::PassManager pm(&ctx);
    linop::buildPipeline(pm, *target, linop::PipelineOptions(),
                         linop::Stage::Kernel);
    (void)pm.run(*module);
  }
  return 0;
}
