//===- LinopKernel.h - the kernel IR dialect -----------------------------===//
#ifndef LINOP_DIALECT_LINOPKERNEL_H
#define LINOP_DIALECT_LINOPKERNEL_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <complex>
#include <vector>

#include "linop/Dialect/LinopKernelEnums.h.inc"
#include "linop/Dialect/LinopKernelDialect.h.inc"
#define GET_ATTRDEF_CLASSES
#include "linop/Dialect/LinopKernelAttrs.h.inc"
#define GET_OP_CLASSES
#include "linop/Dialect/LinopKernelOps.h.inc"

namespace linop::kernel {

/// The index map of a permutation attribute (structured or explicit):
/// `y[i] = x[p[i]]`.
std::vector<int64_t> permutationIndices(mlir::Attribute perm);

/// `perm` in its most readable form: a stride permutation, the digit
/// reversal of `radices` (outermost first) when it is that, else an
/// explicit array.
mlir::Attribute structuredPermutation(mlir::MLIRContext *ctx,
                                      llvm::ArrayRef<int64_t> perm,
                                      llvm::ArrayRef<int64_t> radices);

/// The a r b factors of a stage's twiddles (a formula or explicit), in
/// complex<f64>; empty for a formula that depends on the sub-row.
std::vector<std::complex<double>> twiddleValues(StageOp stage);

/// `values` as a Cooley-Tukey twiddle formula for a stage I_a (x) A_r (x) I_b
/// when they are one, to `tolerance` relative to their scale (the rounding
/// of the precision they were stored in), else null.
TwiddlesAttr recognizeTwiddles(mlir::MLIRContext *ctx,
                               llvm::ArrayRef<std::complex<double>> values,
                               int64_t a, int64_t r, int64_t b,
                               double tolerance);

/// Steps [first, first + period * repeats) of a kernel that repeat one
/// period of butterfly stages with the block advanced: step
/// `first + j + k * period` is step `first + j` with `block` raised by
/// `k * blockStep` (same operand, level, stride and buffers). Stacked
/// factors (BPBP... of many blocks) compile as a loop over the period.
struct ButterflyRepeat {
  size_t first = 0, period = 0;
  int64_t repeats = 0, blockStep = 0;
};

/// The repeats of run-time-weight butterfly stages in `steps` that have
/// at least two periods and more than `maxUnrolled` steps in all.
llvm::SmallVector<ButterflyRepeat>
butterflyRepeats(llvm::ArrayRef<mlir::Operation *> steps, int64_t maxUnrolled);

/// A recurrence kernel's largest chunk, Dk and Dv: what a backend keeps per
/// head (chunk^2 products, a Dk x Dv state) stays bounded.
constexpr int64_t kMaxRecurrenceDim = 1024;

} // namespace linop::kernel

#endif
