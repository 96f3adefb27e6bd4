//===- linopc.cpp - the Linop compiler: spec -> C library -----------------===//
//
//   linopc SPEC.mlir --target=cpu -o DIR [--name NAME] [--cpu=native|CPU]
//          [--emit=mlir|kernel|llvm|obj] [--explain]
//
// Writes DIR/<name>.h, DIR/lib<name>.a and DIR/lib<name>.so: one C entry
// point per public function of the spec. The spec goes through the CPU
// pipeline (linop/Pipeline.h) to the LLVM dialect, to LLVM IR in-process,
// through LLVM's O3 pipeline and the x86 backend to an object file. The C
// entry points (<name>_entry.c, kept in DIR) check arguments and run the
// kernels on the runtime's thread pool; the system C compiler builds them
// and links the shared library.
//
//===----------------------------------------------------------------------===//

#include "GenerateC.h"
#include "KernelAbi.h"

#include "linop/Explain.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

extern "C" {
// The x86 backend, from libLLVM (linopc targets x86-64 only).
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
}

using namespace mlir;
using namespace linop;
namespace cl = llvm::cl;
namespace fs = llvm::sys::fs;

namespace {

enum class Emit { Library, Mlir, Kernel, Llvm, Obj };

static cl::OptionCategory toolOptions("linopc options");

cl::opt<std::string> specFile(cl::cat(toolOptions), cl::Positional, cl::desc("<spec.mlir>"),
                              cl::Required);
cl::opt<std::string> target(cl::cat(toolOptions), "target", cl::desc("cpu (x86-64)"),
                            cl::init("cpu"));
cl::opt<std::string> outDir(cl::cat(toolOptions), "o", cl::desc("output directory"),
                            cl::value_desc("DIR"));
cl::opt<std::string> libName(cl::cat(toolOptions), "name",
                             cl::desc("library name (default: the spec's "
                                      "file stem as a C identifier)"));
cl::opt<std::string> cpu(cl::cat(toolOptions), "cpu",
                         cl::desc("CPU to compile for: native (the host's "
                                  "CPU and features) or an LLVM CPU name "
                                  "(x86-64-v3, skylake-avx512, znver4, ...)"),
                         cl::init("native"));
cl::opt<Emit> emit(cl::cat(toolOptions), 
    "emit", cl::desc("stop early and emit one stage"),
    cl::init(Emit::Library),
    cl::values(
        clEnumValN(Emit::Mlir, "mlir",
                   "print the spec after canonicalize and decompose"),
        clEnumValN(Emit::Kernel, "kernel", "print the kernel IR"),
        clEnumValN(Emit::Llvm, "llvm", "print the optimized LLVM IR"),
        clEnumValN(Emit::Obj, "obj", "write only the kernels' DIR/<name>.o")));
cl::opt<bool> explain(cl::cat(toolOptions), "explain", cl::desc("print the plan (kernels, stages, "
                                          "tiles) before compiling"));
cl::opt<bool> prelowered(cl::cat(toolOptions), 
    "prelowered",
    cl::desc("for tests of the packaging: the input holds, next to each "
             "spec function @f, a hand-written LLVM-dialect kernel "
             "@linop_k_f; skip the pipeline"));

int fail(const llvm::Twine &msg) {
  llvm::errs() << "linopc: error: " << msg << "\n";
  return 1;
}

/// "my-fft.v2" -> "my_fft_v2"; a leading digit gets a "spec_" prefix.
std::string sanitize(llvm::StringRef stem) {
  std::string s;
  for (char c : stem)
    s += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (s.empty() || llvm::isDigit(s[0]))
    s = "spec_" + s;
  return s;
}

bool isIdentifier(llvm::StringRef s) {
  return !s.empty() && (llvm::isAlpha(s[0]) || s[0] == '_') &&
         llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// An x86-64 TargetMachine for `cpuName` ("native": the host's CPU and
/// features), position independent (the objects go into a .so too).
std::unique_ptr<llvm::TargetMachine> createTargetMachine(llvm::StringRef
                                                             cpuName,
                                                         std::string &err) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  if (triple.getArch() != llvm::Triple::x86_64) {
    err = "the CPU target compiles for x86-64 only; this host is " +
          triple.str();
    return nullptr;
  }
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple.str(), err);
  if (!t)
    return nullptr;
  std::string name = cpuName.str(), features;
  if (cpuName == "native") {
    name = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (const auto &kv : llvm::sys::getHostCPUFeatures())
      f.AddFeature(kv.getKey(), kv.getValue());
    features = f.getString();
  } else {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(
        t->createMCSubtargetInfo(triple.str(), "", ""));
    if (!sti->isCPUStringValid(name)) {
      err = "unknown CPU '" + name +
            "' for x86-64: use --cpu=native or an LLVM CPU name such as "
            "x86-64-v3, skylake-avx512, znver4 (llc -mcpu=help lists them)";
      return nullptr;
    }
  }
  return std::unique_ptr<llvm::TargetMachine>(t->createTargetMachine(
      triple.str(), name, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// LLVM's O3 pipeline, tuned for `tm`, as clang -O3 runs it.
void optimize(llvm::Module &m, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}


/// Runs a program found on PATH; false with a message if it fails.
bool runProgram(llvm::StringRef program, std::vector<std::string> args,
                std::string &err) {
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0, 0,
                                     &msg);
  if (rc == 0)
    return true;
  err = "'" + llvm::join(argv, " ") + "' failed" +
        (msg.empty() ? " (exit " + std::to_string(rc) + ")" : ": " + msg);
  return false;
}

/// The C compiler: $CC if set, else `cc`, looked up on PATH.
bool findCCompiler(std::string &path, std::string &err) {
  const char *env = std::getenv("CC");
  std::string name = env && *env ? env : "cc";
  auto found = llvm::sys::findProgramByName(name);
  if (!found) {
    err = "no C compiler: '" + name +
          "' is not on PATH. linopc compiles the C entry points and links "
          "lib<name>.so with it; install gcc or clang, or set CC";
    return false;
  }
  path = *found;
  return true;
}

bool writeFile(const llvm::Twine &path, llvm::StringRef bytes,
               std::string &err) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path.str(), ec);
  if (!ec) {
    os << bytes;
    os.close();
    ec = os.error();
  }
  if (ec)
    err = "cannot write " + path.str() + ": " + ec.message();
  return !ec;
}

