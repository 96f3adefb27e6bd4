//===- linop-run.cpp - run a spec on .npy inputs -------------------------===//
//
// Lets a user (and the tests) try an operator without writing C: reads the
// spec, takes inputs from .npy files (or random ones), runs a function,
// writes the results, optionally checks them against the float64 reference
// evaluator and times the run.
//
// --target=reference evaluates the spec densely in float64. --target=cpu
// compiles it through the same CPU pipeline as linopc, JITs the kernels
// (mlir::ExecutionEngine) and runs them through the runtime's thread pool as
// the generated C entry points do. --target=cuda compiles the kernels with
// NVRTC and runs them on the GPU through the runtime. --check and --bench
// apply to both compiled targets.
//
//===----------------------------------------------------------------------===//

#include "KernelAbi.h"
#include "linop/CPU/CpuTarget.h"
#include "linop/Dialect/LinopDialect.h"
#include "linop/runtime.h"
#include "npy/Npy.h"
#include "reference/Evaluator.h"

#include "linop/CUDA/CudaTarget.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <unistd.h>

using namespace mlir;
using namespace linop;
namespace cl = llvm::cl;

static cl::OptionCategory toolOptions("linop-run options");

static cl::opt<std::string> specFile(cl::cat(toolOptions), cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required);
static cl::opt<std::string> funcName(cl::cat(toolOptions), "func", cl::desc("function to run "
                                     "(default: the only public one)"));
static cl::opt<std::string> target(cl::cat(toolOptions), "target",
                                   cl::desc("reference (the float64 dense "
                                            "evaluator), cpu (the compiled "
                                            "kernel, JIT for this host) or "
                                            "cuda (NVRTC and the GPU)"),
                                   cl::init("reference"));
static cl::opt<std::string> gpuDescription(
    cl::cat(toolOptions), "gpu",
    cl::desc("--target=cuda: description entries over the H200's "
             "(sms=132,smem=227K,...)"),
    cl::init(""));
static cl::opt<std::string> cpuDescription(
    cl::cat(toolOptions), "cpu",
    cl::desc("--target=cpu: description entries over this host's "
             "(l2=2M,cores=16,...; the code is still for this host)"),
    cl::init(""));
static cl::list<std::string> inputs(cl::cat(toolOptions), "in", cl::desc("input .npy, one per "
                                    "argument, in order"));
static cl::list<std::string> outputs(cl::cat(toolOptions), "out", cl::desc("output .npy, one per "
                                     "result, in order"));
static cl::list<std::string> expects(cl::cat(toolOptions), "expect",
                                     cl::desc("a known answer "
                                              "(.npy) per result; fail above "
                                              "the dtype's error bound"));
static cl::opt<bool> randomInputs(cl::cat(toolOptions), "random", cl::desc("use random inputs "
                                  "(normal, seeded) for every argument; a "
                                  "recurrence's log-decays log(sigmoid(x)), "
                                  "betas sigmoid(x), delta-rule keys of unit "
                                  "length"));
static cl::opt<int64_t> batch(cl::cat(toolOptions), "batch", cl::desc("size of dynamic dimensions "
                              "with --random"), cl::init(16));
static cl::opt<uint64_t> seed(cl::cat(toolOptions), "seed", cl::desc("seed for --random"),
                              cl::init(1));
static cl::opt<int64_t> distinctRows(
    cl::cat(toolOptions), "distinct-rows",
    cl::desc("with --random: only this many distinct random rows, repeated "
             "over the batch, so that --check of a huge batch evaluates the "
             "reference on these rows alone and still checks every row"),
    cl::init(0));
static cl::opt<bool> twice(cl::cat(toolOptions), "twice",
                           cl::desc("run the kernel a second time on "
                                    "re-poisoned outputs and require "
                                    "bit-identical results"));
static cl::opt<bool> allowNonFinite(cl::cat(toolOptions), "allow-nonfinite",
                                    cl::desc("accept NaN/Inf in inputs"));
static cl::opt<bool> check(cl::cat(toolOptions), "check",
                           cl::desc("compare with the reference "
                                    "evaluator, fail above the dtype's error "
                                    "bound"));
static cl::opt<double> tolerance(cl::cat(toolOptions), "tolerance",
                                 cl::desc("--check: relative error bound "
                                          "(default by dtype: 1e-5 f32, "
                                          "1e-10 f64, 1e-2 f16/bf16)"),
                                 cl::init(0));
static cl::opt<bool> bench(cl::cat(toolOptions), "bench",
                           cl::desc("time the kernel against a copy of the "
                                    "same bytes (median of >= 10 samples, "
                                    ">= 0.2 s)"));
static cl::opt<int> numThreads(cl::cat(toolOptions), "num-threads",
                                cl::desc("--target=cpu: threads of the "
                                         "runtime's pool (default: "
                                         "LINOP_NUM_THREADS or all)"),
                                cl::init(0));
