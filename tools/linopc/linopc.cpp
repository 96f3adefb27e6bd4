//===- linopc.cpp - the Linop compiler: spec -> C library -----------------===//
//
//   linopc SPEC.mlir --target=cpu|cuda -o DIR [--name NAME]
//          [--cpu=native|CPU[,key=value...]] [--gpu=key=value,...]
//          [--emit=mlir|kernel|llvm|obj|cuda|ptx|cubin] [--explain]
//
// Writes DIR/<name>.h, DIR/lib<name>.a and DIR/lib<name>.so: one C entry
// point per public function of the spec. The spec goes through the
// target's pipeline (linop/Target.h). CPU: to the LLVM dialect, LLVM IR
// in-process, LLVM's O3 pipeline and the x86 backend to an object file;
// the C entry points run the kernels on the runtime's thread pool. CUDA:
// to scheduled kernel IR, CUDA C++ (kept in DIR), NVRTC to an sm_90a cubin
// and compute_90 PTX embedded in the library; the C entry points check
// device pointers and launch through the runtime. The system C compiler
// builds the entry points and links the shared library.
//
//===----------------------------------------------------------------------===//

#include "GenerateC.h"
#include "KernelAbi.h"

#include "linop/CPU/CpuTarget.h"
#include "linop/CUDA/CudaTarget.h"
#include "linop/CUDA/Fatbin.h"
#include "linop/CUDA/Nvrtc.h"
#include "linop/Explain.h"

#include <functional>
#include <optional>

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

using namespace mlir;
using namespace linop;
namespace cl = llvm::cl;
namespace fs = llvm::sys::fs;

