//===- KernelAbi.h - the spec side of the kernel ABI, shared by the tools -===//
//
// linopc and linop-run both need the same three things: which public
// functions a spec has and how their arguments map onto the kernel ABI of
// linop/Target.h (data, weights, results; row lengths; dtypes; C names),
// the spec lowered through a target's pipeline, and a check that the CPU
// target's lowered module holds one kernel per function with the ABI's
// signature. Keeping them here means the JIT and the AOT library run
// exactly the same kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TOOLS_KERNELABI_H
#define LINOP_TOOLS_KERNELABI_H

#include "linop/CUDA/CudaTarget.h"
#include "linop/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"

#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace linop::abi {

enum class Role {
  Data,   ///< argument tensor<?x[C...x]NxT>: `batch` x C... rows of N
  Weight, ///< argument with a static shape: dense, the same for every row
  Result, ///< result tensor<?x[C...x]MxT>
};

/// One entry of the kernel's `ptrs` array: an argument or a result of the
/// spec function.
struct Operand {
  Role role;
  unsigned index;    ///< position among the arguments, or among the results
  std::string name;  ///< the C parameter name
  mlir::RankedTensorType type;
  /// Elements per row (N or M); for a weight, all of its elements.
  int64_t rowElements = 0;

  mlir::Type element() const { return type.getElementType(); }
  bool batched() const { return role != Role::Weight; }
  bool isOutput() const { return role == Role::Result; }
};

/// One CPU kernel of a function: its symbol and the work units of one
/// batch row that its [begin, end) range counts.
struct CpuKernel {
  std::string symbol;
  int64_t unitsPerRow = 1;
};

/// A public spec function as the kernel ABI sees it.
struct Signature {
  std::string func;   ///< the spec's name, and the entry point's short name
  std::string symbol; ///< exported: <library>_<func> (linopc sets it); the
                      ///< CPU kernel is kernelSymbol(symbol)
  std::vector<Operand> operands; ///< arguments in order, then results
  /// The static dimensions between the batch and the row that every batched
  /// operand shares (tensor<?xCxN>: {C}; none for tensor<?xN>). The kernels
  /// see batch x product(channels) rows, channel fastest, all at the
  /// operand's row stride.
  std::vector<int64_t> channels;
  int64_t rowsPerBatch() const;
  std::string specText; ///< "func.func @f(%x: tensor<?x8xf32>) -> ..."
  mlir::Location loc;   ///< the spec function's, for diagnostics
  /// Work units per row that the kernel's range counts: 1, but a
  /// recurrence's kernel takes [begin, end) over batch entry x sequence x
  /// head (N x H per row), so that the thread pool spreads heads too.
  int64_t unitsPerRow = 1;
  /// The CPU target's kernels, in the order they run (checkKernels fills
  /// them in): one, or the passes of a row split into sub-rows.
  std::vector<CpuKernel> cpuKernels;
  /// Passes kept beside a whole kernel, for a batch with fewer rows than
  /// the runtime's threads (empty: cpuKernels run for every batch).
  std::vector<CpuKernel> cpuFewRows;
  /// A recurrence's variable-length sequences, which CUDA entry points
  /// check on the host before they launch (linop_cuda_check_offsets).
  struct Offsets {
    unsigned operand;  ///< position in `operands`
    int bytes;         ///< 4 (int32) or 8 (int64)
    int64_t sequences; ///< N: N + 1 offsets a batch entry
    int64_t steps;     ///< T, which the last offset must be
  };
  std::optional<Offsets> offsets;

  size_t numInputs() const;
};

// Element types. Complex values are interleaved (re, im) pairs of scalars.
bool isComplex(mlir::Type element);
/// Bytes of one element: 2 (f16, bf16), 4, 8, 16 (complex<f64>); 4 or 8
/// for a recurrence's offsets (i32, i64).
unsigned elementBytes(mlir::Type element);
/// The C type of one scalar: "uint16_t" (f16/bf16 bits), "float", "double";
/// "int32_t" or "int64_t" for offsets.
const char *cScalarType(mlir::Type element);
/// "f32", "complex<f32>", ... as in the spec.
std::string typeName(mlir::Type type);

/// Parses a spec file (already in `sm`), verifies it, adds the entry
/// points it implies (addImpliedEntryPoints), and reports errors through
/// the context's diagnostics (a SourceMgrDiagnosticHandler).
mlir::OwningOpRef<mlir::ModuleOp> parseSpec(llvm::SourceMgr &sm,
                                            mlir::MLIRContext *ctx);

