//===- KernelAbi.cpp - the spec side of the kernel ABI --------------------===//

#include "KernelAbi.h"

#include "linop/CUDA/Nvrtc.h"

#include "linop/Dialect/LinopDialect.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/Format.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace mlir;

namespace linop::abi {

int64_t Signature::rowsPerBatch() const {
  int64_t rows = 1;
  for (int64_t c : channels)
    rows *= c;
  return rows;
}

size_t Signature::numInputs() const {
  return llvm::count_if(operands,
                        [](const Operand &o) { return !o.isOutput(); });
}

bool isComplex(Type element) { return isa<ComplexType>(element); }

unsigned elementBytes(Type element) {
  if (auto c = dyn_cast<ComplexType>(element))
    return 2 * elementBytes(c.getElementType());
  return element.getIntOrFloatBitWidth() / 8;
}

const char *cScalarType(Type element) {
  Type scalar = realPart(element);
  if (scalar.isF16() || scalar.isBF16())
    return "uint16_t"; // C has no portable half types: the raw bits
  if (scalar.isInteger(32) || scalar.isInteger(64)) // a recurrence's offsets
    return scalar.isInteger(32) ? "int32_t" : "int64_t";
  return scalar.isF32() ? "float" : "double";
}

std::string typeName(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

OwningOpRef<ModuleOp> parseSpec(llvm::SourceMgr &sm, MLIRContext *ctx) {
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sm, ctx);
  if (!module || failed(verify(*module)) ||
      failed(addImpliedEntryPoints(*module)))
    return nullptr;
  return module;
}

LogicalResult addImpliedEntryPoints(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createSplitPrepare());
  return pm.run(module);
}

std::vector<func::FuncOp> publicFunctions(ModuleOp module) {
  std::vector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal() && f.isPublic())
      funcs.push_back(f);
  return funcs;
}