namespace {

enum class Emit { Library, Mlir, Kernel, Llvm, Obj, Cuda, Ptx, Cubin };

static cl::OptionCategory toolOptions("linopc options");

cl::opt<std::string> specFile(cl::cat(toolOptions), cl::Positional, cl::desc("<spec.mlir>"),
                              cl::Required);
cl::opt<std::string> target(cl::cat(toolOptions), "target",
                            cl::desc("cpu (x86-64 with SIMD) or cuda (NVIDIA "
                                     "Hopper, sm_90a)"),
                            cl::init("cpu"));
cl::opt<std::string> outDir(cl::cat(toolOptions), "o", cl::desc("output directory"),
                            cl::value_desc("DIR"));
cl::list<std::string> funcs(cl::cat(toolOptions), "func",
                            cl::CommaSeparated,
                            cl::desc("compile only these functions of the "
                                     "spec (default: every public one)"),
                            cl::value_desc("NAME,..."));
cl::opt<std::string> libName(cl::cat(toolOptions), "name",
                             cl::desc("library name (default: the spec's "
                                      "file stem as a C identifier)"));
cl::opt<std::string> cpu(cl::cat(toolOptions), "cpu",
                         cl::desc("--target=cpu: the CPU, native (the host's "
                                  "CPU, features and caches) or an LLVM CPU "
                                  "name (x86-64-v3, skylake-avx512, znver4, "
                                  "...), then optional description entries "
                                  "(lanes=16,l1=32K,l2=1M,l3=32M,cores=16)"),
                         cl::init("native"));
cl::opt<std::string> gpu(cl::cat(toolOptions), "gpu",
                         cl::desc("--target=cuda: description entries over "
                                  "the H200's (sms=132,smem=227K,cluster=16,"
                                  "copy=4121,...)"),
                         cl::init(""));
cl::opt<Emit> emit(cl::cat(toolOptions), 
    "emit", cl::desc("stop early and emit one stage"),
    cl::init(Emit::Library),
    cl::values(
        clEnumValN(Emit::Mlir, "mlir",
                   "print the spec after canonicalize and decompose"),
        clEnumValN(Emit::Kernel, "kernel", "print the kernel IR"),
        clEnumValN(Emit::Llvm, "llvm", "cpu: print the optimized LLVM IR"),
        clEnumValN(Emit::Obj, "obj", "cpu: write only the kernels' DIR/<name>.o"),
        clEnumValN(Emit::Cuda, "cuda", "cuda: print the CUDA C++"),
        clEnumValN(Emit::Ptx, "ptx", "cuda: print NVRTC's compute_90 PTX"),
        clEnumValN(Emit::Cubin, "cubin",
                   "cuda: write only the sm_90a DIR/<name>.cubin")));
cl::opt<bool> explain(cl::cat(toolOptions), "explain", cl::desc("print the plan (kernels, stages, "
                                          "tiles) before compiling"));
cl::opt<bool> prelowered(cl::cat(toolOptions), 
    "prelowered",
    cl::desc("for tests of the packaging: the input holds, next to each "
             "spec function @f, a hand-written LLVM-dialect kernel "
             "@linop_k_f; skip the pipeline"));

cl::opt<double> progressAfter(
    cl::cat(toolOptions), "progress-after", cl::init(5.0), cl::Hidden,
    cl::desc("seconds before a long compile reports its progress on stderr "
             "(then every 10 s)"));

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

#ifndef LINOP_DEFAULT_CC
#define LINOP_DEFAULT_CC "cc"
#endif

/// The C compiler: $CC if set, else `cc` (in a sanitizer build, the
/// compiler that built the runtime), looked up on PATH.
bool findCCompiler(std::string &path, std::string &err) {
  const char *env = std::getenv("CC");
  std::string name = env && *env ? env : LINOP_DEFAULT_CC;
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

/// What goes into a library besides its header and entry points: files
/// written as they are (CPU: the kernels' object; CUDA: the cubin and PTX),
/// C sources compiled with the entry points (CUDA: the image), and the
/// files that stay in DIR for people to read (CUDA: the kernels' source).
struct Payload {
  std::vector<std::pair<std::string, std::string>> files; // name, bytes
  std::vector<std::string> objects;  // of `files`, archived and linked
  std::vector<std::pair<std::string, std::string>> cSources; // name, text
  std::vector<std::string> keep;     // of `files`, moved into DIR
};

/// Builds the library in `tmp` (inside DIR), then moves the files into DIR,
/// so that a failed build leaves no half-written library behind.
int buildLibrary(const cgen::Library &lib, const Payload &payload,
                 llvm::StringRef tmp) {
  abi::Progress::step("building the library with the C compiler");
  std::string err, cc;
  if (!findCCompiler(cc, err))
    return fail(err);
  auto in = [&](llvm::StringRef file) { return (tmp + "/" + file).str(); };
  const std::string &n = lib.name;

  // The runtime travels with the library, so DIR is self-contained. An
  // installed linopc takes the one installed beside it (PREFIX/bin/linopc,
  // PREFIX/lib, PREFIX/include), a built one the build tree's.
  std::string runtimeLib = LINOP_RUNTIME_LIB_DIR "/liblinop_runtime.a";
  std::string runtimeHeader = LINOP_RUNTIME_INCLUDE_DIR "/linop/runtime.h";
  {
    static int anchor;
    llvm::SmallString<256> prefix(
        llvm::sys::fs::getMainExecutable("linopc", &anchor));
    llvm::sys::path::remove_filename(prefix); // PREFIX/bin
    llvm::sys::path::remove_filename(prefix); // PREFIX
    std::string lib = (prefix + "/lib/liblinop_runtime.a").str();
    std::string header = (prefix + "/include/linop/runtime.h").str();
    if (fs::exists(lib) && fs::exists(header)) {
      runtimeLib = lib;
      runtimeHeader = header;
    }
  }
  std::string runtimeShared =
      (llvm::sys::path::parent_path(runtimeLib) + "/liblinop_runtime.so").str();
  for (const std::string &f : {runtimeLib, runtimeShared, runtimeHeader})
    if (!fs::exists(f))
      return fail("the Linop runtime is missing: " + f +
                  " (build the linop_runtime target)");
  if (std::error_code ec = fs::create_directories(in("linop")))
    return fail("cannot create " + in("linop") + ": " + ec.message());
  if (std::error_code ec = fs::copy_file(runtimeLib, in("liblinop_runtime.a")))
    return fail("cannot copy " + runtimeLib + ": " + ec.message());
  if (std::error_code ec =
          fs::copy_file(runtimeShared, in("liblinop_runtime.so")))
    return fail("cannot copy " + runtimeShared + ": " + ec.message());
  if (std::error_code ec = fs::copy_file(runtimeHeader, in("linop/runtime.h")))
    return fail("cannot copy " + runtimeHeader + ": " + ec.message());

  if (!writeFile(in(n + ".h"), cgen::header(lib), err) ||
      !writeFile(in(n + ".json"), cgen::manifest(lib), err))
    return fail(err);
  for (const auto &[name, bytes] : payload.files)
    if (!writeFile(in(name), bytes, err))
      return fail(err);
  std::vector<std::pair<std::string, std::string>> sources = payload.cSources;
  sources.insert(sources.begin(), {n + "_entry.c", cgen::entrySource(lib)});
  std::vector<std::string> objects;
  for (const std::string &o : payload.objects)
    objects.push_back(in(o));
  for (const auto &[name, text] : sources) {
    std::string obj = in(llvm::StringRef(name).drop_back(2).str() + ".o");
    if (!writeFile(in(name), text, err))
      return fail(err);
    if (!runProgram(cc,
                    {cc, "-O2", "-fPIC", "-Wall", "-c", in(name), "-I",
                     tmp.str(), "-o", obj},
                    err))
      return fail("compiling " + name + ": " + err);
    objects.push_back(obj);
  }

  std::vector<llvm::NewArchiveMember> members;
  for (const std::string &o : objects) {
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

  // The .so needs the shared runtime beside it ($ORIGIN): every library
  // loaded into one process then shares one runtime (the loader keeps one
  // liblinop_runtime.so), so linop_set_num_threads and linop_last_error
  // through any of them reach all. --no-undefined: a kernel that needs a
  // missing symbol fails here, not at the user's first call.
  std::vector<std::string> link{cc, "-shared", "-o", in("lib" + n + ".so"),
                                "-Wl,-soname,lib" + n + ".so",
                                "-Wl,-rpath,$ORIGIN"};
#ifndef LINOP_SANITIZED_RUNTIME
  link.push_back("-Wl,--no-undefined");
#endif
  link.insert(link.end(), objects.begin(), objects.end());
  for (const char *l : {"-lstdc++", "-lpthread", "-ldl", "-lm"})
    link.push_back(l);
  link.insert(link.end() - 4, in("liblinop_runtime.so"));
  if (!runProgram(cc, link, err))
    return fail("linking lib" + n + ".so: " + err);

  std::vector<std::string> moved{n + ".h", n + ".json", n + "_entry.c",
                                 "lib" + n + ".a",
                                 "lib" + n + ".so", "liblinop_runtime.a",
                                 "liblinop_runtime.so",
                                 "linop/runtime.h"};
  for (const auto &[name, text] : payload.cSources)
    moved.push_back(name);
  moved.insert(moved.end(), payload.keep.begin(), payload.keep.end());
  for (const std::string &f : moved) {
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

/// A temporary directory inside DIR, removed when the returned guard dies.
std::optional<std::string> makeTempDir(const std::string &name,
                                       std::string &err) {
  if (std::error_code ec = fs::create_directories(outDir)) {
    err = "cannot create " + outDir + ": " + ec.message();
    return std::nullopt;
  }
  // createUniqueDirectory puts relative models under the system's temp
  // directory: anchor the model in DIR itself.
  llvm::SmallString<128> model(outDir + "/.linopc-" + name), tmp;
  fs::make_absolute(model);
  if (std::error_code ec = fs::createUniqueDirectory(model, tmp)) {
    err = "cannot create a temporary directory in " + outDir + ": " +
          ec.message();
    return std::nullopt;
  }
  return std::string(tmp);
}

/// --cpu=NAME[,key=value...]: the LLVM CPU name and description entries.
std::pair<std::string, std::vector<std::string>> splitCpuOption() {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(cpu).split(parts, ',', -1, /*KeepEmpty=*/false);
  std::string name = parts.empty() ? "native" : parts[0].str();
  std::vector<std::string> keys;
  for (size_t i = 1; i < parts.size(); ++i)
    keys.push_back(parts[i].str());
  return {name, keys};
}

/// Every CPU kernel of `sig`: those for any batch, then those for few rows.
std::vector<abi::CpuKernel *> cpuKernelsOf(abi::Signature &sig) {
  std::vector<abi::CpuKernel *> all;
  for (auto *list : {&sig.cpuKernels, &sig.cpuFewRows})
    for (abi::CpuKernel &c : *list)
      all.push_back(&c);
  return all;
}

/// The CPU target's code: LLVM IR, an object file, the library.
int compileCpu(ModuleOp spec, cgen::Library &lib,
               const std::function<OwningOpRef<ModuleOp>(Stage)> &lowered,
               llvm::TargetMachine &tm) {
  OwningOpRef<ModuleOp> llvmDialect = lowered(Stage::Final);
  if (!llvmDialect)
    return 1;
  if (failed(abi::checkKernels(*llvmDialect, lib.functions)))
    return 1;
  // The kernels' symbols carry the library's name too (two static
  // libraries with a function of the same name link together): the
  // function's prefix kernelSymbol(func) becomes kernelSymbol(symbol).
  for (abi::Signature &sig : lib.functions) {
    std::string from = kernelSymbol(sig.func), prefix = kernelSymbol(sig.symbol);
    for (abi::CpuKernel *c : cpuKernelsOf(sig)) {
      Operation *k = llvmDialect->lookupSymbol(c->symbol);
      std::string to = prefix + c->symbol.substr(from.size());
      StringAttr toAttr = StringAttr::get(llvmDialect->getContext(), to);
      if (failed(SymbolTable::replaceAllSymbolUses(k, toAttr, *llvmDialect)))
        return fail("cannot rename the kernel of @" + sig.func);
      SymbolTable::setSymbolName(k, to);
      c->symbol = to;
    }
  }
  abi::Progress::step("LLVM: optimizing the kernels");
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> module =
      cpu::translateAndOptimize(*llvmDialect, llvmCtx, tm, lib.name);
  if (!module)
    return fail("cannot translate the kernels to LLVM IR");
  if (emit == Emit::Llvm) {
    module->print(llvm::outs(), nullptr);
    return 0;
  }
  llvm::SmallString<0> object;
  std::string err;
  abi::Progress::step("LLVM: generating machine code");
  if (!cpu::emitObject(*module, tm, object, err))
    return fail(err);
  if (emit == Emit::Obj) {
    if (std::error_code ec = fs::create_directories(outDir))
      return fail("cannot create " + outDir + ": " + ec.message());
    return writeFile(outDir + "/" + lib.name + ".o", object, err) ? 0
                                                                 : fail(err);
  }
  std::optional<std::string> tmp = makeTempDir(lib.name, err);
  if (!tmp)
    return fail(err);
  auto cleanup = llvm::make_scope_exit([&] { fs::remove_directories(*tmp); });
  Payload p;
  p.files.push_back({lib.name + "_kernel.o", std::string(object)});
  p.objects.push_back(lib.name + "_kernel.o");
  return buildLibrary(lib, p, *tmp);
}

/// The CUDA target's code: CUDA C++, NVRTC's cubin and PTX in a fatbin,
/// the library.
int compileCuda(ModuleOp spec, cgen::Library &lib,
                const std::function<OwningOpRef<ModuleOp>(Stage)> &lowered) {
  OwningOpRef<ModuleOp> kernels = lowered(Stage::Kernel);
  if (!kernels)
    return 1;
  if (emit == Emit::Cuda) {
    std::vector<cuda::KernelLaunch> launches;
    FailureOr<std::string> source =
        cuda::emitCuda(*kernels, lib.specFile, launches);
    if (failed(source))
      return 1;
    llvm::outs() << *source;
    return 0;
  }
  abi::CudaCode code;
  std::string err;
  abi::Progress::step("NVRTC: compiling the CUDA C++ to sm_90a and PTX");
  if (!abi::compileCuda(*kernels, lib.specFile, code, err))
    return fail(err);
  if (emit == Emit::Ptx) {
    llvm::outs() << code.ptx;
    return 0;
  }
  if (emit == Emit::Cubin) {
    if (std::error_code ec = fs::create_directories(outDir))
      return fail("cannot create " + outDir + ": " + ec.message());
    return writeFile(outDir + "/" + lib.name + ".cubin", code.cubin, err)
               ? 0
               : fail(err);
  }
  for (const cuda::KernelLaunch &l : code.launches)
    lib.launches.push_back({l.name, l.function, l.threads, l.rows, l.cluster,
                            l.shared, l.workspace, l.subrows});
  std::optional<std::string> tmp = makeTempDir(lib.name, err);
  if (!tmp)
    return fail(err);
  auto cleanup = llvm::make_scope_exit([&] { fs::remove_directories(*tmp); });
  // One fatbin: the sm_90a cubin and the compute_90 PTX, which the driver
  // picks from or JIT-compiles.
  std::string fatbin;
  if (!cuda::packFatbin({code.cubin, code.ptx, ""}, fatbin, err))
    return fail(err);
  Payload p;
  std::string fatbinFile = lib.name + ".fatbin";
  p.files = {{fatbinFile, fatbin}, {lib.name + ".cu", code.source}};
  p.cSources.push_back({lib.name + "_image.c",
                        cgen::imageSource(lib, *tmp + "/" + fatbinFile,
                                          fatbin.size())});
  p.keep = {lib.name + ".cu"};
  return buildLibrary(lib, p, *tmp);
}

void printVersion(llvm::raw_ostream &os) {
  registerTargets();
  std::string why;
  os << "Linop linopc " LINOP_VERSION ": targets " << targetNames()
     << "; NVRTC for cuda: "
     << (cuda::nvrtcAvailable(why) ? why : "not available (" + why + ")")
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

  if (!(progressAfter >= 0))
    return fail("--progress-after must be a number of seconds >= 0");
  abi::Progress progress("linopc", progressAfter);

  registerTargets();
  const Target *tgt = lookupTarget(target);
  if (!tgt)
    return fail("unknown target '" + target + "': linopc compiles for " +
                targetNames());
  bool cpuTarget = tgt->name() == "cpu";
  if (!cpuTarget && (emit == Emit::Llvm || emit == Emit::Obj))
    return fail("--emit=llvm and --emit=obj are stages of --target=cpu");
  if (cpuTarget &&
      (emit == Emit::Cuda || emit == Emit::Ptx || emit == Emit::Cubin))
    return fail("--emit=cuda, ptx and cubin are stages of --target=cuda");
  if (!cpuTarget && prelowered)
    return fail("--prelowered inputs hold CPU kernels: they need "
                "--target=cpu");
  bool needsDir = emit == Emit::Obj || emit == Emit::Cubin ||
                  (emit == Emit::Library && !explain);
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

  cgen::Library lib{name, llvm::sys::path::filename(specFile).str(), {}, {}};
  lib.command = "linopc";
  for (int i = 1; i < argc; ++i)
    lib.command += std::string(" ") + argv[i];
  std::vector<func::FuncOp> all = abi::publicFunctions(*spec), chosen;
  if (all.empty())
    return fail(specFile + " has no public function to compile");
  std::vector<std::string> names;
  for (func::FuncOp f : all)
    names.push_back(f.getSymName().str());
  for (const std::string &want : funcs)
    if (!llvm::is_contained(names, want))
      return fail("--func: " + specFile + " has no function '" + want +
                  "' (it has " + llvm::join(names, ", ") + ")");
  // The others leave the module, so that they cannot block the library. A
  // chosen function's prepare entry point (linop-split-prepare) comes with
  // it: the function needs its spectra.
  auto wanted = [&](llvm::StringRef f) {
    return funcs.empty() || llvm::is_contained(funcs, f.str()) ||
           (f.consume_back("_prepare") && llvm::is_contained(funcs, f.str()));
  };
  for (func::FuncOp f : all) {
    if (wanted(f.getSymName()))
      chosen.push_back(f);
    else
      f.erase();
  }
  // Every function the ABI or the pipeline cannot take is reported, not
  // only the first.
  std::vector<std::string> refused;
  for (func::FuncOp f : chosen) {
    FailureOr<abi::Signature> sig = abi::signatureOf(f, &sm);
    if (failed(sig)) {
      refused.push_back(f.getSymName().str());
      continue;
    }
    // Exported names carry the library's, so that two libraries link into
    // one program; the header keeps the short name as an inline wrapper.
    sig->symbol = name + "_" + sig->func;
    lib.functions.push_back(std::move(*sig));
  }
  auto noLibrary = [&] {
    return fail(funcs.empty() && names.size() > 1
                    ? "no library written; --func picks the functions to "
                      "compile (" +
                          llvm::join(names, ", ") + ")"
                    : "no library written");
  };

  // The target's description: detected (the CPU) or given.
  std::vector<std::string> description;
  std::unique_ptr<llvm::TargetMachine> tm;
  if (cpuTarget) {
    auto [cpuName, keys] = splitCpuOption();
    tm = cpu::createTargetMachine(cpuName, err);
    if (!tm)
      return fail(err);
    description = cpu::describeMachine(*tm, cpuName == "native");
    description.insert(description.end(), keys.begin(), keys.end());
  } else {
    llvm::SmallVector<llvm::StringRef> keys;
    llvm::StringRef(gpu).split(keys, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef k : keys)
      description.push_back(k.str());
  }
  PipelineOptions opts = abi::pipelineOptions(description);
  lib.cuda = !cpuTarget;

  // Each stop of the pipeline works on a clone: the spec stays as parsed.
  bool pipelineFailed = false;
  std::function<OwningOpRef<ModuleOp>(Stage)> lowered =
      [&](Stage stop) -> OwningOpRef<ModuleOp> {
    OwningOpRef<ModuleOp> m = spec->clone();
    if (failed(abi::lower(*m, *tgt, stop, opts, prelowered))) {
      pipelineFailed = true;
      return nullptr;
    }
    return m;
  };
  if (!refused.empty()) {
    // The others still go through the planner, for their own diagnostics.
    for (func::FuncOp f : abi::publicFunctions(*spec))
      if (llvm::is_contained(refused, f.getSymName().str()))
        f.erase();
    if (!lib.functions.empty())
      (void)lowered(Stage::Kernel);
    return noLibrary();
  }

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
  int status = cpuTarget ? compileCpu(*spec, lib, lowered, *tm)
                         : compileCuda(*spec, lib, lowered);
  return status && pipelineFailed ? noLibrary() : status;
}
