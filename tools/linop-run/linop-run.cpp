//===- linop-run.cpp - run a spec on .npy inputs -------------------------===//
//
// Lets a user (and the tests) try an operator without writing C: reads the
// spec, takes inputs from .npy files (or random ones), runs a function,
// writes the results, optionally checks them against the float64 reference
// evaluator and times the run.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"
#include "npy/Npy.h"
#include "reference/Evaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace linop;
namespace cl = llvm::cl;

static cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required);
static cl::opt<std::string> funcName("func", cl::desc("function to run "
                                     "(default: the only public one)"));
static cl::opt<std::string> target("target",
                                   cl::desc("reference (the float64 dense "
                                            "evaluator)"),
                                   cl::init("reference"));
static cl::list<std::string> inputs("in", cl::desc("input .npy, one per "
                                    "argument, in order"));
static cl::list<std::string> outputs("out", cl::desc("output .npy, one per "
                                     "result, in order"));
static cl::opt<bool> randomInputs("random", cl::desc("use random inputs "
                                  "(normal, seeded) for every argument"));
static cl::opt<int64_t> batch("batch", cl::desc("size of dynamic dimensions "
                              "with --random"), cl::init(16));
static cl::opt<uint64_t> seed("seed", cl::desc("seed for --random"),
                              cl::init(1));
static cl::opt<bool> allowNonFinite("allow-nonfinite",
                                    cl::desc("accept NaN/Inf in inputs"));

namespace {

int fail(const llvm::Twine &msg) {
  llvm::errs() << "linop-run: error: " << msg << "\n";
  return 1;
}

bool dtypeOf(Type t, npy::DType &d) {
  if (t.isF16())
    d = npy::DType::F16;
  else if (t.isBF16())
    d = npy::DType::BF16;
  else if (t.isF32())
    d = npy::DType::F32;
  else if (t.isF64())
    d = npy::DType::F64;
  else if (auto c = dyn_cast<ComplexType>(t); c && c.getElementType().isF32())
    d = npy::DType::C64;
  else if (c && c.getElementType().isF64())
    d = npy::DType::C128;
  else
    return false;
  return true;
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Reads input `i` for argument type `type`, checking dtype and shape.
bool readInput(unsigned i, RankedTensorType type, ref::Tensor &out,
               std::string &err) {
  npy::Array a;
  if (!npy::read(inputs[i], a, err))
    return false;
  npy::DType want;
  if (!dtypeOf(type.getElementType(), want)) {
    err = "argument #" + std::to_string(i) + " has unsupported element type " +
          typeString(type.getElementType());
    return false;
  }
  std::vector<int64_t> expect(type.getShape().begin(), type.getShape().end());
  auto shapeStr = [](const std::vector<int64_t> &s) {
    std::string r = "(";
    for (size_t k = 0; k < s.size(); ++k)
      r += (k ? ", " : "") +
           (ShapedType::isDynamic(s[k]) ? std::string("?") : std::to_string(s[k]));
    return r + (s.size() == 1 ? ",)" : ")");
  };
  bool shapeOk = a.shape.size() == expect.size();
  for (size_t k = 0; shapeOk && k < expect.size(); ++k)
    shapeOk = ShapedType::isDynamic(expect[k]) || expect[k] == a.shape[k];
  if (a.dtype != want || !shapeOk) {
    err = inputs[i] + ": argument #" + std::to_string(i) + " expects shape " +
          shapeStr(expect) + " of " + npy::dtypeName(want) + ", the file has " +
          shapeStr(a.shape) + " of " + npy::dtypeName(a.dtype);
    return false;
  }
  out.shape = a.shape;
  out.data = npy::toComplex128(a);
  if (!allowNonFinite)
    for (size_t k = 0; k < out.data.size(); ++k)
      if (!std::isfinite(out.data[k].real()) ||
          !std::isfinite(out.data[k].imag())) {
        err = inputs[i] + ": element " + std::to_string(k) +
              " is not finite (NaN or Inf); pass --allow-nonfinite to run "
              "anyway";
        return false;
      }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "linop-run: run a Linop spec on .npy inputs\n");
  if (target != "reference")
    return fail("unknown target '" + target +
                "': this build runs specs with --target=reference only");

  DialectRegistry registry;
  registry.insert<LinopDialect, func::FuncDialect, arith::ArithDialect,
                  complex::ComplexDialect, tensor::TensorDialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  llvm::SourceMgr sm;
  SourceMgrDiagnosticHandler diag(sm, &ctx);
  std::string err;
  auto file = openInputFile(specFile, &err);
  if (!file)
    return fail(err);
  sm.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sm, &ctx);
  if (!module || failed(verify(*module)))
    return 1; // the diagnostic is printed

  func::FuncOp func;
  for (auto f : module->getOps<func::FuncOp>()) {
    if (f.isExternal() || f.isPrivate())
      continue;
    if (!funcName.empty() ? f.getSymName() == funcName : !func) {
      func = f;
    } else if (funcName.empty()) {
      return fail("the spec has several functions; choose one with --func");
    }
  }
  if (!func)
    return fail(funcName.empty() ? "the spec has no public function"
                                 : "no function named '" + funcName + "'");

  std::vector<ref::Tensor> args;
  if (randomInputs) {
    if (!inputs.empty())
      return fail("give either --random or --in, not both");
    std::mt19937_64 rng(seed);
    for (Type t : func.getArgumentTypes())
      args.push_back(ref::randomTensor(cast<RankedTensorType>(t), batch, rng));
  } else {
    if (inputs.size() != func.getNumArguments())
      return fail("@" + func.getSymName() + " takes " +
                  std::to_string(func.getNumArguments()) + " arguments, got " +
                  std::to_string(inputs.size()) + " --in files");
    for (unsigned i = 0; i < inputs.size(); ++i) {
      auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
      if (!type)
        return fail("argument #" + std::to_string(i) + " is not a tensor");
      ref::Tensor t;
      if (!readInput(i, type, t, err))
        return fail(err);
      args.push_back(std::move(t));
    }
  }
  if (!outputs.empty() && outputs.size() != func.getNumResults())
    return fail("@" + func.getSymName() + " has " +
                std::to_string(func.getNumResults()) + " results, got " +
                std::to_string(outputs.size()) + " --out files");

  auto start = std::chrono::steady_clock::now();
  FailureOr<std::vector<ref::Tensor>> results = ref::evaluate(func, args);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (failed(results))
    return 1;
  llvm::outs() << "@" << func.getSymName()
               << ": evaluated with the float64 dense reference evaluator "
                  "(not a compiled kernel) in "
               << llvm::format("%.3f", seconds * 1e3) << " ms\n";

  for (unsigned i = 0; i < outputs.size(); ++i) {
    Type t = func.getResultTypes()[i];
    auto rt = dyn_cast<RankedTensorType>(t);
    npy::DType d;
    if (!rt || !dtypeOf(rt.getElementType(), d))
      return fail("result #" + std::to_string(i) + " of type " +
                  typeString(t) + " cannot be written as .npy");
    npy::Array a;
    if (!npy::fromComplex128(d, (*results)[i].shape, (*results)[i].data, a,
                             err) ||
        !npy::write(outputs[i], a, err))
      return fail(err);
  }
  return 0;
}