namespace {

bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || !(llvm::isAlpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

// Names a generated parameter or entry point must not take: C and C++
// keywords (the header is compiled as both) and common macros of <stdint.h>.
bool isReserved(llvm::StringRef s) {
  static const llvm::StringSet<> words = {
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "true", "false",
      "asm", "catch", "class", "delete", "friend", "mutable", "namespace",
      "new", "operator", "private", "protected", "public", "template",
      "this", "throw", "try", "typename", "using", "virtual", "alignas",
      "alignof", "char16_t", "char32_t", "constexpr", "decltype", "noexcept",
      "nullptr", "static_assert", "thread_local", "and", "or", "not", "xor",
      "export", "module", "import", "NULL", "main"};
  // linop_* and the runtime's names belong to the runtime and generated code;
  // leading underscores to the implementation.
  return words.contains(s) || s.starts_with("linop") || s.starts_with("_");
}

// Where `where` points in the main source buffer, and the buffer's start
// and end; a null pointer when it points elsewhere.
struct SourceAt {
  const char *at = nullptr, *begin = nullptr, *end = nullptr;
};
SourceAt sourceAt(Location where, llvm::SourceMgr *sm) {
  auto loc = dyn_cast<FileLineColLoc>(where);
  if (!sm || !loc || sm->getNumBuffers() == 0)
    return {};
  unsigned id = sm->getMainFileID();
  const llvm::MemoryBuffer *buf = sm->getMemoryBuffer(id);
  if (buf->getBufferIdentifier() != loc.getFilename())
    return {};
  llvm::SMLoc at =
      sm->FindLocForLineAndColumn(id, loc.getLine(), loc.getColumn());
  if (!at.isValid())
    return {};
  return {at.getPointer(), buf->getBufferStart(), buf->getBufferEnd()};
}

bool isNameChar(char c) { return llvm::isAlnum(c) || c == '_'; }

// The name the spec gives argument `arg` (`%x` -> "x"), read at its
// location; "" when there is none.
std::string argumentName(BlockArgument arg, llvm::SourceMgr *sm) {
  SourceAt s = sourceAt(arg.getLoc(), sm);
  if (!s.at || s.at == s.end || *s.at != '%')
    return "";
  const char *e = s.at + 1;
  while (e != s.end && isNameChar(*e))
    ++e;
  return std::string(s.at + 1, e);
}

// The name the spec gives `result` (`%y = linop.apply ...` -> "y"; `%o, %s
// = linop.recurrence ...` -> "o", "s"), read backwards from its op's
// location (the op's name); "" when there is none.
std::string resultName(OpResult result, llvm::SourceMgr *sm) {
  Operation *op = result.getOwner();
  SourceAt s = sourceAt(op->getLoc(), sm);
  if (!s.at)
    return "";
  const char *p = s.at;
  auto skipSpace = [&] {
    while (p != s.begin && (p[-1] == ' ' || p[-1] == '\t'))
      --p;
  };
  skipSpace();
  if (p == s.begin || p[-1] != '=')
    return "";
  --p;
  // `%a, %b =`: the names, read backwards.
  std::vector<std::string> names;
  while (true) {
    skipSpace();
    const char *e = p;
    while (p != s.begin && isNameChar(p[-1]))
      --p;
    if (p == s.begin || p[-1] != '%' || p == e)
      return "";
    names.insert(names.begin(), std::string(p, e));
    --p;
    skipSpace();
    if (p == s.begin || p[-1] != ',')
      break;
    --p;
  }
  if (names.size() != op->getNumResults())
    return "";
  return names[result.getResultNumber()];
}

// Why `name` cannot name an entry point's C parameter, or "": the entry
// point's own parameters and locals, and the names it derives per operand.
std::string clashReason(llvm::StringRef name) {
  if (isReserved(name))
    return "it is a C/C++ keyword, or starts with 'linop' or '_'";
  for (llvm::StringRef own : {"batch", "rows", "stream", "st", "fn"})
    if (name == own)
      return "every entry point has a parameter or local '" + own.str() + "'";
  for (llvm::StringRef suffix : {"_stride", "_rs", "_bytes"})
    if (name.ends_with(suffix))
      return "names ending in '" + suffix.str() +
             "' are the entry point's own (one per operand)";
  return "";
}

} // namespace

FailureOr<Signature> signatureOf(func::FuncOp f, llvm::SourceMgr *sm) {
  Signature sig{f.getSymName().str(), "", {}, {}, "", f.getLoc()};
  if (!isCIdentifier(sig.func) || isReserved(sig.func))
    return f.emitError() << "function name '" << sig.func
                         << "' cannot name a C entry point: use a C "
                            "identifier that is no C/C++ keyword and does "
                            "not start with 'linop' or '_'";

  auto unsupported = [&](const Twine &what, Type type) {
    return f.emitError() << "@" << sig.func << ": " << what << " has type "
                         << type
                         << ", which the kernel ABI does not cover: data "
                            "arguments are tensor<?xNxT> or tensor<?xCx...xNxT>"
                            ", weights have a static shape, results are "
                            "tensor<?xMxT> or tensor<?xCx...xMxT>, with T one "
                            "of f16, bf16, f32, f64, complex<f32>, "
                            "complex<f64>";
  };
  // A recurrence's operands differ in shape ([?, T, H, D], [?, T, H],
  // [?, H, Dk, Dv]): each batch entry is one row of all its elements. Its
  // offsets are integers.
  const bool wholeRows =
      !f.isExternal() && !f.getBody().front().getOps<RecurrenceOp>().empty();
  auto elementOk = [&](RankedTensorType t) {
    Type e = t.getElementType();
    return isSupportedElementType(e) ||
           (wholeRows && (e.isInteger(32) || e.isInteger(64)));
  };
  // A dynamic batch, then static positive sizes.
  auto isBatchedRow = [](RankedTensorType t) {
    return t.getRank() >= 2 && ShapedType::isDynamic(t.getDimSize(0)) &&
           llvm::all_of(t.getShape().drop_front(), [](int64_t d) {
             return !ShapedType::isDynamic(d) && d > 0;
           });
  };
  auto rowOf = [&](RankedTensorType t) {
    return wholeRows ? ShapedType::getNumElements(t.getShape().drop_front())
                     : t.getShape().back();
  };
  // Every batched operand shares the dimensions between batch and row.
  std::optional<std::vector<int64_t>> channels;
  auto sameChannels = [&](const Twine &what, RankedTensorType t) {
    if (wholeRows)
      return success();
    std::vector<int64_t> c(t.getShape().begin() + 1, t.getShape().end() - 1);
    if (!channels)
      channels = c;
    if (*channels == c)
      return success();
    auto text = [](ArrayRef<int64_t> dims) {
      std::string s = "[";
      for (auto [k, d] : llvm::enumerate(dims))
        s += (k ? ", " : "") + std::to_string(d);
      return s + "]";
    };
    return LogicalResult(f.emitError()
                         << "@" << sig.func << ": " << what << " has type "
                         << t << ", whose dimensions between the batch and "
                         << "the row " << text(c) << " differ from another "
                         << "batched operand's " << text(*channels)
                         << ": every data argument and result shares them");
  };

  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
    auto t = dyn_cast<RankedTensorType>(type);
    std::string what = "argument #" + std::to_string(i);
    if (!t || !elementOk(t))
      return unsupported(what, type);
    Operand o{Role::Data, unsigned(i), "", t, 0};
    if (isBatchedRow(t)) {
      o.rowElements = rowOf(t);
      if (failed(sameChannels(what, t)))
        return failure();
    } else if (t.hasStaticShape()) {
      o.role = Role::Weight;
      o.rowElements = t.getNumElements();
    } else {
      return unsupported(what, type);
    }
    sig.operands.push_back(o);
  }
  for (auto [i, type] : llvm::enumerate(f.getResultTypes())) {
    auto t = dyn_cast<RankedTensorType>(type);
    std::string what = "result #" + std::to_string(i);
    if (!t || !elementOk(t) || !isBatchedRow(t))
      return unsupported(what, type);
    if (failed(sameChannels(what, t)))
      return failure();
    sig.operands.push_back({Role::Result, unsigned(i), "", t, rowOf(t)});
  }
  if (f.getNumResults() == 0)
    return f.emitError() << "@" << sig.func
                         << " has no results: a kernel must write something";
  sig.channels = channels.value_or(std::vector<int64_t>());
  if (wholeRows) {
    RecurrenceOp r = *f.getBody().front().getOps<RecurrenceOp>().begin();
    const bool headsFirst = r.getLayout() == SequenceLayout::bhtd;
    ArrayRef<int64_t> q = r.getQ().getType().getShape();
    sig.unitsPerRow = r.getSequences() * q[headsFirst ? 1 : 2];
    if (auto cu = dyn_cast_or_null<BlockArgument>(r.getOffsets()))
      sig.offsets = Signature::Offsets{
          cu.getArgNumber(),
          int(cast<RankedTensorType>(cu.getType()).getElementTypeBitWidth() /
              8),
          r.getSequences(), q[headsFirst ? 2 : 1]};
  }

