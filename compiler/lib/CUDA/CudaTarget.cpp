//===- CudaTarget.cpp - the CUDA target -----------------------------------===//
//
// Its description (the GPU's resources and measured bandwidths), its cost
// model (a row's time on the whole GPU: the larger of its global-memory
// traffic and its arithmetic, plus a pass through shared memory per
// stage), the schedule rules and their check, and --explain.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/CudaTarget.h"

#include "linop/CUDA/Passes.h"
#include "linop/Dialect/LinopKernel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace linop;
using namespace linop::cuda;

namespace {

// The description's keys: GpuDescription's fields.
const DescriptionField<GpuDescription> kFields[] = {
    {"sms", &GpuDescription::sms, 1, 1024, "multiprocessors"},
    {"smem", &GpuDescription::smem, 16384, int64_t(1) << 20,
     "shared memory bytes per block"},
    {"regs", &GpuDescription::regs, 8192, int64_t(1) << 20,
     "registers per multiprocessor"},
    {"thread_regs", &GpuDescription::threadRegs, 32, 1024,
     "registers per thread"},
    {"cluster", &GpuDescription::cluster, 1, 16, "largest cluster of blocks"},
    {"l2", &GpuDescription::l2, 0, int64_t(1) << 34, "L2 bytes"},
    {"copy", &GpuDescription::copy, 1, 1 << 20, "device copy bandwidth, GB/s"},
    {"fp32", &GpuDescription::fp32, 1, 1 << 24, "f32 GFLOP/s"},
    {"smem_bw", &GpuDescription::smemBandwidth, 1, 1 << 24,
     "shared memory GB/s over all multiprocessors"}};

/// The work items (codelets, pairs, outputs) the computing steps of `k`
/// offer per row: the fewest and the most.
std::pair<int64_t, int64_t> parallelism(kernel::KernelOp k) {
  int64_t lo = k.getN(), hi = 1;
  auto item = [&](int64_t p) {
    lo = std::min(lo, p);
    hi = std::max(hi, p);
  };
  for (Operation &op : k.steps()) {
    if (auto s = dyn_cast<kernel::StageOp>(op))
      item(s.getA() * s.getB());
    else if (auto bf = dyn_cast<kernel::ButterflyStageOp>(op))
      item(int64_t(1) << (bf.getLevels() - 1));
    else if (auto d = dyn_cast<kernel::DenseStageOp>(op))
      item(d.getBlocks() * d.getR());
  }
  return {std::min(lo, hi), hi};
}

class CudaCostModel : public CostModel {
public:
  explicit CudaCostModel(GpuDescription gpu) : gpu(gpu) {}
  // Nanoseconds per row on the whole GPU (bytes / (GB/s) = ns).
  double rowCost(const KernelShape &k) const override {
    double elem = k.scalarBytes * (k.complex ? 2 : 1);
    double memory = double(k.globalBytes) / gpu.copy;
    double math = k.flops / gpu.fp32;
    double shared = k.steps.size() * 2 * k.n * elem / gpu.smemBandwidth;
    return std::max(memory, math) + shared;
  }
  StringRef unit() const override { return "ns/row on the whole GPU"; }
  double flopBound(double flops) const override { return flops / gpu.fp32; }
  // Complex rows: one tile buffer in one block's shared memory (the split
  // kernels work in place); past it, two passes through global memory
  // took half a cluster's time (DFT-64K: 2.15x a copy against 4.33x).
  // Real rows: a cluster's shared memory, where one pass took less than
  // two (Hadamard f32 64K: 1.56x against 2.37x). bench/NOTES.md CUDA v8.
  int64_t maxRowOnChip(const KernelShape &k) const override {
    int64_t planes = k.complex ? 2 : 1, len = 1;
    while (paddedPlane(2 * len) * planes * 4 <= gpu.smem)
      len *= 2;
    return k.complex ? len : len * gpu.cluster;
  }
  // The kernels' largest chunk (FLA's too): fewer, larger tensor-core
  // products per block; linop-cuda-schedule halves it where shared memory
  // runs short.
  ChunkChoice recurrenceChunk(const RecurrenceShape &) const override {
    return {64, "the CUDA kernels' largest, as FLA's"};
  }

private:
  GpuDescription gpu;
};

class CudaTarget : public Target {
public:
  StringRef name() const override { return "cuda"; }
  StringRef summary() const override {
    return "NVIDIA Hopper (sm_90a), CUDA C++ through NVRTC";
  }
  FailureOr<TargetAttr> describe(MLIRContext *ctx, ArrayRef<std::string> keys,
                                 std::string &error) const override {
    return describeWithKeys(ctx, "cuda",
                            descriptionKeys<GpuDescription>(kFields), keys,
                            error);
  }
  std::unique_ptr<CostModel> costModel(TargetAttr desc) const override {
    return std::make_unique<CudaCostModel>(gpuDescription(desc));
  }
  void buildBackend(OpPassManager &pm, Stage) const override {
    // The schedule; CUDA C++ comes from the scheduled kernel IR (emitCuda).
    pm.addPass(createCudaSchedule());
  }
  void explainSchedule(kernel::KernelOp k, TargetAttr desc,
                       llvm::raw_ostream &os) const override;
  void explainRecurrence(kernel::ChunkedRecurrenceOp r,
                         llvm::raw_ostream &os) const override;
};

void CudaTarget::explainRecurrence(kernel::ChunkedRecurrenceOp r,
                                   llvm::raw_ostream &os) const {
  auto s = r.getScheduleAttr();
  if (!s) {
    os << "  (no CUDA schedule)\n";
    return;
  }
  int64_t bv = s.getBlockV(), tiles = (r.getDv() + bv - 1) / bv;
  bool tensorCores = !r.getElement().isF32();
  const bool varlen = r.getOffsets().has_value();
  os << "  cuda: one block of " << s.getThreads() << " threads per (batch entry, "
     << (varlen ? "sequence, " : "") << "head, " << bv
     << " value columns): " << r.getSequences() * r.getH() * tiles
     << " blocks per batch entry; chunks of " << s.getChunk()
     << " steps (the plan's rounded up to the tensor cores' 16, at most 64, "
        "halved where shared memory runs short); the state's ["
     << r.getDk() << " x " << bv
     << "] tile in f32 registers across chunks, never in global memory; "
     << (tensorCores ? "the products on tensor cores (mma.sync m16n8k16, " +
                           std::string(r.getElement().isF16() ? "f16"
                                                              : "bf16") +
                           " operands, f32 sums)"
                     : "f32 storage: the products as f32 FMAs")
     << (r.getDecay() == kernel::Decay::vector
             ? "; a vector gate's decayed q.k as exact f32 sums"
             : "")
     << "; " << llvm::format("%.1f", s.getShared() / 1024.0)
     << " KiB of shared memory per block\n";
}

void CudaTarget::explainSchedule(kernel::KernelOp k, TargetAttr desc,
                                 llvm::raw_ostream &os) const {
  GpuDescription gpu = gpuDescription(desc);
  auto s = dyn_cast_or_null<kernel::CudaScheduleAttr>(k.getScheduleAttr());
  if (!s) {
    os << "  (no CUDA schedule)\n";
    return;
  }
  os << "  launch: blocks of " << s.getThreads() << " threads, "
     << s.getRows() << " row" << (s.getRows() > 1 ? "s" : "")
     << " per " << (s.getCluster() > 1 ? "cluster of " : "block");
  if (s.getCluster() > 1)
    os << s.getCluster() << " blocks";
  os << "; row groups spread over " << gpu.sms
     << " multiprocessors by a grid-stride loop\n";
  os << "  memory: global -> ";
  switch (s.getLevel()) {
  case kernel::CudaLevel::shared:
    os << k.getBuffers() << " tile buffer" << (k.getBuffers() > 1 ? "s" : "")
       << " in shared memory ("
       << llvm::format("%.1f", s.getShared() / 1024.0)
       << " KiB per block, padded one word in 32 against bank conflicts)";
    break;
  case kernel::CudaLevel::cluster:
    os << k.getBuffers() << " tile buffer" << (k.getBuffers() > 1 ? "s" : "")
       << " spread over the shared memory of "
       << s.getCluster() << " blocks ("
       << llvm::format("%.1f", s.getShared() / 1024.0)
       << " KiB each), reached through distributed shared memory";
    break;
  case kernel::CudaLevel::global:
    os << k.getBuffers() << " tile buffer" << (k.getBuffers() > 1 ? "s" : "")
       << " in a global workspace ("
       << llvm::format("%.1f", s.getWorkspace() / 1024.0)
       << " KiB per row in flight; the row does not fit a cluster's shared "
          "memory)";
    break;
  }
  os << " -> registers (one codelet per thread per stage)\n";
  KernelShape shape = kernelShape(k);
  double elem = shape.scalarBytes * (shape.complex ? 2 : 1);
  double memory = double(shape.globalBytes) / gpu.copy;
  double math = shape.flops / gpu.fp32;
  double shared = shape.steps.size() * 2 * shape.n * elem / gpu.smemBandwidth;
  os << "  estimate: " << llvm::format("%.3g", std::max(memory, math) + shared)
     << " ns/row on the whole GPU (global memory "
     << llvm::format("%.3g", memory) << " at " << gpu.copy
     << " GB/s, arithmetic " << llvm::format("%.3g", math)
     << ", shared-memory passes " << llvm::format("%.3g", shared) << ")\n";
}

} // namespace

