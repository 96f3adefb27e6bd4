//===- LinopDialect.cpp - dialect, type and shared type rules -----------===//

#include "linop/Dialect/LinopDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace linop;

#include "linop/Dialect/LinopDialect.cpp.inc"
#include "linop/Dialect/LinopEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "linop/Dialect/LinopAttrs.cpp.inc"
#define GET_TYPEDEF_CLASSES
#include "linop/Dialect/LinopTypes.cpp.inc"

void LinopDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "linop/Dialect/LinopTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "linop/Dialect/LinopAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "linop/Dialect/LinopOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Type rules shared by the verifiers
//===----------------------------------------------------------------------===//

int64_t TargetAttr::getInt(StringRef key, int64_t otherwise) const {
  if (auto i = llvm::dyn_cast_or_null<IntegerAttr>(getDescription().get(key)))
    return i.getInt();
  return otherwise;
}

bool linop::isSupportedElementType(Type t) {
  if (t.isF16() || t.isBF16() || t.isF32() || t.isF64())
    return true;
  if (auto c = dyn_cast<ComplexType>(t))
    return c.getElementType().isF32() || c.getElementType().isF64();
  return false;
}

Type linop::realPart(Type t) {
  if (auto c = dyn_cast<ComplexType>(t))
    return c.getElementType();
  return t;
}

Type linop::applyField(OperatorType op, Type in) {
  if (in == op.getDomain())
    return op.getCodomain();
  // A real operator acts on complex values part by part.
  if (op.isEndomorphicField() && isa<ComplexType>(in) &&
      realPart(in) == op.getDomain())
    return in;
  return {};
}

bool linop::broadcastFamilies(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                              SmallVectorImpl<int64_t> &out) {
  size_t n = std::max(a.size(), b.size());
  out.assign(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1)
      return false;
    out[i] = x == 1 ? y : x;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// !linop.op<[F...] M x N, D (-> C)?>
//===----------------------------------------------------------------------===//

LogicalResult
OperatorType::verify(function_ref<InFlightDiagnostic()> emitError,
                     ArrayRef<int64_t> family, int64_t rows, int64_t cols,
                     Type domain, Type codomain) {
  if (rows <= 0 || cols <= 0)
    return emitError() << "operator sizes must be positive, got " << rows
                       << "x" << cols;
  for (int64_t f : family)
    if (f <= 0)
      return emitError() << "family dimensions must be positive, got " << f;
  for (Type t : {domain, codomain})
    if (!t || !isSupportedElementType(t))
      return emitError() << "unsupported element type " << t
                         << " (expected f16, bf16, f32, f64, complex<f32> or "
                            "complex<f64>)";
  if (realPart(domain) != realPart(codomain))
    return emitError() << "domain " << domain << " and codomain " << codomain
                       << " must have the same precision";
  return success();
}

Type OperatorType::parse(AsmParser &p) {
  SmallVector<int64_t> family;
  if (p.parseLess())
    return {};
  if (succeeded(p.parseOptionalLSquare())) {
    if (p.parseCommaSeparatedList([&]() {
          int64_t f;
          if (p.parseInteger(f))
            return failure();
          family.push_back(f);
          return success();
        }) ||
        p.parseRSquare())
      return {};
  }
  // "MxN" lexes as the integer M and the keyword "xN"; parsing by hand
  // lets negative sizes reach the verifier with a clear message.
  SMLoc loc = p.getCurrentLocation();
  int64_t rows, cols;
  StringRef kw;
  auto sizeError = [&] {
    p.emitError(loc, "expected operator sizes 'M x N'");
    return Type();
  };
  if (p.parseInteger(rows))
    return sizeError();
  // "0xN" lexes as one hexadecimal integer: read N from the source, so that
  // a zero size gets the verifier's message like "0 x N" does.
  // (The source buffer ends in a NUL, so reading on stops there.)
  const char *text = loc.getPointer();
  if (text[0] == '0' && text[1] == 'x') {
    cols = 0;
    const char *d = text + 2;
    for (; llvm::isDigit(*d) && cols < (int64_t(1) << 40); ++d)
      cols = cols * 10 + (*d - '0');
    if (d == text + 2)
      return sizeError();
    rows = 0;
  } else if (p.parseKeyword(&kw) || !kw.starts_with("x")) {
    return sizeError();
  } else if (kw == "x") {
    if (p.parseInteger(cols))
      return sizeError();
  } else if (kw.drop_front().getAsInteger(10, cols)) {
    return sizeError();
  }
  Type domain, codomain;
  if (p.parseComma() || p.parseType(domain))
    return {};
  codomain = domain;
  if (succeeded(p.parseOptionalArrow()) && p.parseType(codomain))
    return {};
  if (p.parseGreater())
    return {};
  return getChecked([&] { return p.emitError(loc); }, p.getContext(), family,
                    rows, cols, domain, codomain);
}

void OperatorType::print(AsmPrinter &p) const {
  p << "<";
  if (!getFamily().empty()) {
    p << "[";
    llvm::interleaveComma(getFamily(), p);
    p << "] ";
  }
  p << getRows() << "x" << getCols() << ", " << getDomain();
  if (getCodomain() != getDomain())
    p << " -> " << getCodomain();
  p << ">";
}