  // C names: the spec's own (%x -> x, a result after the value returned)
  // where they are C identifiers, else the positions (arg0, result0). An
  // argument whose name would clash with the entry point's own is refused;
  // a result's falls back to its position, as does any repeated name.
  auto positional = [](const Operand &o) {
    return (o.isOutput() ? "result" : "arg") + std::to_string(o.index);
  };
  Operation *ret = f.getBody().front().getTerminator();
  llvm::StringSet<> used;
  for (Operand &o : sig.operands) {
    std::string name;
    if (!o.isOutput()) {
      BlockArgument arg = f.getArgument(o.index);
      name = argumentName(arg, sm);
      std::string why = isCIdentifier(name) ? clashReason(name) : "";
      if (!why.empty())
        return emitError(arg.getLoc())
               << "argument %" << name << " of @" << sig.func
               << " cannot name the entry point's C parameter: " << why
               << "; rename it";
    } else if (auto def = dyn_cast<OpResult>(ret->getOperand(o.index))) {
      name = resultName(def, sm);
      if (!clashReason(name).empty())
        name.clear();
    }
    if (!isCIdentifier(name) || used.contains(name) ||
        used.contains(name + "_stride"))
      name = positional(o);
    o.name = name;
    used.insert(name);
  }

  llvm::raw_string_ostream os(sig.specText);
  os << "func.func @" << sig.func << "(";
  for (const Operand &o : sig.operands)
    if (!o.isOutput())
      os << (o.index ? ", " : "") << "%" << o.name << ": " << o.type;
  os << ") -> ";
  if (f.getNumResults() > 1)
    os << "(";
  llvm::interleaveComma(f.getResultTypes(), os);
  if (f.getNumResults() > 1)
    os << ")";
  return sig;
}

