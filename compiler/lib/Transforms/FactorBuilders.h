//===- FactorBuilders.h - building blocks of the decomposition passes ----===//
//
// Index maps, constant tensors and a builder for the factors of the normal
// form (kron(I_a, leaf, I_b), constant diag, perm, scale). The builder
// verifies every op it creates: Debian's MLIR has assertions off, and the
// greedy driver would not notice an invalid op.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TRANSFORMS_FACTORBUILDERS_H
#define LINOP_TRANSFORMS_FACTORBUILDERS_H

#include "linop/Dialect/LinopDialect.h"
#include "reference/Math.h"

#include "mlir/IR/PatternMatch.h"

#include <complex>
#include <optional>
#include <vector>

namespace linop::fb {

using cd = std::complex<double>;

// The root-of-unity, norm and permutation math is the reference's
// (lib/reference/Math.h): one definition for the rewrites, the kernels and
// the evaluator that checks them.
using ref::unitRoot;
/// 1, 1/sqrt(n), 1/n for the dialect's norm.
double normScale(Norm norm, int64_t n);

// ---- Index maps: a permutation p means y[i] = x[p[i]] --------------------

/// SPIRAL's L^n_m (reads at stride m), ref::stridePerm as a SmallVector.
llvm::SmallVector<int64_t> stridePerm(int64_t n, int64_t m);
/// The permutation of I_a (x) P (x) I_b.
llvm::SmallVector<int64_t> kronPerm(int64_t a, llvm::ArrayRef<int64_t> p,
                                    int64_t b);
/// The permutation of the product P1 P2 (P2 applies first).
llvm::SmallVector<int64_t> composePerms(llvm::ArrayRef<int64_t> p1,
                                        llvm::ArrayRef<int64_t> p2);
llvm::SmallVector<int64_t> invertPerm(llvm::ArrayRef<int64_t> p);
bool isIdentityPerm(llvm::ArrayRef<int64_t> p);

// ---- Operator values ----------------------------------------------------

bool hasFamily(mlir::Value op);
OperatorType opType(mlir::Value op);
bool isIdentity(mlir::Value op);
/// The values of an arith.constant tensor of a float or complex type, in
/// complex128; nullopt for anything else.
std::optional<std::vector<cd>> constantValues(mlir::Value tensor);
/// The field of values entering each factor of a compose (index i: the
/// field factor i receives); null entries where the chain does not type.
llvm::SmallVector<mlir::Type> composeFields(ComposeOp op);

/// A monomial operator y[i] = d[i] x[p[i]]: what perm, constant diag,
/// identity and scale of those are. `complex` tells whether some part has
/// a complex type.
struct Monomial {
  std::vector<cd> d;
  llvm::SmallVector<int64_t> p;
  bool complex = false;
  /// this * other (other applies first).
  Monomial then(const Monomial &first) const;
  bool isIdentity() const;
  bool unitWeights() const;
};
std::optional<Monomial> asMonomial(mlir::Value op);

/// Builds factors at the rewriter's insertion point. Every created op is
/// verified; after a failure ok() is false and the op is erased. The
/// diagnostic is reported (a bug) unless the builder is `quiet` (a
/// speculative rewrite that may not type). Null Values in a factor list
/// mean "no factor" (an identity that was left out).
class FactorBuilder {
public:
  FactorBuilder(mlir::PatternRewriter &rewriter, mlir::Location loc,
                bool quiet = false)
      : rw(rewriter), loc(loc), quietFailures(quiet) {}
  bool ok() const { return good; }
  mlir::MLIRContext *ctx() { return rw.getContext(); }

  OperatorType type(int64_t rows, int64_t cols, mlir::Type elem);
  OperatorType type(int64_t rows, int64_t cols, mlir::Type domain,
                    mlir::Type codomain);
  /// arith.constant of shape `shape`, each value rounded once to `elem`.
  mlir::Value constant(mlir::Type elem, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<cd> values);

