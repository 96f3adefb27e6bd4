//===- Evaluator.cpp - dense float64 reference semantics of linop IR -----===//

#include "reference/Evaluator.h"

#include "linop/Dialect/LinopDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <unordered_map>
#include <variant>

using namespace mlir;
using namespace linop;
using namespace linop::ref;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

ref::Norm toRef(linop::Norm n) {
  switch (n) {
  case linop::Norm::none:
    return ref::Norm::None;
  case linop::Norm::sqrt:
    return ref::Norm::Sqrt;
  case linop::Norm::full:
    return ref::Norm::Full;
  }
  return ref::Norm::None;
}

double toDouble(APFloat v) {
  bool lost;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}

/// Decodes one little-endian scalar of `type` from raw bytes.
double decodeScalar(Type type, const char *p) {
  if (type.isF64()) {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  if (type.isF32()) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  uint16_t bits;
  std::memcpy(&bits, p, 2);
  const llvm::fltSemantics &sem =
      type.isF16() ? APFloat::IEEEhalf() : APFloat::BFloat();
  return toDouble(APFloat(sem, APInt(16, bits)));
}

/// Reads the values of a constant attribute into complex128.
FailureOr<Tensor> readConstant(Operation *op, Attribute attr) {
  auto typed = dyn_cast<TypedAttr>(attr);
  auto type = typed ? dyn_cast<RankedTensorType>(typed.getType()) : nullptr;
  if (!type || !type.hasStaticShape())
    return op->emitError("reference evaluator: expected a constant tensor of "
                         "static shape");
  Tensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  Type elem = type.getElementType();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(elem)) {
      for (APFloat v : dense.getValues<APFloat>())
        t.data.emplace_back(toDouble(v), 0.0);
    } else if (auto c = dyn_cast<ComplexType>(elem);
               c && isa<FloatType>(c.getElementType())) {
      for (std::complex<APFloat> v : dense.getValues<std::complex<APFloat>>())
        t.data.emplace_back(toDouble(v.real()), toDouble(v.imag()));
    } else if (isa<IntegerType>(elem)) {
      for (APInt v : dense.getValues<APInt>())
        t.data.emplace_back(double(v.getSExtValue()), 0.0);
    } else {
      return op->emitError("reference evaluator: unsupported constant "
                           "element type ")
             << elem;
    }
    return t;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return op->emitError("reference evaluator: dense_resource '")
             << res.getRawHandle().getKey() << "' has no data";
    ArrayRef<char> bytes = blob->getData();
    bool cplx = isa<ComplexType>(elem);
    Type scalar = realPart(elem);
    if (!isSupportedElementType(elem))
      return op->emitError("reference evaluator: unsupported resource "
                           "element type ")
             << elem;
    size_t width = scalar.getIntOrFloatBitWidth() / 8;
    size_t expect = size_t(t.numElements()) * width * (cplx ? 2 : 1);
    if (bytes.size() != expect)
      return op->emitError("dense_resource '")
             << res.getRawHandle().getKey() << "' holds " << bytes.size()
             << " bytes, but " << type << " needs " << expect;
    for (int64_t i = 0; i < t.numElements(); ++i) {
      const char *p = bytes.data() + i * width * (cplx ? 2 : 1);
      t.data.emplace_back(decodeScalar(scalar, p),
                          cplx ? decodeScalar(scalar, p + width) : 0.0);
    }
    return t;
  }
  return op->emitError("reference evaluator: unsupported constant ") << attr;
}

/// Index of family element `idx` (row-major over `out`) in `fam`, which
/// broadcasts to `out` (right-aligned, size 1 broadcasts).
int64_t broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> fam,
                       int64_t idx) {
  int64_t result = 0, stride = 1;
  for (int64_t i = int64_t(out.size()) - 1, j = int64_t(fam.size()) - 1;
       i >= 0; --i, --j) {
    int64_t coord = idx % out[i];
    idx /= out[i];
    if (j >= 0) {
      if (fam[j] != 1)
        result += coord * stride;
      stride *= fam[j];
    }
  }
  return result;
}

int64_t product(ArrayRef<int64_t> v) {
  int64_t n = 1;
  for (int64_t d : v)
    n *= d;
  return n;
}

std::vector<int64_t> broadcastShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> out;
  broadcastFamilies(a, b, out);
  return {out.begin(), out.end()};
}

/// The `f`-th slice of a weight tensor whose trailing `rank` dims are the
/// op's own.
std::vector<cd> slice(const Tensor &w, unsigned rank, int64_t f) {
  int64_t inner = 1;
  for (size_t i = w.shape.size() - rank; i < w.shape.size(); ++i)
    inner *= w.shape[i];
  return {w.data.begin() + f * inner, w.data.begin() + (f + 1) * inner};
}

/// Builds an operator family by calling `make` on each weight slice.
template <typename Fn>
Operator perFamily(const Tensor &w, unsigned rank, Fn make) {
  Operator op;
  op.family.assign(w.shape.begin(), w.shape.end() - rank);
  for (int64_t f = 0, n = product(op.family); f < n; ++f)
    op.maps.push_back({make(slice(w, rank, f)), CMat()});
  return op;
}

Operator single(CMat a) {
  Operator op;
  op.maps.push_back({std::move(a), CMat()});
  return op;
}

