//===- LinopCanonicalize.cpp - algebraic simplifications of operators ---===//
//
// Rewrites that are always profitable and keep the operator the same:
// identities drop out, nested products flatten, inverse pairs cancel,
// adjacent permutations merge. Each one is checked against the dense
// reference in test/lit/Dialect/canonicalize.mlir.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace linop;

namespace {

bool isIdentity(Value v) { return v.getDefiningOp<IdentityOp>() != nullptr; }

/// Replace `op` by `v`, which must already have the op's type.
LogicalResult replaceWith(PatternRewriter &rewriter, Operation *op, Value v) {
  if (v.getType() != op->getResult(0).getType())
    return failure();
  rewriter.replaceOp(op, v);
  return success();
}

/// compose/kron/direct_sum: inline nested ops of the same kind.
template <typename OpTy>
struct FlattenNested : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> flat;
    bool changed = false;
    for (Value f : op.getFactors()) {
      auto inner = f.template getDefiningOp<OpTy>();
      // Only when the inner op keeps its own field and family, so that the
      // flattened op still verifies.
      if (inner && cast<OperatorType>(inner.getType()).getFamily() ==
                       op.getType().getFamily()) {
        llvm::append_range(flat, inner.getFactors());
        changed = true;
      } else {
        flat.push_back(f);
      }
    }
    if (!changed)
      return failure();
    rewriter.replaceOpWithNewOp<OpTy>(op, op.getType(), flat);
    return success();
  }
};

/// A product or sum of one operand is that operand.
template <typename OpTy>
struct SingleOperand : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (op.getFactors().size() != 1)
      return failure();
    return replaceWith(rewriter, op, op.getFactors()[0]);
  }
};

/// compose(..., I, ...) drops the identity.
struct ComposeDropIdentity : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> kept;
    for (Value f : op.getFactors())
      if (!isIdentity(f) || !cast<OperatorType>(f.getType()).getFamily().empty())
        kept.push_back(f);
    if (kept.size() == op.getFactors().size())
      return failure();
    if (kept.empty()) {
      rewriter.replaceOpWithNewOp<IdentityOp>(op, op.getType());
      return success();
    }
    auto candidate = rewriter.create<ComposeOp>(op.getLoc(), op.getType(), kept);
    if (failed(candidate.verify())) {
      rewriter.eraseOp(candidate);
      return failure();
    }
    rewriter.replaceOp(op, candidate.getResult());
    return success();
  }
};

/// compose(P, Q) of adjacent permutations is one permutation.
struct ComposeMergePerms : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    auto factors = op.getFactors();
    for (size_t i = 0; i + 1 < factors.size(); ++i) {
      auto p = factors[i].getDefiningOp<PermOp>();
      auto q = factors[i + 1].getDefiningOp<PermOp>();
      if (!p || !q || p.getType() != q.getType())
        continue;
      // (P Q x)[i] = (Q x)[p[i]] = x[q[p[i]]].
      SmallVector<int64_t> pp = p.getPermutation(), qq = q.getPermutation();
      SmallVector<int64_t> merged(pp.size());
      for (size_t k = 0; k < pp.size(); ++k)
        merged[k] = qq[pp[k]];
      auto m = PermOp::build(rewriter, op.getLoc(), p.getType(), merged);
      SmallVector<Value> next(factors.begin(), factors.end());
      next[i] = m.getResult();
      next.erase(next.begin() + i + 1);
      rewriter.replaceOpWithNewOp<ComposeOp>(op, op.getType(), next);
      return success();
    }
    return failure();
  }
};

/// kron drops 1x1 identity factors.
struct KronDropUnit : OpRewritePattern<KronOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(KronOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> kept;
    for (Value f : op.getFactors()) {
      auto t = cast<OperatorType>(f.getType());
      if (!(isIdentity(f) && t.getRows() == 1 && t.getFamily().empty()))
        kept.push_back(f);
    }
    if (kept.size() == op.getFactors().size())
      return failure();
    if (kept.empty()) {
      rewriter.replaceOpWithNewOp<IdentityOp>(op, op.getType());
      return success();
    }
    rewriter.replaceOpWithNewOp<KronOp>(op, op.getType(), kept);
    return success();
  }
};