GpuDescription linop::cuda::gpuDescription(TargetAttr desc) {
  return readDescription<GpuDescription>(desc, kFields);
}

std::unique_ptr<Target> linop::cuda::createCudaTarget() {
  return std::make_unique<CudaTarget>();
}

FailureOr<kernel::CudaScheduleAttr>
linop::cuda::chooseSchedule(kernel::KernelOp k, const GpuDescription &gpu,
                            std::string &why) {
  MLIRContext *ctx = k.getContext();
  Type scalar = realPart(k.getElement());
  if (!scalar.isF32()) {
    why = "the CUDA target computes in f32 (with f16 and bf16 storage); "
          "f64 and complex<f64> kernels run on the CPU target";
    return failure();
  }
  // runtime.h: LINOP_CUDA_MAX_OPERANDS.
  if (k.getOperands() > 16) {
    why = "a CUDA kernel takes at most 16 arguments and results, @" +
          k.getFunction().str() + " has " + std::to_string(k.getOperands());
    return failure();
  }
  int64_t planes = k.isComplex() ? 2 : 1;
  int64_t rowBytes = k.getBuffers() * planes * paddedPlane(k.getN()) * 4;
  auto [fewest, work] = parallelism(k);
  // 256 threads a block, or 512 where a block has its multiprocessor to
  // itself, so that enough warps keep loads in flight.
  auto threadsFor = [&](int64_t items, bool alone = false) {
    return std::clamp<int64_t>(llvm::alignTo(items, 32), 32,
                               alone ? 512 : 256);
  };
  // Two blocks per multiprocessor keep one block's loads in flight while
  // the other computes: shared memory for two where it fits.
  int64_t budget = std::min<int64_t>(gpu.smem, 113 * 1024);
  // Rows enough that the stage with the fewest codelets still has work for
  // 256 threads (DFT-1K's radix-16 stages have 64 codelets a row).
  // Butterfly stages read 2x2 weights per pair that every row shares: a
  // block of several rows reads them once for all (EmitCuda.cpp), so such
  // kernels take as many rows as two blocks' shared memory allows.
  bool sharedWeights = llvm::any_of(k.steps(), [](Operation &op) {
    return isa<kernel::ButterflyStageOp>(op);
  });
  // A sub-row read or written interleaved (linop-split-kernels) is
  // coalesced across the block's sub-rows: 16 of them fill 128 bytes of
  // complex<f32>, 4 at least a 32-byte sector, with a block alone on its
  // multiprocessor if need be.
  bool interleaved = llvm::any_of(k.steps(), [](Operation &op) {
    auto ld = dyn_cast<kernel::LoadOp>(op);
    auto st = dyn_cast<kernel::StoreOp>(op);
    return (ld && ld.getInterleaved()) || (st && st.getInterleaved());
  });
  if (rowBytes <= gpu.smem) {
    int64_t rows = 1;
    while (rows * 2 * rowBytes <= budget &&
           (rows * fewest < 256 || (sharedWeights && rows < 16)) && rows < 64)
      rows *= 2;
    while (interleaved && rows < 16 && rows * 2 * rowBytes <= gpu.smem)
      rows *= 2;
    return kernel::CudaScheduleAttr::get(ctx,
                                         threadsFor(rows * work,
                                                    2 * rows * rowBytes > budget),
                                         rows,
                                         kernel::CudaLevel::shared, 1,
                                         rows * rowBytes, 0);
  }
  // A cluster of blocks, each holding a slice of every buffer: the largest
  // cluster, since threads per row bound the time more than distributed
  // shared memory (measured, bench/NOTES.md CUDA v5: DFT-64K 7.3x a copy
  // with 16 blocks of 33 KiB, 12.1x with 8 of 66 KiB).
  {
    int64_t c = gpu.cluster;
    int64_t slice = (k.getN() + c - 1) / c;
    int64_t bytes = k.getBuffers() * planes * paddedPlane(slice) * 4;
    if (c > 1 && bytes <= gpu.smem)
      return kernel::CudaScheduleAttr::get(ctx, threadsFor(work / c), 1,
                                           kernel::CudaLevel::cluster, c,
                                           bytes, 0);
  }
  // Past a cluster's shared memory: a workspace in global memory.
  return kernel::CudaScheduleAttr::get(ctx, 256, 1, kernel::CudaLevel::global,
                                       1, 0, rowBytes);
}

