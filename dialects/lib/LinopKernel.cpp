//===- LinopKernel.cpp - the kernel IR: verifiers and attributes ---------===//
//
// Every fact a backend relies on is checked here (Debian's LLVM has
// assertions off): buffer indices and lengths, permutations, codelet and
// twiddle sizes, operand positions. Backends check nothing again.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopKernel.h"

#include "linop/Dialect/LinopDialect.h"
#include "reference/Math.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace linop;
using namespace linop::kernel;
using cd = std::complex<double>;

#include "linop/Dialect/LinopKernelDialect.cpp.inc"
#include "linop/Dialect/LinopKernelEnums.cpp.inc"

void LinopKernelDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "linop/Dialect/LinopKernelAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "linop/Dialect/LinopKernelOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

LogicalResult TwiddlesAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t r, int64_t b, bool,
                                   llvm::APFloat scaleValue, int64_t subrows) {
  double scale = scaleValue.convertToDouble();
  if (r < 1 || b < 1)
    return emitError() << "twiddles need r, b >= 1, got " << r << " x " << b;
  if (subrows < 1)
    return emitError() << "twiddles need subrows >= 1, got " << subrows;
  if (!std::isfinite(scale) || scale == 0.0)
    return emitError() << "twiddles need a finite nonzero scale, got "
                       << scale;
  return success();
}

cd TwiddlesAttr::at(int64_t k, int64_t u) const {
  // Element k = (i r + l) b + j is element (i r + l) b m + u + m j of the
  // longer row's stage, whose twiddle is the same formula with b m.
  int64_t m = getSubrows(), b = getB(), r = getR();
  int64_t j = k % b, l = (k / b) % r;
  return scale() * ref::twiddle(l * b * m + u + m * j, r, b * m, getInverse());
}

// <16 x 64>, <16 x 64 inverse>, <16 x 64, scale = 0.5, subrows = 256>
Attribute TwiddlesAttr::parse(AsmParser &p, Type) {
  int64_t r, b, subrows = 1;
  double scale = 1.0;
  bool inverse = false;
  SMLoc loc = p.getCurrentLocation();
  if (p.parseLess() || p.parseInteger(r) || p.parseKeyword("x") ||
      p.parseInteger(b))
    return {};
  inverse = succeeded(p.parseOptionalKeyword("inverse"));
  while (succeeded(p.parseOptionalComma())) {
    StringRef key;
    if (p.parseKeyword(&key) || p.parseEqual())
      return {};
    if (key == "scale") {
      if (p.parseFloat(scale))
        return {};
    } else if (key == "subrows") {
      if (p.parseInteger(subrows))
        return {};
    } else {
      p.emitError(p.getCurrentLocation(), "twiddles take `scale` and "
                                          "`subrows`, not `")
          << key << "`";
      return {};
    }
  }
  if (p.parseGreater())
    return {};
  return getChecked([&] { return p.emitError(loc); }, p.getContext(), r, b,
                    inverse, llvm::APFloat(scale), subrows);
}

void TwiddlesAttr::print(AsmPrinter &p) const {
  p << "<" << getR() << " x " << getB();
  if (getInverse())
    p << " inverse";
  if (scale() != 1.0) {
    llvm::SmallString<24> text;
    getScale().toString(text);
    p << ", scale = " << text;
  }
  if (getSubrows() != 1)
    p << ", subrows = " << getSubrows();
  p << ">";
}

LogicalResult
PermutationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        PermKind kind, int64_t n, ArrayRef<int64_t> radices) {
  if (kind == PermKind::stride) {
    if (radices.size() != 1 || n < 1 || radices[0] < 1 || n % radices[0])
      return emitError() << "a stride permutation L^n_m needs m dividing n";
    return success();
  }
  int64_t prod = 1;
  for (int64_t r : radices) {
    if (r < 2)
      return emitError() << "digit reversal radices must be >= 2, got " << r;
    prod *= r;
  }
  if (radices.size() < 2 || prod != n)
    return emitError() << "a digit reversal needs two or more radices whose "
                          "product is n";
  return success();
}