/// transpose(transpose(A)) = A, adjoint(adjoint(A)) = A, and the
/// transpose of a symmetric operator is itself.
template <typename OpTy>
struct TransposeSimplify : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value in = op.getInput();
    if (auto inner = in.template getDefiningOp<OpTy>())
      return replaceWith(rewriter, op, inner.getInput());
    Operation *def = in.getDefiningOp();
    if (!def)
      return failure();
    constexpr bool isTranspose = std::is_same<OpTy, TransposeOp>::value;
    bool real = !isa<ComplexType>(op.getType().getDomain());
    bool trigIV = false;
    if (auto c = dyn_cast<DctOp>(def))
      trigIV = c.getKind() == TrigType::IV;
    if (auto c = dyn_cast<DstOp>(def))
      trigIV = c.getKind() == TrigType::IV;
    bool symmetric =
        trigIV ||
        isa<IdentityOp, HadamardOp, HartleyOp, DiagOp, DftOp, TwiddleOp>(def);
    bool realEntries = trigIV || isa<IdentityOp, HadamardOp, HartleyOp>(def) ||
                       (real && isa<DiagOp>(def));
    bool isSym = symmetric && (isTranspose || realEntries);
    if (isSym)
      return replaceWith(rewriter, op, in);
    // The DFT is symmetric, so its adjoint is its conjugate: the inverse.
    if (auto f = dyn_cast<DftOp>(def); f && !isTranspose) {
      rewriter.replaceOpWithNewOp<DftOp>(op, op.getType(), !f.getInverse(),
                                         f.getNorm());
      return success();
    }
    // A twiddle's adjoint is its conjugate: the inverse twiddle.
    if (auto tw = dyn_cast<TwiddleOp>(def); tw && !isTranspose) {
      rewriter.replaceOpWithNewOp<TwiddleOp>(op, op.getType(), tw.getR(),
                                             tw.getB(), !tw.getInverse(),
                                             tw.getScale());
      return success();
    }
    // Types II and III are each other's transpose (real entries).
    if (auto c = dyn_cast<DctOp>(def); c && c.getKind() != TrigType::IV &&
                                       (isTranspose || real)) {
      rewriter.replaceOpWithNewOp<DctOp>(
          op, op.getType(),
          c.getKind() == TrigType::II ? TrigType::III : TrigType::II,
          c.getNorm());
      return success();
    }
    if (auto c = dyn_cast<DstOp>(def); c && c.getKind() != TrigType::IV &&
                                       (isTranspose || real)) {
      rewriter.replaceOpWithNewOp<DstOp>(
          op, op.getType(),
          c.getKind() == TrigType::II ? TrigType::III : TrigType::II,
          c.getNorm());
      return success();
    }
    // The transpose of a permutation is its inverse (it is real).
    if (auto p = dyn_cast<PermOp>(def)) {
      SmallVector<int64_t> pp = p.getPermutation(), inv(pp.size());
      for (size_t i = 0; i < pp.size(); ++i)
        inv[pp[i]] = i;
      rewriter.replaceOp(op, PermOp::build(rewriter, op.getLoc(),
                                           op.getType(), inv));
      return success();
    }
    // Combinators: (A B)^T = B^T A^T; Kronecker products and direct sums
    // transpose factor by factor; a scale commutes (conjugated for the
    // adjoint). Each factor needs one element type, as the op does.
    auto flipped = [&](Value f) -> Value {
      auto t = cast<OperatorType>(f.getType());
      return rewriter.create<OpTy>(
          op.getLoc(),
          OperatorType::get(op.getContext(), t.getFamily(), t.getCols(),
                            t.getRows(), t.getDomain(), t.getCodomain()),
          f);
    };
    auto endomorphic = [](ValueRange fs) {
      return llvm::all_of(fs, [](Value f) {
        return cast<OperatorType>(f.getType()).isEndomorphicField();
      });
    };
    auto flipAll = [&](ValueRange fs, bool reverse) {
      SmallVector<Value> out;
      for (Value f : fs)
        out.push_back(flipped(f));
      if (reverse)
        std::reverse(out.begin(), out.end());
      return out;
    };
    if (auto c = dyn_cast<ComposeOp>(def); c && endomorphic(c.getFactors())) {
      rewriter.replaceOpWithNewOp<ComposeOp>(op, op.getType(),
                                             flipAll(c.getFactors(), true));
      return success();
    }
    if (auto k = dyn_cast<KronOp>(def); k && endomorphic(k.getFactors())) {
      rewriter.replaceOpWithNewOp<KronOp>(op, op.getType(),
                                          flipAll(k.getFactors(), false));
      return success();
    }
    if (auto d = dyn_cast<DirectSumOp>(def); d && endomorphic(d.getFactors())) {
      rewriter.replaceOpWithNewOp<DirectSumOp>(op, op.getType(),
                                               flipAll(d.getFactors(), false));
      return success();
    }
    if (auto sc = dyn_cast<ScaleOp>(def)) {
      std::complex<double> f = sc.getFactor();
      if (!isTranspose)
        f = std::conj(f);
      rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getType(),
                                           flipped(sc.getInput()),
                                           rewriter.getF64FloatAttr(f.real()),
                                           rewriter.getF64FloatAttr(f.imag()));
      return success();
    }
    return failure();
  }
};

/// scale by 1 is the operand; nested scales multiply.
struct ScaleSimplify : OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getFactor() == std::complex<double>(1.0))
      return replaceWith(rewriter, op, op.getInput());
    auto inner = op.getInput().getDefiningOp<ScaleOp>();
    if (!inner)
      return failure();
    std::complex<double> c = op.getFactor() * inner.getFactor();
    rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getType(), inner.getInput(),
                                         rewriter.getF64FloatAttr(c.real()),
                                         rewriter.getF64FloatAttr(c.imag()));
    return success();
  }
};

/// An explicit identity permutation, `stride 1`, `stride N` and `bitrev`
/// of size <= 2 are the identity.
struct PermToIdentity : OpRewritePattern<PermOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> p = op.getPermutation();
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] != int64_t(i))
        return failure();
    rewriter.replaceOpWithNewOp<IdentityOp>(op, op.getType());
    return success();
  }
};

} // namespace

void ComposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenNested<ComposeOp>, SingleOperand<ComposeOp>,
              ComposeDropIdentity, ComposeMergePerms>(context);
}

void PermOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<PermToIdentity>(context);
}

void KronOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FlattenNested<KronOp>, SingleOperand<KronOp>, KronDropUnit>(
      context);
}

void DirectSumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<FlattenNested<DirectSumOp>, SingleOperand<DirectSumOp>>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<TransposeSimplify<TransposeOp>>(context);
}

void AdjointOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<TransposeSimplify<AdjointOp>>(context);
}

void ScaleOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<ScaleSimplify>(context);
}