/// A and B of a real-linear function, probed on e_j and i e_j.
LinMap probe(int64_t n, const std::function<CVec(const CVec &)> &f) {
  CVec e = CVec::Zero(n);
  CMat A, B;
  for (int64_t j = 0; j < n; ++j) {
    e.setZero();
    e[j] = 1.0;
    CVec fr = f(e);
    e[j] = cd(0, 1);
    CVec fi = f(e);
    if (j == 0) {
      A = CMat::Zero(fr.size(), n);
      B = CMat::Zero(fr.size(), n);
    }
    A.col(j) = (fr - cd(0, 1) * fi) / 2.0;
    B.col(j) = (fr + cd(0, 1) * fi) / 2.0;
  }
  return {A, B};
}

/// The operator of a real-linear function on the domain of `o`.
Operator realLinear(Operation *o, const std::function<CVec(const CVec &)> &f) {
  Operator r;
  r.maps.push_back(
      probe(cast<OperatorType>(o->getResult(0).getType()).getCols(), f));
  return r;
}

/// (A1, B1) after (A2, B2).
LinMap composeMaps(const LinMap &m1, const LinMap &m2) {
  LinMap r;
  r.A = m1.A * m2.A;
  if (m1.B.size() && m2.B.size())
    r.A += m1.B * m2.B.conjugate();
  if (m2.B.size())
    r.B = m1.A * m2.B;
  if (m1.B.size()) {
    CMat t = m1.B * m2.A.conjugate();
    r.B = r.B.size() ? CMat(r.B + t) : t;
  }
  return r;
}

/// Dense materialization needs rows x cols complex128 entries per map.
constexpr int64_t kMaxDenseEntries = int64_t(1) << 28; // 4 GiB

/// y = op x by the defining sums, without a matrix: for DFTs and Hadamard
/// transforms too large to materialize. O(N^2) per row (power-of-two DFTs
/// past 4096 points: an FFT, O(N log N)), O(N) memory.
bool applyDirect(Operation *def, const cd *x, cd *y, int64_t n) {
  if (auto d = dyn_cast<DftOp>(def)) {
    double s = normScale(toRef(d.getNorm()), n);
    if (isPowerOfTwo(n) && n > 4096) {
      // Sums of 2^26 terms and more a row: a radix-2 FFT instead
      // (RefMathTest checks it against the sums).
      fftPow2(x, y, n, d.getInverse());
      for (int64_t k = 0; k < n; ++k)
        y[k] *= s;
      return true;
    }
    std::vector<cd> roots(n);
    for (int64_t m = 0; m < n; ++m)
      roots[m] = unitRoot(d.getInverse() ? m : -m, n);
    for (int64_t k = 0; k < n; ++k) {
      // Real arithmetic: std::complex's operator* calls __muldc3 (slow).
      double re = 0, im = 0;
      for (int64_t j = 0, jk = 0; j < n; ++j) {
        re += x[j].real() * roots[jk].real() - x[j].imag() * roots[jk].imag();
        im += x[j].real() * roots[jk].imag() + x[j].imag() * roots[jk].real();
        jk += k; // j k mod n, without a division
        if (jk >= n)
          jk -= n;
      }
      y[k] = s * cd(re, im);
    }
    return true;
  }
  if (auto h = dyn_cast<HadamardOp>(def)) {
    double s = normScale(toRef(h.getNorm()), n);
    for (int64_t k = 0; k < n; ++k) {
      cd acc = 0;
      for (int64_t j = 0; j < n; ++j)
        acc += __builtin_parityll(uint64_t(j & k)) ? -x[j] : x[j];
      y[k] = s * acc;
    }
    return true;
  }
  return false;
}

class Interpreter {
public:
  /// `opv` applied to the rows of `X` (batch dimensions, then the
  /// operator's family, then its columns), factor by factor; `realOut`
  /// keeps real parts. Diagnostics go to `at`.
  FailureOr<Tensor> applyOperator(Operation *at, Value opv, Tensor Y,
                                  bool realOut);
  using Value_ = std::variant<Tensor, Operator>;

  LogicalResult bindArguments(func::FuncOp func,
                              const std::vector<Tensor> &args) {
    if (args.size() != func.getNumArguments())
      return func.emitError("reference evaluator: expected ")
             << func.getNumArguments() << " arguments, got " << args.size();
    for (auto [i, a] : llvm::enumerate(func.getArguments())) {
      auto type = dyn_cast<RankedTensorType>(a.getType());
      if (!type)
        return func.emitError("reference evaluator: argument #")
               << i << " must be a ranked tensor";
      values[a] = args[i];
    }
    return success();
  }

  FailureOr<Value_ *> get(Value v) {
    auto it = values.find(v);
    if (it != values.end())
      return &it->second;
    Operation *def = v.getDefiningOp();
    if (!def)
      return failure();
    if (failed(run(def)))
      return failure();
    it = values.find(v);
    if (it == values.end())
      return def->emitError("reference evaluator: no value");
    return &it->second;
  }

  FailureOr<Tensor *> tensor(Operation *user, Value v) {
    auto r = get(v);
    if (failed(r))
      return failure();
    if (auto *t = std::get_if<Tensor>(*r))
      return t;
    return user->emitError("reference evaluator: expected a tensor");
  }

  FailureOr<Operator *> op(Operation *user, Value v) {
    auto r = get(v);
    if (failed(r))
      return failure();
    if (auto *t = std::get_if<Operator>(*r))
      return t;
    return user->emitError("reference evaluator: expected an operator");
  }