// <stride 1024, 16>, <digit_reversal [16, 16, 4]>
Attribute PermutationAttr::parse(AsmParser &p, Type) {
  SMLoc loc = p.getCurrentLocation();
  StringRef kw;
  if (p.parseLess() || p.parseKeyword(&kw))
    return {};
  SmallVector<int64_t> radices;
  int64_t n = 0;
  PermKind kind;
  if (kw == "stride") {
    int64_t m;
    if (p.parseInteger(n) || p.parseComma() || p.parseInteger(m))
      return {};
    kind = PermKind::stride;
    radices.push_back(m);
  } else if (kw == "digit_reversal") {
    if (p.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
          return p.parseInteger(radices.emplace_back());
        }))
      return {};
    kind = PermKind::digit_reversal;
    n = 1;
    for (int64_t r : radices)
      n *= r;
  } else {
    p.emitError(loc, "expected 'stride' or 'digit_reversal'");
    return {};
  }
  if (p.parseGreater())
    return {};
  return getChecked([&] { return p.emitError(loc); }, p.getContext(), kind, n,
                    radices);
}

void PermutationAttr::print(AsmPrinter &p) const {
  if (getKind() == PermKind::stride) {
    p << "<stride " << getN() << ", " << getRadices()[0] << ">";
    return;
  }
  p << "<digit_reversal [";
  llvm::interleaveComma(getRadices(), p);
  p << "]>";
}

#define GET_ATTRDEF_CLASSES
#include "linop/Dialect/LinopKernelAttrs.cpp.inc"

std::vector<int64_t> linop::kernel::permutationIndices(Attribute perm) {
  if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(perm))
    return std::vector<int64_t>(a.asArrayRef().begin(), a.asArrayRef().end());
  auto s = dyn_cast_or_null<PermutationAttr>(perm);
  if (!s)
    return {};
  if (s.getKind() == PermKind::stride)
    return ref::stridePerm(s.getN(), s.getRadices()[0]);
  return ref::digitReversalPerm(
      std::vector<int64_t>(s.getRadices().begin(), s.getRadices().end()));
}

Attribute linop::kernel::structuredPermutation(MLIRContext *ctx,
                                               ArrayRef<int64_t> perm,
                                               ArrayRef<int64_t> radices) {
  int64_t n = perm.size();
  std::vector<int64_t> p(perm.begin(), perm.end());
  int64_t prod = 1;
  for (int64_t r : radices)
    prod *= r;
  if (radices.size() >= 2 && prod == n &&
      llvm::all_of(radices, [](int64_t r) { return r >= 2; }) &&
      ref::digitReversalPerm({radices.begin(), radices.end()}) == p)
    return PermutationAttr::get(ctx, PermKind::digit_reversal, n, radices);
  // L^n_m: p[1] = m.
  if (n > 2 && p[1] > 1 && n % p[1] == 0 && ref::stridePerm(n, p[1]) == p)
    return PermutationAttr::get(ctx, PermKind::stride, n, {p[1]});
  return DenseI64ArrayAttr::get(ctx, perm);
}

std::vector<cd> linop::kernel::twiddleValues(StageOp stage) {
  std::vector<cd> out;
  Attribute tw = stage.getTwiddlesAttr();
  // Twiddles that depend on the sub-row have no one table.
  if (auto f = dyn_cast_or_null<TwiddlesAttr>(tw); f && f.getSubrows() != 1)
    return out;
  if (auto f = dyn_cast_or_null<TwiddlesAttr>(tw)) {
    for (int64_t k = 0, e = stage.lengthIn(); k < e; ++k)
      out.push_back(f.at(k));
  } else if (auto d = dyn_cast_or_null<DenseElementsAttr>(tw)) {
    auto v = d.getValues<cd>();
    out.assign(v.begin(), v.end());
  }
  return out;
}

TwiddlesAttr linop::kernel::recognizeTwiddles(MLIRContext *ctx,
                                              ArrayRef<cd> values, int64_t a,
                                              int64_t r, int64_t b,
                                              double tolerance) {
  if (int64_t(values.size()) != a * r * b || values.empty() ||
      values[0].imag() != 0.0 || values[0].real() == 0.0)
    return {};
  double scale = values[0].real();
  for (bool inverse : {false, true}) {
    auto f = TwiddlesAttr::get(ctx, r, b, inverse, scale);
    bool match = true;
    for (int64_t k = 0; match && k < a * r * b; ++k)
      match = std::abs(values[k] - f.at(k)) <= tolerance * std::abs(scale);
    if (match)
      return f;
  }
  return {};
}

