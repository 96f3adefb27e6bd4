//===- Simplify.cpp - linop-simplify: fewer passes over the data ---------===//
//
// Cleans up the normal form of linop-decompose. Between two stages, any
// mix of permutations, constant diagonals, identities and scalings is a
// monomial matrix y[i] = d[i] x[p[i]], which is at most one diag and one
// perm. A stage I_a (x) A (x) I_b may also be written with all identities
// on one side, A (x) I_n = L (I_n (x) A) L', when the two permutations
// this adds merge into the neighbouring ones and fewer permutations remain.
// Checked against the reference evaluator in
// test/lit/Transforms/linop-simplify.mlir.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include "FactorBuilders.h"
#include "linop/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace linop {
#define GEN_PASS_DEF_SIMPLIFY
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;
using namespace linop::fb;

namespace {

/// Number of ops a monomial needs (a diag, a perm).
int64_t cost(const Monomial &m) {
  return (m.unitWeights() ? 0 : 1) + (isIdentityPerm(m.p) ? 0 : 1);
}

Monomial identityMonomial(int64_t n) {
  Monomial m;
  m.d.assign(n, 1.0);
  for (int64_t i = 0; i < n; ++i)
    m.p.push_back(i);
  return m;
}

Monomial permMonomial(ArrayRef<int64_t> p) {
  Monomial m;
  m.d.assign(p.size(), 1.0);
  m.p.assign(p.begin(), p.end());
  return m;
}

/// The product of factors [begin, end) of a compose, all monomial.
Monomial runProduct(OperandRange factors, size_t begin, size_t end) {
  Monomial m = *asMonomial(factors[begin]);
  for (size_t k = begin + 1; k < end; ++k)
    m = m.then(*asMonomial(factors[k]));
  return m;
}

bool fieldCanHold(Type field, const Monomial &m) {
  if (!field)
    return false;
  if (isa<ComplexType>(field))
    return true;
  return llvm::all_of(m.d, [](cd v) { return v.imag() == 0.0; });
}

/// Each run of two or more monomial factors becomes diag, perm (fewer ops).
struct MergeMonomialRuns : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getFamily().empty())
      return failure();
    auto factors = op.getFactors();
    SmallVector<Type> fields = composeFields(op);
    FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
    SmallVector<Value> next;
    bool changed = false;
    for (size_t i = 0; i < factors.size();) {
      size_t j = i;
      while (j < factors.size() && asMonomial(factors[j]))
        ++j;
      if (j == i) {
        next.push_back(factors[i++]);
        continue;
      }
      Monomial m = runProduct(factors, i, j);
      Type field = fields[j - 1];
      if (cost(m) < int64_t(j - i) && fieldCanHold(field, m)) {
        b.monomial(m, field, next);
        changed = true;
      } else {
        next.append(factors.begin() + i, factors.begin() + j);
      }
      i = j;
    }
    if (!changed)
      return failure();
    Value v = b.compose(next, op.getType());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// Scalars commute with everything: a scale(X) in a compose moves into a
