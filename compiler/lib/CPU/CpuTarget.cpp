//===- CpuTarget.cpp - the CPU target -------------------------------------===//
//
// Its description (SIMD lanes and caches), its cost model (the layout
// model: vector loads, stores and shuffles a row costs across rows and
// along the row), its part of the pipeline, its --explain lines and its
// code generation through LLVM's x86 backend.
//
//===----------------------------------------------------------------------===//

#include "linop/CPU/CpuTarget.h"

#include "linop/CPU/Passes.h"
#include "linop/Dialect/LinopKernel.h"
#include "reference/Math.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Format.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <cmath>
#include <thread>
#include <unistd.h>

extern "C" {
// The x86 backend, from libLLVM (the CPU target compiles for x86-64 only).
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
}

using namespace mlir;
using namespace linop;
using namespace linop::cpu;

namespace {

// The description's keys: CpuDescription's fields.
const DescriptionField<CpuDescription> kFields[] = {
    {"lanes", &CpuDescription::lanes, 1, 64, "f32 SIMD lanes"},
    {"l1", &CpuDescription::l1, 1024, int64_t(1) << 30,
     "L1 data bytes per core"},
    {"l2", &CpuDescription::l2, 1024, int64_t(1) << 34, "L2 bytes per core"},
    {"l3", &CpuDescription::l3, 0, int64_t(1) << 40, "L3 bytes"},
    {"cores", &CpuDescription::cores, 1, 1 << 16, "cores"}};

class CpuCostModel : public CostModel {
public:
  explicit CpuCostModel(CpuDescription cpu) : cpu(cpu) {}
  // Flops over the lanes, plus the cheaper layout's memory operations.
  double rowCost(const KernelShape &k) const override {
    LayoutCost c = estimateLayouts(k, cpu);
    return k.flops / cpu.lanes +
           (chooseAlongRow(k, cpu) ? c.alongRow : c.acrossRows);
  }
  StringRef unit() const override { return "vector ops/row"; }
  std::string assumption(const KernelShape &k) const override {
    return chooseAlongRow(k, cpu) ? "along the row" : "across rows";
  }
  double flopBound(double flops) const override { return flops / cpu.lanes; }
  // A row's three buffers along the row past 6x L2: two passes through
  // memory beat five passes over the row (DFT-512K: 27.5 ms against 38.0
  // on one thread of the development VM, DFT-256K: 25.9 against 23.3;
  // fitted there, bench/NOTES.md "CPU split rows").
  int64_t maxRowOnChip(const KernelShape &k) const override {
    int64_t elem = (k.complex ? 2 : 1) * k.scalarBytes;
    return 6 * cpu.l2 / (3 * elem);
  }
  // Per step, a chunk of C costs the state's read and update (4 Dk Dv
  // flops at any C) and the chunk's products (C (Dk + Dv)): smaller
  // chunks do less work while Eigen's GEMMs stay efficient. Measured on
  // the development VM (bench/cpu/recurrence_chunks.py, f32, D = 64 and
  // 128, every gate and update): 16 was the fastest or within noise of
  // it, 1.0-1.7x faster than 64. A vector gate's exact 16 x 16 diagonal
  // blocks then cover the whole chunk.
  ChunkChoice recurrenceChunk(const RecurrenceShape &) const override {
    return {16, "measured 1.0-1.7x faster than 64 on the CPU, "
                "bench/NOTES.md"};
  }
  // A split pass runs across W sub-rows at once: its two tile buffers fit
  // in L2.
  int64_t maxSubrowOnChip(const KernelShape &k) const override {
    int64_t elem = (k.complex ? 2 : 1) * k.scalarBytes, len = 1;
    while (2 * (2 * len) * cpu.lanes * elem <= cpu.l2)
      len *= 2;
    return len;
  }
  // A row of at least L2 uses every core through the passes when the
  // batch cannot (DFT-256K, one row: 0.74 ms on two threads against 1.5-2.0
  // for the whole kernel on one; DFT-64K, in L2: 242 us against 227, no
  // gain); a batch that fills the threads runs the whole kernel.
  bool splitForFewRows(const KernelShape &k) const override {
    int64_t elem = (k.complex ? 2 : 1) * k.scalarBytes;
    return cpu.cores > 1 && k.n * elem >= cpu.l2;
  }
  // A pass's range counts tiles of W whole sub-rows.
  bool runsSplit(int64_t n1, int64_t n2) const override {
    return n1 % cpu.lanes == 0 && n2 % cpu.lanes == 0;
  }

private:
  CpuDescription cpu;
};

class CpuTarget : public Target {
public:
  StringRef name() const override { return "cpu"; }
  StringRef summary() const override {
    return "x86-64 with SIMD, object code through LLVM";
  }
  FailureOr<TargetAttr> describe(MLIRContext *ctx, ArrayRef<std::string> keys,
                                 std::string &error) const override {
    FailureOr<TargetAttr> d =
        describeWithKeys(ctx, "cpu", descriptionKeys<CpuDescription>(kFields),
                         keys, error);
    if (succeeded(d) && !ref::isPowerOfTwo(d->getInt("lanes", 0))) {
      error = "lanes must be a power of two";
      return failure();
    }
    return d;
  }
  std::unique_ptr<CostModel> costModel(TargetAttr desc) const override {
    return std::make_unique<CpuCostModel>(cpuDescription(desc));
  }
  void buildBackend(OpPassManager &pm, Stage stop) const override {
    // Schedule: each kernel's layout, by the cost model.
    pm.addPass(createCpuSchedule());
    if (stop == Stage::Kernel)
      return;
    // Loops over vectors, then the LLVM dialect.
    pm.addPass(createCpuLowerKernels());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addPass(createConvertSCFToCFPass());
    pm.addPass(createConvertVectorToLLVMPass());
    pm.addPass(memref::createExpandStridedMetadataPass());
    pm.addPass(createFinalizeMemRefToLLVMConversionPass());
    pm.addPass(createArithToLLVMConversionPass());
    pm.addPass(createConvertFuncToLLVMPass());
    pm.addPass(createConvertControlFlowToLLVMPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
  }
  void explainSchedule(kernel::KernelOp k, TargetAttr desc,
                       llvm::raw_ostream &os) const override;
  void explainRecurrence(kernel::ChunkedRecurrenceOp r,
                         llvm::raw_ostream &os) const override {
    os << "  cpu: the runtime's chunked recurrence (linop_cpu_recurrence) "
          "on the thread pool, one (batch entry, "
       << (r.getOffsets() ? "sequence, " : "") << "head) at a time\n";
  }
};

void CpuTarget::explainSchedule(kernel::KernelOp k, TargetAttr desc,
                                llvm::raw_ostream &os) const {
  CpuDescription cpu = cpuDescription(desc);
  auto sched = dyn_cast_or_null<kernel::CpuScheduleAttr>(k.getScheduleAttr());
  int64_t V = sched ? sched.getLanes() : cpu.lanes;
  bool along = sched && sched.getLayout() == kernel::CpuLayout::along_row;
  Type elem = k.getElement();
  bool cplx = k.isComplex();
  int64_t elemBytes =
      realPart(elem).getIntOrFloatBitWidth() / 8 * (cplx ? 2 : 1);
  int64_t n = k.getN();
  KernelShape shape = kernelShape(k);
  int64_t subrows = k.subrowCount();
  if (subrows > 1) {
    os << "  tiles: " << V << " consecutive sub-rows per tile, vectorized "
       << "across them (" << V << " lanes of " << realPart(elem)
       << "); tiles (" << subrows / V << " per row) split over the "
       << "runtime's threads, so one row uses them all\n";
  } else if (along) {
    os << "  tiles: 1 row per tile, vectorized along the row (" << V
       << " lanes of " << realPart(elem)
       << "; load and store fused into the first and last stage); rows "
       << "split over the runtime's threads\n";
  } else {
    os << "  tiles: " << V << " rows per tile, vectorized across rows (" << V
       << " lanes of " << realPart(elem) << "); rows split over the "
       << "runtime's threads\n";
  }
  if (subrows > 1) {
    os << "  layout: across sub-rows (a split kernel's only form)\n";
  } else if (inRowSupported(shape, V)) {
    LayoutCost cost = estimateLayouts(shape, cpu);
    os << "  layout: cost model estimates "
       << llvm::format("%.0f", cost.alongRow)
       << " vector loads, stores and shuffles per row along the row, "
       << llvm::format("%.0f", cost.acrossRows) << " across rows\n";
  } else {
    os << "  layout: across rows (a step of this kernel has no in-row form)\n";
  }
  if (along)
    os << "  memory: global -> 3 row buffers of " << n * elemBytes / 1024
       << " KiB (" << n << (cplx ? ", real and imaginary planes" : "")
       << ") -> registers\n";
  else
    os << "  memory: global -> " << k.getBuffers() << " tile buffers of "
       << n * V * elemBytes / 1024 << " KiB (" << n << " x " << V
       << (cplx ? ", real and imaginary planes" : "") << ") -> registers\n";
  if (along && splitFirstStage(shape, V))
    os << "  load: split (the first stage reads it in whole vectors, the "
          "one after through a map of vectors)\n";
}

} // namespace

CpuDescription linop::cpu::cpuDescription(TargetAttr desc) {
  return readDescription<CpuDescription>(desc, kFields);
}

std::unique_ptr<Target> linop::cpu::createCpuTarget() {
  return std::make_unique<CpuTarget>();
}

//===----------------------------------------------------------------------===//
// The layout model
//===----------------------------------------------------------------------===//

bool linop::cpu::permutationSplits(ArrayRef<int64_t> perm, int64_t lanes,
                                   SmallVectorImpl<int64_t> &blocks) {
  int64_t N = perm.size(), W = lanes;
  if (W < 2 || N % (W * W))
    return false;
  int64_t n = N / W;
  blocks.assign(n, 0);
  SmallVector<bool> seen(n, false);
  for (int64_t q = 0; q < n; ++q) {
    blocks[q] = perm[W * q];
    if (blocks[q] < 0 || blocks[q] >= n || seen[blocks[q]])
      return false;
    seen[blocks[q]] = true;
    for (int64_t l = 0; l < W; ++l)
      if (perm[W * q + l] != l * n + blocks[q])
        return false;
  }
  return true;
}

namespace {
/// Whether the kernel's load permutation splits for `lanes`: a digit
/// reversal whose innermost radix is `lanes`, or an explicit map that
/// permutationSplits.
bool loadSplits(const KernelShape &k, int64_t lanes) {
  if (!k.permutedLoad)
    return false;
  if (!k.loadRadices.empty())
    return k.loadRadices.back() == lanes && k.n % (lanes * lanes) == 0;
  SmallVector<int64_t> blocks;
  return permutationSplits(k.loadPerm, lanes, blocks);
}
} // namespace

bool linop::cpu::splitFirstStage(const KernelShape &k, int64_t lanes) {
  if (!k.complex || k.steps.size() < 2 || !loadSplits(k, lanes))
    return false;
  const StepShape &s0 = k.steps[0], &s1 = k.steps[1];
  return s0.stage && s1.stage && s0.r == lanes && s0.b == 1 &&
         !s0.twiddles && s0.a * lanes == k.n && s1.b % lanes == 0;
}

bool linop::cpu::inRowSupported(const KernelShape &k, int64_t lanes) {
  int64_t n = k.n, V = lanes;
  if (!k.inRowForm || !ref::isPowerOfTwo(V) || V < 2 || n % V ||
      k.subrows > 1)
    return false;
  for (const StepShape &st : k.steps) {
    int64_t a = st.a, r = st.r, b = st.b;
    if (b % V == 0)
      continue;
    if (V % b || !ref::isPowerOfTwo(r) || r < 2 || a % (V / b))
      return false;
  }
  return true;
}

LayoutCost linop::cpu::estimateLayouts(const KernelShape &k,
                                       const CpuDescription &cpu) {
  int64_t lanes = cpu.lanes;
  double n = k.n, planes = k.complex ? 2 : 1, V = lanes;
  double bytes = k.scalarBytes;
  double vecs = n * planes / V; // vectors per row and pass
  int64_t stages = 0;
  bool perm = k.permutedLoad;
  LayoutCost c;
  bool split = splitFirstStage(k, lanes);
  for (const StepShape &st : k.steps) {
    ++stages;
    if (!st.stage || st.b % lanes == 0)
      continue;
    // Regrouping shuffles before and after the codelet; a stage reading a
    // permuted load gathers instead (a gather costs about 8 shuffles), or
    // on a split load transposes its outputs only.
    double rounds = std::log2(double(st.r));
    c.alongRow += (split && stages == 1   ? rounds
                   : perm && stages == 1 ? rounds + 8
                                         : 2 * rounds) *
                  vecs;
  }
  // Along the row: one read and one write per stage, (de)interleaving of
  // complex rows, a copy before a permuted load's gathers.
  c.alongRow += std::max<int64_t>(stages, 1) * 2 * vecs;
  c.alongRow += (k.complex ? 2 : 0) * vecs + (perm && !split ? 2 : 0) * vecs;
  if (3 * n * planes * bytes > cpu.l2)
    c.alongRow += 2 * std::max<int64_t>(stages, 1) * 2 * vecs;
  // The rows a stage touches (a complex row: the global rows and planar
  // buffers; a real row: the global rows in and out, its stages run in
  // place) stream from L2 once they fill L1, where the tiles across rows
  // live in L2 anyway. Fitted, not derived: 2x (complex) puts DFT-1K
  // across rows and 4K-64K along the row, 1.5x (real) keeps Hadamard
  // 4K-16K along the row, as measured (bench/NOTES.md v6, v9).
  if ((k.complex ? 4 : 2) * n * planes * bytes >= cpu.l1)
    c.alongRow *= k.complex ? 2 : 1.5;
  // Across rows: a pass per stage plus the load and the store (a permuted
  // load one more), global passes touch `lanes` rows at once (counted
  // twice), transposes log2(lanes) shuffles per vector at each end.
  double passes = stages + 2 + (perm ? 1 : 0);
  double mem = passes * 2 * vecs + 2 * 2 * vecs;
  // Two tile buffers filling half of L2 already share it with the global
  // rows streaming through (measured: DFT-4096's 1 MiB of tiles runs 1.5x
  // slower per pass than DFT-2048's 512 KiB, bench/NOTES.md v6); far past
  // L2 they stream from L3 (DFT-64K: 16 MiB, 1.6x slower than in rows).
  double tiles = 2 * n * V * planes * bytes;
  if (tiles > 4 * cpu.l2)
    mem *= 4;
  else if (tiles > cpu.l2 / 2)
    mem *= 2;
  c.acrossRows = mem + 2 * vecs * std::log2(V);
  return c;
}

bool linop::cpu::chooseAlongRow(const KernelShape &k,
                                const CpuDescription &cpu) {
  if (!inRowSupported(k, cpu.lanes))
    return false;
  LayoutCost c = estimateLayouts(k, cpu);
  return c.alongRow < c.acrossRows;
}

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

std::unique_ptr<llvm::TargetMachine>
linop::cpu::createTargetMachine(StringRef cpuName, std::string &err) {
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

std::vector<std::string>
linop::cpu::describeMachine(const llvm::TargetMachine &tm, bool host) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  int lanes = sti->checkFeatures("+avx512f") ? 16
              : sti->checkFeatures("+avx")   ? 8
                                             : 4;
  std::vector<std::string> keys{"lanes=" + std::to_string(lanes)};
  if (!host)
    return keys;
  auto cache = [&](const char *key, int name) {
    long v = sysconf(name);
    if (v > 0)
      keys.push_back(std::string(key) + "=" + std::to_string(v));
  };
  cache("l1", _SC_LEVEL1_DCACHE_SIZE);
  cache("l2", _SC_LEVEL2_CACHE_SIZE);
  cache("l3", _SC_LEVEL3_CACHE_SIZE);
  if (unsigned n = std::thread::hardware_concurrency())
    keys.push_back("cores=" + std::to_string(n));
  return keys;
}

std::unique_ptr<llvm::Module>
linop::cpu::translateAndOptimize(ModuleOp module, llvm::LLVMContext &ctx,
                                 llvm::TargetMachine &tm, StringRef name) {
  std::unique_ptr<llvm::Module> m = translateModuleToLLVMIR(module, ctx, name);
  if (!m)
    return nullptr;
  m->setTargetTriple(tm.getTargetTriple().str());
  m->setDataLayout(tm.createDataLayout());
  // Only the C entry points are a library's interface: the kernels and
  // their helpers stay inside it (hidden from the .so's dynamic symbols).
  for (llvm::GlobalValue &g : m->global_values())
    if (!g.isDeclaration() && !g.hasLocalLinkage())
      g.setVisibility(llvm::GlobalValue::HiddenVisibility);
  // LLVM's O3 pipeline, tuned for `tm`, as clang -O3 runs it.
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
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*m, mam);
  return m;
}

bool linop::cpu::emitObject(llvm::Module &module, llvm::TargetMachine &tm,
                            SmallVectorImpl<char> &object, std::string &err) {
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    err = "the x86 backend cannot emit an object file";
    return false;
  }
  codegen.run(module);
  return true;
}