void registerDialects(DialectRegistry &registry) {
  registerPipelineDialects(registry);
  registry.insert<LinopDialect, func::FuncDialect, arith::ArithDialect,
                  complex::ComplexDialect, tensor::TensorDialect,
                  LLVM::LLVMDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

static llvm::cl::list<int64_t>
    radices("radices", llvm::cl::CommaSeparated,
            llvm::cl::desc("DFT radices the plan may use, e.g. 16,8 "
                           "(default 16,8,7,5,4,3,2; prime factors of N no "
                           "radix covers are added)"));
enum class RadixChoice { Cost, Largest };
static llvm::cl::opt<RadixChoice> radixChoice(
    "radix-choice", llvm::cl::init(RadixChoice::Cost),
    llvm::cl::desc("how DFT radices are chosen"),
    llvm::cl::values(clEnumValN(RadixChoice::Cost, "cost",
                                "the cost model's search (see --explain)"),
                     clEnumValN(RadixChoice::Largest, "largest",
                                "the largest allowed radix first")));

void addPlanOptions(llvm::cl::OptionCategory &category) {
  radices.addCategory(category);
  radixChoice.addCategory(category);
}

PipelineOptions pipelineOptions(std::vector<std::string> description) {
  PipelineOptions opts;
  opts.description = std::move(description);
  opts.radixChoice = radixChoice == RadixChoice::Cost ? "cost" : "largest";
  opts.radices.assign(radices.begin(), radices.end());
  return opts;
}

LogicalResult lower(ModuleOp module, const Target &target, Stage stop,
                    const PipelineOptions &opts, bool prelowered) {
  if (prelowered) {
    if (target.name() != "cpu")
      return emitError(module.getLoc())
             << "--prelowered inputs hold CPU kernels in the LLVM dialect; "
                "they need --target=cpu";
    if (stop != Stage::Final)
      return emitError(module.getLoc())
             << "a --prelowered input holds its kernels in the LLVM dialect "
                "already: it has no decomposed or kernel stage to show";
    // The spec functions are what the pipeline would replace by kernels.
    for (auto f : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      f.erase();
    return success();
  }
  PassManager pm(module.getContext());
  // The tool's --mlir-print-ir-* options (it must have called
  // registerPassManagerCLOptions, else this fails).
  if (failed(applyPassManagerCLOptions(pm)))
    return emitError(module.getLoc())
           << "internal error: the pass manager's command-line options are "
              "not registered";
  buildPipeline(pm, target, opts, stop);
  // Each pass is a step of the progress report.
  struct Steps : PassInstrumentation {
    void runBeforePass(Pass *pass, Operation *) override {
      Progress::step(("pass " + pass->getArgument()).str());
    }
  };
  pm.addInstrumentation(std::make_unique<Steps>());
  return pm.run(module);
}

std::vector<Operation *> passesOf(ModuleOp lowered, StringRef func) {
  std::string name = kernelSymbol(func);
  std::vector<Operation *> passes;
  while (Operation *k = lowered.lookupSymbol(
             name + "_pass" + std::to_string(passes.size() + 1)))
    passes.push_back(k);
  return passes;
}

std::vector<Operation *> kernelsOf(ModuleOp lowered, StringRef func) {
  if (Operation *whole = lowered.lookupSymbol(kernelSymbol(func)))
    return {whole};
  return passesOf(lowered, func);
}

LogicalResult checkKernels(ModuleOp module,
                           std::vector<Signature> &signatures) {
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto want = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                          {ptr, ptr, i64, i64});
  // The CPU ABI's kernels, checked.
  auto check = [&](const Signature &sig, ArrayRef<Operation *> ops,
                   std::vector<CpuKernel> &kernels) -> LogicalResult {
    kernels.clear();
    for (Operation *op : ops) {
      auto k = dyn_cast<LLVM::LLVMFuncOp>(op);
      if (!k || k.isExternal())
        return op->emitError() << "the kernel of @" << sig.func
                               << " is not a defined LLVM function";
      if (k.getFunctionType() != want)
        return k.emitError() << "kernel @" << k.getSymName() << " has type "
                             << k.getFunctionType()
                             << ", the kernel ABI wants " << want;
      CpuKernel c{k.getSymName().str(), sig.unitsPerRow};
      if (auto u = k->getAttrOfType<IntegerAttr>("linop.units_per_row")) {
        if (u.getInt() < 1)
          return k.emitError() << "kernel @" << k.getSymName()
                               << " counts " << u.getInt()
                               << " units per row; it needs at least 1";
        c.unitsPerRow = u.getInt();
      }
      kernels.push_back(c);
    }
    return success();
  };
  for (Signature &sig : signatures) {
    // The whole kernel runs every batch, with the passes beside it for few
    // rows; without it, the passes run every batch.
    Operation *whole = module.lookupSymbol(kernelSymbol(sig.func));
    std::vector<Operation *> passes = passesOf(module, sig.func);
    if (!whole && passes.empty())
      return emitError(sig.loc)
             << "the lowered module defines no kernel @"
             << kernelSymbol(sig.func) << " for @" << sig.func;
    std::vector<Operation *> every = whole ? std::vector<Operation *>{whole}
                                           : passes;
    if (failed(check(sig, every, sig.cpuKernels)) ||
        failed(check(sig, whole ? passes : std::vector<Operation *>{},
                     sig.cpuFewRows)))
      return failure();
  }
  return success();
}

bool compileCuda(ModuleOp kernels, llvm::StringRef specName, CudaCode &out,
                 std::string &error) {
  FailureOr<std::string> source =
      cuda::emitCuda(kernels, specName, out.launches);
  if (failed(source)) {
    error = "the CUDA emitter failed (see the error above)";
    return false;
  }
  out.source = *source;
  std::string why;
  if (!cuda::nvrtcAvailable(why)) {
    error = "--target=cuda compiles its kernels with NVRTC, which is not "
            "available here: " +
            why + ". The CPU target works without it.";
    return false;
  }
  cuda::NvrtcResult r;
  std::string log;
  if (!cuda::compileCuda(specName.str() + ".cu", out.source,
                         {cuda::deviceHeader(), cuda::recurrenceHeader()}, {}, r,
                         log)) {
    error = "NVRTC could not compile the kernels of " + specName.str() +
            " (a bug in the CUDA emitter; --emit=cuda shows the source):\n" +
            log;
    return false;
  }
  out.cubin = std::move(r.cubin);
  out.ptx = std::move(r.ptx);
  return true;
}

int64_t grainUnits(const Signature &sig, int64_t units) {
  int64_t rowBytes = 0;
  for (const Operand &o : sig.operands)
    if (o.batched())
      rowBytes += o.rowElements * elementBytes(o.element());
  rowBytes /= std::max<int64_t>(1, units);
  return std::max<int64_t>(1, (32 * 1024) / std::max<int64_t>(1, rowBytes));
}

std::optional<double> flopsPerRow(ModuleOp lowered, ModuleOp spec,
                                  llvm::StringRef func) {
  auto read = [](Operation *op) -> std::optional<double> {
    if (!op)
      return std::nullopt;
    Attribute a = op->getAttr("linop.flops_per_row");
    if (!a) // a kernel op (linop_kernel.kernel) not lowered further
      a = op->getAttr("flops_per_row");
    if (auto i = dyn_cast_or_null<IntegerAttr>(a))
      return double(i.getInt());
    if (auto f = dyn_cast_or_null<FloatAttr>(a))
      return f.getValueAsDouble();
    return std::nullopt;
  };
  // A kernel op counts flops per sub-row; a lowered kernel per row.
  std::vector<Operation *> kernels = kernelsOf(lowered, func);
  std::optional<double> sum = kernels.empty() ? std::nullopt
                                              : std::optional<double>(0);
  for (Operation *k : kernels) {
    std::optional<double> v = read(k);
    auto subrows = k->getAttrOfType<IntegerAttr>("subrows");
    sum = v && sum ? *sum + *v * (subrows ? subrows.getInt() : 1)
                   : std::optional<double>();
  }
  return sum ? sum : read(spec.lookupSymbol(func));
}

struct Progress::State {
  std::string tool;
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;
  std::thread reporter;
};

namespace {
std::mutex currentMutex;
std::string currentStep = "parsing";
} // namespace

Progress::Progress(llvm::StringRef tool, double after, double every)
    : state(std::make_unique<State>()) {
  state->tool = tool.str();
  State *s = state.get();
  s->reporter = std::thread([s, after, every] {
    using clock = std::chrono::steady_clock;
    auto start = clock::now();
    auto next = start + std::chrono::duration<double>(after);
    std::unique_lock<std::mutex> lock(s->mutex);
    while (!s->wake.wait_until(lock, next, [s] { return s->done; })) {
      double t = std::chrono::duration<double>(clock::now() - start).count();
      std::string what;
      {
        std::lock_guard<std::mutex> g(currentMutex);
        what = currentStep;
      }
      llvm::errs() << s->tool << ": still compiling after "
                   << llvm::format("%.0f", t) << " s: " << what << "\n";
      next += std::chrono::duration<double>(every);
    }
  });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> g(state->mutex);
    state->done = true;
  }
  state->wake.notify_all();
  state->reporter.join();
}

void Progress::step(llvm::StringRef what) {
  std::lock_guard<std::mutex> g(currentMutex);
  currentStep = what.str();
}

} // namespace linop::abi
