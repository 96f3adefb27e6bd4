//===- CudaTarget.h - the CUDA target: description, schedule, CUDA C++ ---===//
//
// A CUDA kernel runs the rows of a batch in row groups, one group per
// block (or per cluster of blocks). Each stage's codelets run one per
// thread in registers, and stages exchange through the tile buffers at the
// schedule's level: the block's shared memory, a cluster's distributed
// shared memory, or a global workspace. The kernel IR becomes readable
// CUDA C++ (one extern "C" kernel per planned kernel), which NVRTC compiles
// to an sm_90a cubin and compute_90 PTX (linop/CUDA/Nvrtc.h).
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CUDA_CUDATARGET_H
#define LINOP_CUDA_CUDATARGET_H

#include "linop/Target.h"

#include <memory>
#include <string>
#include <vector>

namespace linop::kernel {
class KernelOp;
class ChunkedRecurrenceOp;
class CudaScheduleAttr;
class CudaRecurrenceScheduleAttr;
} // namespace linop::kernel

namespace linop::cuda {

/// What the CUDA target knows of the GPU (the keys of its #linop.target
/// description). Defaults: the H200 of docs/performance.md.
struct GpuDescription {
  int64_t sms = 132;                  // multiprocessors
  int64_t smem = 232448;              // shared memory per block (227 KiB)
  int64_t regs = 65536;               // 32-bit registers per multiprocessor
  int64_t threadRegs = 255;           // registers per thread
  int64_t cluster = 16;               // largest thread-block cluster
  int64_t l2 = int64_t(60) << 20;     // L2 bytes
  int64_t copy = 4121;                // device copy bandwidth, GB/s (measured)
  int64_t fp32 = 60000;               // f32 GFLOP/s (FMA counted as 2)
  int64_t smemBandwidth = 30000;      // shared memory GB/s, all SMs
};
GpuDescription gpuDescription(TargetAttr desc);

std::unique_ptr<Target> createCudaTarget();

/// The schedule linop-cuda-schedule gives `kernel`, or failure with the
/// reason (an error at the op is the caller's).
mlir::FailureOr<kernel::CudaScheduleAttr>
chooseSchedule(kernel::KernelOp kernel, const GpuDescription &gpu,
               std::string &why);

/// The schedule linop-cuda-schedule gives a chunked recurrence, or failure
/// with the reason (see linop/cuda_recurrence.h for the kernel).
mlir::FailureOr<kernel::CudaRecurrenceScheduleAttr>
chooseRecurrenceSchedule(kernel::ChunkedRecurrenceOp rec,
                         const GpuDescription &gpu, std::string &why);

/// Registers a thread of the recurrence kernel spends on its share of the
/// state (kept at most 64 by the schedule: more spill).
int64_t recurrenceStateRegisters(int64_t dk, int64_t blockV, int64_t threads);

/// Shared memory of one block of the recurrence kernel with chunk `chunk`
/// and `blockV` value columns: linop_rec::sharedBytes, which the emitted
/// code checks against this with a static_assert.
int64_t recurrenceSharedBytes(kernel::ChunkedRecurrenceOp rec, int64_t chunk,
                              int64_t blockV);

/// Checks a kernel's schedule against the GPU (threads, shared memory per
/// block, cluster size); an error at the kernel otherwise.
mlir::LogicalResult verifySchedule(kernel::KernelOp kernel,
                                   const GpuDescription &gpu);

/// Floats one plane of n tile elements takes: a padding word after every
/// 32 (linop_pad in cuda_device.h) keeps power-of-two strides up to 16 off
/// one shared-memory bank.
inline int64_t paddedPlane(int64_t n) { return n + n / 32 + 1; }

/// How to launch one emitted kernel (runtime.h's linop_cuda_kernel).
struct KernelLaunch {
  std::string name;
  std::string function; ///< the spec function it computes
  int64_t threads = 0, rows = 1, cluster = 1, shared = 0, workspace = 0;
  int64_t subrows = 1; ///< sub-rows per batch row (linop-split-kernels)
};

/// The CUDA C++ of every scheduled kernel of `module`, in one translation
/// unit that includes linop/cuda_device.h, and how to launch each.
mlir::FailureOr<std::string> emitCuda(mlir::ModuleOp module,
                                      llvm::StringRef specName,
                                      std::vector<KernelLaunch> &launches);

} // namespace linop::cuda

#endif
