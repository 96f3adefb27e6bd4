//===- LinopOps.cpp - verifiers and custom syntax of linop ops ----------===//
//
// Debian's LLVM has assertions off, so every invariant a later pass relies
// on is checked here, with a diagnostic at the op.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"
#include "reference/Math.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace linop;

namespace {

using ref::isPowerOfTwo;
using ref::log2Exact;

OperatorType resultType(Operation *op) {
  return cast<OperatorType>(op->getResult(0).getType());
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

/// A named transform: square (unless told otherwise), no family.
LogicalResult verifyTransform(Operation *op, bool square = true) {
  OperatorType t = resultType(op);
  if (!t.getFamily().empty())
    return op->emitOpError("a named transform has no family dimensions, got ")
           << t;
  if (square && !t.isSquare())
    return op->emitOpError("must be square, got ")
           << t.getRows() << "x" << t.getCols();
  return success();
}

LogicalResult verifyEndomorphic(Operation *op) {
  OperatorType t = resultType(op);
  if (!t.isEndomorphicField())
    return op->emitOpError("maps ")
           << t.getDomain() << " to " << t.getCodomain()
           << ", but this operator needs domain and codomain of one type";
  return success();
}

LogicalResult verifyNormNotFull(Operation *op, Norm norm) {
  if (norm == Norm::full)
    return op->emitOpError("norm(full) is defined for dft, rdft, irdft, "
                           "hadamard and hartley only; use norm(sqrt) for the "
                           "orthonormal transform");
  return success();
}

/// Weights `[F..., tail...]`: static, the op's element type, the family of
/// the result in front of the expected tail.
LogicalResult verifyWeights(Operation *op, Value weights, StringRef name,
                            ArrayRef<int64_t> tail) {
  OperatorType t = resultType(op);
  auto wt = cast<RankedTensorType>(weights.getType());
  if (!wt.hasStaticShape())
    return op->emitOpError() << name << " must have a static shape, got "
                             << wt;
  if (wt.getElementType() != t.getDomain() || !t.isEndomorphicField())
    return op->emitOpError()
           << name << " element type " << wt.getElementType()
           << " must match the operator's element type " << t.getDomain();
  ArrayRef<int64_t> shape = wt.getShape();
  int64_t famRank = int64_t(shape.size()) - int64_t(tail.size());
  if (famRank < 0 || shape.drop_front(famRank) != tail)
    return op->emitOpError()
           << name << " must have shape [F..., " << shapeString(tail).substr(1)
           << " for a " << t.getRows() << "x" << t.getCols()
           << " operator, got " << shapeString(shape);
  if (shape.take_front(famRank) != t.getFamily())
    return op->emitOpError()
           << "the leading dimensions of " << name << " "
           << shapeString(shape.take_front(famRank))
           << " must equal the operator's family "
           << shapeString(t.getFamily());
  return success();
}

LogicalResult verifyPermutation(Operation *op, ArrayRef<int64_t> p, int64_t n,
                                StringRef what) {
  if (int64_t(p.size()) != n)
    return op->emitOpError() << what << " has " << p.size()
                             << " entries, expected " << n;
  std::vector<bool> seen(n, false);
  for (int64_t i : p) {
    if (i < 0 || i >= n)
      return op->emitOpError()
             << what << " entry " << i << " is out of range [0, " << n << ")";
    if (seen[i])
      return op->emitOpError() << what << " repeats index " << i
                               << ": not a permutation";
    seen[i] = true;
  }
  return success();
}

/// Families of combinator operands must broadcast to the result's.
LogicalResult verifyFamilies(Operation *op, ValueRange factors) {
  SmallVector<int64_t> fam;
  for (Value f : factors) {
    SmallVector<int64_t> next;
    if (!broadcastFamilies(fam, cast<OperatorType>(f.getType()).getFamily(),
                           next))
      return op->emitOpError("operand families ")
             << shapeString(fam) << " and "
             << shapeString(cast<OperatorType>(f.getType()).getFamily())
             << " do not broadcast";
    fam = next;
  }
  if (ArrayRef<int64_t>(fam) != resultType(op).getFamily())
    return op->emitOpError("result family ")
           << shapeString(resultType(op).getFamily())
           << " must be the broadcast of the operands' families "
           << shapeString(fam);
  return success();
}

/// kron and direct_sum: each factor acts within the result's field.
LogicalResult verifyBlockFactors(Operation *op, ValueRange factors) {
  if (factors.empty())
    return op->emitOpError("needs at least one operand");
  OperatorType t = resultType(op);
  if (failed(verifyEndomorphic(op)))
    return failure();
  for (auto [i, f] : llvm::enumerate(factors)) {
    auto ft = cast<OperatorType>(f.getType());
    if (!ft.isEndomorphicField() || !applyField(ft, t.getDomain()))
      return op->emitOpError("operand #")
             << i << " of type " << ft << " cannot act on "
             << t.getDomain() << " values";
  }
  return verifyFamilies(op, factors);
}

} // namespace

//===----------------------------------------------------------------------===//
// Fast transforms
//===----------------------------------------------------------------------===//

LogicalResult DftOp::verify() {
  if (failed(verifyTransform(*this)))
    return failure();
  OperatorType t = getType();
  if (!isa<ComplexType>(t.getCodomain()))
    return emitOpError("codomain must be complex, got ") << t.getCodomain();
  return success();
}

LogicalResult RdftOp::verify() {
  if (failed(verifyTransform(*this, /*square=*/false)))
    return failure();
  OperatorType t = getType();
  if (isa<ComplexType>(t.getDomain()) || !isa<ComplexType>(t.getCodomain()))
    return emitOpError("maps real to complex values, got ")
           << t.getDomain() << " -> " << t.getCodomain();
  if (t.getRows() != t.getCols() / 2 + 1)
    return emitOpError("of size N = ")
           << t.getCols() << " has N/2+1 = " << t.getCols() / 2 + 1
           << " outputs, got " << t.getRows();
  return success();
}

LogicalResult IrdftOp::verify() {
  if (failed(verifyTransform(*this, /*square=*/false)))
    return failure();
  OperatorType t = getType();
  if (!isa<ComplexType>(t.getDomain()) || isa<ComplexType>(t.getCodomain()))
    return emitOpError("maps complex to real values, got ")
           << t.getDomain() << " -> " << t.getCodomain();
  if (t.getCols() != t.getRows() / 2 + 1)
    return emitOpError("of size N = ")
           << t.getRows() << " takes N/2+1 = " << t.getRows() / 2 + 1
           << " inputs, got " << t.getCols();
  return success();
}

LogicalResult DctOp::verify() {
  if (failed(verifyTransform(*this)) || failed(verifyEndomorphic(*this)))
    return failure();
  return verifyNormNotFull(*this, getNorm());
}

LogicalResult DstOp::verify() {
  if (failed(verifyTransform(*this)) || failed(verifyEndomorphic(*this)))
    return failure();
  return verifyNormNotFull(*this, getNorm());
}

LogicalResult HadamardOp::verify() {
  if (failed(verifyTransform(*this)) || failed(verifyEndomorphic(*this)))
    return failure();
  if (!isPowerOfTwo(getType().getRows()))
    return emitOpError("size must be a power of two, got ")
           << getType().getRows();
  return success();
}

LogicalResult HartleyOp::verify() {
  if (failed(verifyTransform(*this)) || failed(verifyEndomorphic(*this)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Real <-> complex steps
//===----------------------------------------------------------------------===//

namespace {

/// A real <-> complex step: `toComplex` says which way, `rows(cols)` the
/// codomain size for a domain of `cols`, `shape` how to say it.
LogicalResult verifyRealComplex(Operation *op, bool toComplex,
                                int64_t rows, StringRef shape) {
  if (failed(verifyTransform(op, /*square=*/false)))
    return failure();
  OperatorType t = resultType(op);
  Type real = toComplex ? t.getDomain() : t.getCodomain();
  Type cplx = toComplex ? t.getCodomain() : t.getDomain();
  auto ct = dyn_cast<ComplexType>(cplx);
  if (isa<ComplexType>(real) || !ct || ct.getElementType() != real)
    return op->emitOpError("maps ")
           << (toComplex ? "real to complex" : "complex to real")
           << " values of one precision, got " << t.getDomain() << " -> "
           << t.getCodomain();
  if (t.getRows() != rows)
    return op->emitOpError("is ")
           << shape << ": " << t.getCols() << " inputs give " << rows
           << " outputs, got " << t.getRows();
  return success();
}

/// rfft_split/rfft_merge: complex to complex, `rows` outputs.
LogicalResult verifyRfftStep(Operation *op, int64_t rows, StringRef shape) {
  if (failed(verifyTransform(op, /*square=*/false)) ||
      failed(verifyEndomorphic(op)))
    return failure();
  OperatorType t = resultType(op);
  if (!isa<ComplexType>(t.getDomain()))
    return op->emitOpError("acts on complex values, got ") << t.getDomain();
  if (rows < 1 || t.getRows() != rows)
    return op->emitOpError("is ")
           << shape << ": " << t.getCols() << " inputs give " << rows
           << " outputs, got " << t.getRows();
  return success();
}

} // namespace

LogicalResult PromoteOp::verify() {
  return verifyRealComplex(*this, true, getType().getCols(), "N x N");
}

LogicalResult RealOp::verify() {
  return verifyRealComplex(*this, false, getType().getCols(), "N x N");
}

LogicalResult PackOp::verify() {
  if (getType().getCols() % 2)
    return emitOpError("packs pairs of reals: its domain size must be even, "
                       "got ")
           << getType().getCols();
  return verifyRealComplex(*this, true, getType().getCols() / 2, "M x 2M");
}

LogicalResult UnpackOp::verify() {
  return verifyRealComplex(*this, false, 2 * getType().getCols(), "2M x M");
}

LogicalResult RfftSplitOp::verify() {
  return verifyRfftStep(*this, getType().getCols() + 1, "(M+1) x M");
}

LogicalResult RfftMergeOp::verify() {
  return verifyRfftStep(*this, getType().getCols() - 1, "M x (M+1)");
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

LogicalResult IdentityOp::verify() {
  if (!getType().isSquare())
    return emitOpError("must be square, got ")
           << getType().getRows() << "x" << getType().getCols();
  return verifyEndomorphic(*this);
}

LogicalResult PermOp::verify() {
  if (failed(verifyTransform(*this)) || failed(verifyEndomorphic(*this)))
    return failure();
  int64_t n = getType().getRows();
  switch (getKind()) {
  case PermKind::explicit_:
    if (!getIndices() || getStride() || getRadices())
      return emitOpError("an explicit permutation takes indices only");
    return verifyPermutation(*this, *getIndices(), n, "permutation");
  case PermKind::digitrev: {
    if (getIndices() || getStride() || !getRadices())
      return emitOpError("digitrev takes radices only");
    int64_t prod = 1;
    ArrayRef<int64_t> radices = *getRadices(); // not a temporary's member
    for (int64_t r : radices) {
      // prod <= n / r keeps the product from overflowing.
      if (r < 2 || prod > n / r)
        return emitOpError("digitrev radices must be >= 2 with product ")
               << n;
      prod *= r;
    }
    if (prod != n || radices.size() < 2)
      return emitOpError("digitrev needs at least two radices with product ")
             << n;
    return success();
  }
  case PermKind::bitrev:
    if (getIndices() || getStride() || getRadices())
      return emitOpError("bitrev takes no indices or stride");
    if (!isPowerOfTwo(n))
      return emitOpError("bitrev needs a power-of-two size, got ") << n;
    return success();
  case PermKind::stride: {
    if (getIndices() || !getStride() || getRadices())
      return emitOpError("a stride permutation takes a stride only");
    int64_t m = *getStride();
    if (m <= 0 || n % m != 0)
      return emitOpError("stride ") << m << " must divide the size " << n;
    return success();
  }
  }
  return emitOpError("unknown permutation kind");
}

SmallVector<int64_t> PermOp::getPermutation() {
  int64_t n = getType().getRows();
  SmallVector<int64_t> p(n);
  switch (getKind()) {
  case PermKind::explicit_:
    p.assign(getIndices()->begin(), getIndices()->end());
    break;
  case PermKind::bitrev: {
    int64_t bits = log2Exact(n);
    for (int64_t i = 0; i < n; ++i) {
      int64_t r = 0;
      for (int64_t b = 0; b < bits; ++b)
        r |= ((i >> b) & 1) << (bits - 1 - b);
      p[i] = r;
    }
    break;
  }
  case PermKind::stride: {
    int64_t m = *getStride(), q = n / m;
    for (int64_t i = 0; i < q; ++i)
      for (int64_t j = 0; j < m; ++j)
        p[j * q + i] = i * m + j;
    break;
  }
  case PermKind::digitrev: {
    std::vector<int64_t> d = ref::digitReversalPerm(
        {getRadices()->begin(), getRadices()->end()});
    p.assign(d.begin(), d.end());
    break;
  }
  }
  return p;
}

PermOp PermOp::build(OpBuilder &b, Location loc, OperatorType type,
                     ArrayRef<int64_t> p) {
  MLIRContext *ctx = b.getContext();
  int64_t n = p.size();
  auto make = [&](PermKind k, DenseI64ArrayAttr indices, IntegerAttr stride,
                  DenseI64ArrayAttr radices) {
    return b.create<PermOp>(loc, type, PermKindAttr::get(ctx, k), indices,
                            stride, radices);
  };
  std::vector<int64_t> v(p.begin(), p.end());
  // stride m has p[1] = m (n > m); bitrev needs a power of two.
  int64_t m = n > 1 ? p[1] : 0;
  if (m > 1 && m < n && n % m == 0 && ref::stridePerm(n, m) == v)
    return make(PermKind::stride, {}, b.getI64IntegerAttr(m), {});
  if (n > 1 && isPowerOfTwo(n) && ref::bitrevPerm(n) == v)
    return make(PermKind::bitrev, {}, {}, {});
  std::vector<int64_t> radices = ref::digitReversalRadices(v);
  if (!radices.empty())
    return make(PermKind::digitrev, {}, {}, b.getDenseI64ArrayAttr(radices));
  return make(PermKind::explicit_, b.getDenseI64ArrayAttr(p), {}, {});
}

// linop.perm [p...] | bitrev | stride m | digitrev [r...]  attr-dict : type
ParseResult PermOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &b = parser.getBuilder();
  PermKind kind;
  SmallVector<int64_t> list;
  auto integer = [&]() -> ParseResult {
    int64_t v;
    if (parser.parseInteger(v))
      return failure();
    list.push_back(v);
    return success();
  };
  if (succeeded(parser.parseOptionalLSquare())) {
    kind = PermKind::explicit_;
    if (failed(parser.parseOptionalRSquare()) &&
        (parser.parseCommaSeparatedList(integer) || parser.parseRSquare()))
      return failure();
    result.addAttribute("indices", b.getDenseI64ArrayAttr(list));
  } else if (succeeded(parser.parseOptionalKeyword("bitrev"))) {
    kind = PermKind::bitrev;
  } else if (succeeded(parser.parseOptionalKeyword("digitrev"))) {
    kind = PermKind::digitrev;
    if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square,
                                       integer))
      return failure();
    result.addAttribute("radices", b.getDenseI64ArrayAttr(list));
  } else if (succeeded(parser.parseOptionalKeyword("stride"))) {
    kind = PermKind::stride;
    int64_t m;
    if (parser.parseInteger(m))
      return failure();
    result.addAttribute("stride", b.getI64IntegerAttr(m));
  } else {
    return parser.emitError(parser.getCurrentLocation(),
                            "expected '[indices]', 'bitrev', 'stride m' or "
                            "'digitrev [radices]'");
  }
  result.addAttribute("kind", PermKindAttr::get(b.getContext(), kind));
  Type type;
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(type))
    return failure();
  result.addTypes(type);
  return success();
}

void PermOp::print(OpAsmPrinter &p) {
  switch (getKind()) {
  case PermKind::explicit_:
    p << " [";
    llvm::interleaveComma(*getIndices(), p);
    p << "]";
    break;
  case PermKind::bitrev:
    p << " bitrev";
    break;
  case PermKind::stride:
    p << " stride " << *getStride();
    break;
  case PermKind::digitrev:
    p << " digitrev [";
    llvm::interleaveComma(*getRadices(), p);
    p << "]";
    break;
  }
  p.printOptionalAttrDict((*this)->getAttrs(),
                          {"kind", "indices", "stride", "radices"});
  p << " : " << getType();
}

LogicalResult DenseOp::verify() {
  return verifyWeights(*this, getWeights(), "weights",
                       {getType().getRows(), getType().getCols()});
}

LogicalResult DiagOp::verify() {
  if (!getType().isSquare())
    return emitOpError("must be square");
  return verifyWeights(*this, getWeights(), "diagonal", {getType().getRows()});
}

LogicalResult TwiddleOp::verify() {
  OperatorType t = getType();
  if (!t.getFamily().empty())
    return emitOpError("has no family dimensions, got ") << t;
  if (!t.isSquare())
    return emitOpError("must be square, got ") << t.getRows() << "x"
                                               << t.getCols();
  if (!isa<ComplexType>(t.getDomain()) || !isa<ComplexType>(t.getCodomain()))
    return emitOpError("maps complex to complex values, got ")
           << t.getDomain() << " -> " << t.getCodomain();
  int64_t n = t.getRows(), r = getR(), b = getB();
  // b <= n / r keeps the product from overflowing.
  if (r < 1 || b < 1 || r > n || b > n / r || n % (r * b) != 0)
    return emitOpError("needs r, b >= 1 with r b dividing N = ")
           << n << ", got r = " << r << ", b = " << b;
  if (!std::isfinite(getScale().convertToDouble()))
    return emitOpError("scale must be finite");
  return success();
}

std::vector<std::complex<double>> TwiddleOp::getValues() {
  int64_t n = getType().getRows();
  double scale = getScale().convertToDouble();
  std::vector<std::complex<double>> d(n);
  for (int64_t k = 0; k < n; ++k)
    d[k] = scale * ref::twiddle(k, getR(), getB(), getInverse());
  return d;
}

//===----------------------------------------------------------------------===//
// Structured
//===----------------------------------------------------------------------===//

LogicalResult ButterflyOp::verify() {
  OperatorType t = getType();
  int64_t n = t.getRows();
  if (!t.isSquare())
    return emitOpError("must be square, got ") << n << "x" << t.getCols();
  if (!isPowerOfTwo(n) || n < 2)
    return emitOpError("size must be a power of two >= 2, got ") << n;
  auto wt = cast<RankedTensorType>(getTwiddles().getType());
  if (wt.getRank() < 5)
    return emitOpError("twiddles must have shape [F..., nblocks, log2 N, N/2, "
                       "2, 2], got ")
           << shapeString(wt.getShape());
  int64_t nblocks = wt.getShape()[wt.getRank() - 5];
  if (nblocks < 1)
    return emitOpError("needs at least one butterfly block");
  if (failed(verifyWeights(*this, getTwiddles(), "twiddles",
                           {nblocks, log2Exact(n), n / 2, 2, 2})))
    return failure();
  if (auto p = getInputPerm())
    return verifyPermutation(*this, *p, n, "input_perm");
  return success();
}

LogicalResult MonarchOp::verify() {
  OperatorType t = getType();
  if (!t.isSquare())
    return emitOpError("must be square");
  auto rt = cast<RankedTensorType>(getRight().getType());
  if (rt.getRank() < 3)
    return emitOpError("right factor must have shape [F..., b, n, n], got ")
           << shapeString(rt.getShape());
  int64_t b = rt.getShape()[rt.getRank() - 3];
  int64_t n = rt.getShape()[rt.getRank() - 2];
  if (b * n != t.getRows())
    return emitOpError("blocks b = ")
           << b << " of size n = " << n << " give N = " << b * n
           << ", but the operator is " << t.getRows() << "x" << t.getCols();
  if (failed(verifyWeights(*this, getRight(), "right factor", {b, n, n})))
    return failure();
  return verifyWeights(*this, getLeft(), "left factor", {n, b, b});
}

//===----------------------------------------------------------------------===//
// Combinators
//===----------------------------------------------------------------------===//

LogicalResult ComposeOp::verify() {
  auto factors = getFactors();
  if (factors.empty())
    return emitOpError("needs at least one operand");
  OperatorType t = getType();
  auto first = cast<OperatorType>(factors.front().getType());
  auto last = cast<OperatorType>(factors.back().getType());
  if (first.getRows() != t.getRows() || last.getCols() != t.getCols())
    return emitOpError("result is ")
           << t.getRows() << "x" << t.getCols() << ", but the product is "
           << first.getRows() << "x" << last.getCols();
  for (size_t i = 0; i + 1 < factors.size(); ++i) {
    auto a = cast<OperatorType>(factors[i].getType());
    auto b = cast<OperatorType>(factors[i + 1].getType());
    if (a.getCols() != b.getRows())
      return emitOpError("operand #")
             << i << " takes " << a.getCols() << " elements but operand #"
             << i + 1 << " gives " << b.getRows();
  }
  // Follow the element type from the input through each factor.
  Type field = t.getDomain();
  for (int64_t i = factors.size() - 1; i >= 0; --i) {
    auto ft = cast<OperatorType>(factors[i].getType());
    Type next = applyField(ft, field);
    if (!next)
      return emitOpError("operand #")
             << i << " of type " << ft << " cannot take " << field
             << " values";
    field = next;
  }
  if (field != t.getCodomain())
    return emitOpError("the product gives ")
           << field << " values, but the result type says "
           << t.getCodomain();
  return verifyFamilies(*this, factors);
}

LogicalResult KronOp::verify() {
  if (failed(verifyBlockFactors(*this, getFactors())))
    return failure();
  int64_t rows = 1, cols = 1;
  for (Value f : getFactors()) {
    rows *= cast<OperatorType>(f.getType()).getRows();
    cols *= cast<OperatorType>(f.getType()).getCols();
  }
  if (rows != getType().getRows() || cols != getType().getCols())
    return emitOpError("factor sizes multiply to ")
           << rows << "x" << cols << ", but the result is "
           << getType().getRows() << "x" << getType().getCols();
  return success();
}

LogicalResult DirectSumOp::verify() {
  if (failed(verifyBlockFactors(*this, getFactors())))
    return failure();
  int64_t rows = 0, cols = 0;
  for (Value f : getFactors()) {
    rows += cast<OperatorType>(f.getType()).getRows();
    cols += cast<OperatorType>(f.getType()).getCols();
  }
  if (rows != getType().getRows() || cols != getType().getCols())
    return emitOpError("block sizes add up to ")
           << rows << "x" << cols << ", but the result is "
           << getType().getRows() << "x" << getType().getCols();
  return success();
}

static LogicalResult verifyTransposeLike(Operation *op, OperatorType in) {
  OperatorType t = resultType(op);
  if (!in.isEndomorphicField())
    return op->emitOpError("needs an operand with one element type, got ")
           << in;
  if (t != OperatorType::get(op->getContext(), in.getFamily(), in.getCols(),
                             in.getRows(), in.getDomain(), in.getCodomain()))
    return op->emitOpError("result type must be ")
           << OperatorType::get(op->getContext(), in.getFamily(), in.getCols(),
                                in.getRows(), in.getDomain(),
                                in.getCodomain());
  return success();
}

LogicalResult TransposeOp::verify() {
  return verifyTransposeLike(*this, getInput().getType());
}

LogicalResult AdjointOp::verify() {
  return verifyTransposeLike(*this, getInput().getType());
}

LogicalResult ScaleOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("result type must equal the operand type ")
           << getInput().getType();
  if (getFactor().imag() != 0.0 && !isa<ComplexType>(getType().getCodomain()))
    return emitOpError("a complex factor needs a complex operator");
  if (!std::isfinite(getFactor().real()) || !std::isfinite(getFactor().imag()))
    return emitOpError("factor must be finite");
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

LogicalResult CirculantOp::verify() {
  if (!getType().isSquare())
    return emitOpError("must be square");
  return verifyWeights(*this, getWeights(), "kernel", {getType().getRows()});
}

LogicalResult ToeplitzOp::verify() {
  return verifyWeights(*this, getWeights(), "diagonals",
                       {getType().getRows() + getType().getCols() - 1});
}

LogicalResult ConvOp::verify() {
  auto kt = cast<RankedTensorType>(getKernel().getType());
  if (kt.getRank() < 1)
    return emitOpError("kernel must have shape [F..., K]");
  int64_t k = kt.getShape().back();
  if (k < 1)
    return emitOpError("kernel length must be positive, got ") << k;
  OperatorType t = getType();
  int64_t expectRows =
      getMode() == ConvMode::causal ? t.getCols() : t.getCols() + k - 1;
  if (t.getRows() != expectRows)
    return emitOpError("a ")
           << stringifyConvMode(getMode()) << " convolution of length "
           << t.getCols() << " with a kernel of length " << k << " has "
           << expectRows << " outputs, got " << t.getRows();
  return verifyWeights(*this, getKernel(), "kernel", {k});
}

//===----------------------------------------------------------------------===//
// Application
//===----------------------------------------------------------------------===//

LogicalResult ApplyOp::verify() {
  OperatorType t = getOp().getType();
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  Type inElem = in.getElementType(), field = applyField(t, inElem);
  // f16 and bf16 data may be stored for an f32 operator: read into f32,
  // computed in f32, a real result stored in the data's type again.
  Type stored;
  if (!field && (inElem.isF16() || inElem.isBF16())) {
    field = applyField(t, Float32Type::get(getContext()));
    stored = field && field.isF32() ? inElem : Type();
  }
  if (!field)
    return emitOpError("operator ")
           << t << " cannot take " << inElem << " values";
  if (out.getElementType() != field && out.getElementType() != stored) {
    InFlightDiagnostic d = emitOpError("result element type must be ");
    d << field;
    if (stored)
      d << " or the stored " << stored;
    return d << ", got " << out.getElementType();
  }
  if (in.getShape().back() != t.getCols())
    return emitOpError("input's last dimension must be ")
           << t.getCols() << ", got " << shapeString(in.getShape());
  SmallVector<int64_t> expect(in.getShape());
  expect.back() = t.getRows();
  if (out.getShape() != ArrayRef<int64_t>(expect))
    return emitOpError("result shape must be ")
           << shapeString(expect) << ", got " << shapeString(out.getShape());
  ArrayRef<int64_t> fam = t.getFamily();
  ArrayRef<int64_t> batch = in.getShape().drop_back();
  if (batch.size() < fam.size())
    return emitOpError("a family operator ")
           << shapeString(fam) << " needs input dimensions [..., F..., N], got "
           << shapeString(in.getShape());
  ArrayRef<int64_t> tailBatch = batch.take_back(fam.size());
  for (size_t i = 0; i < fam.size(); ++i)
    if (!ShapedType::isDynamic(tailBatch[i]) && tailBatch[i] != fam[i] &&
        fam[i] != 1)
      return emitOpError("input batch dimensions ")
             << shapeString(tailBatch) << " must match the operator family "
             << shapeString(fam);
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrence
//===----------------------------------------------------------------------===//

double RecurrenceOp::getScaleOrDefault() {
  if (auto s = getScale())
    return s->convertToDouble();
  int64_t dk = getQ().getType().getShape()[3];
  return 1.0 / std::sqrt(double(dk));
}

int64_t RecurrenceOp::getSequences() {
  if (!getOffsets())
    return 1;
  return getOffsets().getType().getShape()[1] - 1;
}

LogicalResult RecurrenceOp::verify() {
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto compatible = [](ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!ShapedType::isDynamic(a[i]) && !ShapedType::isDynamic(b[i]) &&
          a[i] != b[i])
        return false;
    return true;
  };
  // The sequence tensors' order: [B, T, H, ...] or, heads first,
  // [B, H, T, ...]; `seq` lays out an expected shape, `bth` names it.
  const bool headsFirst = getLayout() == SequenceLayout::bhtd;
  auto seq = [&](int64_t b, int64_t t, int64_t h,
                 std::optional<int64_t> d) -> SmallVector<int64_t> {
    SmallVector<int64_t> r{b, headsFirst ? h : t, headsFirst ? t : h};
    if (d)
      r.push_back(*d);
    return r;
  };
  const char *bth = headsFirst ? "[B, H, T" : "[B, T, H";
  ArrayRef<int64_t> q = shapeOf(getQ());
  if (q.size() != 4)
    return emitOpError("q must have shape ") << bth << ", Dk], got "
                                              << shapeString(q);
  int64_t B = q[0], T = headsFirst ? q[2] : q[1], H = headsFirst ? q[1] : q[2],
          Dk = q[3];
  if (ShapedType::isDynamic(H) || ShapedType::isDynamic(Dk))
    return emitOpError("H and Dk must be static, got ") << shapeString(q);
  ArrayRef<int64_t> v = shapeOf(getV());
  if (v.size() != 4 || ShapedType::isDynamic(v[3]))
    return emitOpError("v must have shape ")
           << bth << ", Dv] with static Dv, got " << shapeString(v);
  int64_t Dv = v[3];
  auto check = [&](Value val, StringRef name,
                   ArrayRef<int64_t> expect) -> LogicalResult {
    if (!compatible(shapeOf(val), expect))
      return emitOpError() << name << " must have shape "
                           << shapeString(expect) << ", got "
                           << shapeString(shapeOf(val));
    return success();
  };
  if (failed(check(getK(), "k", seq(B, T, H, Dk))) ||
      failed(check(getV(), "v", seq(B, T, H, Dv))))
    return failure();
  Type elem = getQ().getType().getElementType();
  if (getK().getType().getElementType() != elem ||
      getV().getType().getElementType() != elem)
    return emitOpError("q, k and v must have one element type");
  switch (getGate()) {
  case Gate::none:
    if (getG())
      return emitOpError("gate = none takes no decay operand");
    break;
  case Gate::scalar:
    if (!getG())
      return emitOpError("gate = scalar needs log-decays g: ") << bth << "]";
    if (failed(check(getG(), "g", seq(B, T, H, std::nullopt))))
      return failure();
    break;
  case Gate::vector:
    if (!getG())
      return emitOpError("gate = vector needs log-decays g: ") << bth
                                                               << ", Dk]";
    if (failed(check(getG(), "g", seq(B, T, H, Dk))))
      return failure();
    break;
  }
  if (getUpdate() == Update::delta) {
    if (!getBeta())
      return emitOpError("update = delta needs beta: ") << bth << "]";
    if (failed(check(getBeta(), "beta", seq(B, T, H, std::nullopt))))
      return failure();
  } else if (getBeta()) {
    return emitOpError("update = additive takes no beta");
  }
  // States per batch entry, or per sequence with offsets.
  SmallVector<int64_t> state{B, H, Dk, Dv};
  if (getOffsets()) {
    ArrayRef<int64_t> cu = shapeOf(getOffsets());
    if (cu.size() != 2 || ShapedType::isDynamic(cu[1]) || cu[1] < 2 ||
        !compatible({cu[0]}, {B}))
      return emitOpError("offsets must have shape [B, N + 1] with a static "
                         "N >= 1 (B = ")
             << (ShapedType::isDynamic(B) ? std::string("?")
                                          : std::to_string(B))
             << "), got " << shapeString(cu);
    state.insert(state.begin() + 1, cu[1] - 1);
  }
  if (getH0() && failed(check(getH0(), "init", state)))
    return failure();
  if (failed(check(getO(), "o", seq(B, T, H, Dv))) ||
      failed(check(getFinalState(), "final state", state)))
    return failure();
  if (getO().getType().getElementType() != elem)
    return emitOpError("o must have the element type of v");
  // Read signed: I64Attr's accessor is unsigned, so -5 would pass as huge.
  if (IntegerAttr c = getChunkSizeAttr(); c && c.getInt() <= 0)
    return emitOpError("chunk_size must be positive, got ") << c.getInt();
  if (auto s = getScale(); s && !std::isfinite(s->convertToDouble()))
    return emitOpError("scale must be finite");
  return success();
}

//===----------------------------------------------------------------------===//
// Custom directives: enums print as bare keywords (`dct II`, `norm = sqrt`).
//===----------------------------------------------------------------------===//

template <typename AttrT>
static ParseResult parseKeyword(OpAsmParser &p, AttrT &attr) {
  using E = decltype(std::declval<AttrT>().getValue());
  SMLoc loc = p.getCurrentLocation();
  StringRef kw;
  if (succeeded(p.parseOptionalKeyword(&kw)))
    if (std::optional<E> v = symbolizeEnum<E>(kw)) {
      attr = AttrT::get(p.getContext(), *v);
      return success();
    }
  std::string options;
  for (unsigned i = 0; i < 16; ++i)
    if (StringRef s = stringifyEnum(static_cast<E>(i)); !s.empty())
      options += (options.empty() ? "" : ", ") + s.str();
  return p.emitError(loc, "expected one of: ") << options << "; got '" << kw
                                               << "'";
}

template <typename AttrT>
static void printKeyword(OpAsmPrinter &p, Operation *, AttrT attr) {
  p << stringifyEnum(attr.getValue());
}

/// `norm = none|sqrt|full`, optional; `none` is not printed.
static ParseResult parseNormClause(OpAsmParser &p, NormAttr &attr) {
  if (failed(p.parseOptionalKeyword("norm")))
    return success();
  if (p.parseEqual())
    return failure();
  return parseKeyword(p, attr);
}

static void printNormClause(OpAsmPrinter &p, Operation *, NormAttr attr) {
  if (attr && attr.getValue() != Norm::none)
    p << "norm = " << stringifyEnum(attr.getValue());
}

/// `layout = bthd|bhtd`, optional; `bthd` is not printed.
static ParseResult parseLayoutClause(OpAsmParser &p,
                                     SequenceLayoutAttr &attr) {
  if (failed(p.parseOptionalKeyword("layout")))
    return success();
  if (p.parseEqual())
    return failure();
  return parseKeyword(p, attr);
}

static void printLayoutClause(OpAsmPrinter &p, Operation *,
                              SequenceLayoutAttr attr) {
  if (attr && attr.getValue() != SequenceLayout::bthd)
    p << "layout = " << stringifyEnum(attr.getValue());
}

/// `0.5` or `(re, im)`.
static ParseResult parseScaleFactor(OpAsmParser &p, FloatAttr &re,
                                    FloatAttr &im) {
  double r = 0, i = 0;
  if (succeeded(p.parseOptionalLParen())) {
    if (p.parseFloat(r) || p.parseComma() || p.parseFloat(i) ||
        p.parseRParen())
      return failure();
  } else if (p.parseFloat(r)) {
    return failure();
  }
  re = p.getBuilder().getF64FloatAttr(r);
  im = p.getBuilder().getF64FloatAttr(i);
  return success();
}

static void printScaleFactor(OpAsmPrinter &p, Operation *, FloatAttr re,
                             FloatAttr im) {
  if (im && im.getValueAsDouble() != 0.0)
    p << "(" << re.getValue() << ", " << im.getValue() << ")";
  else
    p << re.getValue();
}

#define GET_OP_CLASSES
#include "linop/Dialect/LinopOps.cpp.inc"