int64_t linop::cuda::recurrenceSharedBytes(kernel::ChunkedRecurrenceOp rec,
                                           int64_t chunk, int64_t blockV) {
  int64_t dk = llvm::alignTo(rec.getDk(), 16), c = chunk, bv = blockV;
  int64_t gw = rec.getDecay() == kernel::Decay::vector ? dk : 1;
  int64_t gates = rec.getDecay() == kernel::Decay::none ? 0 : c * gw;
  int64_t in = rec.getElement().isF32() ? 4 : 2;
  bool delta = rec.getUpdate() == kernel::StateUpdate::delta;
  // Log-decays in double; beta, e^Gc and the state update's weights per
  // step in f32; q, k, u^T, the products A and S^T
  // in the storage type, rows padded by 8; the delta rule's u and
  // correction products in f32, rows padded by 4.
  return 8 * gates + 12 * c +
         in * (2 * c * (dk + 8) + bv * (c + 8) + c * (c + 8) + bv * (dk + 8)) +
         (delta ? 4 * (c * (bv + 4) + c * (c + 4)) : 0);
}

int64_t linop::cuda::recurrenceStateRegisters(int64_t dk, int64_t blockV,
                                              int64_t threads) {
  // Each warp holds row tiles warp, warp + warps, ... of the [dk x blockV]
  // state: 16 x 8 accumulator fragments of 4 floats a thread.
  int64_t warps = threads / 32, rowTiles = llvm::alignTo(dk, 16) / 16;
  return (rowTiles + warps - 1) / warps * (blockV / 8) * 4;
}