/// Builds the library in `tmp` (inside DIR), then moves the files into DIR,
/// so that a failed build leaves no half-written library behind.
int buildLibrary(const cgen::Library &lib, llvm::StringRef kernelObject,
                 llvm::StringRef tmp) {
  std::string err, cc;
  if (!findCCompiler(cc, err))
    return fail(err);
  auto in = [&](llvm::StringRef file) { return (tmp + "/" + file).str(); };
  const std::string &n = lib.name;

  // The runtime travels with the library, so DIR is self-contained.
  std::string runtimeLib = LINOP_RUNTIME_LIB_DIR "/liblinop_runtime.a";
  std::string runtimeHeader = LINOP_RUNTIME_INCLUDE_DIR "/linop/runtime.h";
  for (const std::string &f : {runtimeLib, runtimeHeader})
    if (!fs::exists(f))
      return fail("the Linop runtime is missing: " + f +
                  " (build the linop_runtime target)");
  if (std::error_code ec = fs::create_directories(in("linop")))
    return fail("cannot create " + in("linop") + ": " + ec.message());
  if (std::error_code ec = fs::copy_file(runtimeLib, in("liblinop_runtime.a")))
    return fail("cannot copy " + runtimeLib + ": " + ec.message());
  if (std::error_code ec = fs::copy_file(runtimeHeader, in("linop/runtime.h")))
    return fail("cannot copy " + runtimeHeader + ": " + ec.message());

  if (!writeFile(in(n + ".h"), cgen::header(lib), err) ||
      !writeFile(in(n + "_entry.c"), cgen::entrySource(lib), err) ||
      !writeFile(in(n + "_kernel.o"), kernelObject, err))
    return fail(err);
  if (!runProgram(cc,
                  {cc, "-O2", "-fPIC", "-Wall", "-c", in(n + "_entry.c"),
                   "-I", tmp.str(), "-o", in(n + "_entry.o")},
                  err))
    return fail("compiling the C entry points: " + err);

  std::vector<llvm::NewArchiveMember> members;
  for (const std::string &o : {in(n + "_kernel.o"), in(n + "_entry.o")}) {
    auto m = llvm::NewArchiveMember::getFile(o, /*Deterministic=*/true);
    if (!m)
      return fail("reading " + o + ": " + llvm::toString(m.takeError()));
    members.push_back(std::move(*m));
  }
  if (llvm::Error e = llvm::writeArchive(
          in("lib" + n + ".a"), members, llvm::SymtabWritingMode::NormalSymtab,
          llvm::object::Archive::K_GNU, /*Deterministic=*/true,
          /*Thin=*/false))
    return fail("writing lib" + n + ".a: " + llvm::toString(std::move(e)));

  // The .so carries the runtime (its linop_* functions stay exported, so the
  // caller can use linop_last_error and linop_set_num_threads from it).
  // --no-undefined: a kernel that needs a missing symbol fails here, not at
  // the user's first call.
  if (!runProgram(cc,
                  {cc, "-shared", "-o", in("lib" + n + ".so"),
                   "-Wl,-soname,lib" + n + ".so", "-Wl,--no-undefined",
                   in(n + "_kernel.o"), in(n + "_entry.o"),
                   in("liblinop_runtime.a"), "-lstdc++", "-lpthread", "-ldl",
                   "-lm"},
                  err))
    return fail("linking lib" + n + ".so: " + err);

  for (const std::string &f :
       {n + ".h", n + "_entry.c", "lib" + n + ".a", "lib" + n + ".so",
        std::string("liblinop_runtime.a"), std::string("linop/runtime.h")}) {
    std::string to = outDir + "/" + f;
    if (std::error_code ec = fs::create_directories(
            llvm::sys::path::parent_path(to)))
      return fail("cannot create the directory of " + to + ": " +
                  ec.message());
    if (std::error_code ec = fs::rename(in(f), to))
      return fail("cannot move " + in(f) + " to " + to + ": " + ec.message());
  }
  return 0;
}