SmallVector<linop::kernel::ButterflyRepeat>
linop::kernel::butterflyRepeats(ArrayRef<Operation *> steps,
                                int64_t maxUnrolled) {
  auto stage = [&](size_t i) {
    auto bf = i < steps.size() ? dyn_cast<ButterflyStageOp>(steps[i])
                               : ButterflyStageOp();
    return bf && bf.getOperand() ? bf : ButterflyStageOp();
  };
  // Step j + period repeats step j, `shift` blocks on.
  auto repeats = [&](size_t j, size_t period, int64_t shift) {
    ButterflyStageOp x = stage(j), y = stage(j + period);
    return x && y && x.getOperand() == y.getOperand() &&
           x.getLevels() == y.getLevels() && x.getLevel() == y.getLevel() &&
           x.getStride() == y.getStride() && x.getSrc() == y.getSrc() &&
           x.getDst() == y.getDst() &&
           x.getComplexWeights() == y.getComplexWeights() &&
           x.getGlobal() == y.getGlobal() &&
           y.getBlock() == x.getBlock() + shift;
  };
  SmallVector<ButterflyRepeat> out;
  for (size_t i = 0; i < steps.size();) {
    ButterflyStageOp s = stage(i);
    if (!s) {
      ++i;
      continue;
    }
    // One block's levels, or two where the buffers alternate between
    // blocks (an odd number of levels).
    ButterflyRepeat best;
    for (int64_t blocks : {1, 2}) {
      size_t period = size_t(s.getLevels() * blocks);
      int64_t n = 1;
      for (;; ++n) {
        size_t base = i + (n - 1) * period;
        bool all = true;
        for (size_t j = 0; j < period && all; ++j)
          all = repeats(base + j, period, blocks);
        if (!all)
          break;
      }
      if (n >= 2 && n * int64_t(period) > best.repeats * int64_t(best.period))
        best = {i, period, n, blocks};
    }
    if (best.repeats >= 2 &&
        best.repeats * int64_t(best.period) > maxUnrolled) {
      out.push_back(best);
      i += best.repeats * best.period;
    } else {
      ++i;
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

namespace {

bool isTileElement(Type t) {
  Type s = realPart(t);
  return s.isF32() || s.isF64();
}

KernelOp kernelOf(Operation *op) { return op->getParentOfType<KernelOp>(); }

/// src and dst name tile buffers; `in` and `out` elements fit them.
LogicalResult checkBuffers(Operation *op, int64_t src, int64_t dst, int64_t in,
                           int64_t out) {
  KernelOp k = kernelOf(op);
  for (int64_t buf : {src, dst})
    if (buf < 0 || buf >= k.getBuffers())
      return op->emitOpError("tile buffer #")
             << buf << " does not exist (the kernel has " << k.getBuffers()
             << ")";
  for (int64_t len : {in, out})
    if (len < 1 || len > k.getN())
      return op->emitOpError() << len << " elements do not fit the tile "
                                  "buffers (n = "
                               << k.getN() << ")";
  return success();
}

LogicalResult checkOperand(Operation *op, int64_t operand) {
  KernelOp k = kernelOf(op);
  if (operand < 0 || operand >= k.getOperands())
    return op->emitOpError("operand #")
           << operand << " does not exist (@" << k.getFunction() << " has "
           << k.getOperands() << " arguments and results)";
  return success();
}

LogicalResult checkPerm(Operation *op, Attribute perm, int64_t len) {
  std::vector<int64_t> p = permutationIndices(perm);
  if (int64_t(p.size()) != len)
    return op->emitOpError("a permutation of ")
           << p.size() << " entries on " << len << " elements";
  std::vector<bool> seen(len, false);
  for (int64_t v : p) {
    if (v < 0 || v >= len || seen[v])
      return op->emitOpError("is not a permutation of [0, ")
             << len << "): entry " << v;
    seen[v] = true;
  }
  return success();
}

/// complex<f64> constants with `count` entries, real ones in a real kernel.
LogicalResult checkConstants(Operation *op, Attribute values, int64_t count,
                             StringRef what) {
  auto d = dyn_cast<DenseElementsAttr>(values);
  auto elem = d ? dyn_cast<ComplexType>(d.getElementType()) : ComplexType();
  if (!elem || !elem.getElementType().isF64())
    return op->emitOpError() << what << " must be complex<f64> constants";
  if (d.getNumElements() != count)
    return op->emitOpError() << what << " need " << count << " entries, got "
                             << d.getNumElements();
  if (!kernelOf(op).isComplex())
    for (cd v : d.getValues<cd>())
      if (v.imag() != 0.0)
        return op->emitOpError()
               << "a real kernel cannot apply complex " << what;
  return success();
}

/// A global element type that differs from the tile's `elem`: a real type
/// of the same precision under a complex tile, f16 or bf16 under f32.
LogicalResult checkGlobal(Operation *op, std::optional<Type> global,
                          bool packed) {
  Type elem = kernelOf(op).getElement();
  if (!global) {
    if (packed)
      return op->emitOpError("`packed` needs a real `global` element type");
    return success();
  }
  Type g = *global;
  bool narrow = realPart(elem).isF32() && (g.isF16() || g.isBF16());
  if (g != realPart(elem) && !narrow)
    return op->emitOpError("global element type ")
           << g << " does not fit a tile of " << elem
           << " (a real type under a complex tile of the same precision, or "
              "f16/bf16 under f32 or complex<f32>)";
  if (packed && !isa<ComplexType>(elem))
    return op->emitOpError("`packed` needs a complex tile");
  if (g == elem)
    return op->emitOpError("`global` repeats the tile's element type");
  return success();
}

} // namespace

bool KernelOp::isComplex() const {
  return isa<ComplexType>(const_cast<KernelOp *>(this)->getElement());
}

LogicalResult KernelOp::verify() {
  if (!isTileElement(getElement()))
    return emitOpError("tile element type must be f32, f64, complex<f32> or "
                       "complex<f64>, got ")
           << getElement();
  if (getN() < 1 || getBuffers() < 1 || getOperands() < 1)
    return emitOpError("needs n, buffers and operands >= 1");
  Block &body = getBody().front();
  if (body.empty() || !isa<LoadOp>(body.front()) || !isa<StoreOp>(body.back()))
    return emitOpError("body must start with a load and end with a store");
  for (Operation &op : body)
    if (op.getDialect() != getOperation()->getDialect())
      return op.emitOpError("is not a kernel step");
  if (auto cuda = dyn_cast_or_null<CudaScheduleAttr>(getScheduleAttr())) {
    if (cuda.getThreads() < 1 || cuda.getThreads() > 1024 ||
        cuda.getRows() < 1 || cuda.getCluster() < 1 ||
        cuda.getCluster() > 16 || cuda.getShared() < 0 ||
        cuda.getWorkspace() < 0)
      return emitOpError("CUDA schedule out of range: 1..1024 threads, rows "
                         ">= 1, cluster 1..16, shared and workspace >= 0");
    if ((cuda.getLevel() == CudaLevel::global) != (cuda.getWorkspace() > 0))
      return emitOpError("a CUDA schedule has a workspace exactly when its "
                         "buffers live in global memory");
    if ((cuda.getLevel() == CudaLevel::cluster) != (cuda.getCluster() > 1))
      return emitOpError("a CUDA schedule uses a cluster of blocks exactly "
                         "when its buffers live in the cluster's shared "
                         "memory");
  }
  if (auto cpu = dyn_cast_or_null<CpuScheduleAttr>(getScheduleAttr()))
    if (cpu.getLanes() < 1)
      return emitOpError("CPU schedule needs lanes >= 1");
  if (getSubrows() && *getSubrows() < 2)
    return emitOpError("subrows must be at least 2 where given, got ")
           << *getSubrows();
  return success();
}

/// `interleaved` addressing needs sub-rows to interleave.
static LogicalResult checkInterleaved(Operation *op, bool interleaved) {
  if (interleaved && kernelOf(op).subrowCount() < 2)
    return op->emitError("'")
           << op->getName() << "' op is interleaved in a kernel without "
           << "subrows";
  return success();
}

LogicalResult LoadOp::verify() {
  KernelOp k = kernelOf(*this);
  int64_t len = getN().value_or(k.getN());
  if (failed(checkOperand(*this, getOperand())) ||
      failed(checkGlobal(*this, getGlobal(), getPacked())) ||
      failed(checkInterleaved(*this, getInterleaved())))
    return failure();
  // A packed row holds 2 len reals.
  if (failed(checkBuffers(*this, getDst(), getDst(), len, len)))
    return failure();
  if (auto p = getPermAttr())
    return checkPerm(*this, p, len);
  return success();
}

LogicalResult StoreOp::verify() {
  KernelOp k = kernelOf(*this);
  int64_t len = getN().value_or(k.getN());
  if (failed(checkOperand(*this, getOperand())) ||
      failed(checkGlobal(*this, getGlobal(), getPacked())) ||
      failed(checkInterleaved(*this, getInterleaved())))
    return failure();
  return checkBuffers(*this, getSrc(), getSrc(), len, len);
}

LogicalResult StageOp::verify() {
  int64_t a = getA(), r = getR(), b = getB(), rOut = rowsOut();
  if (a < 1 || r < 1 || b < 1 || rOut < 1)
    return emitOpError("needs a, r, b and r_out >= 1");
  if (r > 64 || rOut > 64)
    return emitOpError("a codelet has at most 64 inputs and outputs, got ")
           << rOut << "x" << r;
  bool matrix = getCodelet() == CodeletKind::matrix;
  if (matrix != bool(getMatrix()))
    return emitOpError(matrix ? "a matrix codelet needs its matrix"
                              : "only a matrix codelet takes a matrix");
  if (getCodelet() == CodeletKind::hadamard && !ref::isPowerOfTwo(r))
    return emitOpError("a Hadamard codelet needs a power-of-two size");
  if (getCodelet() == CodeletKind::dft && !kernelOf(*this).isComplex())
    return emitOpError("a DFT codelet needs a complex kernel");
  if (getROut() && (!matrix || getSrc() == getDst()))
    return emitOpError("a rectangular stage needs a matrix codelet and two "
                       "buffers");
  if (failed(checkBuffers(*this, getSrc(), getDst(), lengthIn(), lengthOut())))
    return failure();
  if (auto m = getMatrixAttr();
      m && failed(checkConstants(*this, m, rOut * r, "codelet matrix entries")))
    return failure();
  if (Attribute tw = getTwiddlesAttr()) {
    if (auto f = dyn_cast<TwiddlesAttr>(tw)) {
      if (f.getR() != r || f.getB() != b)
        return emitOpError("twiddles for ")
               << f.getR() << " x " << f.getB() << " on a stage " << r << " x "
               << b;
      if (!kernelOf(*this).isComplex())
        return emitOpError("a real kernel cannot apply Cooley-Tukey "
                           "twiddles");
      if (f.getSubrows() != 1 &&
          f.getSubrows() != kernelOf(*this).subrowCount())
        return emitOpError("twiddles of ")
               << f.getSubrows() << " interleaved sub-rows in a kernel of "
               << kernelOf(*this).subrowCount();
    } else if (failed(checkConstants(*this, tw, lengthIn(), "twiddles"))) {
      return failure();
    }
  }
  return success();
}

/// Run-time weights stored as f16 or bf16, under an f32 tile.
static LogicalResult checkWeightStorage(Operation *op, std::optional<Type> global,
                                 bool complexWeights, bool runtime) {
  if (!global)
    return success();
  if (!runtime || complexWeights || !(global->isF16() || global->isBF16()) ||
      !realPart(kernelOf(op).getElement()).isF32())
    return op->emitOpError("`global` is for real run-time weights stored as "
                           "f16 or bf16 under an f32 tile");
  return success();
}

LogicalResult ButterflyStageOp::verify() {
  if (failed(checkWeightStorage(*this, getGlobal(), getComplexWeights(),
                                bool(getOperand()))))
    return failure();
  if (bool(getOperand()) == bool(getWeights()))
    return emitOpError("takes its weights from an operand or a constant, not "
                       "both or neither");
  if (getOperand() && failed(checkOperand(*this, *getOperand())))
    return failure();
  if (getLevels() < 1 || getLevels() > 40)
    return emitOpError("needs 1 to 40 levels");
  int64_t len = int64_t(1) << getLevels();
  int64_t s = getStride();
  if (s < 1 || !ref::isPowerOfTwo(s) || 2 * s > len)
    return emitOpError("stride must be a power of two below 2^levels");
  if (getLevel() < 0 || getLevel() >= getLevels() || getBlock() < 0)
    return emitOpError("level must lie in [0, levels) and block be >= 0");
  if (getComplexWeights() && !kernelOf(*this).isComplex())
    return emitOpError("complex weights on real data");
  if (auto w = getWeightsAttr();
      w && failed(checkConstants(*this, w, 2 * len, "butterfly weights")))
    return failure();
  return checkBuffers(*this, getSrc(), getDst(), len, len);
}

LogicalResult DenseStageOp::verify() {
  if (failed(checkWeightStorage(*this, getGlobal(), getComplexWeights(),
                                true)))
    return failure();
  if (failed(checkOperand(*this, getOperand())))
    return failure();
  if (getBlocks() < 1 || getR() < 1)
    return emitOpError("needs blocks and r >= 1");
  if (auto m = getMembers(); m && *m < 1)
    return emitOpError("needs members >= 1");
  if (getMembers() && getBatched())
    return emitOpError("weights are either a family or batched, not both");
  if (getComplexWeights() && !kernelOf(*this).isComplex())
    return emitOpError("complex weights on real data");
  if (getSrc() == getDst())
    return emitOpError("cannot work in place (src = dst)");
  int64_t len = getBlocks() * getR();
  return checkBuffers(*this, getSrc(), getDst(), len, len);
}

LogicalResult EmbedOp::verify() {
  ArrayRef<int64_t> rows = getRows(), cols = getCols();
  if (rows.size() != cols.size() || rows.size() != getBlocks().size())
    return emitOpError("needs one rows, cols and blocks entry per block");
  if (getSrc() == getDst())
    return emitOpError("cannot work in place (src = dst)");
  int64_t m = 0, n = 0;
  for (size_t k = 0; k < rows.size(); ++k) {
    if (rows[k] < 0 || cols[k] < 0)
      return emitOpError("block ") << k << " has a negative size";
    m += rows[k];
    n += cols[k];
    Attribute blk = getBlocks()[k];
    if (isa<UnitAttr>(blk)) {
      if (rows[k] != cols[k])
        return emitOpError("identity block ") << k << " must be square";
      continue;
    }
    auto dense = dyn_cast<DenseElementsAttr>(blk);
    auto type = dense ? dyn_cast<RankedTensorType>(dense.getType())
                      : RankedTensorType();
    if (!type || type.getRank() != 2 || type.getDimSize(0) != rows[k] ||
        type.getDimSize(1) != cols[k])
      return emitOpError("block ") << k << " must be `unit` or a dense "
                                   << rows[k] << "x" << cols[k]
                                   << " complex<f64> attribute";
    if (failed(checkConstants(*this, blk, rows[k] * cols[k], "block entries")))
      return failure();
  }
  if (m != getNOut() || n != getNIn())
    return emitOpError("blocks cover ")
           << m << "x" << n << " but the map is " << getNOut() << "x"
           << getNIn();
  return checkBuffers(*this, getSrc(), getDst(), std::max<int64_t>(1, getNIn()),
                      std::max<int64_t>(1, getNOut()));
}

LogicalResult ConvertOp::verify() {
  if (!kernelOf(*this).isComplex())
    return emitOpError("needs a complex kernel");
  bool wide = getKind() != ConvertKind::real; // 2n reals on one side
  if (wide && getSrc() == getDst())
    return emitOpError("pack and unpack cannot work in place");
  int64_t n = getN();
  if (n < 1)
    return emitOpError("needs n >= 1");
  return checkBuffers(*this, getSrc(), getDst(), wide ? 2 * n : n,
                      wide ? 2 * n : n);
}

LogicalResult RfftStageOp::verify() {
  if (!kernelOf(*this).isComplex())
    return emitOpError("needs a complex kernel");
  if (getM() < 1 || getSrc() == getDst())
    return emitOpError("needs m >= 1 and two buffers");
  return checkBuffers(*this, getSrc(), getDst(), getM() + 1, getM() + 1);
}

LogicalResult PermuteOp::verify() {
  std::vector<int64_t> p = permutationIndices(getPerm());
  if (getSrc() == getDst())
    return emitOpError("cannot work in place (src = dst)");
  if (p.empty())
    return emitOpError("needs a permutation");
  if (failed(checkBuffers(*this, getSrc(), getDst(), p.size(), p.size())))
    return failure();
  return checkPerm(*this, getPerm(), p.size());
}

LogicalResult ChunkedRecurrenceOp::verify() {
  // Read signed: I64Attr's accessors are unsigned, so -1 would pass.
  auto at = [](IntegerAttr a) { return a ? a.getInt() : int64_t(-1); };
  for (int64_t d : {at(getTAttr()), at(getHAttr()), at(getDkAttr()),
                    at(getDvAttr()), at(getChunkAttr())})
    if (d < 1)
      return emitOpError("t, h, dk, dv and chunk must be >= 1");
  const int64_t most = kMaxRecurrenceDim;
  if (at(getChunkAttr()) > std::min(at(getTAttr()), most) ||
      at(getDkAttr()) > most || at(getDvAttr()) > most)
    return emitOpError("chunk must be at most min(t, ")
           << most << "), and dk and dv at most " << most;
  auto storage = [](Type t) { return t.isF32() || t.isF16() || t.isBF16(); };
  if (!storage(getElement()) || !storage(getOutElement()))
    return emitOpError("q, k, v and o are stored as f32, f16 or bf16, got ")
           << getElement() << " and " << getOutElement();
  if (getG().has_value() != (getDecay() != Decay::none))
    return emitOpError("has log-decays g exactly when decay is not none");
  if (getBeta().has_value() != (getUpdate() == StateUpdate::delta))
    return emitOpError("has beta exactly when the update is the delta rule");
  // Kernels compute in f32: a scale past its range would be infinite.
  if (!(std::fabs(getScale().convertToDouble()) <=
        double(std::numeric_limits<float>::max())))
    return emitOpError("scale must be a number within f32's range, got ")
           << getScale().convertToDouble();
  // Every operand exists; inputs may repeat (q = k), outputs are their own.
  SmallVector<int64_t> inputs{at(getQAttr()), at(getKAttr()), at(getVAttr())},
      outputs{at(getOAttr())};
  for (IntegerAttr p : {getGAttr(), getBetaAttr(), getH0Attr(),
                        getOffsetsAttr()})
    if (p)
      inputs.push_back(p.getInt());
  const int64_t sequences =
      getSequencesAttr() ? getSequencesAttr().getInt() : 1;
  if (sequences < 1)
    return emitOpError("sequences must be >= 1, got ") << sequences;
  Type cu = getOffsetElement().value_or(Type());
  if (getOffsetsAttr().operator bool() != bool(cu) ||
      (cu && !cu.isInteger(32) && !cu.isInteger(64)))
    return emitOpError("has offsets exactly when it has an offset_element, "
                       "i32 or i64");
  if (!getOffsetsAttr() && sequences != 1)
    return emitOpError("packs several sequences only with offsets");
  if (getStateAttr())
    outputs.push_back(getStateAttr().getInt());
  const int64_t operands = at(getOperandsAttr());
  for (int64_t p : llvm::concat<int64_t>(inputs, outputs))
    if (p < 0 || p >= operands)
      return emitOpError("operand #")
             << p << " does not exist (@" << getFunction() << " has "
             << getOperands() << " arguments and results)";
  for (int64_t out : outputs)
    if (llvm::count(inputs, out) || llvm::count(outputs, out) > 1)
      return emitOpError("output operand #")
             << out << " is also another operand";
  if (auto s = getScheduleAttr()) {
    // The CUDA kernel's tiles: whole warps, and chunks and value tiles in
    // the tensor cores' multiples of 16.
    if (s.getThreads() < 32 || s.getThreads() > 1024 || s.getThreads() % 32)
      return emitOpError("schedule: threads must be a multiple of 32 in [32, "
                         "1024], got ")
             << s.getThreads();
    if (s.getChunk() < 16 || s.getChunk() > 256 || s.getChunk() % 16)
      return emitOpError("schedule: chunk must be a multiple of 16 in [16, "
                         "256], got ")
             << s.getChunk();
    if (s.getBlockV() < 16 || s.getBlockV() > 256 || s.getBlockV() % 16)
      return emitOpError("schedule: block_v must be a multiple of 16 in [16, "
                         "256], got ")
             << s.getBlockV();
    if (s.getShared() < 1)
      return emitOpError("schedule: shared must be positive");
  }
  return success();
}

#define GET_OP_CLASSES
#include "linop/Dialect/LinopKernelOps.cpp.inc"