static cl::opt<int64_t> rowPad(cl::cat(toolOptions), "row-pad",
                               cl::desc("lay rows out with "
                                        "this many extra elements between "
                                        "them (tests strided kernels)"),
                               cl::init(0));
static cl::opt<bool> prelowered(cl::cat(toolOptions), 
    "prelowered",
    cl::desc("--target=cpu, for tests of the packaging: the input holds "
             "hand-written LLVM-dialect kernels @linop_k_f next to the spec "
             "functions; skip the pipeline"));

namespace {

int fail(const llvm::Twine &msg) {
  llvm::outs().flush(); // keep the order of what was printed before
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
  else if (t.isInteger(32))
    d = npy::DType::I32;
  else if (t.isInteger(64))
    d = npy::DType::I64;
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


// ---- --target=cpu ---------------------------------------------------------

/// One entry of the kernel's ptrs array: rows of `row` elements, `stride`
/// apart, in the dtype's bytes. Outputs start as NaN, and so does the
/// padding between rows, so that a row the kernel skips, a read of input
/// padding and a write to output padding all show. Input padding is -NaN,
/// so that copying it into output padding shows too.
struct Buffer {
  abi::Operand operand;
  npy::DType dtype;
  int64_t rows = 1, stride = 0; // weights: one dense "row"
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> poison; // one element of NaN

  size_t elemBytes() const { return npy::dtypeSize(dtype); }
  uint8_t *row(int64_t r) { return bytes.data() + r * stride * elemBytes(); }
  int64_t rowElements() const { return operand.rowElements; }
  size_t dataBytes() const { return rows * rowElements() * elemBytes(); }
};

/// Lays `values` (rows x row elements) out in `b`, padding with poison.
void fill(Buffer &b, const npy::Array &a) {
  size_t e = b.elemBytes(), rowBytes = b.rowElements() * e;
  int64_t padded = std::max<int64_t>(1, b.rows) * b.stride;
  b.bytes.resize(padded * e);
  for (int64_t i = 0; i < padded; ++i)
    std::memcpy(b.bytes.data() + i * e, b.poison.data(), e);
  for (int64_t r = 0; r < b.rows && !a.data.empty(); ++r)
    std::memcpy(b.row(r), a.data.data() + r * rowBytes, rowBytes);
}

/// The "key=value" entries of --cpu or --gpu, after `description`'s.
void appendKeys(std::vector<std::string> &description, llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef> keys;
  list.split(keys, ',', -1, false);
  for (llvm::StringRef k : keys)
    description.push_back(k.str());
}

struct KernelCall {
  void (*kernel)(void **, const int64_t *, int64_t, int64_t);
  std::vector<void *> ptrs;
  std::vector<int64_t> strides;
  int64_t units = 0, grain = 1; // the range: [0, units) in grains
};

// The kernel is JIT code: it has none of the type prefix that UBSan's
// -fsanitize=function reads before a callee (that read would fault when
// the code starts a page).
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void runRange(void *ctx, int64_t begin, int64_t end) {
  auto *c = static_cast<KernelCall *>(ctx);
  c->kernel(c->ptrs.data(), c->strides.data(), begin, end);
}

/// The runtime's API, for the JIT'd kernels (linop-run links the runtime
/// statically, so its symbols are not in the process's dynamic table).
llvm::orc::SymbolMap runtimeSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap map;
  auto add = [&](const char *name, auto *fn) {
    map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                           llvm::JITSymbolFlags::Exported};
  };
  add("linop_status_string", &linop_status_string);
  add("linop_last_error", &linop_last_error);
  add("linop_set_error", &linop_set_error);
  add("linop_clear_error", &linop_clear_error);
  add("linop_check_pointer", &linop_check_pointer);
  add("linop_check_batch", &linop_check_batch);
  add("linop_check_overlap", &linop_check_overlap);
  add("linop_set_num_threads", &linop_set_num_threads);
  add("linop_get_num_threads", &linop_get_num_threads);
  add("linop_parallel_for", &linop_parallel_for);
  add("linop_job_error", &linop_job_error);
  add("linop_aligned_alloc", &linop_aligned_alloc);
  add("linop_aligned_free", &linop_aligned_free);
  add("linop_cpu_recurrence", &linop_cpu_recurrence);
  return map;
}

/// Relative error bound of --check for a result of element type `t`.
double errorBound(Type t) {
  if (tolerance > 0)
    return tolerance;
  return ref::errorBound(t);
}

/// The bound that the arithmetic's own precision sets, past the results'
/// types: the CUDA recurrence kernel runs its products on tensor cores with
/// operands in the 16-bit storage type of q, k and v (FLA's contract), so
/// every result, the f32 final state too, carries their rounding.
double computeBound(func::FuncOp func) {
  double bound = 0;
  if (target != "cuda" || tolerance > 0)
    return bound;
  func.walk([&](RecurrenceOp r) {
    bound = std::max(bound, errorBound(getElementTypeOrSelf(r.getQ().getType())));
  });
  return bound;
}