  LogicalResult run(Operation *o);
  // Node-based, so pointers from get() stay valid while the map grows.
  struct ValueHash {
    size_t operator()(Value v) const { return hash_value(v); }
  };
  std::unordered_map<Value, Value_, ValueHash> values;

private:
  int64_t denseEntries = 0; // materialized so far (run)
  LogicalResult setOp(Operation *o, Operator op) {
    // Real inputs: conj(x) = x, so B folds into A.
    auto t = cast<OperatorType>(o->getResult(0).getType());
    if (!isa<ComplexType>(t.getDomain()))
      for (LinMap &m : op.maps)
        if (m.B.size()) {
          m.A += m.B;
          m.B = CMat();
        }
    values[o->getResult(0)] = std::move(op);
    return success();
  }
  /// The operators of `factors` and their broadcast family.
  LogicalResult operands(Operation *o, ValueRange factors,
                         std::vector<Operator *> &ops,
                         std::vector<int64_t> &fam);
  LogicalResult combine(Operation *o, ValueRange factors,
                        std::function<CMat(std::vector<CMat> &)> f);
  LogicalResult apply(ApplyOp o);
  LogicalResult recurrence(RecurrenceOp o);
};

LogicalResult Interpreter::operands(Operation *o, ValueRange factors,
                                    std::vector<Operator *> &ops,
                                    std::vector<int64_t> &fam) {
  for (Value v : factors) {
    auto r = op(o, v);
    if (failed(r))
      return failure();
    ops.push_back(*r);
    fam = broadcastShape(fam, (*r)->family);
  }
  return success();
}

LogicalResult Interpreter::combine(Operation *o, ValueRange factors,
                                   std::function<CMat(std::vector<CMat> &)> f) {
  std::vector<Operator *> ops;
  std::vector<int64_t> fam;
  if (failed(operands(o, factors, ops, fam)))
    return failure();
  Operator out;
  out.family = fam;
  for (int64_t i = 0, n = product(fam); i < n; ++i) {
    std::vector<CMat> mats;
    for (Operator *x : ops) {
      const LinMap &m = x->maps[broadcastIndex(fam, x->family, i)];
      if (m.B.size())
        return o->emitError("reference evaluator: this combinator needs "
                            "complex-linear operands (irdft is only "
                            "real-linear)");
      mats.push_back(m.A);
    }
    out.maps.push_back({f(mats), CMat()});
  }
  return setOp(o, std::move(out));
}

LogicalResult Interpreter::apply(ApplyOp o) {
  auto x = tensor(o, o.getInput());
  if (failed(x))
    return failure();
  auto y = applyOperator(o, o.getOp(), **x,
                         !isa<ComplexType>(o.getType().getElementType()));
  if (failed(y))
    return failure();
  values[o.getResult()] = std::move(*y);
  return success();
}

FailureOr<Tensor> Interpreter::applyOperator(Operation *o, Value opv,
                                             Tensor Y, bool realOut) {
  // The operator's factors (a compose's, or the operator itself) apply one
  // after another: rows x M x N per factor, where multiplying them first
  // costs N^3 each (minutes for the 2048-point factors of a decomposed
  // rDFT-4096). Diagonals and convolutions, families of them too, apply
  // from their weights and large DFTs and Hadamards by their sums, without
  // a matrix (a gated convolution's gates are one diagonal per row).
  auto type = cast<OperatorType>(opv.getType());
  SmallVector<Value> factors{opv};
  if (auto compose = opv.getDefiningOp<ComposeOp>())
    factors.assign(compose.getFactors().begin(), compose.getFactors().end());
  std::vector<int64_t> batchShape(Y.shape.begin(), Y.shape.end() - 1);
  ArrayRef<int64_t> family = type.getFamily();
  if (batchShape.size() < family.size())
    return o->emitError("reference evaluator: input rank too small for family"),
           failure();
  std::vector<int64_t> famShape(batchShape.end() - family.size(),
                                batchShape.end());
  int64_t members = product(famShape);
  for (Value f : llvm::reverse(factors)) {
    auto ft = cast<OperatorType>(f.getType());
    int64_t n = Y.shape.back(), batch = Y.numElements() / n;
    int64_t rows = ft.getRows();
    Tensor Z;
    Z.shape = Y.shape;
    Z.shape.back() = rows;
    Z.data.resize(batch * rows);
    auto member = [&](int64_t r) {
      return ft.getFamily().empty()
                 ? 0
                 : broadcastIndex(famShape, ft.getFamily(), r % members);
    };
    Operation *fd = f.getDefiningOp();
    auto diag = dyn_cast_or_null<DiagOp>(fd);
    auto conv = dyn_cast_or_null<ConvOp>(fd);
    if (fd && isa<DftOp, HadamardOp>(fd) &&
        ft.getRows() * ft.getCols() > kMaxDenseEntries) {
      for (int64_t r = 0; r < batch; ++r)
        applyDirect(fd, Y.data.data() + r * n, Z.data.data() + r * rows, n);
    } else if (diag || conv) {
      auto w = tensor(o, diag ? diag.getWeights() : conv.getKernel());
      if (failed(w))
        return failure();
      int64_t len = (*w)->shape.back();
      for (int64_t r = 0; r < batch; ++r) {
        const cd *d = (*w)->data.data() + member(r) * len;
        const cd *xr = Y.data.data() + r * n;
        cd *yr = Z.data.data() + r * rows;
        if (diag) {
          for (int64_t i = 0; i < rows; ++i)
            yr[i] = d[i] * xr[i];
          continue;
        }
        // y[i] = sum_j k[i - j] x[j] (Math.cpp's conv, row by row).
        for (int64_t i = 0; i < rows; ++i) {
          cd acc = 0;
          for (int64_t j = std::max<int64_t>(0, i - len + 1);
               j <= std::min(i, n - 1); ++j)
            acc += d[i - j] * xr[j];
          yr[i] = acc;
        }
      }
    } else {
      auto a = op(o, f);
      if (failed(a))
        return failure();
      for (int64_t r = 0; r < batch; ++r) {
        const LinMap &m = (*a)->maps[member(r)];
        Eigen::Map<const CVec> xv(Y.data.data() + r * n, n);
        Eigen::Map<CVec> yv(Z.data.data() + r * rows, rows);
        yv = m.A * xv;
        if (m.B.size())
          yv += m.B * xv.conjugate();
      }
    }
    Y = std::move(Z);
  }
  if (realOut)
    for (cd &v : Y.data)
      v = cd(v.real(), 0.0);
  return Y;
}