/// constant diag of the same compose.
struct ScaleIntoDiag : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getFamily().empty())
      return failure();
    SmallVector<Value> fs(op.getFactors());
    SmallVector<Type> fields = composeFields(op);
    int64_t si = -1, di = -1;
    for (size_t i = 0; i < fs.size(); ++i) {
      if (si < 0 && fs[i].getDefiningOp<ScaleOp>() && !hasFamily(fs[i]))
        si = i;
      if (auto d = fs[i].getDefiningOp<DiagOp>();
          di < 0 && d && !hasFamily(fs[i]) && constantValues(d.getWeights()))
        di = i;
    }
    if (si < 0)
      return failure();
    auto s = fs[si].getDefiningOp<ScaleOp>();
    cd c = s.getFactor();
    if (di < 0) {
      // A real scale also folds into a twiddle formula.
      int64_t ti = -1;
      for (size_t i = 0; i < fs.size() && ti < 0; ++i)
        if (fs[i].getDefiningOp<TwiddleOp>())
          ti = i;
      if (ti < 0 || c.imag() != 0.0 || c.real() == 0.0 ||
          !std::isfinite(c.real()))
        return failure();
      auto tw = fs[ti].getDefiningOp<TwiddleOp>();
      FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
      fs[si] = s.getInput();
      fs[ti] = b.twiddle(tw.getR(), tw.getB(), tw.getInverse(),
                         tw.getType().getRows(), fields[ti],
                         tw.getScale().convertToDouble() * c.real());
      Value v = b.compose(fs, op.getType());
      if (!b.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    Type field = fields[di];
    if (!field || (c.imag() != 0.0 && !isa<ComplexType>(field)))
      return failure();
    std::vector<cd> d =
        *constantValues(fs[di].getDefiningOp<DiagOp>().getWeights());
    for (cd &v : d)
      v *= c;
    FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
    fs[si] = s.getInput();
    fs[di] = b.diag(d, field);
    Value v = b.compose(fs, op.getType());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// A stage kron(I_a, A, I_b): a, the leaf, b. Null leaf if not a stage.
struct Stage {
  int64_t a = 1, b = 1;
  Value leaf;
};

Stage asStage(Value f) {
  auto k = f.getDefiningOp<KronOp>();
  if (!k || hasFamily(f))
    return {};
  Stage s;
  auto fs = k.getFactors();
  size_t i = 0;
  if (fs.size() > 1 && isIdentity(fs[0]))
    s.a = opType(fs[i++]).getRows();
  if (i >= fs.size() || isIdentity(fs[i]) || hasFamily(fs[i]))
    return {};
  s.leaf = fs[i++];
  if (i < fs.size() && isIdentity(fs[i]))
    s.b = opType(fs[i++]).getRows();
  if (i != fs.size())
    return {};
  return s;
}

/// I_a (x) A (x) I_b = Lp (I_c (x) A (x) I_d) R for (c, d) = (ab, 1) or
/// (1, ab); A is m x q. Lp and R as permutations.
void commutePerms(int64_t a, int64_t b, int64_t m, int64_t q, bool allLeft,
                  SmallVector<int64_t> &Lp, SmallVector<int64_t> &R) {
  Lp.assign(a * m * b, 0);
  R.assign(a * q * b, 0);
  int64_t ab = a * b;
  for (int64_t al = 0; al < a; ++al)
    for (int64_t be = 0; be < b; ++be) {
      for (int64_t i = 0; i < m; ++i)
        Lp[(al * m + i) * b + be] =
            allLeft ? (al * b + be) * m + i : i * ab + al * b + be;
      for (int64_t j = 0; j < q; ++j)
        R[allLeft ? (al * b + be) * q + j : j * ab + al * b + be] =
            (al * q + j) * b + be;
    }
}

/// Rewrites a stage to the other Kronecker form when the permutations
/// that come with it merge with the neighbouring runs and fewer remain.
struct CommuteKron : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getFamily().empty())
      return failure();
    auto factors = op.getFactors();
    SmallVector<Type> fields = composeFields(op);
    for (size_t s = 0; s < factors.size(); ++s) {
      Stage st = asStage(factors[s]);
      if (!st.leaf || st.a * st.b == 1 || !fields[s])
        continue;
      OperatorType lt = opType(st.leaf);
      int64_t m = lt.getRows(), q = lt.getCols();
      size_t lb = s, re = s + 1;
      while (lb > 0 && asMonomial(factors[lb - 1]))
        --lb;
      while (re < factors.size() && asMonomial(factors[re]))
        ++re;
      Monomial left = lb < s ? runProduct(factors, lb, s)
                             : identityMonomial(st.a * m * st.b);
      Monomial right = s + 1 < re ? runProduct(factors, s + 1, re)
                                  : identityMonomial(st.a * q * st.b);
      int64_t before = !isIdentityPerm(left.p) + !isIdentityPerm(right.p);
      for (bool allLeft : {true, false}) {
        if ((allLeft && st.b == 1) || (!allLeft && st.a == 1))
          continue;
        SmallVector<int64_t> Lp, R;
        commutePerms(st.a, st.b, m, q, allLeft, Lp, R);
        Monomial nl = left.then(permMonomial(Lp));
        Monomial nr = permMonomial(R).then(right);
        int64_t after = !isIdentityPerm(nl.p) + !isIdentityPerm(nr.p);
        Type outField = lb < s ? fields[s - 1] : Type();
        Type inField = fields[re - 1];
        if (after >= before || !inField ||
            (lb < s && !fieldCanHold(outField, nl)) ||
            !fieldCanHold(inField, nr))
          continue;
        // Perms/diags on the output side act on the stage's output field.
        if (!outField)
          outField = applyField(opType(factors[s]), fields[s]);
        FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
        SmallVector<Value> next(factors.begin(), factors.begin() + lb);
        b.monomial(nl, outField, next);
        Type elem = opType(factors[s]).getDomain();
        next.push_back(allLeft ? b.kron(st.a * st.b, st.leaf, 1, elem)
                               : b.kron(1, st.leaf, st.a * st.b, elem));
        b.monomial(nr, inField, next);
        next.append(factors.begin() + re, factors.end());
        Value v = b.compose(next, op.getType());
        if (!b.ok() || !v)
          return failure();
        rewriter.replaceOp(op, v);
        return success();
      }
    }
    return failure();
  }
};

