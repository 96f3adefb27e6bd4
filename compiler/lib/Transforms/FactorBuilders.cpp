//===- FactorBuilders.cpp - building blocks of the decomposition passes --===//

#include "FactorBuilders.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

using namespace mlir;
using namespace linop;
using namespace linop::fb;

double fb::normScale(Norm norm, int64_t n) {
  return ref::normScale(norm == Norm::none   ? ref::Norm::None
                        : norm == Norm::sqrt ? ref::Norm::Sqrt
                                             : ref::Norm::Full,
                        n);
}

SmallVector<int64_t> fb::stridePerm(int64_t n, int64_t m) {
  std::vector<int64_t> p = ref::stridePerm(n, m);
  return SmallVector<int64_t>(p.begin(), p.end());
}

SmallVector<int64_t> fb::kronPerm(int64_t a, ArrayRef<int64_t> p, int64_t b) {
  int64_t m = p.size();
  SmallVector<int64_t> out(a * m * b);
  for (int64_t al = 0; al < a; ++al)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t be = 0; be < b; ++be)
        out[(al * m + i) * b + be] = (al * m + p[i]) * b + be;
  return out;
}

SmallVector<int64_t> fb::composePerms(ArrayRef<int64_t> p1,
                                      ArrayRef<int64_t> p2) {
  // (P1 P2 x)[i] = (P2 x)[p1[i]] = x[p2[p1[i]]].
  SmallVector<int64_t> out(p1.size());
  for (size_t i = 0; i < p1.size(); ++i)
    out[i] = p2[p1[i]];
  return out;
}

SmallVector<int64_t> fb::invertPerm(ArrayRef<int64_t> p) {
  SmallVector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    inv[p[i]] = i;
  return inv;
}

bool fb::isIdentityPerm(ArrayRef<int64_t> p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != int64_t(i))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Operator values
//===----------------------------------------------------------------------===//

OperatorType fb::opType(Value op) { return cast<OperatorType>(op.getType()); }

bool fb::hasFamily(Value op) { return !opType(op).getFamily().empty(); }

bool fb::isIdentity(Value op) {
  return op.getDefiningOp<IdentityOp>() && !hasFamily(op);
}

static double toDouble(APFloat v) {
  bool lost;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}

std::optional<std::vector<cd>> fb::constantValues(Value tensor) {
  DenseElementsAttr attr;
  if (!tensor || !matchPattern(tensor, m_Constant(&attr)))
    return std::nullopt;
  Type elem = attr.getElementType();
  std::vector<cd> out;
  out.reserve(attr.getNumElements());
  // The typed iterators are much faster than APFloat for large twiddles.
  if (elem.isF32()) {
    for (float v : attr.getValues<float>())
      out.emplace_back(v, 0.0);
    return out;
  }
  if (elem.isF64()) {
    for (double v : attr.getValues<double>())
      out.emplace_back(v, 0.0);
    return out;
  }
  if (auto c = dyn_cast<ComplexType>(elem); c && c.getElementType().isF32()) {
    for (std::complex<float> v : attr.getValues<std::complex<float>>())
      out.emplace_back(v.real(), v.imag());
    return out;
  }
  if (auto c = dyn_cast<ComplexType>(elem); c && c.getElementType().isF64()) {
    for (std::complex<double> v : attr.getValues<std::complex<double>>())
      out.push_back(v);
    return out;
  }
  if (isa<FloatType>(elem)) {
    for (APFloat v : attr.getValues<APFloat>())
      out.emplace_back(toDouble(v), 0.0);
    return out;
  }
  if (auto c = dyn_cast<ComplexType>(elem);
      c && isa<FloatType>(c.getElementType())) {
    for (std::complex<APFloat> v : attr.getValues<std::complex<APFloat>>())
      out.emplace_back(toDouble(v.real()), toDouble(v.imag()));
    return out;
  }
  return std::nullopt;
}