/// Seconds per call of `call`: warm-up, then the median of at least 10
/// samples taking at least 0.2 s together; a sample repeats the call enough
/// to last >= 1 ms, so that the clock's resolution does not matter.
template <typename F> double timePerCall(F &&call, int &samplesOut) {
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point a) {
    return std::chrono::duration<double>(clock::now() - a).count();
  };
  for (int i = 0; i < 3; ++i)
    call();
  int64_t reps = 1;
  for (;;) {
    auto t0 = clock::now();
    for (int64_t i = 0; i < reps; ++i)
      call();
    if (seconds(t0) >= 1e-3 || reps >= (1 << 20))
      break;
    reps *= 2;
  }
  std::vector<double> samples;
  double total = 0;
  while (samples.size() < 10 || total < 0.2) {
    auto t0 = clock::now();
    for (int64_t i = 0; i < reps; ++i)
      call();
    double t = seconds(t0);
    total += t;
    samples.push_back(t / reps);
  }
  std::sort(samples.begin(), samples.end());
  samplesOut = samples.size();
  return samples[samples.size() / 2];
}

/// A memcpy of `bytes` split into chunks of `chunk` bytes (the last one
/// shorter) for linop_parallel_for.
struct CopyJob {
  const uint8_t *src;
  uint8_t *dst;
  int64_t bytes, chunk;
};

void copyRange(void *ctx, int64_t begin, int64_t end) {
  auto *j = static_cast<CopyJob *>(ctx);
  int64_t from = begin * j->chunk;
  int64_t to = std::min(j->bytes, end * j->chunk);
  std::memcpy(j->dst + from, j->src + from, to - from);
}

std::string bytesString(double b) {
  const char *units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (b >= 1024 && u < 3) {
    b /= 1024;
    ++u;
  }
  return llvm::formatv("{0:0.##} {1}", b, units[u]);
}

/// How a compiled kernel runs on its target, for runCompiled: once on the
/// host buffers (results back in them), then timed against a copy of the
/// same bytes on the same resources.
struct Runner {
  std::string what; // "the compiled CPU kernel (JIT for znver4, 2 threads)"
  std::function<bool(std::string &)> run;
  std::function<double(int &)> timeCall; // seconds per call
  std::function<double(int64_t, int &)> timeCopy; // a copy of that many bytes
  std::string copyWhat;
  std::optional<double> flopsPerRow;
};

/// The CPU target: the pipeline to the LLVM dialect, a JIT for this host,
/// the runtime's thread pool.
bool cpuRunner(ModuleOp spec, func::FuncOp func, const abi::Signature &sig,
               std::vector<Buffer> &buffers, int64_t rows, Runner &runner,
               std::string &err) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    err = "cannot target this host: " + llvm::toString(jtmb.takeError());
    return false;
  }
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    err = "cannot target this host: " + llvm::toString(tm.takeError());
    return false;
  }
  std::vector<std::string> description =
      cpu::describeMachine(**tm, /*host=*/true);
  appendKeys(description, cpuDescription);
  PipelineOptions opts = abi::pipelineOptions(description);
  auto lowered = std::make_shared<OwningOpRef<ModuleOp>>(spec.clone());
  // Compile only the function asked for: the others may use ops this
  // backend does not support yet.
  for (auto f : llvm::make_early_inc_range((*lowered)->getOps<func::FuncOp>()))
    if (f.getSymName() != func.getSymName() && f.isPublic() &&
        !f.getSymName().starts_with("linop_k_"))
      f.erase();
  if (failed(abi::lower(**lowered, *lookupTarget("cpu"), Stage::Final, opts,
                        prelowered))) {
    err = "";
    return false;
  }
  // One kernel, or the passes of a split one (and passes for few rows).
  std::vector<abi::Signature> sigs{sig};
  if (failed(abi::checkKernels(**lowered, sigs))) {
    err = "";
    return false;
  }
  std::string cpuName = (*tm)->getTargetCPU().str();
  auto transformer = makeOptimizingTransformer(3, 0, tm->get());
  ExecutionEngineOptions engineOpts;
  engineOpts.transformer = transformer;
  engineOpts.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(**lowered, engineOpts, std::move(*tm));
  if (!engine) {
    err = "JIT: " + llvm::toString(engine.takeError());
    return false;
  }
  (*engine)->registerSymbols(runtimeSymbols);
  // Each kernel over its units of the batch, one after the other; the
  // passes kept for few rows where the batch has fewer rows than threads,
  // as the generated entry points do.
  using Calls = std::vector<std::shared_ptr<KernelCall>>;
  auto prepare = [&](const std::vector<abi::CpuKernel> &kernels,
                     Calls &calls) {
    for (const abi::CpuKernel &k : kernels) {
      auto sym = (*engine)->lookup(k.symbol);
      if (!sym) {
        err = "JIT: " + llvm::toString(sym.takeError());
        return false;
      }
      auto call = std::make_shared<KernelCall>();
      call->kernel = reinterpret_cast<decltype(call->kernel)>(*sym);
      for (Buffer &b : buffers) {
        call->ptrs.push_back(b.bytes.data());
        call->strides.push_back(b.operand.batched() ? b.stride : 0);
      }
      call->units = rows * k.unitsPerRow; // fits: the buffers exist
      call->grain = abi::grainUnits(sig, k.unitsPerRow);
      calls.push_back(call);
    }
    return true;
  };
  Calls calls, fewRows;
  if (!prepare(sigs[0].cpuKernels, calls) ||
      !prepare(sigs[0].cpuFewRows, fewRows))
    return false;
  if (numThreads > 0)
    linop_set_num_threads(numThreads);
  std::shared_ptr<ExecutionEngine> keep(std::move(*engine));
  auto runOnce = [calls, fewRows, rows, keep] {
    bool few = !fewRows.empty() && rows < linop_get_num_threads();
    for (const auto &c : few ? fewRows : calls)
      if (linop_status st =
              linop_parallel_for(c->units, c->grain, runRange, c.get()))
        return st;
    return LINOP_OK;
  };
  runner.what = "the compiled CPU kernel (JIT for " + cpuName + ", " +
                std::to_string(linop_get_num_threads()) + " threads)";
  runner.run = [runOnce](std::string &e) {
    if (runOnce() == LINOP_OK)
      return true;
    e = std::string("linop_parallel_for: ") + linop_last_error();
    return false;
  };
  runner.timeCall = [runOnce](int &samples) {
    return timePerCall([&] { runOnce(); }, samples);
  };
  // A memcpy of the same bytes, split over the same pool.
  runner.timeCopy = [](int64_t copyBytes, int &samples) {
    std::vector<uint8_t> src(copyBytes, 1), dst(copyBytes);
    CopyJob job{src.data(), dst.data(), copyBytes, 64 * 1024};
    int64_t chunks = (copyBytes + job.chunk - 1) / job.chunk;
    return timePerCall(
        [&] { linop_parallel_for(chunks, 1, copyRange, &job); }, samples);
  };
  runner.copyWhat = "a memcpy moving as many bytes on the same threads";
  runner.flopsPerRow = abi::flopsPerRow(**lowered, spec, func.getSymName());
  return true;
}