FailureOr<kernel::CudaRecurrenceScheduleAttr>
linop::cuda::chooseRecurrenceSchedule(kernel::ChunkedRecurrenceOp rec,
                                      const GpuDescription &gpu,
                                      std::string &why) {
  const int64_t threads = 128;
  const int64_t dk = llvm::alignTo(rec.getDk(), 16);
  // The state's rows stay in the registers of the block's warps.
  if (dk > 256) {
    why = "the CUDA recurrence kernel keeps the state in registers, which "
          "holds Dk <= 256 key channels; this one has " +
          std::to_string(rec.getDk()) + " (--target=cpu takes up to " +
          std::to_string(kernel::kMaxRecurrenceDim) + ")";
    return failure();
  }
  // Chunks of the spec's size rounded up to the tensor cores' 16, at most
  // 64 (FLA's); value tiles of 64 columns, fewer where the state's
  // registers (64 a thread) or shared memory run short.
  int64_t chunk = std::clamp<int64_t>(llvm::alignTo(rec.getChunk(), 16), 16,
                                      64);
  int64_t blockV = std::min<int64_t>(64, llvm::alignTo(rec.getDv(), 16));
  // Halving keeps the tiles whole multiples of 16 (48 -> 16).
  auto halve = [](int64_t x) {
    return std::max<int64_t>(16, llvm::alignDown(x / 2, 16));
  };
  while (blockV > 16 && recurrenceStateRegisters(dk, blockV, threads) > 64)
    blockV = halve(blockV);
  while (recurrenceSharedBytes(rec, chunk, blockV) > gpu.smem &&
         (blockV > 16 || chunk > 16)) {
    if (blockV > 16)
      blockV = halve(blockV);
    else
      chunk = halve(chunk);
  }
  int64_t shared = recurrenceSharedBytes(rec, chunk, blockV);
  if (shared > gpu.smem) {
    why = "the CUDA recurrence kernel needs " + std::to_string(shared) +
          " bytes of shared memory per block even with chunks of 16 steps; "
          "the GPU has " +
          std::to_string(gpu.smem);
    return failure();
  }
  return kernel::CudaRecurrenceScheduleAttr::get(rec.getContext(), threads,
                                                 chunk, blockV, shared);
}