  mlir::Value identity(int64_t n, mlir::Type elem);
  /// A perm op in the most readable form (stride, bitrev or explicit);
  /// null for the identity.
  mlir::Value perm(llvm::ArrayRef<int64_t> p, mlir::Type elem);
  /// A diag of a constant; null when every weight is 1. With a family
  /// [F...], `d` holds one diagonal of d.size() / prod(F) per member.
  mlir::Value diag(llvm::ArrayRef<cd> d, mlir::Type elem,
                   llvm::ArrayRef<int64_t> family = {});
  /// The Cooley-Tukey twiddles of DFT_{rb} times `scale`, repeated over n
  /// rows; null when every entry is 1.
  mlir::Value twiddle(int64_t r, int64_t b, bool inverse, int64_t n,
                      mlir::Type elem, double scale = 1.0);
  /// diag then perm for a monomial (null parts left out), appended.
  void monomial(const Monomial &m, mlir::Type elem,
                llvm::SmallVectorImpl<mlir::Value> &out);
  mlir::Value dense(int64_t rows, int64_t cols, llvm::ArrayRef<cd> w,
                    mlir::Type elem);
  /// Zero padding from n to m >= n elements (or with `truncate` its
  /// transpose, keeping the first n of m): I_{n-1} (+) e0, identities plus
  /// one column (row) so that no block is empty. Null when n == m.
  mlir::Value pad(int64_t n, int64_t m, mlir::Type elem,
                  bool truncate = false);
  mlir::Value dft(int64_t n, bool inverse, Norm norm, mlir::Type elem);
  /// `t` (M x N, maybe a family) as the top-left block of a circulant of P
  /// given the diagonal `spectrum` of its DFT over P (divided by P):
  /// truncation, inverse DFT, the diagonal, DFT, zero padding. Real data
  /// keeps half the spectrum (P/2 + 1) between rdft and irdft.
  mlir::Value circulantEmbedding(OperatorType t, int64_t P,
                                 mlir::Value spectrum);
  mlir::Value hadamard(int64_t n, Norm norm, mlir::Type elem);
  /// kron(I_a, A, I_b) of element type `elem`; A itself when a = b = 1.
  mlir::Value kron(int64_t a, mlir::Value A, int64_t b, mlir::Type elem);
  mlir::Value kron(llvm::ArrayRef<mlir::Value> factors, OperatorType t);
  mlir::Value directSum(llvm::ArrayRef<mlir::Value> factors, OperatorType t);
  /// compose of the non-null factors; one factor of type t is returned as
  /// is, none gives the identity.
  mlir::Value compose(llvm::ArrayRef<mlir::Value> factors, OperatorType t);
  mlir::Value scale(mlir::Value x, cd c);
  /// Real n -> complex n of the same precision.
  mlir::Value promote(int64_t n, mlir::Type real);
  /// real(X') promote for an operator `op` on real values, X' the same
  /// operator on complex values.
  mlir::Value viaComplex(mlir::Operation *op);
  /// An op whose only input is its type, as a value (null on failure).
  template <typename OpTy>
  mlir::Value make(OperatorType t) {
    auto op = create<OpTy>(t);
    return op ? op.getResult() : mlir::Value();
  }

  /// Creates and verifies an op; null on failure.
  template <typename OpTy, typename... Args>
  OpTy create(Args &&...args) {
    if (!good)
      return nullptr;
    auto op = rw.create<OpTy>(loc, std::forward<Args>(args)...);
    if (failed(check(op.getOperation())))
      return nullptr;
    return op;
  }

private:
  mlir::LogicalResult check(mlir::Operation *op);
  mlir::PatternRewriter &rw;
  mlir::Location loc;
  bool quietFailures;
  bool good = true;
};

/// The power-of-two circulant size P that a Toeplitz matrix or a
/// convolution of `taps` taps (M x N) embeds in: P >= M + N - 1, or for a
/// convolution P >= max(M, N + taps - 1). A circulant is its own (N).
int64_t circulantSize(mlir::Operation *op, int64_t taps);

// ---- Patterns shared by linop-decompose and linop-simplify -------------

/// compose: inline nested composes, drop identities, unwrap one factor.
/// kron: flatten, merge identities, fold I (x) perm/diag/identity (x) I into
/// one perm/diag, push scale out, distribute over a compose, and (with
/// `split`) split a kron of several non-identity factors into a compose of
/// kron(I, factor, I).
void populateNormalFormPatterns(mlir::RewritePatternSet &patterns,
                                bool split);

} // namespace linop::fb

#endif