LogicalResult Interpreter::recurrence(RecurrenceOp o) {
  auto get = [&](Value v) -> FailureOr<std::vector<double>> {
    auto t = tensor(o, v);
    if (failed(t))
      return failure();
    std::vector<double> d;
    for (cd c : (*t)->data)
      d.push_back(c.real());
    return d;
  };
  auto q = get(o.getQ()), k = get(o.getK()), v = get(o.getV());
  if (failed(q) || failed(k) || failed(v))
    return failure();
  std::vector<double> g, beta, h0;
  if (o.getG()) {
    auto r = get(o.getG());
    if (failed(r))
      return failure();
    g = *r;
  }
  if (o.getBeta()) {
    auto r = get(o.getBeta());
    if (failed(r))
      return failure();
    beta = *r;
  }
  if (o.getH0()) {
    auto r = get(o.getH0());
    if (failed(r))
      return failure();
    h0 = *r;
  }
  const Tensor &Q = **tensor(o, o.getQ()), &V = **tensor(o, o.getV());
  // Heads first ([B, H, T, ...]): the formulas take [B, T, H, ...], so the
  // sequence tensors swap their second and third dimensions going in, and
  // o going out.
  const bool headsFirst = o.getLayout() == SequenceLayout::bhtd;
  RecurrenceShape s{Q.shape[0], Q.shape[headsFirst ? 2 : 1],
                    Q.shape[headsFirst ? 1 : 2], Q.shape[3], V.shape[3]};
  auto swap = [&](std::vector<double> &x, int64_t d1, int64_t d2) {
    if (!headsFirst || x.empty())
      return;
    int64_t inner = int64_t(x.size()) / (s.B * d1 * d2);
    std::vector<double> y(x.size());
    for (int64_t b = 0; b < s.B; ++b)
      for (int64_t i = 0; i < d1; ++i)
        for (int64_t j = 0; j < d2; ++j)
          std::copy_n(&x[((b * d1 + i) * d2 + j) * inner], inner,
                      &y[((b * d2 + j) * d1 + i) * inner]);
    x.swap(y);
  };
  for (std::vector<double> *x : {&*q, &*k, &*v, &g, &beta})
    swap(*x, s.H, s.T);
  const int64_t N = o.getSequences();
  std::vector<double> out(s.B * s.T * s.H * s.Dv),
      state(s.B * N * s.H * s.Dk * s.Dv);
  // Where each batch entry's sequences start: [0, T] without offsets.
  std::vector<int64_t> cu;
  if (o.getOffsets()) {
    auto r = get(o.getOffsets());
    if (failed(r))
      return failure();
    for (int64_t b = 0; b < s.B; ++b) {
      auto row = llvm::ArrayRef<double>(*r).slice(b * (N + 1), N + 1);
      std::string why = row.front() != 0.0 ? "the first is not 0"
                        : row.back() != double(s.T)
                            ? "the last is not T = " + std::to_string(s.T)
                            : "";
      for (int64_t n = 0; n < N && why.empty(); ++n)
        if (row[n + 1] < row[n])
          why = "offset #" + std::to_string(n + 1) + " is below offset #" +
                std::to_string(n);
      if (!why.empty())
        return o.emitError("reference evaluator: the offsets of batch entry ")
               << b << " do not split its T = " << s.T
               << " steps into sequences: " << why;
      for (double c : row.drop_back())
        cu.push_back(int64_t(c));
    }
  } else {
    for (int64_t b = 0; b < s.B; ++b)
      cu.push_back(0);
  }
  // One recurrence per sequence, on a copy of its steps ([1, L, H, ...]).
  auto steps = [&](const std::vector<double> &x, int64_t b, int64_t t0,
                   int64_t L) -> std::vector<double> {
    if (x.empty())
      return {};
    const int64_t row = int64_t(x.size()) / (s.B * s.T);
    auto first = x.begin() + (b * s.T + t0) * row;
    return std::vector<double>(first, first + L * row);
  };
  const int64_t stateSize = s.H * s.Dk * s.Dv;
  for (int64_t b = 0; b < s.B; ++b)
    for (int64_t n = 0; n < N; ++n) {
      const int64_t t0 = cu[b * N + n],
                    t1 = n + 1 < N ? cu[b * N + n + 1] : s.T, L = t1 - t0;
      double *stateOut = &state[(b * N + n) * stateSize];
      const double *init = h0.empty() ? nullptr : &h0[(b * N + n) * stateSize];
      if (L == 0) { // an empty sequence keeps its initial state
        for (int64_t i = 0; i < stateSize; ++i)
          stateOut[i] = init ? init[i] : 0.0;
        continue;
      }
      std::vector<double> sq = steps(*q, b, t0, L), sk = steps(*k, b, t0, L),
                          sv = steps(*v, b, t0, L), sg = steps(g, b, t0, L),
                          sb = steps(beta, b, t0, L),
                          so(L * s.H * s.Dv);
      ref::recurrence({1, L, s.H, s.Dk, s.Dv}, int(o.getGate()),
                      int(o.getUpdate()), o.getScaleOrDefault(), sq.data(),
                      sk.data(), sv.data(), sg.empty() ? nullptr : sg.data(),
                      sb.empty() ? nullptr : sb.data(), init, so.data(),
                      stateOut);
      std::copy(so.begin(), so.end(), out.begin() + (b * s.T + t0) * s.H * s.Dv);
    }
  swap(out, s.T, s.H);
  SmallVector<int64_t> stateShape{s.B, s.H, s.Dk, s.Dv};
  if (o.getOffsets())
    stateShape.insert(stateShape.begin() + 1, N);
  Tensor O{{s.B, headsFirst ? s.H : s.T, headsFirst ? s.T : s.H, s.Dv}, {}},
      S{std::vector<int64_t>(stateShape.begin(), stateShape.end()), {}};
  for (double d : out)
    O.data.emplace_back(d, 0.0);
  for (double d : state)
    S.data.emplace_back(d, 0.0);
  values[o.getO()] = std::move(O);
  values[o.getFinalState()] = std::move(S);
  return success();
}