LogicalResult linop::cuda::verifySchedule(kernel::KernelOp k,
                                          const GpuDescription &gpu) {
  auto s = dyn_cast_or_null<kernel::CudaScheduleAttr>(k.getScheduleAttr());
  if (!s)
    return k.emitError("the kernel has no CUDA schedule (run "
                       "linop-cuda-schedule first)");
  if (s.getShared() > gpu.smem)
    return k.emitError("the CUDA schedule needs ")
           << s.getShared() << " bytes of shared memory per block; the GPU "
           << "has " << gpu.smem;
  if (s.getCluster() > gpu.cluster)
    return k.emitError("the CUDA schedule needs clusters of ")
           << s.getCluster() << " blocks; the GPU allows " << gpu.cluster;
  if (!realPart(k.getElement()).isF32())
    return k.emitError("the CUDA target computes in f32, not ")
           << k.getElement();
  int64_t planes = k.isComplex() ? 2 : 1;
  int64_t slice = (k.getN() + s.getCluster() - 1) / s.getCluster();
  int64_t need = k.getBuffers() * planes * paddedPlane(slice) * 4 * s.getRows();
  if (s.getLevel() != kernel::CudaLevel::global && s.getShared() < need)
    return k.emitError("the CUDA schedule gives ")
           << s.getShared() << " bytes of shared memory per block; the tile "
           << "buffers need " << need;
  if (s.getLevel() == kernel::CudaLevel::global &&
      s.getWorkspace() < k.getBuffers() * planes * paddedPlane(k.getN()) * 4)
    return k.emitError("the CUDA schedule's workspace is too small for the "
                       "tile buffers");
  return success();
}