/// A device allocation freed with its owner.
struct DeviceBuffer {
  linop_cuda_deviceptr ptr = 0;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { linop_cuda_free(ptr); }
};

/// What a CUDA run keeps alive: the code, its image and launches, the
/// device buffers and the kernels' argument block.
struct CudaState {
  std::shared_ptr<abi::CudaCode> code;
  linop_cuda_image image{};
  std::vector<linop_cuda_kernel> kernels;
  std::vector<linop_cuda_deviceptr> device;
  linop_cuda_args args{};
  linop_cuda_module *module = nullptr;
  ~CudaState() {
    for (linop_cuda_deviceptr p : device)
      linop_cuda_free(p);
    linop_cuda_module_unload(module);
  }
};

/// Device time per call: event-timed samples of enough calls to last a
/// millisecond, after a warm-up; the median of at least 10.
template <typename F> double timeOnDevice(F &&call, int &samplesOut) {
  linop_cuda_event start = nullptr, stop = nullptr;
  if (linop_cuda_event_create(&start) || linop_cuda_event_create(&stop))
    return -1;
  for (int i = 0; i < 3; ++i)
    call();
  int reps = 1;
  std::vector<double> samples;
  for (int round = 0; samples.size() < 10 && round < 64; ++round) {
    linop_cuda_event_record(start, nullptr);
    for (int i = 0; i < reps; ++i)
      call();
    linop_cuda_event_record(stop, nullptr);
    linop_cuda_event_synchronize(stop);
    float ms = 0;
    linop_cuda_event_elapsed_ms(&ms, start, stop);
    if (ms < 1.0f && reps < (1 << 16)) {
      reps *= 2;
      continue;
    }
    samples.push_back(ms * 1e-3 / reps);
  }
  linop_cuda_event_destroy(start);
  linop_cuda_event_destroy(stop);
  if (samples.empty())
    return -1;
  std::sort(samples.begin(), samples.end());
  samplesOut = samples.size();
  return samples[samples.size() / 2];
}