LogicalResult Interpreter::run(Operation *o) {
  if (o->getNumResults() == 1)
    if (auto t = dyn_cast<OperatorType>(o->getResult(0).getType())) {
      // Every member of a family is a dense matrix: count them all, and
      // all the operators materialized so far (sizes are at most 2^40 and
      // families are bounded, but saturate anyway).
      int64_t entries = t.getRows() * t.getCols();
      for (int64_t f : t.getFamily())
        entries = f > 0 && entries > kMaxDenseEntries / f ? kMaxDenseEntries + 1
                                                          : entries * f;
      if (entries > kMaxDenseEntries - denseEntries)
        return o->emitError("reference evaluator: ")
               << (t.getFamily().empty() ? "a " : "a family of ")
               << t.getRows() << "x" << t.getCols()
               << (t.getFamily().empty() ? " operator" : " operators")
               << " is too large to materialize densely (with the operators "
                  "before it, more than "
               << kMaxDenseEntries << " complex float64 entries, 4 GiB); "
                  "check at smaller sizes";
      denseEntries += entries;
    }
  auto size = [&]() {
    return cast<OperatorType>(o->getResult(0).getType()).getRows();
  };
  auto weights = [&](Value w) { return tensor(o, w); };
  return llvm::TypeSwitch<Operation *, LogicalResult>(o)
      .Case([&](arith::ConstantOp c) -> LogicalResult {
        auto t = readConstant(o, c.getValue());
        if (failed(t))
          return failure();
        values[c.getResult()] = std::move(*t);
        return success();
      })
      .Case([&](tensor::ExtractSliceOp x) -> LogicalResult {
        // Static offsets, sizes and strides (linop-decompose's slices of
        // weights): the elements at offset + stride * index per dimension.
        if (!x.getOffsets().empty() || !x.getSizes().empty() ||
            !x.getStrides().empty())
          return o->emitError("reference evaluator: a slice with dynamic "
                              "offsets, sizes or strides");
        auto src = tensor(o, x.getSource());
        if (failed(src))
          return failure();
        ArrayRef<int64_t> off = x.getStaticOffsets(),
                          sz = x.getStaticSizes(),
                          st = x.getStaticStrides();
        const std::vector<int64_t> &shape = (*src)->shape;
        if (off.size() != shape.size())
          return o->emitError("reference evaluator: a rank-changing slice");
        Tensor out;
        auto rt = cast<RankedTensorType>(x.getResult().getType());
        out.shape.assign(rt.getShape().begin(), rt.getShape().end());
        int64_t total = 1;
        for (int64_t d : sz)
          total *= d;
        std::vector<int64_t> idx(sz.size(), 0);
        for (int64_t n = 0; n < total; ++n) {
          int64_t flat = 0;
          for (size_t d = 0; d < sz.size(); ++d)
            flat = flat * shape[d] + off[d] + st[d] * idx[d];
          out.data.push_back((*src)->data[flat]);
          for (size_t d = sz.size(); d-- > 0;)
            if (++idx[d] < sz[d])
              break;
            else
              idx[d] = 0;
        }
        values[x.getResult()] = std::move(out);
        return success();
      })
      .Case([&](DftOp d) -> LogicalResult {
        return setOp(o, single(dft(size(), d.getInverse(), toRef(d.getNorm()))));
      })
      .Case([&](RdftOp d) -> LogicalResult {
        return setOp(o, single(rdft(d.getType().getCols(), toRef(d.getNorm()))));
      })
      .Case([&](IrdftOp d) -> LogicalResult {
        int64_t n = d.getType().getRows();
        Operator r;
        r.maps.push_back(probe(d.getType().getCols(), [&](const CVec &x) -> CVec {
          return irdft(x, n, toRef(d.getNorm()));
        }));
        return setOp(o, std::move(r));
      })
      .Case([&](DctOp d) -> LogicalResult {
        return setOp(o, single(dct(size(), int(d.getKind()), toRef(d.getNorm()))));
      })
      .Case([&](DstOp d) -> LogicalResult {
        return setOp(o, single(dst(size(), int(d.getKind()), toRef(d.getNorm()))));
      })
      .Case([&](HadamardOp d) -> LogicalResult {
        return setOp(o, single(hadamard(size(), toRef(d.getNorm()))));
      })
      .Case([&](HartleyOp d) -> LogicalResult {
        return setOp(o, single(hartley(size(), toRef(d.getNorm()))));
      })
      .Case([&](PromoteOp) -> LogicalResult {
        return setOp(o, single(CMat::Identity(size(), size())));
      })
      .Case([&](RealOp) -> LogicalResult {
        return setOp(o, realLinear(o, [](const CVec &x) -> CVec {
                       return x.real().cast<cd>();
                     }));
      })
      .Case([&](PackOp) -> LogicalResult { return setOp(o, realLinear(o, pack)); })
      .Case([&](UnpackOp) -> LogicalResult { return setOp(o, realLinear(o, unpack)); })
      .Case([&](RfftSplitOp) -> LogicalResult {
        return setOp(o, realLinear(o, rfftSplit));
      })
      .Case([&](RfftMergeOp) -> LogicalResult {
        return setOp(o, realLinear(o, rfftMerge));
      })
      .Case([&](IdentityOp) -> LogicalResult {
        return setOp(o, single(CMat::Identity(size(), size())));
      })
      .Case([&](PermOp p) -> LogicalResult {
        SmallVector<int64_t> v = p.getPermutation();
        return setOp(o, single(permMatrix({v.begin(), v.end()})));
      })
      .Case([&](DenseOp d) -> LogicalResult {
        auto w = weights(d.getWeights());
        if (failed(w))
          return failure();
        int64_t m = d.getType().getRows(), n = d.getType().getCols();
        return setOp(o, perFamily(**w, 2, [&](std::vector<cd> s) {
                       CMat a(m, n);
                       for (int64_t i = 0; i < m; ++i)
                         for (int64_t j = 0; j < n; ++j)
                           a(i, j) = s[i * n + j];
                       return a;
                     }));
      })
      .Case([&](TwiddleOp tw) -> LogicalResult {
        std::vector<cd> d = tw.getValues();
        return setOp(o, single(CMat(
                            Eigen::Map<CVec>(d.data(), d.size()).asDiagonal())));
      })
      .Case([&](DiagOp d) -> LogicalResult {
        auto w = weights(d.getWeights());
        if (failed(w))
          return failure();
        return setOp(o, perFamily(**w, 1, [&](std::vector<cd> s) {
                       return CMat(Eigen::Map<CVec>(s.data(), s.size()).asDiagonal());
                     }));
      })
      .Case([&](ButterflyOp b) -> LogicalResult {
        auto w = weights(b.getTwiddles());
        if (failed(w))
          return failure();
        int64_t n = size();
        int64_t nblocks = (*w)->shape[(*w)->shape.size() - 5];
        std::vector<int64_t> perm;
        if (auto p = b.getInputPerm())
          perm.assign(p->begin(), p->end());
        return setOp(o, perFamily(**w, 5, [&](std::vector<cd> s) {
                       return butterfly(s, n, nblocks, b.getDecreasing(), perm);
                     }));
      })
      .Case([&](MonarchOp m) -> LogicalResult {
        auto l = weights(m.getLeft()), r = weights(m.getRight());
        if (failed(l) || failed(r))
          return failure();
        const Tensor &R = **r;
        int64_t bb = R.shape[R.shape.size() - 3], nn = R.shape[R.shape.size() - 2];
        Operator out;
        out.family.assign(R.shape.begin(), R.shape.end() - 3);
        for (int64_t f = 0, k = product(out.family); f < k; ++f)
          out.maps.push_back(
              {monarch(slice(**l, 3, f), slice(R, 3, f), bb, nn), CMat()});
        return setOp(o, std::move(out));
      })
      .Case([&](CirculantOp c) -> LogicalResult {
        auto w = weights(c.getWeights());
        if (failed(w))
          return failure();
        return setOp(o, perFamily(**w, 1, [](std::vector<cd> s) {
                       return circulant(s);
                     }));
      })
      .Case([&](ToeplitzOp t) -> LogicalResult {
        auto w = weights(t.getWeights());
        if (failed(w))
          return failure();
        int64_t m = t.getType().getRows(), n = t.getType().getCols();
        return setOp(o, perFamily(**w, 1, [&](std::vector<cd> s) {
                       return toeplitz(s, m, n);
                     }));
      })
      .Case([&](ConvOp c) -> LogicalResult {
        auto w = weights(c.getKernel());
        if (failed(w))
          return failure();
        int64_t n = c.getType().getCols();
        bool causal = c.getMode() == ConvMode::causal;
        return setOp(o, perFamily(**w, 1, [&](std::vector<cd> s) {
                       return conv(s, n, causal);
                     }));
      })
      .Case([&](ComposeOp c) -> LogicalResult {
        std::vector<Operator *> ops;
        std::vector<int64_t> fam;
        if (failed(operands(o, c.getFactors(), ops, fam)))
          return failure();
        Operator out;
        out.family = fam;
        for (int64_t i = 0, n = product(fam); i < n; ++i) {
          LinMap acc = ops.back()->maps[broadcastIndex(fam, ops.back()->family, i)];
          for (int64_t k = int64_t(ops.size()) - 2; k >= 0; --k)
            acc = composeMaps(ops[k]->maps[broadcastIndex(fam, ops[k]->family, i)], acc);
          out.maps.push_back(std::move(acc));
        }
        return setOp(o, std::move(out));
      })
      .Case([&](KronOp k) -> LogicalResult {
        return combine(o, k.getFactors(), [](std::vector<CMat> &m) {
          CMat acc = m[0];
          for (size_t i = 1; i < m.size(); ++i)
            acc = kron(acc, m[i]);
          return acc;
        });
      })
      .Case([&](DirectSumOp d) -> LogicalResult {
        return combine(o, d.getFactors(),
                       [](std::vector<CMat> &m) { return directSum(m); });
      })
      .Case([&](TransposeOp t) -> LogicalResult {
        return combine(o, t->getOperands(), [](std::vector<CMat> &m) {
          return CMat(m[0].transpose());
        });
      })
      .Case([&](AdjointOp t) -> LogicalResult {
        return combine(o, t->getOperands(), [](std::vector<CMat> &m) {
          return CMat(m[0].adjoint());
        });
      })
      .Case([&](ScaleOp s) -> LogicalResult {
        auto in = op(o, s.getInput());
        if (failed(in))
          return failure();
        cd c = s.getFactor();
        Operator out = **in;
        for (LinMap &m : out.maps) {
          m.A *= c;
          if (m.B.size())
            m.B *= c;
        }
        return setOp(o, std::move(out));
      })
      .Case([&](ApplyOp a) -> LogicalResult { return apply(a); })
      .Case([&](RecurrenceOp r) -> LogicalResult { return recurrence(r); })
      .Case([&](arith::MulFOp) -> LogicalResult {
        // Elementwise products of tensors: gates that are data.
        auto x = tensor(o, o->getOperand(0)), y = tensor(o, o->getOperand(1));
        if (failed(x) || failed(y))
          return failure();
        if ((*x)->shape != (*y)->shape)
          return o->emitError("reference evaluator: an elementwise product "
                              "of tensors of different shapes");
        Tensor out = **x;
        for (size_t k = 0; k < out.data.size(); ++k)
          out.data[k] *= (*y)->data[k];
        values[o->getResult(0)] = std::move(out);
        return success();
      })
      .Default([&](Operation *) {
        return o->emitError("reference evaluator: no semantics for '")
               << o->getName() << "'";
      });
}

} // namespace