/// A permutation that moves whole blocks of a stage I_a (x) A (x) I_b
/// (index (al, i, be) to (al', i, be') with (al', be') a function of
/// (al, be)) commutes with it: P S = S P', P' the same map on the input
/// side. Such a permutation moves to the input side of the stage, where it
/// may merge, and where the planner folds permutations into the loads.
struct SinkPerm : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getFamily().empty())
      return failure();
    auto factors = op.getFactors();
    SmallVector<Type> fields = composeFields(op);
    for (size_t s = 1; s < factors.size(); ++s) {
      Stage st = asStage(factors[s]);
      if (!st.leaf || st.a * st.b == 1 || !fields[s])
        continue;
      size_t lb = s, re = s + 1;
      while (lb > 0 && asMonomial(factors[lb - 1]))
        --lb;
      if (lb == s)
        continue;
      while (re < factors.size() && asMonomial(factors[re]))
        ++re;
      Monomial left = runProduct(factors, lb, s);
      if (isIdentityPerm(left.p))
        continue;
      OperatorType lt = opType(st.leaf);
      int64_t m = lt.getRows(), q = lt.getCols(), a = st.a, b = st.b;
      // The block map (al, be) -> (al', be'), read at i = 0.
      SmallVector<int64_t> inP(a * q * b);
      bool blockwise = true;
      for (int64_t al = 0; al < a && blockwise; ++al)
        for (int64_t be = 0; be < b && blockwise; ++be) {
          int64_t t = left.p[al * m * b + be];
          int64_t al2 = t / (m * b), i2 = (t / b) % m, be2 = t % b;
          if (i2 != 0) {
            blockwise = false;
            break;
          }
          for (int64_t i = 0; i < m; ++i)
            if (left.p[(al * m + i) * b + be] != (al2 * m + i) * b + be2)
              blockwise = false;
          for (int64_t j = 0; j < q; ++j)
            inP[(al * q + j) * b + be] = (al2 * q + j) * b + be2;
        }
      if (!blockwise)
        continue;
      Monomial diagOnly = left;
      diagOnly.p = identityMonomial(left.p.size()).p;
      Monomial right = s + 1 < re ? runProduct(factors, s + 1, re)
                                  : identityMonomial(a * q * b);
      Monomial nr = permMonomial(inP).then(right);
      Type outField = fields[s - 1], inField = fields[re - 1];
      if (!inField || !fieldCanHold(outField, diagOnly) ||
          !fieldCanHold(inField, nr))
        continue;
      FactorBuilder bld(rewriter, op.getLoc(), /*quiet=*/true);
      SmallVector<Value> next(factors.begin(), factors.begin() + lb);
      bld.monomial(diagOnly, outField, next);
      next.push_back(factors[s]);
      bld.monomial(nr, inField, next);
      next.append(factors.begin() + re, factors.end());
      Value v = bld.compose(next, op.getType());
      if (!bld.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    return failure();
  }
};

struct SimplifyPass : linop::impl::SimplifyBase<SimplifyPass> {
  using SimplifyBase::SimplifyBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<MergeMonomialRuns, ScaleIntoDiag, CommuteKron, SinkPerm>(ctx);
    populateNormalFormPatterns(patterns, /*split=*/false);
    ScaleOp::getCanonicalizationPatterns(patterns, ctx);
    PermOp::getCanonicalizationPatterns(patterns, ctx);

    GreedyRewriteConfig config;
    config.maxIterations = 64;
    config.enableRegionSimplification = GreedySimplifyRegionLevel::Disabled;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                            config))) {
      getOperation().emitError("linop-simplify did not converge");
      return signalPassFailure();
    }
    if (failed(verify(getOperation())))
      signalPassFailure();
  }
};

} // namespace