/// The CUDA target: the pipeline to scheduled kernel IR, CUDA C++, NVRTC,
/// and the runtime's loader and launcher, the same the generated entry
/// points call.
bool cudaRunner(ModuleOp spec, func::FuncOp func, const abi::Signature &sig,
                std::vector<Buffer> &buffers, int64_t rows, Runner &runner,
                std::string &err) {
  // The GPU first: without one, nothing else is worth doing.
  int count = 0;
  if (linop_cuda_device_count(&count) != LINOP_OK) {
    err = std::string("--target=cuda needs a GPU: ") + linop_last_error();
    return false;
  }
  if (count == 0) {
    err = "--target=cuda needs a GPU: the CUDA driver sees none";
    return false;
  }
  OwningOpRef<ModuleOp> lowered = spec.clone();
  for (auto f : llvm::make_early_inc_range(lowered->getOps<func::FuncOp>()))
    if (f.getSymName() != func.getSymName() && f.isPublic())
      f.erase();
  std::vector<std::string> description;
  appendKeys(description, gpuDescription);
  if (failed(abi::lower(*lowered, *lookupTarget("cuda"), Stage::Kernel,
                        abi::pipelineOptions(description), false))) {
    err = "";
    return false;
  }
  auto code = std::make_shared<abi::CudaCode>();
  if (!abi::compileCuda(*lowered, llvm::sys::path::filename(specFile), *code,
                        err))
    return false;
  auto state = std::make_shared<CudaState>();
  state->image = {"linop-run", code->cubin.data(), code->cubin.size(),
                  code->ptx.c_str()};
  // This function's kernels, in order (code keeps their names alive).
  for (const cuda::KernelLaunch &l : code->launches)
    if (l.function == func.getSymName())
      state->kernels.push_back({l.name.c_str(), unsigned(l.threads),
                                unsigned(l.rows), unsigned(l.cluster),
                                unsigned(l.shared), uint64_t(l.workspace),
                                unsigned(l.subrows)});
  state->code = code;
  // Device copies of the host buffers, padding and poison included.
  state->device.resize(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    Buffer &b = buffers[i];
    if (linop_cuda_malloc(&state->device[i], b.bytes.size()) ||
        linop_cuda_memcpy_htod(state->device[i], b.bytes.data(),
                               b.bytes.size())) {
      err = linop_last_error();
      return false;
    }
    state->args.ptr[i] = state->device[i];
    state->args.stride[i] = b.operand.batched() ? b.stride : 0;
  }
  state->args.batch = rows;
  // As the entry points do: variable-length sequences' offsets checked on
  // the host first.
  std::optional<abi::Signature::Offsets> offsets = sig.offsets;
  auto launch = [state, offsets, rows] {
    if (offsets)
      if (linop_status s = linop_cuda_check_offsets(
              state->device[offsets->operand], offsets->bytes,
              state->args.stride[offsets->operand], rows, offsets->sequences,
              offsets->steps, nullptr))
        return s;
    return linop_cuda_run(&state->module, &state->image, state->kernels.data(),
                          int(state->kernels.size()), &state->args, nullptr);
  };
  char name[256] = "a CUDA GPU";
  linop_cuda_device_name(0, name, sizeof name);
  runner.what = std::string("the compiled CUDA kernel (NVRTC, sm_90a, on ") +
                name + ")";
  runner.run = [state, launch, &buffers](std::string &e) {
    if (launch() != LINOP_OK || linop_cuda_stream_synchronize(nullptr)) {
      e = linop_last_error();
      return false;
    }
    for (size_t i = 0; i < buffers.size(); ++i)
      if (buffers[i].operand.isOutput() &&
          linop_cuda_memcpy_dtoh(buffers[i].bytes.data(),
                                 state->device[i],
                                 buffers[i].bytes.size())) {
        e = linop_last_error();
        return false;
      }
    return true;
  };
  runner.timeCall = [launch](int &samples) {
    return timeOnDevice([&] { launch(); }, samples);
  };
  // A device-to-device copy of the same bytes.
  runner.timeCopy = [](int64_t copyBytes, int &samples) {
    DeviceBuffer src, dst;
    if (linop_cuda_malloc(&src.ptr, copyBytes) ||
        linop_cuda_malloc(&dst.ptr, copyBytes) ||
        linop_cuda_memset_d8(src.ptr, 1, copyBytes))
      return -1.0;
    return timeOnDevice(
        [&] { linop_cuda_memcpy_dtod(dst.ptr, src.ptr, copyBytes, nullptr); },
        samples);
  };
  runner.copyWhat = "a device-to-device copy moving as many bytes";
  runner.flopsPerRow = abi::flopsPerRow(*lowered, spec, func.getSymName());
  return true;
}

/// Whether a run of @func on `rows` rows padded by `pad` fits in this
/// machine's memory: the reference's complex128 copy and the typed buffers
/// of every argument and result, about 24 bytes an element. Refusing here
/// beats an allocation that aborts the process.
bool fitsInMemory(func::FuncOp func, int64_t rows, int64_t pad,
                  std::string &why) {
  double elements = 0;
  auto count = [&](Type t) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt)
      return;
    // Batched operands ([?, ...]) have `rows` rows, each padded by `pad`.
    bool batched = rt.getRank() > 0 && rt.isDynamicDim(0);
    double n = batched ? double(rows) : 1;
    for (int64_t d : rt.getShape().drop_front(batched ? 1 : 0))
      n *= double(d);
    if (batched && rt.getRank() > 1)
      n += n / double(rt.getShape().back()) * double(std::max<int64_t>(pad, 0));
    elements += n;
  };
  for (Type t : func.getArgumentTypes())
    count(t);
  for (Type t : func.getResultTypes())
    count(t);
  double need = elements * 24;
  double have = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (have > 0 && need <= have)
    return true;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "a batch of %lld rows (--batch) padded by %lld (--row-pad) "
                "needs about %.3g GiB of host memory; this machine has %.3g "
                "GiB",
                (long long)rows, (long long)std::max<int64_t>(pad, 0),
                need / (1 << 30), have / (1 << 30));
  why = buf;
  return false;
}