namespace {
/// evaluate, or with `probe`, evaluateProbed.
FailureOr<std::vector<Tensor>> evaluateFunc(func::FuncOp func,
                                            const std::vector<Tensor> &args,
                                            int64_t probes,
                                            std::mt19937_64 *probe) {
  Interpreter in;
  if (failed(in.bindArguments(func, args)))
    return failure();
  if (func.getBody().getBlocks().size() != 1)
    return func.emitError("reference evaluator: expected a single block");
  auto ret = dyn_cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (!ret)
    return func.emitError("reference evaluator: expected func.return");
  std::vector<Tensor> results;
  for (Value v : ret.getOperands()) {
    auto type = dyn_cast<OperatorType>(v.getType());
    if (type && probe) {
      // Applied to random rows of its domain (complex ones show a
      // real-linear part too).
      bool cplx = isa<ComplexType>(type.getDomain());
      Tensor x;
      x.shape = {probes};
      x.shape.insert(x.shape.end(), type.getFamily().begin(),
                     type.getFamily().end());
      x.shape.push_back(type.getCols());
      std::normal_distribution<double> normal;
      for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
        double re = normal(*probe);
        x.data.emplace_back(re, cplx ? normal(*probe) : 0.0);
      }
      auto y = in.applyOperator(func, v, std::move(x), false);
      if (failed(y))
        return failure();
      results.push_back(std::move(*y));
      continue;
    }
    auto r = in.get(v);
    if (failed(r))
      return failure();
    if (auto *t = std::get_if<Tensor>(*r)) {
      results.push_back(*t);
      continue;
    }
    // An operator result is returned as its dense matrices [F..., M, N]
    // (followed by the conj(x) part for real-linear maps).
    const Operator &op = std::get<Operator>(**r);
    Tensor t;
    t.shape = op.family;
    t.shape.push_back(type.getRows());
    t.shape.push_back(type.getCols());
    for (const LinMap &m : op.maps)
      for (const CMat *mat : {&m.A, &m.B})
        for (int64_t i = 0; i < mat->rows(); ++i)
          for (int64_t j = 0; j < mat->cols(); ++j)
            t.data.push_back((*mat)(i, j));
    results.push_back(std::move(t));
  }
  return results;
}

} // namespace