SmallVector<Type> fb::composeFields(ComposeOp op) {
  auto factors = op.getFactors();
  SmallVector<Type> fields(factors.size());
  Type f = op.getType().getDomain();
  for (int64_t i = int64_t(factors.size()) - 1; i >= 0; --i) {
    fields[i] = f;
    f = f ? applyField(opType(factors[i]), f) : Type();
  }
  return fields;
}

Monomial Monomial::then(const Monomial &first) const {
  // (M1 M2 x)[i] = d1[i] (M2 x)[p1[i]] = d1[i] d2[p1[i]] x[p2[p1[i]]].
  Monomial r;
  r.d.resize(d.size());
  for (size_t i = 0; i < d.size(); ++i)
    r.d[i] = d[i] * first.d[p[i]];
  r.p = composePerms(p, first.p);
  r.complex = complex || first.complex;
  return r;
}

bool Monomial::unitWeights() const {
  for (cd v : d)
    if (v != cd(1.0))
      return false;
  return true;
}

bool Monomial::isIdentity() const { return unitWeights() && isIdentityPerm(p); }

std::optional<Monomial> fb::asMonomial(Value op) {
  if (!op || hasFamily(op))
    return std::nullopt;
  OperatorType t = opType(op);
  if (!t.isSquare() || !t.isEndomorphicField())
    return std::nullopt;
  int64_t n = t.getRows();
  Monomial m;
  m.complex = isa<ComplexType>(t.getDomain());
  Operation *def = op.getDefiningOp();
  if (isa_and_nonnull<IdentityOp>(def)) {
    m.d.assign(n, 1.0);
    for (int64_t i = 0; i < n; ++i)
      m.p.push_back(i);
    return m;
  }
  if (auto p = dyn_cast_or_null<PermOp>(def)) {
    m.d.assign(n, 1.0);
    m.p = p.getPermutation();
    return m;
  }
  if (auto d = dyn_cast_or_null<DiagOp>(def)) {
    auto vals = constantValues(d.getWeights());
    if (!vals || int64_t(vals->size()) != n)
      return std::nullopt;
    m.d = *vals;
    for (int64_t i = 0; i < n; ++i)
      m.p.push_back(i);
    return m;
  }
  if (auto s = dyn_cast_or_null<ScaleOp>(def)) {
    auto inner = asMonomial(s.getInput());
    if (!inner)
      return std::nullopt;
    for (cd &v : inner->d)
      v *= s.getFactor();
    inner->complex |= m.complex || s.getFactor().imag() != 0.0;
    return inner;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// FactorBuilder
//===----------------------------------------------------------------------===//

LogicalResult FactorBuilder::check(Operation *op) {
  // Speculative builds (a compose that may not type) fail quietly; the
  // caller then leaves the IR as it was.
  LogicalResult r = success();
  if (quietFailures) {
    ScopedDiagnosticHandler silence(op->getContext(),
                                    [](Diagnostic &) { return success(); });
    r = verify(op);
  } else {
    r = verify(op);
  }
  if (succeeded(r))
    return success();
  good = false;
  rw.eraseOp(op);
  return failure();
}

OperatorType FactorBuilder::type(int64_t rows, int64_t cols, Type elem) {
  return OperatorType::get(ctx(), {}, rows, cols, elem, elem);
}

OperatorType FactorBuilder::type(int64_t rows, int64_t cols, Type domain,
                                  Type codomain) {
  return OperatorType::get(ctx(), {}, rows, cols, domain, codomain);
}

Value FactorBuilder::constant(Type elem, ArrayRef<int64_t> shape,
                              ArrayRef<cd> values) {
  if (!good)
    return {};
  auto tt = RankedTensorType::get(shape, elem);
  DenseElementsAttr attr;
  if (elem.isF32()) {
    std::vector<float> v;
    for (cd c : values)
      v.push_back(float(c.real()));
    attr = DenseElementsAttr::get(tt, ArrayRef<float>(v));
  } else if (elem.isF64()) {
    std::vector<double> v;
    for (cd c : values)
      v.push_back(c.real());
    attr = DenseElementsAttr::get(tt, ArrayRef<double>(v));
  } else if (elem.isF16() || elem.isBF16()) {
    const llvm::fltSemantics &sem =
        elem.isF16() ? APFloat::IEEEhalf() : APFloat::BFloat();
    std::vector<APFloat> v;
    for (cd c : values) {
      APFloat f(c.real());
      bool lost;
      f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
      v.push_back(f);
    }
    attr = DenseElementsAttr::get(tt, v);
  } else if (auto c = dyn_cast<ComplexType>(elem); c && c.getElementType().isF32()) {
    std::vector<std::complex<float>> v;
    for (cd z : values)
      v.emplace_back(float(z.real()), float(z.imag()));
    attr = DenseElementsAttr::get(tt, ArrayRef<std::complex<float>>(v));
  } else if (c && c.getElementType().isF64()) {
    attr = DenseElementsAttr::get(tt, values);
  } else {
    good = false;
    return {};
  }
  auto op = create<arith::ConstantOp>(cast<TypedAttr>(attr));
  return op ? op.getResult() : Value();
}

Value FactorBuilder::identity(int64_t n, Type elem) {
  auto op = create<IdentityOp>(type(n, n, elem));
  return op ? op.getResult() : Value();
}

Value FactorBuilder::perm(ArrayRef<int64_t> p, Type elem) {
  int64_t n = p.size();
  if (!good || isIdentityPerm(p))
    return {};
  PermOp op = PermOp::build(rw, loc, type(n, n, elem), p);
  if (failed(check(op.getOperation())))
    return {};
  return op.getResult();
}

Value FactorBuilder::diag(ArrayRef<cd> d, Type elem,
                          ArrayRef<int64_t> family) {
  if (!good || llvm::all_of(d, [](cd v) { return v == cd(1.0); }))
    return {};
  int64_t members = 1;
  for (int64_t f : family)
    members *= f;
  int64_t n = d.size() / members;
  SmallVector<int64_t> shape(family.begin(), family.end());
  shape.push_back(n);
  Value w = constant(elem, shape, d);
  if (!w)
    return {};
  auto op = create<DiagOp>(type(n, n, elem).withFamily(family), w);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::twiddle(int64_t r, int64_t b, bool inverse, int64_t n,
                             Type elem, double scale) {
  if (!good || ((r == 1 || b == 1) && scale == 1.0)) // every entry is 1
    return {};
  auto op = create<TwiddleOp>(type(n, n, elem), r, b, inverse,
                              llvm::APFloat(scale));
  return op ? op.getResult() : Value();
}

void FactorBuilder::monomial(const Monomial &m, Type elem,
                             SmallVectorImpl<Value> &out) {
  if (Value d = diag(m.d, elem))
    out.push_back(d);
  if (Value p = perm(m.p, elem))
    out.push_back(p);
}

Value FactorBuilder::dense(int64_t rows, int64_t cols, ArrayRef<cd> w,
                           Type elem) {
  Value c = constant(elem, {rows, cols}, w);
  if (!c)
    return {};
  auto op = create<DenseOp>(type(rows, cols, elem), c);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::circulantEmbedding(OperatorType t, int64_t P,
                                        Value spectrum) {
  // One flat compose, which the reference evaluator applies factor by
  // factor (a nested one it would multiply out, per family member).
  Type elem = t.getDomain();
  Value forward, inverse;
  if (isa<ComplexType>(elem)) {
    forward = dft(P, /*inverse=*/false, Norm::none, elem);
    inverse = dft(P, /*inverse=*/true, Norm::none, elem);
  } else {
    Type cplx = ComplexType::get(elem);
    int64_t H = P / 2 + 1;
    auto rdft = create<RdftOp>(type(H, P, elem, cplx), Norm::none);
    auto irdft = create<IrdftOp>(type(P, H, cplx, elem), Norm::none);
    if (!rdft || !irdft)
      return {};
    forward = rdft.getResult();
    inverse = irdft.getResult();
  }
  int64_t M = t.getRows(), N = t.getCols();
  return compose({pad(M, P, elem, /*truncate=*/true), inverse, spectrum,
                  forward, pad(N, P, elem)},
                 t);
}

Value FactorBuilder::pad(int64_t n, int64_t m, Type elem, bool truncate) {
  if (n == m)
    return {};
  std::vector<cd> e0(m - n + 1, 0.0);
  e0[0] = 1.0;
  Value e = truncate ? dense(1, m - n + 1, e0, elem)
                     : dense(m - n + 1, 1, e0, elem);
  if (n == 1)
    return e;
  return directSum({identity(n - 1, elem), e},
                   truncate ? type(n, m, elem) : type(m, n, elem));
}

Value FactorBuilder::dft(int64_t n, bool inverse, Norm norm, Type elem) {
  auto op = create<DftOp>(type(n, n, elem), inverse, norm);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::hadamard(int64_t n, Norm norm, Type elem) {
  auto op = create<HadamardOp>(type(n, n, elem), norm);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::kron(int64_t a, Value A, int64_t b, Type elem) {
  if (!good || !A)
    return {};
  if (a == 1 && b == 1)
    return A;
  SmallVector<Value> fs;
  if (a > 1)
    fs.push_back(identity(a, elem));
  fs.push_back(A);
  if (b > 1)
    fs.push_back(identity(b, elem));
  OperatorType t = opType(A);
  return kron(fs, type(a * t.getRows() * b, a * t.getCols() * b, elem));
}

Value FactorBuilder::kron(ArrayRef<Value> factors, OperatorType t) {
  if (!good || llvm::any_of(factors, [](Value v) { return !v; }))
    return {};
  auto op = create<KronOp>(t, factors);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::directSum(ArrayRef<Value> factors, OperatorType t) {
  if (!good || llvm::any_of(factors, [](Value v) { return !v; }))
    return {};
  auto op = create<DirectSumOp>(t, factors);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::compose(ArrayRef<Value> factors, OperatorType t) {
  if (!good)
    return {};
  SmallVector<Value> fs;
  for (Value v : factors)
    if (v)
      fs.push_back(v);
  if (fs.empty()) {
    if (!t.isSquare() || !t.isEndomorphicField()) {
      good = false;
      return {};
    }
    auto op = create<IdentityOp>(t);
    return op ? op.getResult() : Value();
  }
  if (fs.size() == 1 && fs[0].getType() == t)
    return fs[0];
  auto op = create<ComposeOp>(t, fs);
  return op ? op.getResult() : Value();
}

Value FactorBuilder::scale(Value x, cd c) {
  if (!good || !x)
    return {};
  auto op = create<ScaleOp>(opType(x), x, rw.getF64FloatAttr(c.real()),
                            rw.getF64FloatAttr(c.imag()));
  return op ? op.getResult() : Value();
}

Value FactorBuilder::promote(int64_t n, Type real) {
  return make<PromoteOp>(type(n, n, real, ComplexType::get(real)));
}

Value FactorBuilder::viaComplex(Operation *op) {
  if (!good)
    return {};
  auto t = cast<OperatorType>(op->getResult(0).getType());
  Type real = t.getDomain(), cplx = ComplexType::get(real);
  Operation *c = rw.clone(*op);
  c->getResult(0).setType(type(t.getRows(), t.getCols(), cplx));
  if (failed(check(c)))
    return {};
  return compose({make<RealOp>(type(t.getRows(), t.getRows(), cplx, real)),
                  c->getResult(0), promote(t.getCols(), real)},
                 t);
}

//===----------------------------------------------------------------------===//
// Patterns shared by the passes
//===----------------------------------------------------------------------===//

namespace {

/// compose: inline nested composes of the same family, drop identities,
/// and a compose of one factor of the same type is that factor.
struct ComposeCleanup : OpRewritePattern<ComposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ComposeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> flat;
    bool changed = false;
    for (Value f : op.getFactors()) {
      auto inner = f.getDefiningOp<ComposeOp>();
      if (inner && inner.getType().getFamily() == op.getType().getFamily()) {
        llvm::append_range(flat, inner.getFactors());
        changed = true;
      } else if (isIdentity(f)) {
        changed = true;
      } else {
        flat.push_back(f);
      }
    }
    if (!changed) {
      if (flat.size() == 1 && flat[0].getType() == op.getType()) {
        rewriter.replaceOp(op, flat[0]);
        return success();
      }
      return failure();
    }
    FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
    Value v = b.compose(flat, op.getType());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// kron without families, brought to kron(I_a, X, I_b) (see the header).
struct KronNormalize : OpRewritePattern<KronOp> {
  KronNormalize(MLIRContext *ctx, bool split)
      : OpRewritePattern(ctx), split(split) {}

  LogicalResult matchAndRewrite(KronOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    if (!t.getFamily().empty() ||
        llvm::any_of(op.getFactors(), [](Value f) { return hasFamily(f); }))
      return failure();
    Type elem = t.getDomain();

    // Flatten nested krons; merge runs of identities (sizes multiply).
    struct Item {
      Value v;       // null: an identity of size `n`
      int64_t n = 1; // identity size
    };
    SmallVector<Item> items;
    bool changed = false;
    auto pushIdentity = [&](int64_t n) {
      if (!items.empty() && !items.back().v) {
        items.back().n *= n;
        changed = true;
      } else if (n == 1) {
        changed = true;
      } else {
        items.push_back({Value(), n});
      }
    };
    std::function<void(Value)> add = [&](Value f) {
      if (auto inner = f.getDefiningOp<KronOp>()) {
        changed = true;
        for (Value g : inner.getFactors())
          add(g);
        return;
      }
      if (isIdentity(f)) {
        int64_t before = items.size();
        pushIdentity(opType(f).getRows());
        // A real identity in a complex kron is rebuilt in the kron's type.
        if (int64_t(items.size()) == before + 1 &&
            opType(f).getDomain() != elem)
          changed = true;
        return;
      }
      items.push_back({f, 1});
    };
    for (Value f : op.getFactors())
      add(f);

    SmallVector<size_t> nonId;
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].v)
        nonId.push_back(i);

    FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
    auto rows = [&](const Item &it) {
      return it.v ? opType(it.v).getRows() : it.n;
    };
    auto cols = [&](const Item &it) {
      return it.v ? opType(it.v).getCols() : it.n;
    };
    auto finish = [&](Value v) -> LogicalResult {
      if (!b.ok() || !v || v.getType() != op.getType())
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    };

    if (nonId.empty())
      return finish(b.identity(t.getRows(), elem));

    // Several operators: A (x) B = (A (x) I)(I (x) B), one factor at a time:
    // factor i becomes I_{cols before} (x) X_i (x) I_{rows after}.
    if (nonId.size() >= 2) {
      if (!split && !changed)
        return failure();
      if (!split)
        return finish(rebuild(b, items, t));
      SmallVector<Value> stages;
      for (size_t i : nonId) {
        int64_t pre = 1, post = 1;
        for (size_t j = 0; j < i; ++j)
          pre *= cols(items[j]);
        for (size_t j = i + 1; j < items.size(); ++j)
          post *= rows(items[j]);
        stages.push_back(b.kron(pre, items[i].v, post, elem));
      }
      return finish(b.compose(stages, t));
    }

    // One operator X between identities I_a and I_b.
    size_t xi = nonId[0];
    Value X = items[xi].v;
    int64_t a = xi > 0 ? items[0].n : 1;
    int64_t bb = xi + 1 < items.size() ? items.back().n : 1;
    Operation *def = X.getDefiningOp();

    if (auto c = dyn_cast_or_null<ComposeOp>(def)) {
      // I (x) (Y1 Y2 ...) (x) I = (I (x) Y1 (x) I)(I (x) Y2 (x) I)...,
      // each in its own field. The elementwise real and promote steps
      // (the only factors that change the field and may sit in a kron's
      // compose) cover the whole vector instead. Checked first: a
      // half-built rewrite would leave ops behind and never converge.
      auto elementwise = [](Value y) {
        return isa_and_nonnull<RealOp, PromoteOp>(y.getDefiningOp());
      };
      for (Value y : c.getFactors())
        if (!opType(y).isEndomorphicField() && !elementwise(y))
          return failure();
      SmallVector<Value> stages;
      for (Value y : c.getFactors()) {
        OperatorType yt = opType(y);
        if (!elementwise(y)) {
          stages.push_back(b.kron(a, y, bb, yt.getDomain()));
          continue;
        }
        int64_t n = a * yt.getRows() * bb;
        OperatorType full = OperatorType::get(b.ctx(), {}, n, n,
                                              yt.getDomain(), yt.getCodomain());
        stages.push_back(isa<RealOp>(y.getDefiningOp())
                             ? b.make<RealOp>(full)
                             : b.make<PromoteOp>(full));
      }
      return finish(b.compose(stages, t));
    }
    if (a * bb > 1) {
      if (auto p = dyn_cast_or_null<PermOp>(def)) {
        Value v = b.perm(kronPerm(a, p.getPermutation(), bb), elem);
        return finish(v ? v : b.identity(t.getRows(), elem));
      }
      if (auto tw = dyn_cast_or_null<TwiddleOp>(def); tw && bb == 1) {
        // Periodic: I_a (x) T is T over a times the rows.
        Value v = b.twiddle(tw.getR(), tw.getB(), tw.getInverse(),
                            t.getRows(), elem,
                            tw.getScale().convertToDouble());
        return finish(v ? v : b.identity(t.getRows(), elem));
      }
      if (isa_and_nonnull<TwiddleOp, DiagOp>(def)) {
        auto tw = dyn_cast<TwiddleOp>(def);
        auto vals = tw ? std::optional(tw.getValues())
                       : constantValues(cast<DiagOp>(def).getWeights());
        if (vals) {
          std::vector<cd> rep;
          rep.reserve(t.getRows());
          for (int64_t al = 0; al < a; ++al)
            for (cd v : *vals)
              for (int64_t be = 0; be < bb; ++be)
                rep.push_back(v);
          Value v = b.diag(rep, elem);
          return finish(v ? v : b.identity(t.getRows(), elem));
        }
      }
      if (auto s = dyn_cast_or_null<ScaleOp>(def))
        return finish(b.scale(b.kron(a, s.getInput(), bb, elem), s.getFactor()));
    }
    if (items.size() == 1 && X.getType() == op.getType()) {
      rewriter.replaceOp(op, X);
      return success();
    }
    if (!changed)
      return failure();
    return finish(rebuild(b, items, t));
  }

  template <typename ItemVec>
  static Value rebuild(FactorBuilder &b, const ItemVec &items,
                       OperatorType t) {
    SmallVector<Value> fs;
    for (const auto &it : items)
      fs.push_back(it.v ? it.v : b.identity(it.n, t.getDomain()));
    return b.kron(fs, t);
  }

  bool split;
};

} // namespace

void fb::populateNormalFormPatterns(RewritePatternSet &patterns, bool split) {
  patterns.add<ComposeCleanup>(patterns.getContext());
  patterns.add<KronNormalize>(patterns.getContext(), split);
}

int64_t fb::circulantSize(Operation *op, int64_t taps) {
  auto t = cast<OperatorType>(op->getResult(0).getType());
  int64_t M = t.getRows(), N = t.getCols();
  if (isa<CirculantOp>(op))
    return N;
  int64_t need = isa<ConvOp>(op) ? std::max(M, N + taps - 1) : M + N - 1;
  int64_t P = 1;
  while (P < need)
    P *= 2;
  return P;
}