/// Compares a result with what it should be (`want` repeats with its own
/// length: the reference runs on a period of the rows) and prints one line
/// under `label`: the relative Frobenius error (absolute when `want` is 0)
/// against `bound`, or where the result first holds a NaN or an infinity.
bool compareResult(const std::string &label, const npy::Array &result,
                   const std::vector<std::complex<double>> &want,
                   double bound) {
  std::vector<std::complex<double>> got = npy::toComplex128(result);
  size_t rowElems = 1;
  for (size_t d = 1; d < result.shape.size(); ++d)
    rowElems *= result.shape[d];
  double diff = 0, norm = 0;
  for (size_t k = 0; k < got.size(); ++k) {
    if (!std::isfinite(got[k].real()) || !std::isfinite(got[k].imag())) {
      llvm::outs() << label << ": the output holds NaN or Inf, first at row "
                   << k / std::max<size_t>(rowElems, 1) << ", element "
                   << k % std::max<size_t>(rowElems, 1) << " ("
                   << got[k].real() << ", " << got[k].imag() << "): FAILED\n";
      return false;
    }
    const std::complex<double> &w = want[k % want.size()];
    diff += std::norm(got[k] - w);
    norm += std::norm(w);
  }
  double error = std::sqrt(diff) / (norm > 0 ? std::sqrt(norm) : 1.0);
  bool pass = error <= bound;
  llvm::outs() << label << ": relative error " << llvm::format("%.3g", error)
               << ", bound " << llvm::format("%.0e", bound) << ": "
               << (pass ? "ok" : "FAILED") << "\n";
  return pass;
}