FailureOr<std::vector<Tensor>> ref::evaluate(func::FuncOp func,
                                             const std::vector<Tensor> &args) {
  return evaluateFunc(func, args, 0, nullptr);
}

FailureOr<std::vector<Tensor>>
ref::evaluateProbed(func::FuncOp func, const std::vector<Tensor> &args,
                    int64_t probes, std::mt19937_64 &rng) {
  return evaluateFunc(func, args, probes, &rng);
}

FailureOr<Operator> ref::materialize(Value op, const std::vector<Tensor> &args) {
  Interpreter in;
  auto func = op.getParentRegion()->getParentOfType<func::FuncOp>();
  // Without arguments, only values that do not depend on them evaluate.
  if (func && !args.empty() && failed(in.bindArguments(func, args)))
    return failure();
  Operation *user = op.getDefiningOp() ? op.getDefiningOp() : func;
  auto r = in.op(user, op);
  if (failed(r))
    return failure();
  return **r;
}

FailureOr<Tensor> ref::evaluateConstant(Value v) {
  Interpreter in;
  Operation *user = v.getDefiningOp();
  if (!user)
    return failure();
  auto t = in.tensor(user, v);
  if (failed(t))
    return failure();
  return **t;
}

Tensor ref::randomTensor(RankedTensorType type, int64_t dynamicSize,
                         std::mt19937_64 &rng) {
  std::normal_distribution<double> normal;
  Tensor t;
  for (int64_t d : type.getShape())
    t.shape.push_back(ShapedType::isDynamic(d) ? dynamicSize : d);
  bool cplx = isa<ComplexType>(type.getElementType());
  for (int64_t i = 0, n = t.numElements(); i < n; ++i) {
    double re = normal(rng);
    t.data.emplace_back(re, cplx ? normal(rng) : 0.0);
  }
  return t;
}

