//===- CpuTarget.h - the CPU target: description, layout model, codegen --===//
//
// The CPU target vectorizes a kernel in one of two layouts (LinopKernelOps.td,
// #linop_kernel.cpu): across rows (tiles of `lanes` rows) or along the row
// (one row, vectors of consecutive elements). Its cost model estimates the
// vector loads, stores and shuffles a row costs in each layout; the flops
// divided by the lanes come on top. Object code comes from LLVM's x86
// backend in-process.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CPU_CPUTARGET_H
#define LINOP_CPU_CPUTARGET_H

#include "linop/Target.h"

#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace linop::cpu {

/// What the CPU target knows of the machine (the keys of its
/// #linop.target description). Defaults: AMD Zen 4 with AVX-512.
struct CpuDescription {
  int64_t lanes = 16;             // f32 SIMD lanes
  int64_t l1 = int64_t(32) << 10; // L1 data bytes per core
  int64_t l2 = int64_t(1) << 20;  // L2 bytes per core
  int64_t l3 = int64_t(32) << 20; // L3 bytes
  int64_t cores = 1;
};
CpuDescription cpuDescription(TargetAttr desc);

std::unique_ptr<Target> createCpuTarget();

// ---- The layout model -----------------------------------------------------

/// Whether the load permutation `perm` of n elements, followed by a stage
/// I_(n/lanes) (x) A_lanes (x) I_1, splits as P = (P' (x) I_lanes) L with L
/// reading at stride n/lanes (a digit reversal whose last radix is
/// `lanes`): along the row that stage then reads contiguous vectors, one
/// codelet per lane, and P' moves whole vectors. Fills `blocks` with P'.
bool permutationSplits(llvm::ArrayRef<int64_t> perm, int64_t lanes,
                       llvm::SmallVectorImpl<int64_t> &blocks);

/// Whether the row layout runs the kernel's first stage on a split permuted
/// load (permutationSplits): complex rows, a first stage
/// I_(n/lanes) (x) A_lanes (x) I_1 without twiddles, a second stage whose b
/// is a multiple of lanes.
bool splitFirstStage(const KernelShape &kernel, int64_t lanes);

/// Whether the CPU backend can vectorize a kernel along its rows with
/// `lanes` lanes: a load, `I_a (x) A_r (x) I_b` stages and a store, every
/// length a multiple of `lanes`, and each stage either with b a multiple of
/// `lanes` (plain SIMD) or b dividing `lanes` with r a power of two (the
/// stage's r vectors are regrouped with shuffles).
bool inRowSupported(const KernelShape &kernel, int64_t lanes);

/// Estimated vector memory operations and shuffles per row in each layout
/// (flops are the same in both).
struct LayoutCost {
  double acrossRows = 0, alongRow = 0;
};
LayoutCost estimateLayouts(const KernelShape &kernel,
                           const CpuDescription &cpu);

/// The layout the schedule picks: along the row where supported and
/// cheaper.
bool chooseAlongRow(const KernelShape &kernel, const CpuDescription &cpu);

// ---- Code generation ------------------------------------------------------

/// An x86-64 TargetMachine for `cpuName` ("native": the host's CPU and
/// features), position independent; null with `error` set otherwise.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(llvm::StringRef cpuName, std::string &error);

/// The description entries of `tm`'s CPU: lanes from its features; caches
/// and cores from this host when `host` (the machine compiled for is this
/// one), else the defaults.
std::vector<std::string> describeMachine(const llvm::TargetMachine &tm,
                                         bool host);

/// Translates a module in the LLVM dialect to LLVM IR for `tm`, hides every
/// symbol but the C entry points' kernels, runs LLVM's O3 pipeline.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &ctx,
                                                   llvm::TargetMachine &tm,
                                                   llvm::StringRef name);

/// Object code for `module` (optimized LLVM IR); false with `error`.
bool emitObject(llvm::Module &module, llvm::TargetMachine &tm,
                llvm::SmallVectorImpl<char> &object, std::string &error);

} // namespace linop::cpu

#endif