int runCompiled(ModuleOp spec, func::FuncOp func,
                std::vector<ref::Tensor> &args, llvm::SourceMgr &sm) {
  FailureOr<abi::Signature> sig = abi::signatureOf(func, &sm);
  if (failed(sig))
    return 1;
  if (rowPad < 0)
    return fail("--row-pad must be >= 0");

  // The batch: the first dimension of every data argument. The kernels
  // see `rows`, batch x the channels between batch and row.
  int64_t entries = -1;
  for (const abi::Operand &o : sig->operands) {
    if (o.role != abi::Role::Data)
      continue;
    int64_t b = args[o.index].shape[0];
    if (entries >= 0 && b != entries)
      return fail("the data arguments of @" + func.getSymName() +
                  " have different batch sizes (" + std::to_string(entries) +
                  " and " + std::to_string(b) + ")");
    entries = b;
  }
  if (entries < 0)
    entries = batch; // no data argument: the batch comes from --batch
  if (std::string why; !fitsInMemory(func, entries, rowPad, why))
    return fail(why);
  int64_t perEntry = sig->rowsPerBatch(), rows = entries * perEntry;

  // Buffers in the kernel's dtypes. Inputs are rounded to their dtype here,
  // and the reference sees the rounded values: the check measures the
  // kernel, not the input conversion.
  std::vector<Buffer> buffers;
  std::string err;
  for (const abi::Operand &o : sig->operands) {
    Buffer b{o, npy::DType::F64, 1, 0, {}, {}};
    if (!dtypeOf(o.element(), b.dtype))
      return fail("unsupported element type " + typeString(o.element()));
    double nan = std::numeric_limits<double>::quiet_NaN();
    if (!o.isOutput())
      nan = -nan;
    b.poison = npy::fromComplex128(b.dtype, {1}, {{nan, nan}}).data;
    b.rows = o.batched() ? rows : 1;
    b.stride = o.batched() ? o.rowElements + rowPad : o.rowElements;
    npy::Array a;
    if (!o.isOutput()) {
      ref::Tensor &t = args[o.index];
      if (!npy::fromComplex128(b.dtype, t.shape, t.data, a, err))
        return fail(err);
      t.data = npy::toComplex128(a);
    }
    fill(b, a); // outputs: all poison, so that a skipped row shows
    buffers.push_back(std::move(b));
  }

  // Compile for the target and run once.
  Runner runner;
  bool made = target == "cpu"
                  ? cpuRunner(spec, func, *sig, buffers, rows, runner, err)
                  : cudaRunner(spec, func, *sig, buffers, rows, runner, err);
  if (!made)
    return err.empty() ? 1 : fail(err);
  auto start = std::chrono::steady_clock::now();
  if (!runner.run(err))
    return fail(err);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::outs() << "@" << func.getSymName() << ": ran " << runner.what
               << " on a batch of " << rows << " in "
               << llvm::format("%.3f", seconds * 1e3) << " ms\n";

  // The padding between output rows must still be poison.
  for (Buffer &b : buffers) {
    if (!b.operand.isOutput() || rowPad == 0)
      continue;
    size_t e = b.elemBytes();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = b.rowElements(); k < b.stride; ++k)
        if (std::memcmp(b.row(r) + k * e, b.poison.data(), e) != 0)
          return fail("the kernel wrote past row " + std::to_string(r) +
                      " of result #" + std::to_string(b.operand.index) +
                      " (element " + std::to_string(k) + " of its stride " +
                      std::to_string(b.stride) + ")");
  }

  // The results as dense arrays.
  std::vector<npy::Array> results;
  for (Buffer &b : buffers) {
    if (!b.operand.isOutput())
      continue;
    npy::Array a;
    a.dtype = b.dtype;
    // The result's own shape after the batch ([C..., M], or a
    // recurrence's [T, H, Dv]).
    a.shape = {entries};
    ArrayRef<int64_t> dims = b.operand.type.getShape().drop_front();
    a.shape.insert(a.shape.end(), dims.begin(), dims.end());
    size_t rowBytes = b.rowElements() * b.elemBytes();
    a.data.resize(rows * rowBytes);
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(a.data.data() + r * rowBytes, b.row(r), rowBytes);
    results.push_back(std::move(a));
  }

  if (twice) {
    // The same inputs, outputs poisoned again: the same bits must come out.
    for (Buffer &b : buffers)
      if (b.operand.isOutput()) {
        npy::Array none;
        fill(b, none);
      }
    if (!runner.run(err))
      return fail(err);
    size_t r = 0;
    for (Buffer &b : buffers) {
      if (!b.operand.isOutput())
        continue;
      size_t rowBytes = b.rowElements() * b.elemBytes();
      for (int64_t row = 0; row < rows; ++row)
        if (std::memcmp(results[r].data.data() + row * rowBytes, b.row(row),
                        rowBytes) != 0)
          return fail("--twice: row " + std::to_string(row) + " of result #" +
                      std::to_string(b.operand.index) +
                      " differs between two runs on the same inputs (a race, "
                      "or a read of memory nothing wrote)");
      ++r;
    }
    llvm::outs() << "twice: the second run gave bit-identical results\n";
  }

  bool ok = true;
  if (check) {
    auto refStart = std::chrono::steady_clock::now();
    // With --distinct-rows K, rows repeat with period K: the reference of
    // the first K rows stands for all of them.
    // (K counts batch entries: [?, C, N] data repeats every K x C rows.)
    int64_t period = distinctRows > 0 ? std::min<int64_t>(distinctRows, entries)
                                      : entries;
    std::vector<ref::Tensor> refArgs = args;
    if (period < entries)
      for (const abi::Operand &o : sig->operands)
        if (o.role == abi::Role::Data) {
          ref::Tensor &t = refArgs[o.index];
          t.shape[0] = period;
          t.data.resize(period * perEntry * o.rowElements);
        }
    FailureOr<std::vector<ref::Tensor>> want = ref::evaluate(func, refArgs);
    if (failed(want))
      return 1;
    llvm::outs() << "check: the float64 reference evaluator took "
                 << llvm::format("%.3f", std::chrono::duration<double, std::milli>(
                                             std::chrono::steady_clock::now() - refStart)
                                             .count())
                 << " ms\n";
    for (size_t i = 0; i < results.size(); ++i) {
      Type elem = cast<RankedTensorType>(func.getResultTypes()[i])
                      .getElementType();
      ok &= compareResult("check: result #" + std::to_string(i) + " (" +
                              typeString(elem) + ")",
                          results[i], (*want)[i].data,
                          std::max(errorBound(elem), computeBound(func)));
    }
  }

  if (!expects.empty() && expects.size() != results.size())
    return fail("@" + func.getSymName() + " has " +
                std::to_string(results.size()) + " results, got " +
                std::to_string(expects.size()) + " --expect files");
  for (unsigned i = 0; i < expects.size(); ++i) {
    npy::Array want;
    if (!npy::read(expects[i], want, err))
      return fail(err);
    if (want.shape != results[i].shape)
      return fail(expects[i] + ": shape " + npy::shapeString(want.shape) +
                  " differs from result #" + std::to_string(i) + "'s " +
                  npy::shapeString(results[i].shape));
    ok &= compareResult(
        "expect: result #" + std::to_string(i) + " against " + expects[i],
        results[i], npy::toComplex128(want),
        errorBound(cast<RankedTensorType>(func.getResultTypes()[i])
                       .getElementType()));
  }

  for (unsigned i = 0; i < outputs.size(); ++i)
    if (!npy::write(outputs[i], results[i], err))
      return fail(err);

  if (bench && rows == 0) {
    llvm::outs() << "bench: a batch of 0 does nothing; nothing to time\n";
  } else if (bench) {
    double read = 0, written = 0;
    for (Buffer &b : buffers)
      (b.operand.isOutput() ? written : read) += b.dataBytes();
    int samples = 0;
    double t = runner.timeCall(samples);
    // A copy that moves as many bytes (half read, half written) on the same
    // resources: the bandwidth bound for this call.
    int64_t copyBytes = std::max<int64_t>(1, int64_t((read + written) / 2));
    int copySamples = 0;
    double tCopy = runner.timeCopy(copyBytes, copySamples);
    if (t <= 0 || tCopy <= 0)
      return fail(std::string("timing failed: ") + linop_last_error());
    std::optional<double> flops = runner.flopsPerRow;
    llvm::outs() << "bench: " << llvm::format("%.3f", t * 1e6)
                 << " us per call (median of " << samples << " samples), "
                 << llvm::format("%.2f", (read + written) / t * 1e-9)
                 << " GB/s (" << bytesString(read) << " read + "
                 << bytesString(written) << " written)\n"
                 << "bench: flops: ";
    if (flops)
      llvm::outs() << llvm::format("%.3g", *flops * rows) << ", "
                   << llvm::format("%.2f", *flops * rows / t * 1e-9)
                   << " GFLOP/s\n";
    else
      llvm::outs() << "n/a\n";
    llvm::outs() << "bench: " << llvm::format("%.2f", t / tCopy)
                 << "x the time of " << runner.copyWhat << " ("
                 << llvm::format("%.3f", tCopy * 1e6) << " us, "
                 << llvm::format("%.2f", 2.0 * copyBytes / tCopy * 1e-9)
                 << " GB/s)\n";
  }
  if (!ok)
    return fail("the kernel's results differ from the reference evaluator's "
                "beyond the bound");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --mlir-print-ir-after-all etc., to debug the pipeline from here.
  registerPassManagerCLOptions();
  abi::addPlanOptions(toolOptions);
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "linop-run: run a Linop spec on .npy inputs\n");
  registerTargets();
  if (target != "reference" && !lookupTarget(target))
    return fail("unknown target '" + target +
                "': use --target=reference or one of " + targetNames());
  if (target == "reference" && (check || bench || prelowered || rowPad != 0 ||
                                numThreads != 0 || tolerance != 0 ||
                                !expects.empty()))
    return fail("--check, --expect, --bench, --row-pad, --num-threads, "
                "--tolerance and --prelowered need a compiled target "
                "(--target=cpu or cuda)");
  if (target == "cuda" && (prelowered || numThreads != 0))
    return fail("--prelowered and --num-threads are for --target=cpu");
  if (tolerance.getNumOccurrences() &&
      !(std::isfinite(tolerance) && tolerance > 0))
    return fail("--tolerance must be a positive, finite relative error "
                "bound, got " + std::to_string(tolerance.getValue()));
  if (numThreads.getNumOccurrences() && (numThreads < 1 || numThreads > 1024))
    return fail("--num-threads must be from 1 to 1024 (the runtime's "
                "pool), got " + std::to_string(numThreads.getValue()));

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
  // The reference evaluates the spec as written; a target runs the entry
  // points the kernels have (a convolution's prepare among them).
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sm, &ctx);
  if (!module || failed(verify(*module)) ||
      (target != "reference" && failed(abi::addImpliedEntryPoints(*module))))
    return 1; // the diagnostic is printed

  func::FuncOp func;
  std::vector<std::string> names;
  for (auto f : module->getOps<func::FuncOp>()) {
    if (f.isExternal() || f.isPrivate())
      continue;
    names.push_back(f.getSymName().str());
    if (funcName.empty() ? !func : f.getSymName() == funcName)
      func = f;
  }
  if (funcName.empty() && names.size() > 1)
    return fail("the spec has several functions (" + llvm::join(names, ", ") +
                "); choose one with --func");
  if (!func)
    return fail(funcName.empty()
                    ? std::string("the spec has no public function")
                    : "no function named '" + funcName + "' (the spec has " +
                          llvm::join(names, ", ") + ")");

  std::vector<ref::Tensor> args;
  if (randomInputs) {
    if (!inputs.empty())
      return fail("give either --random or --in, not both");
    if (batch < 0)
      return fail("--batch must be >= 0");
    if (std::string why; !fitsInMemory(func, batch, rowPad, why))
      return fail(why);
    if (distinctRows < 0)
      return fail("--distinct-rows must be >= 0");
    std::mt19937_64 rng(seed);
    int64_t period = distinctRows > 0 ? std::min<int64_t>(distinctRows, batch)
                                      : batch;
    for (Type t : func.getArgumentTypes()) {
      auto rt = cast<RankedTensorType>(t);
      args.push_back(ref::randomTensor(rt, period, rng));
      // Data rows repeat with period K over the batch.
      ref::Tensor &a = args.back();
      if (period < batch && rt.getRank() >= 2 && rt.isDynamicDim(0)) {
        size_t row = a.data.size() / period;
        a.data.resize(batch * row);
        for (int64_t r = period; r < batch; ++r)
          std::copy_n(a.data.begin() + (r % period) * row, row,
                      a.data.begin() + r * row);
        a.shape[0] = batch;
      }
    }
    ref::conditionRecurrenceInputs(func, args);
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

  if (target != "reference")
    return runCompiled(*module, func, args, sm);

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