void ref::conditionRecurrenceInputs(func::FuncOp func,
                                    std::vector<Tensor> &args) {
  if (func.isExternal())
    return;
  auto argument = [&](Value v) -> Tensor * {
    auto a = dyn_cast_or_null<BlockArgument>(v);
    if (!a || a.getOwner()->getParentOp() != func.getOperation() ||
        a.getArgNumber() >= args.size())
      return nullptr;
    return &args[a.getArgNumber()];
  };
  llvm::SmallPtrSet<Tensor *, 4> done; // an argument used twice: once
  for (RecurrenceOp r : func.getBody().front().getOps<RecurrenceOp>()) {
    Tensor *g = argument(r.getG()), *beta = argument(r.getBeta());
    Tensor *k = r.getUpdate() == Update::delta ? argument(r.getK()) : nullptr;
    if (g && done.insert(g).second)
      for (cd &x : g->data) // log(sigmoid(x)) = -log(1 + e^-x)
        x = -std::log1p(std::exp(-x.real()));
    if (beta && done.insert(beta).second)
      for (cd &x : beta->data)
        x = 1.0 / (1.0 + std::exp(-x.real()));
    // Offsets: each batch entry's N + 1 values become 0, N - 1 cut points
    // drawn from them (uniform on 0 .. T, so some sequences may be empty),
    // sorted, and T.
    Tensor *cu = argument(r.getOffsets());
    if (cu && done.insert(cu).second && cu->shape.size() == 2) {
      const int64_t n1 = cu->shape[1],
                    T = r.getQ().getType().getShape()[
                        r.getLayout() == SequenceLayout::bhtd ? 2 : 1];
      for (size_t row = 0; row + n1 <= cu->data.size(); row += n1) {
        std::vector<double> cuts;
        for (int64_t i = 1; i + 1 < n1; ++i) {
          double u = 0.5 * std::erfc(-cu->data[row + i].real() / std::sqrt(2.0));
          cuts.push_back(std::min(std::floor(u * double(T + 1)), double(T)));
        }
        std::sort(cuts.begin(), cuts.end());
        cu->data[row] = 0.0;
        for (int64_t i = 1; i + 1 < n1; ++i)
          cu->data[row + i] = cuts[i - 1];
        cu->data[row + n1 - 1] = double(T);
      }
    }
    if (k && done.insert(k).second && !k->shape.empty()) {
      int64_t d = k->shape.back();
      for (size_t row = 0; d > 0 && row + d <= k->data.size(); row += d) {
        double n = 0;
        for (int64_t i = 0; i < d; ++i)
          n += std::norm(k->data[row + i]);
        for (int64_t i = 0; n > 0 && i < d; ++i)
          k->data[row + i] /= std::sqrt(n);
      }
    }
  }
}

FailureOr<double> ref::compareFunctions(func::FuncOp a, func::FuncOp b,
                                        unsigned trials, uint64_t seed) {
  if (a.getFunctionType() != b.getFunctionType())
    return b.emitError("signature changed from ")
           << a.getFunctionType() << " to " << b.getFunctionType();
  std::mt19937_64 rng(seed);
  double worst = 0.0;
  for (unsigned trial = 0; trial < trials; ++trial) {
    std::vector<Tensor> args;
    for (Type t : a.getArgumentTypes()) {
      auto rt = dyn_cast<RankedTensorType>(t);
      if (!rt)
        return a.emitError("reference evaluator: arguments must be ranked "
                           "tensors, got ")
               << t;
      args.push_back(randomTensor(rt, 3, rng));
    }
    conditionRecurrenceInputs(a, args);
    // Operator results are compared on the same random rows, not as
    // matrices (multiplying 2048-point factors took minutes).
    uint64_t probeSeed = rng();
    std::mt19937_64 pa(probeSeed), pb(probeSeed);
    // One at a time: what fails for `a` (too large) would fail again.
    auto ya = evaluateProbed(a, args, 2, pa);
    if (failed(ya))
      return failure();
    auto yb = evaluateProbed(b, args, 2, pb);
    if (failed(yb))
      return failure();
    for (size_t r = 0; r < ya->size(); ++r) {
      if ((*ya)[r].data.size() != (*yb)[r].data.size())
        return b.emitError("result #") << r << " changed shape";
      double num = 0, den = 0;
      for (size_t i = 0; i < (*ya)[r].data.size(); ++i) {
        num += std::norm((*ya)[r].data[i] - (*yb)[r].data[i]);
        den += std::norm((*yb)[r].data[i]);
      }
      double rel = std::sqrt(num) / std::max(std::sqrt(den), 1e-300);
      if (!std::isfinite(rel))
        return b.emitError("reference evaluation produced non-finite values");
      worst = std::max(worst, rel);
    }
  }
  return worst;
}

double linop::ref::errorBound(mlir::Type t) {
  if (auto c = llvm::dyn_cast<mlir::ComplexType>(t))
    t = c.getElementType();
  if (t.isF64())
    return 1e-10;
  if (t.isF32())
    return 1e-5; // observed <= 2e-7 up to N = 65536
  return 1e-2;   // f16, bf16
}