/// The entry points a spec implies, as kernels will have them
/// (linop-split-prepare: a convolution's run-time kernel gets @f_prepare,
/// and @f takes the spectra).
mlir::LogicalResult addImpliedEntryPoints(mlir::ModuleOp module);

/// The functions that get kernels: defined, public func.func ops.
std::vector<mlir::func::FuncOp> publicFunctions(mlir::ModuleOp module);

/// Maps `f` onto the ABI. A function the ABI does not cover gets an error at
/// its location and failure. `sm` (optional) holds the spec's source: C
/// parameter names are taken from its argument names (`%x` becomes `x`).
mlir::FailureOr<Signature> signatureOf(mlir::func::FuncOp f,
                                       llvm::SourceMgr *sm = nullptr);

/// Dialects a spec and every stage of the pipeline may contain, and the
/// translations to LLVM IR.
void registerDialects(mlir::DialectRegistry &registry);

/// The pipeline options from --radices and --radix-choice (shared by linopc
/// and linop-run, in `category`), with `description` entries for the
/// target.
PipelineOptions pipelineOptions(std::vector<std::string> description);
void addPlanOptions(llvm::cl::OptionCategory &category);

/// Progress of a long compile on stderr: once a compile has run `after`
/// seconds, a line every `every` seconds naming the step under way (the
/// pass, or what the tool set with `step`). Quiet for quick compiles. One
/// per tool, alive while it compiles.
class Progress {
public:
  Progress(llvm::StringRef tool, double after = 5, double every = 10);
  ~Progress();
  /// The step under way (thread-safe).
  static void step(llvm::StringRef what);

private:
  struct State;
  std::unique_ptr<State> state;
};

/// Lowers `module` in place down to `stop` with `target`'s pipeline,
/// applying the pass manager's command-line options (the tool must have
/// called mlir::registerPassManagerCLOptions).
/// `prelowered` (CPU only): the module already holds hand-written kernels
/// in the LLVM dialect next to the spec functions (tests of the packaging):
/// the spec functions are dropped and nothing else is done.
mlir::LogicalResult lower(mlir::ModuleOp module, const Target &target,
                          Stage stop, const PipelineOptions &opts,
                          bool prelowered);

/// The kernels of @func in a lowered module (the LLVM dialect or the
/// kernel IR), in the order they run: its kernel, or the passes of a kernel
/// that linop-split-kernels split (<kernel>_pass1, _pass2, ...). Empty
/// when there is none.
std::vector<mlir::Operation *> kernelsOf(mlir::ModuleOp lowered,
                                         llvm::StringRef func);
/// The passes of @func's split kernel, also where its whole kernel was
/// kept for batches that fill the threads (CostModel::splitForFewRows).
std::vector<mlir::Operation *> passesOf(mlir::ModuleOp lowered,
                                        llvm::StringRef func);

/// Checks that the LLVM-dialect `module` defines the kernels of every
/// signature with the ABI's type, with an error naming what is missing,
/// and fills in their cpuKernels and cpuFewRows.
mlir::LogicalResult checkKernels(mlir::ModuleOp module,
                                 std::vector<Signature> &signatures);

/// The CUDA target's code for a module lowered to Stage::Kernel: its CUDA
/// C++, NVRTC's sm_90a cubin and compute_90 PTX, and how to launch each
/// kernel. False with `error` (NVRTC missing, or its log).
struct CudaCode {
  std::string source, cubin, ptx;
  std::vector<cuda::KernelLaunch> launches;
};
bool compileCuda(mlir::ModuleOp kernels, llvm::StringRef specName,
                 CudaCode &out, std::string &error);

/// Work units per range of linop_parallel_for, for a kernel whose range
/// counts `units` per batch row: enough that a range moves at least 32 KiB,
/// so that dispatch costs little, yet small, so that a modest batch still
/// spreads over the threads (the runtime caps the number of ranges).
int64_t grainUnits(const Signature &sig, int64_t units);

/// Flops per batch row of @func's kernels (all passes of a split one),
/// when the pipeline recorded them as an integer or float attribute
/// `linop.flops_per_row` on the kernels (or on the spec function).
/// std::nullopt when unknown.
std::optional<double> flopsPerRow(mlir::ModuleOp lowered,
                                  mlir::ModuleOp spec, llvm::StringRef func);

} // namespace linop::abi

#endif
