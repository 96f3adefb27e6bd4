//===- Evaluator.h - dense float64 reference semantics of linop IR -------===//
//
// Interprets a func.func made of linop ops in complex128, materializing each
// operator as dense matrices. This is the correctness backbone: rewrites and
// kernels are checked against it. Small sizes only (O(N^2) memory).
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_REFERENCE_EVALUATOR_H
#define LINOP_REFERENCE_EVALUATOR_H

#include "reference/Math.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LogicalResult.h"

#include <random>
#include <vector>

namespace linop::ref {

/// A tensor value in complex128; real element types have zero imaginary part.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<cd> data;
  int64_t numElements() const;
};

/// A real-linear map y = A x + B conj(x). B is empty when the map is
/// complex-linear, which is every operator but those built with irdft.
struct LinMap {
  CMat A, B;
};

/// An operator value: one map per family index (row-major over `family`).
struct Operator {
  std::vector<int64_t> family;
  std::vector<LinMap> maps;
};

/// Evaluates `func` on `args` (one per argument, shapes matching the
/// argument types with dynamic sizes filled in). An operator result comes
/// back as its dense matrices `[F..., M, N]`. Unsupported ops and values get
/// a diagnostic at the op and failure.
mlir::FailureOr<std::vector<Tensor>> evaluate(mlir::func::FuncOp func,
                                              const std::vector<Tensor> &args);

/// As `evaluate`, but an operator result comes back applied to `probes`
/// random complex rows drawn from `rng`, `[probes, F..., M]`, without its
/// dense matrix: O(M N) per factor instead of O(M N^2).
mlir::FailureOr<std::vector<Tensor>>
evaluateProbed(mlir::func::FuncOp func, const std::vector<Tensor> &args,
               int64_t probes, std::mt19937_64 &rng);

/// Materializes an operator value of `func` (by evaluating the ops it
/// depends on). Arguments of `func` it needs come from `args`.
mlir::FailureOr<Operator> materialize(mlir::Value op,
                                      const std::vector<Tensor> &args);

/// Evaluates a tensor value that depends on no function argument (a
/// constant, or ops on constants).
mlir::FailureOr<Tensor> evaluateConstant(mlir::Value tensor);

/// Random inputs for `type`: normal real or complex values; dynamic sizes
/// become `dynamicSize`.
Tensor randomTensor(mlir::RankedTensorType type, int64_t dynamicSize,
                    std::mt19937_64 &rng);
/// Random arguments as a model would give a `linop.recurrence` in `func`:
/// its log-decays g become log(sigmoid(g)) (in (-inf, 0)), its betas
/// sigmoid(beta), and for the delta rule its keys unit vectors (DeltaNet's
/// normalization), so that random tests exercise a stable recurrence; its
/// offsets split each batch entry's T steps at random cut points.
void conditionRecurrenceInputs(mlir::func::FuncOp func,
                               std::vector<Tensor> &args);

/// Evaluates `a` and `b` on the same random inputs, `trials` times, and
/// returns the largest relative error ||ya - yb|| / ||yb|| over all results
/// (operator results applied to the same random rows).
/// Fails with a diagnostic when the signatures differ or evaluation fails.
mlir::FailureOr<double> compareFunctions(mlir::func::FuncOp a,
                                         mlir::func::FuncOp b,
                                         unsigned trials = 2,
                                         uint64_t seed = 1);

/// The relative error a result of element type `t` (or of its real part)
/// may have against the float64 reference: 1e-10 for f64, 1e-5 for f32,
/// 1e-2 for f16 and bf16. The one table of linop-run --check and
/// linop-check-equivalence.
double errorBound(mlir::Type t);

} // namespace linop::ref

#endif