void printVersion(llvm::raw_ostream &os) {
  os << "Linop linopc: CPU pipeline "
     << (abi::havePipeline() ? "built in"
                             : "not built yet (only --prelowered inputs)")
     << "\n";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::AddExtraVersionPrinter(printVersion);
  abi::addPlanOptions(toolOptions);
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "linopc: compile a Linop spec into a C "
                              "library\n");

  if (target != "cpu")
    return fail("unknown target '" + target +
                "': this linopc compiles for --target=cpu (x86-64) only");
  bool needsDir = emit == Emit::Obj || (emit == Emit::Library && !explain);
  if (needsDir && outDir.empty())
    return fail("give the output directory with -o DIR");

  std::string name = libName;
  if (name.empty())
    name = sanitize(llvm::sys::path::stem(specFile));
  else if (!isIdentifier(name))
    return fail("--name '" + name +
                "' is not a C identifier (letters, digits, '_')");

  DialectRegistry registry;
  abi::registerDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false); // the located message says enough
  llvm::SourceMgr sm;
  SourceMgrDiagnosticHandler diag(sm, &ctx);
  std::string err;
  auto file = openInputFile(specFile, &err);
  if (!file)
    return fail(err);
  sm.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> spec = abi::parseSpec(sm, &ctx);
  if (!spec)
    return 1; // the diagnostic is printed

  cgen::Library lib{name, llvm::sys::path::filename(specFile).str(), {}};
  std::vector<func::FuncOp> funcs = abi::publicFunctions(*spec);
  if (funcs.empty())
    return fail(specFile + " has no public function to compile");
  for (func::FuncOp f : funcs) {
    FailureOr<abi::Signature> sig = abi::signatureOf(f, &sm);
    if (failed(sig))
      return 1;
    lib.functions.push_back(std::move(*sig));
  }

  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(cpu, err);
  if (!tm)
    return fail(err);
  CpuOptions opts = abi::cpuOptions(*tm);

  // Each stop of the pipeline works on a clone: the spec stays as parsed.
  auto lowered = [&](Stage stop) -> OwningOpRef<ModuleOp> {
    OwningOpRef<ModuleOp> m = spec->clone();
    if (failed(abi::lower(*m, stop, opts, prelowered)))
      return nullptr;
    return m;
  };

  if (explain) {
    OwningOpRef<ModuleOp> kernels = lowered(Stage::Kernel);
    if (!kernels)
      return 1;
    explainPlan(*kernels, llvm::outs());
    if (emit == Emit::Library && outDir.empty())
      return 0; // --explain alone: only the plan
  }
  if (emit == Emit::Mlir || emit == Emit::Kernel) {
    OwningOpRef<ModuleOp> m =
        lowered(emit == Emit::Mlir ? Stage::Decomposed : Stage::Kernel);
    if (!m)
      return 1;
    m->print(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }

  OwningOpRef<ModuleOp> llvmDialect = lowered(Stage::LLVMDialect);
  if (!llvmDialect || failed(abi::checkKernels(*llvmDialect, lib.functions)))
    return 1;
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(*llvmDialect, llvmCtx, name);
  if (!module)
    return fail("cannot translate the kernels to LLVM IR");
  module->setTargetTriple(tm->getTargetTriple().str());
  module->setDataLayout(tm->createDataLayout());
  // Only the C entry points are the library's interface: the kernels and
  // their helpers stay inside it (hidden from the .so's dynamic symbols).
  for (llvm::GlobalValue &g : module->global_values())
    if (!g.isDeclaration() && !g.hasLocalLinkage())
      g.setVisibility(llvm::GlobalValue::HiddenVisibility);
  optimize(*module, *tm);
  if (emit == Emit::Llvm) {
    module->print(llvm::outs(), nullptr);
    return 0;
  }

  llvm::SmallString<0> object;
  {
    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return fail("the x86 backend cannot emit an object file");
    codegen.run(*module);
  }

  if (std::error_code ec = fs::create_directories(outDir))
    return fail("cannot create " + outDir + ": " + ec.message());
  if (emit == Emit::Obj)
    return writeFile(outDir + "/" + name + ".o", object, err) ? 0 : fail(err);

  // createUniqueDirectory puts relative models under the system's temp
  // directory: anchor the model in DIR itself.
  llvm::SmallString<128> model(outDir + "/.linopc-" + name), tmp;
  fs::make_absolute(model);
  if (std::error_code ec = fs::createUniqueDirectory(model, tmp))
    return fail("cannot create a temporary directory in " + outDir + ": " +
                ec.message());
  auto cleanup = llvm::make_scope_exit([&] { fs::remove_directories(tmp); });
  return buildLibrary(lib, object, tmp);
}
