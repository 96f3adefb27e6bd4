//===- Plan.cpp - linop-plan: factors into a kernel -----------------------===//
//
// Reads an applied operator in the factor normal form as a list of factors
// in the order they apply, merges what can be merged (twiddle diagonals into
// the stage after them, scalars into a neighbour, a leading permutation into
// the load's index map), assigns ping-pong tile buffers and emits a
// target-neutral kernel (linop_kernel.kernel). How it runs (layout, tiles,
// memory levels) is the target's scheduling pass's business.
//
// Direct sums of identities and constant blocks (zero padding and
// truncation, as in Bluestein's algorithm) and rectangular constants become
// `embed` stages that change the vector's length; the tile buffers are
// sized for the longest length and the load and store carry their own.
//
//===----------------------------------------------------------------------===//

#include "linop/CostModel.h"
#include "linop/Target.h"
#include "linop/Transforms/Passes.h"
#include "reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"

namespace linop {
#define GEN_PASS_DEF_PLAN
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;
using ref::cd;
using ref::CMat;

namespace {

/// One block of an embedding: an identity (a copy) or constants.
struct EmbedBlock {
  int64_t rows = 0, cols = 0;
  bool identity = false;
  CMat matrix; // rows x cols unless identity
};

/// One factor of the operator, in application order.
struct Factor {
  enum Kind { Stage, Permute, Butterfly, Dense, Embed, Convert, Rfft } kind;
  // Stage: I_a (x) matrix (x) I_b, twiddles applied to its inputs first.
  int64_t a = 1, r = 1, b = 1;
  int64_t rOut = 0; // a rectangular rOut x r matrix when nonzero
  kernel::CodeletKind codelet = kernel::CodeletKind::matrix;
  bool inverse = false;
  double scale = 1.0; // outputs of dft/hadamard codelets
  CMat matrix;
  std::vector<cd> twiddles;
  // Permute.
  std::vector<int64_t> perm;
  // Butterfly / Dense: weights are function argument #operand.
  int64_t operand = 0, block = 0, level = 0, levels = 0, stride = 0;
  int64_t blocks = 1;  // Dense: blocks of size r
  int64_t members = 0; // Dense: a family of this many, one per channel
  bool batched = false; // Dense: a gate, one row of weights per data row
  bool complexWeights = false;
  Type weightStorage;      // run-time weights stored as f16 or bf16
  std::vector<cd> weights; // Butterfly: constant weights of one level
  // Embed: a block-diagonal map from nIn to nOut elements.
  int64_t nIn = 0, nOut = 0;
  std::vector<EmbedBlock> embed;
  // Convert: promote, real, pack or unpack (what linop_kernel.convert
  // takes, and promote, a no-op in a complex tile). Rfft: split m -> m+1,
  // or with `inverse` merge m+1 -> m.
  std::string convert;
  int64_t m = 0;
};

/// Length of the vector after `f`, given `len` before it.
int64_t lengthAfter(const Factor &f, int64_t len) {
  if (f.kind == Factor::Embed)
    return f.nOut;
  if (f.kind == Factor::Stage && f.rOut)
    return f.a * f.rOut * f.b;
  if (f.kind == Factor::Rfft)
    return f.inverse ? f.m : f.m + 1;
  if (f.kind == Factor::Convert)
    return f.convert == "pack" ? len / 2 : f.convert == "unpack" ? 2 * len : len;
  return len;
}

// Constant blocks of an embedding: materialized up to kMaxEmbedEntries (the
// zero padding of a large Bluestein convolution is tall), unrolled up to
// kMaxUnrolledEntries once the zero rows and columns around them are split
// off.
constexpr int64_t kMaxEmbedEntries = int64_t(1) << 22;
constexpr int64_t kMaxUnrolledEntries = 64 * 64;

/// f16 and bf16 are storage formats: run-time weights in them convert as
/// they are read. Null for any other type.
Type narrowStorage(Type t) {
  return t.isF16() || t.isBF16() ? t : Type();
}

bool isScalarStage(const Factor &f) {
  return f.kind == Factor::Stage && f.r == 1 && !f.rOut && f.twiddles.empty();
}
bool isDiagStage(const Factor &f) {
  return f.kind == Factor::Stage && f.r == 1 && !f.rOut && !f.twiddles.empty();
}

class Planner {
public:
  /// `channels`: the data's static dimensions between the batch and the
  /// row, which family operators index.
  Planner(func::FuncOp func, ArrayRef<int64_t> channels)
      : func(func), channels(channels) {}

  /// Appends the factors of `op` in application order.
  LogicalResult collect(Value op, std::vector<Factor> &out);

private:
  LogicalResult fail(Operation *op, const Twine &why) {
    return op->emitError("linop-plan: ") << why;
  }
  LogicalResult leafStage(Value leaf, int64_t a, int64_t b,
                          std::vector<Factor> &out);
  /// Appends `block` (one operand of a direct sum, or a whole rectangular
  /// constant) to the embedding `f`.
  LogicalResult embedBlock(Operation *user, Value block, Factor &f);
  /// Whether `v` depends on an argument of the function.
  bool dependsOnArgument(Value v) {
    if (isa<BlockArgument>(v))
      return true;
    Operation *def = v.getDefiningOp();
    return def && llvm::any_of(def->getOperands(), [&](Value o) {
             return dependsOnArgument(o);
           });
  }
  /// Function argument index of a weights value, or -1.
  int64_t argumentIndex(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      if (arg.getOwner()->getParentOp() == func)
        return arg.getArgNumber();
    return -1;
  }

  /// The members of a family operator of `type` over the data's channels:
  /// its family without leading 1s must be their innermost dimensions, so
  /// that row b takes member b mod members. Fails with a reason otherwise.
  FailureOr<int64_t> familyMembers(Operation *def, OperatorType type);

  func::FuncOp func;
  ArrayRef<int64_t> channels;
};

FailureOr<int64_t> Planner::familyMembers(Operation *def, OperatorType type) {
  ArrayRef<int64_t> family = type.getFamily();
  while (!family.empty() && family.front() == 1)
    family = family.drop_front();
  auto text = [](ArrayRef<int64_t> dims) {
    std::string s = "[";
    for (auto [k, d] : llvm::enumerate(dims))
      s += (k ? ", " : "") + std::to_string(d);
    return s + "]";
  };
  if (family.size() > channels.size() ||
      channels.take_back(family.size()) != family)
    return fail(def, "a family operator " + text(type.getFamily()) +
                         " needs data whose dimensions between the batch and "
                         "the row end in " + text(family) + " (one member per "
                         "channel), not " + text(channels) +
                         "; broadcasting inside a family is not supported yet");
  int64_t members = 1;
  for (int64_t d : family)
    members *= d;
  return members;
}

LogicalResult Planner::leafStage(Value leaf, int64_t a, int64_t b,
                                 std::vector<Factor> &out) {
  auto type = cast<OperatorType>(leaf.getType());
  Operation *def = leaf.getDefiningOp();
  if (std::max(type.getRows(), type.getCols()) > 64)
    return fail(def, "a Kronecker factor of size " +
                         std::to_string(type.getRows()) + "x" +
                         std::to_string(type.getCols()) +
                         " is not a codelet (at most 64): run "
                         "linop-decompose first");
  auto m = ref::materialize(leaf, {});
  if (failed(m))
    return failure();
  if (m->maps.size() != 1 || m->maps[0].B.size())
    return fail(def, "a codelet must be one complex-linear operator");
  Factor f{Factor::Stage};
  f.a = a;
  f.b = b;
  f.r = type.getCols();
  if (!type.isSquare())
    f.rOut = type.getRows();
  f.matrix = m->maps[0].A;
  // Known transforms get fast codelets; their scaling rides along.
  if (auto dft = dyn_cast<DftOp>(def)) {
    f.codelet = kernel::CodeletKind::dft;
    f.inverse = dft.getInverse();
    f.scale = ref::normScale(dft.getNorm() == Norm::none   ? ref::Norm::None
                             : dft.getNorm() == Norm::sqrt ? ref::Norm::Sqrt
                                                           : ref::Norm::Full,
                             f.r);
  }
  if (auto h = dyn_cast<HadamardOp>(def)) {
    f.codelet = kernel::CodeletKind::hadamard;
    f.scale = ref::normScale(h.getNorm() == Norm::none   ? ref::Norm::None
                             : h.getNorm() == Norm::sqrt ? ref::Norm::Sqrt
                                                         : ref::Norm::Full,
                             f.r);
  }
  out.push_back(std::move(f));
  return success();
}

/// Splits the zero rows and columns around a constant block's nonzeros off
/// as empty blocks and turns an identity core into a copy, so that a zero
/// padding [1; 0; ...; 0] is a copy and a fill, and nothing large is kept.
void appendTrimmed(const CMat &m, std::vector<EmbedBlock> &out) {
  int64_t rows = m.rows(), cols = m.cols();
  int64_t r0 = rows, r1 = 0, c0 = cols, c1 = 0;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if (m(i, j) != cd(0)) {
        r0 = std::min(r0, i);
        r1 = std::max(r1, i + 1);
        c0 = std::min(c0, j);
        c1 = std::max(c1, j + 1);
      }
  auto zeros = [&](int64_t r, int64_t c) {
    if (r || c)
      out.push_back({r, c, false, CMat::Zero(r, c)});
  };
  if (r1 == 0) { // all zeros
    zeros(rows, cols);
    return;
  }
  zeros(r0, c0);
  EmbedBlock core{r1 - r0, c1 - c0, false, m.block(r0, c0, r1 - r0, c1 - c0)};
  core.identity = core.rows == core.cols &&
                  core.matrix == CMat::Identity(core.rows, core.cols);
  out.push_back(std::move(core));
  zeros(rows - r1, cols - c1);
}

LogicalResult Planner::embedBlock(Operation *user, Value block, Factor &f) {
  auto type = cast<OperatorType>(block.getType());
  Operation *def = block.getDefiningOp();
  int64_t rows = type.getRows(), cols = type.getCols();
  if (!type.getFamily().empty())
    return fail(user, "family blocks in a direct sum are not supported "
                      "yet");
  if (def && isa<IdentityOp>(def)) {
    f.embed.push_back({rows, cols, true, CMat()});
    return success();
  }
  std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
  if (!def || dependsOnArgument(block))
    return fail(user, "a " + shape + " block with run-time weights in a "
                      "direct sum or rectangular operator is not supported "
                      "yet (identities and constants are)");
  if (rows * cols > kMaxEmbedEntries)
    return fail(user, "a " + shape + " block of a direct sum or rectangular "
                      "operator must be an identity or a constant of at most " +
                      std::to_string(kMaxEmbedEntries) + " entries");
  auto m = ref::materialize(block, {});
  if (failed(m))
    return failure();
  if (m->maps.size() != 1 || m->maps[0].B.size())
    return fail(user, "a block of a direct sum must be one complex-linear "
                      "operator");
  size_t before = f.embed.size();
  appendTrimmed(m->maps[0].A, f.embed);
  for (size_t k = before; k < f.embed.size(); ++k) {
    const EmbedBlock &e = f.embed[k];
    if (!e.identity && e.matrix.size() > kMaxUnrolledEntries &&
        e.matrix != CMat::Zero(e.rows, e.cols))
      return fail(user, "a " + shape + " constant block of a direct sum or "
                        "rectangular operator has a " +
                        std::to_string(e.rows) + "x" + std::to_string(e.cols) +
                        " core of nonzeros, more than the " +
                        std::to_string(kMaxUnrolledEntries) +
                        " entries a kernel unrolls");
  }
  return success();
}

LogicalResult Planner::collect(Value op, std::vector<Factor> &out) {
  Operation *def = op.getDefiningOp();
  auto type = cast<OperatorType>(op.getType());
  if (!def)
    return func.emitError("linop-plan: operators must be built in the "
                          "function, not passed in");
  // Families: diagonals with run-time weights (one per channel), and what
  // composes them.
  if (!type.getFamily().empty() && !isa<ComposeOp, DiagOp, IdentityOp>(def))
    return fail(def, "a family of '" + def->getName().getStringRef() +
                         "' operators (one per channel) is not supported by "
                         "the planner yet; families of diagonals with "
                         "run-time weights are");
  if (isa<IdentityOp>(def))
    return success();
  if (isa<PromoteOp, RealOp, PackOp, UnpackOp>(def)) {
    Factor f{Factor::Convert};
    f.convert = def->getName().stripDialect().str();
    out.push_back(std::move(f));
    return success();
  }
  if (isa<RfftSplitOp, RfftMergeOp>(def)) {
    Factor f{Factor::Rfft};
    f.inverse = isa<RfftMergeOp>(def);
    f.m = f.inverse ? type.getRows() : type.getCols();
    out.push_back(std::move(f));
    return success();
  }
  if (auto c = dyn_cast<ComposeOp>(def)) {
    for (Value f : llvm::reverse(c.getFactors()))
      if (failed(collect(f, out)))
        return failure();
    return success();
  }
  if (auto k = dyn_cast<KronOp>(def)) {
    // A (x) B = (A (x) I_rows(B)) (I_cols(A) (x) B): one stage per
    // non-identity factor, the last factor first when some are rectangular
    // (then the order matters: factors before i have their input size,
    // factors after i their output size).
    SmallVector<int64_t> rows, cols;
    for (Value f : k.getFactors()) {
      auto ft = cast<OperatorType>(f.getType());
      rows.push_back(ft.getRows());
      cols.push_back(ft.getCols());
    }
    bool square = rows == cols;
    for (int64_t s = 0, e = rows.size(); s < e; ++s) {
      int64_t i = square ? s : e - 1 - s; // square factors commute
      Value f = k.getFactors()[i];
      if (f.getDefiningOp<IdentityOp>())
        continue;
      int64_t a = 1, b = 1;
      for (int64_t j = 0; j < i; ++j)
        a *= cols[j];
      for (size_t j = i + 1; j < rows.size(); ++j)
        b *= rows[j];
      if (failed(leafStage(f, a, b, out)))
        return failure();
    }
    return success();
  }
  if (auto s = dyn_cast<ScaleOp>(def)) {
    if (failed(collect(s.getInput(), out)))
      return failure();
    Factor f{Factor::Stage};
    f.b = type.getRows();
    f.matrix = CMat::Constant(1, 1, s.getFactor());
    out.push_back(std::move(f));
    return success();
  }
  if (isa<TwiddleOp, DiagOp>(def)) {
    // A twiddle formula's values live only here; the kernel IR gets the
    // formula back (recognizeTwiddles) where they land on a stage whole.
    Factor f{Factor::Stage};
    f.b = type.getRows();
    f.matrix = CMat::Identity(1, 1);
    if (auto tw = dyn_cast<TwiddleOp>(def)) {
      f.twiddles = tw.getValues();
    } else {
      Value weights = cast<DiagOp>(def).getWeights();
      if (int64_t arg = argumentIndex(weights); arg >= 0) {
        // Run-time weights: n dense blocks of 1 x 1 read from the argument.
        Type e = cast<ShapedType>(weights.getType()).getElementType();
        Factor d{Factor::Dense};
        d.operand = arg;
        d.r = 1;
        d.blocks = type.getRows();
        d.complexWeights = isa<ComplexType>(e);
        d.weightStorage = narrowStorage(e);
        if (!type.getFamily().empty()) {
          FailureOr<int64_t> members = familyMembers(def, type);
          if (failed(members))
            return failure();
          d.members = *members;
        }
        out.push_back(std::move(d));
        return success();
      }
      if (!type.getFamily().empty())
        return fail(def, "a family of diagonals with constant weights is not "
                         "supported by the planner yet: pass the weights as "
                         "a function argument");
      auto w = ref::evaluateConstant(weights);
      if (failed(w))
        return fail(def, "a diagonal's weights must be a constant or a "
                         "function argument");
      f.twiddles = w->data;
    }
    out.push_back(std::move(f));
    return success();
  }
  if (auto p = dyn_cast<PermOp>(def)) {
    Factor f{Factor::Permute};
    SmallVector<int64_t> perm = p.getPermutation();
    f.perm.assign(perm.begin(), perm.end());
    out.push_back(std::move(f));
    return success();
  }
  if (auto bf = dyn_cast<ButterflyOp>(def)) {
    // linop-decompose splits BPBP into one butterfly per block, each on a
    // slice of the argument: read the block offset from the slice.
    Value tw = bf.getTwiddles();
    int64_t firstBlock = 0;
    if (auto slice = tw.getDefiningOp<tensor::ExtractSliceOp>()) {
      ArrayRef<int64_t> offs = slice.getStaticOffsets();
      bool blockSlice = slice.hasUnitStride() && !offs.empty() &&
                        !ShapedType::isDynamic(offs[offs.size() - 5]);
      for (size_t k = offs.size() - 4; blockSlice && k < offs.size(); ++k)
        blockSlice = offs[k] == 0;
      for (size_t k = 0; blockSlice && k + 5 < offs.size(); ++k)
        blockSlice = offs[k] == 0;
      if (blockSlice) {
        firstBlock = offs[offs.size() - 5];
        tw = slice.getSource();
      }
    }
    // Run-time twiddles (an argument) or constant ones (baked in).
    int64_t arg = argumentIndex(tw);
    std::vector<cd> constant;
    if (arg < 0) {
      auto c = ref::evaluateConstant(bf.getTwiddles());
      if (failed(c))
        return fail(def, "butterfly twiddles must be a function argument or "
                         "a constant");
      constant = std::move(c->data);
    }
    if (auto p = bf.getInputPerm()) {
      Factor f{Factor::Permute};
      f.perm.assign(p->begin(), p->end());
      out.push_back(std::move(f));
    }
    auto twType = cast<RankedTensorType>(bf.getTwiddles().getType());
    int64_t nblocks = twType.getShape()[twType.getRank() - 5];
    int64_t levels = twType.getShape()[twType.getRank() - 4];
    for (int64_t blk = 0; blk < nblocks; ++blk)
      for (int64_t l = 0; l < levels; ++l) {
        Factor f{Factor::Butterfly};
        f.operand = arg;
        if (arg < 0) {
          // This (block, level)'s [n/2, 2, 2] slice of the constant.
          int64_t per = type.getRows() / 2 * 4;
          auto first = constant.begin() + (blk * levels + l) * per;
          f.weights.assign(first, first + per);
        }
        f.block = firstBlock + blk;
        f.level = l;
        f.levels = levels;
        f.stride = bf.getDecreasing() ? type.getRows() >> (l + 1)
                                      : int64_t(1) << l;
        f.complexWeights = isa<ComplexType>(twType.getElementType());
        if (arg >= 0)
          f.weightStorage = narrowStorage(twType.getElementType());
        out.push_back(std::move(f));
      }
    return success();
  }
  if (auto d = dyn_cast<DenseOp>(def)) {
    int64_t arg = argumentIndex(d.getWeights());
    if (arg >= 0) {
      if (!type.isSquare())
        return fail(def, "a rectangular dense layer with run-time weights is "
                         "not supported yet");
      Factor f{Factor::Dense};
      f.operand = arg;
      f.r = type.getRows();
      f.complexWeights = isa<ComplexType>(d.getWeights().getType().getElementType());
      f.weightStorage = narrowStorage(d.getWeights().getType().getElementType());
      out.push_back(std::move(f));
      return success();
    }
    if (type.isSquare())
      return leafStage(op, 1, 1, out);
    // A rectangular constant: an embedding of one block.
    Factor f{Factor::Embed};
    f.nIn = type.getCols();
    f.nOut = type.getRows();
    if (failed(embedBlock(def, op, f)))
      return failure();
    out.push_back(std::move(f));
    return success();
  }
  if (auto ds = dyn_cast<DirectSumOp>(def)) {
    Factor f{Factor::Embed};
    f.nIn = type.getCols();
    f.nOut = type.getRows();
    for (Value blk : ds.getFactors())
      if (failed(embedBlock(def, blk, f)))
        return failure();
    // Neighbouring copies are one copy.
    std::vector<EmbedBlock> blocks;
    for (EmbedBlock &e : f.embed) {
      if (e.identity && !blocks.empty() && blocks.back().identity) {
        blocks.back().rows += e.rows;
        blocks.back().cols += e.cols;
        continue;
      }
      blocks.push_back(std::move(e));
    }
    f.embed = std::move(blocks);
    // A direct sum of identities is the identity.
    if (f.embed.size() == 1 && f.embed[0].identity)
      return success();
    out.push_back(std::move(f));
    return success();
  }
  if (auto m = dyn_cast<MonarchOp>(def)) {
    // L^N_b . blockdiag(L) . L^N_n . blockdiag(R), weights at run time.
    int64_t left = argumentIndex(m.getLeft()), right = argumentIndex(m.getRight());
    if (left < 0 || right < 0)
      return fail(def, "Monarch factors must be function arguments on the "
                       "planner so far");
    auto rt = m.getRight().getType();
    int64_t b = rt.getShape()[rt.getRank() - 3], nn = rt.getShape()[rt.getRank() - 2];
    bool cw = isa<ComplexType>(rt.getElementType());
    Type storage = narrowStorage(rt.getElementType());
    Factor r{Factor::Dense};
    r.operand = right;
    r.blocks = b;
    r.r = nn;
    r.complexWeights = cw;
    r.weightStorage = storage;
    out.push_back(r);
    Factor p{Factor::Permute};
    p.perm = ref::stridePerm(type.getRows(), nn);
    out.push_back(p);
    Factor l{Factor::Dense};
    l.operand = left;
    l.blocks = nn;
    l.r = b;
    l.complexWeights = cw;
    l.weightStorage = storage;
    out.push_back(l);
    Factor q{Factor::Permute};
    q.perm = ref::stridePerm(type.getRows(), b);
    out.push_back(q);
    return success();
  }
  std::string name = def->getName().getStringRef().str();
  // linop-decompose rewrites these where the weights are constants.
  if (isa<ConvOp, CirculantOp, ToeplitzOp>(def)) {
    if (type.getDomain().isF16() || type.getDomain().isBF16())
      return fail(def, "'" + name +
                           "' on f16 or bf16 data is not supported yet: its "
                           "spectrum would need complex<f16>, which the "
                           "dialect does not have (f32, f64 and their "
                           "complex types compile)");
    return fail(def, "'" + name +
                         "' with run-time weights is not supported here: "
                         "weights given as an arith.constant compile, and "
                         "so does a function's one conv, toeplitz or "
                         "circulant whose weights are an argument used by "
                         "nothing else (it gets a prepare entry point for "
                         "their spectrum, linop-split-prepare)");
  }
  // Small named transforms are codelets in their own right.
  if (type.isSquare() && type.getRows() <= 64 &&
      isa<DftOp, HadamardOp, HartleyOp, DctOp, DstOp>(def))
    return leafStage(op, 1, 1, out);
  if (!type.isSquare())
    return fail(def, "a rectangular '" + name +
                         "' is not supported yet (direct "
                         "sums of identities and constants, and constant "
                         "dense operators, are)");
  return fail(def, "'" + name +
                       "' of this size must be decomposed first (run "
                       "linop-decompose) or is not supported by the planner "
                       "yet");
}

/// Real scalars commute with the real <-> complex steps (they are real-
/// linear): move them before, so that they merge into a stage and a step
/// can reach the end of the kernel (the store).
void scalarsBeforeSteps(std::vector<Factor> &fs) {
  for (size_t i = 1; i < fs.size(); ++i)
    for (size_t k = i; k > 0 && isScalarStage(fs[k]) &&
                       fs[k].matrix(0, 0).imag() == 0.0 &&
                       (fs[k - 1].kind == Factor::Convert ||
                        fs[k - 1].kind == Factor::Rfft);
         --k) {
      // The scalar's length becomes the step's input length.
      const Factor &step = fs[k - 1];
      int64_t len = fs[k].b;
      if (step.kind == Factor::Rfft)
        len = step.inverse ? step.m + 1 : step.m;
      else if (step.convert == "pack")
        len *= 2;
      else if (step.convert == "unpack")
        len /= 2;
      fs[k].b = len;
      std::swap(fs[k], fs[k - 1]);
    }
}

/// Scalars commute with every linear stage: gather all codelet scales into
/// one stage's twiddle table, where they cost nothing.
void foldScales(std::vector<Factor> &fs) {
  Factor *host = nullptr;
  for (Factor &f : fs)
    if (f.kind == Factor::Stage && !f.twiddles.empty() && !host)
      host = &f;
  if (!host)
    return;
  for (Factor &f : fs)
    if (f.kind == Factor::Stage && f.codelet != kernel::CodeletKind::matrix && f.scale != 1.0) {
      for (cd &t : host->twiddles)
        t *= f.scale;
      f.scale = 1.0;
    }
}

/// Whether `f` is an embedding of copies and zero fills only.
bool isPadding(const Factor &f) {
  return f.kind == Factor::Embed &&
         llvm::all_of(f.embed, [](const EmbedBlock &e) {
           return e.identity || e.matrix.isZero();
         });
}

/// The embedding on pairs that `f` (copies and zero fills of real values)
/// is when every block's rows and columns come in pairs: pack(E x) =
/// E' pack(x). False where it is not.
bool halvePadding(const Factor &f, Factor &half) {
  if (!isPadding(f) || f.nIn % 2 || f.nOut % 2)
    return false;
  half = f;
  half.nIn /= 2;
  half.nOut /= 2;
  for (EmbedBlock &e : half.embed) {
    if (e.rows % 2 || e.cols % 2)
      return false;
    e.rows /= 2;
    e.cols /= 2;
    if (!e.identity)
      e.matrix = CMat::Zero(e.rows, e.cols);
  }
  return true;
}

/// Zero padding before a packing and truncation after an unpacking move
/// to the other side, where they act on pairs: a real row is then padded
/// and truncated at half the length, and the packing is the load's and the
/// unpacking the store's (a convolution's padding to 2L would otherwise
/// take a complex tile of 2L).
void packThroughPadding(std::vector<Factor> &fs) {
  auto is = [&](size_t i, const char *convert) {
    return i < fs.size() && fs[i].kind == Factor::Convert &&
           fs[i].convert == convert;
  };
  for (size_t i = 0; i + 1 < fs.size(); ++i) {
    Factor half;
    if (is(i + 1, "pack") && halvePadding(fs[i], half)) {
      fs[i] = fs[i + 1];
      fs[i + 1] = std::move(half);
    } else if (is(i, "unpack") && halvePadding(fs[i + 1], half)) {
      fs[i + 1] = fs[i];
      fs[i] = std::move(half);
    }
  }
}

/// Merges twiddle diagonals into the stage after them and scalars into a
/// neighbouring stage.
void merge(std::vector<Factor> &fs) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < fs.size(); ++i) {
      Factor &f = fs[i];
      if (isScalarStage(f) && fs.size() > 1) {
        cd c = f.matrix(0, 0);
        // Into the previous stage's outputs or the next stage's inputs.
        Factor *host = nullptr;
        if (i > 0 && fs[i - 1].kind == Factor::Stage)
          host = &fs[i - 1];
        else if (i + 1 < fs.size() && fs[i + 1].kind == Factor::Stage)
          host = &fs[i + 1];
        if (host) {
          host->matrix *= c;
          // Fast codelets keep a real scale; a complex one needs the matrix.
          if (host->codelet != kernel::CodeletKind::matrix && c.imag() == 0)
            host->scale *= c.real();
          else
            host->codelet = kernel::CodeletKind::matrix;
          fs.erase(fs.begin() + i);
          changed = true;
          break;
        }
      }
      if (isDiagStage(f) && i + 1 < fs.size() &&
          fs[i + 1].kind == Factor::Stage && fs[i + 1].twiddles.empty()) {
        std::vector<cd> tw = f.twiddles;
        for (cd &t : tw)
          t *= f.matrix(0, 0);
        fs[i + 1].twiddles = std::move(tw);
        fs.erase(fs.begin() + i);
        changed = true;
        break;
      }
      // A diagonal moves past a permutation (P D = D' P with d'[k] =
      // d[p[k]]) or a zero padding when a stage it merges into comes next:
      // Bluestein's chirps then cost no pass of their own.
      auto plainStage = [&](size_t k) {
        return k < fs.size() && fs[k].kind == Factor::Stage &&
               fs[k].twiddles.empty();
      };
      auto permuteThenStage = [&](size_t k) {
        return k < fs.size() && fs[k].kind == Factor::Permute &&
               plainStage(k + 1);
      };
      if (isDiagStage(f) && permuteThenStage(i + 1)) {
        const std::vector<int64_t> &p = fs[i + 1].perm;
        std::vector<cd> tw(p.size());
        for (size_t k = 0; k < p.size(); ++k)
          tw[k] = f.twiddles[p[k]];
        f.twiddles = std::move(tw);
        std::swap(fs[i], fs[i + 1]);
        changed = true;
        break;
      }
      if (isDiagStage(f) && i + 1 < fs.size() && isPadding(fs[i + 1]) &&
          (plainStage(i + 2) || permuteThenStage(i + 2))) {
        // E D = D' E: copied entries keep their factor; filled zeros take 1.
        const Factor &e = fs[i + 1];
        std::vector<cd> tw(e.nOut, cd(1));
        int64_t row = 0, col = 0;
        for (const EmbedBlock &blk : e.embed) {
          if (blk.identity)
            for (int64_t k = 0; k < blk.rows; ++k)
              tw[row + k] = f.twiddles[col + k];
          row += blk.rows;
          col += blk.cols;
        }
        f.twiddles = std::move(tw);
        f.b = e.nOut;
        std::swap(fs[i], fs[i + 1]);
        changed = true;
        break;
      }
      if (f.kind == Factor::Permute && i + 1 < fs.size() &&
          fs[i + 1].kind == Factor::Permute) {
        // (Q P x)[k] = (P x)[q[k]] = x[p[q[k]]].
        std::vector<int64_t> merged(f.perm.size());
        for (size_t k = 0; k < merged.size(); ++k)
          merged[k] = f.perm[fs[i + 1].perm[k]];
        fs[i + 1].perm = std::move(merged);
        fs.erase(fs.begin() + i);
        changed = true;
        break;
      }
    }
  }
}

DenseElementsAttr complexAttr(MLIRContext *ctx, ArrayRef<cd> values,
                              ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, ComplexType::get(Float64Type::get(ctx)));
  return DenseElementsAttr::get(type, values);
}

std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

struct PlanPass : linop::impl::PlanBase<PlanPass> {
  using PlanBase::PlanBase;

  /// The module's target's (Target.h): it chooses what a spec leaves open.
  /// (Shared: passes are copied when pipelines are.)
  std::shared_ptr<const CostModel> model;

  /// A function that returns a linop.recurrence's output (and its final
  /// state) becomes one chunked_recurrence kernel over its batch entries.
  LogicalResult planRecurrence(func::FuncOp func, RecurrenceOp rec,
                               func::ReturnOp ret) {
    auto fail = [&](const Twine &why) {
      return rec.emitError("linop-plan: @")
             << func.getSymName() << ": " << why;
    };
    if (ret.getNumOperands() < 1 || ret.getNumOperands() > 2 ||
        ret.getOperand(0) != rec.getO() ||
        (ret.getNumOperands() == 2 && ret.getOperand(1) != rec.getFinalState()))
      return fail("a recurrence's kernel returns its output o, or o and the "
                  "final state, in that order");
    // Every operand an argument with a batch, then static sizes.
    auto position = [&](Value v, StringRef name,
                        bool f32) -> FailureOr<int64_t> {
      auto arg = dyn_cast<BlockArgument>(v);
      auto t = cast<RankedTensorType>(v.getType());
      if (!arg || arg.getOwner()->getParentOp() != func)
        return fail(name + " must be an argument of the function");
      if (!ShapedType::isDynamic(t.getDimSize(0)) ||
          llvm::any_of(t.getShape().drop_front(), ShapedType::isDynamic))
        return fail(name + " has type " + typeName(t) +
                    ": a recurrence's kernel takes a batch (a dynamic first "
                    "dimension) of static shapes");
      if (f32 && !t.getElementType().isF32())
        return fail(name + " must be f32 so far, got " +
                    typeName(t.getElementType()));
      return int64_t(arg.getArgNumber());
    };
    // One error at a time (q, k and v often share a type).
    auto q = position(rec.getQ(), "q", false);
    if (failed(q))
      return failure();
    auto k = position(rec.getK(), "k", false);
    if (failed(k))
      return failure();
    auto v = position(rec.getV(), "v", false);
    if (failed(v))
      return failure();
    auto optional = [&](Value v, StringRef name) -> FailureOr<IntegerAttr> {
      if (!v)
        return IntegerAttr();
      auto p = position(v, name, true);
      if (failed(p))
        return failure();
      return OpBuilder(func).getI64IntegerAttr(*p);
    };
    auto g = optional(rec.getG(), "the log-decays g");
    if (failed(g))
      return failure();
    auto beta = optional(rec.getBeta(), "beta");
    if (failed(beta))
      return failure();
    auto h0 = optional(rec.getH0(), "the initial state");
    if (failed(h0))
      return failure();
    FailureOr<IntegerAttr> offsets = IntegerAttr();
    if (rec.getOffsets()) {
      auto p = position(rec.getOffsets(), "the offsets", false);
      if (failed(p))
        return failure();
      offsets = OpBuilder(func).getI64IntegerAttr(*p);
    }
    auto outType = cast<RankedTensorType>(rec.getO().getType());
    auto stateType = cast<RankedTensorType>(rec.getFinalState().getType());
    Type elem = rec.getQ().getType().getElementType(),
         outElem = outType.getElementType();
    auto storage = [](Type t) { return t.isF32() || t.isF16() || t.isBF16(); };
    if (!storage(elem) || !storage(outElem))
      return fail("q, k, v and o are stored as f32, f16 or bf16 so far, got " +
                  typeName(elem) + " and " + typeName(outElem));
    if (ret.getNumOperands() == 2 && !stateType.getElementType().isF32())
      return fail("the final state must be f32 so far, got " +
                  typeName(stateType.getElementType()));
    if (!ShapedType::isDynamic(outType.getDimSize(0)))
      return fail("o has type " + typeName(outType) +
                  ": a recurrence's kernel returns a batch (a dynamic first "
                  "dimension)");

    ArrayRef<int64_t> qShape = rec.getQ().getType().getShape();
    const bool headsFirst = rec.getLayout() == SequenceLayout::bhtd;
    int64_t T = qShape[headsFirst ? 2 : 1], H = qShape[headsFirst ? 1 : 2],
            Dk = qShape[3],
            Dv = rec.getV().getType().getShape()[3];
    // The chunk: the spec's (its verifier made it positive), else the
    // target's choice; at most T. A chunk's products take chunk^2 floats
    // and a head's state Dk x Dv, so both are bounded
    // (kernel::kMaxRecurrenceDim).
    const int64_t most = kernel::kMaxRecurrenceDim;
    const bool chosen = !rec.getChunkSizeAttr();
    RecurrenceShape shape;
    shape.t = T, shape.h = H, shape.dk = Dk, shape.dv = Dv;
    shape.gated = rec.getGate() != Gate::none;
    shape.vectorGate = rec.getGate() == Gate::vector;
    shape.delta = rec.getUpdate() == Update::delta;
    shape.scalarBytes = elem.getIntOrFloatBitWidth() / 8;
    int64_t chunkSize = chosen ? model->recurrenceChunk(shape).chunk
                               : rec.getChunkSizeAttr().getInt();
    if (chunkSize < 1)
      return fail("the target's cost model chose a chunk of " +
                  Twine(chunkSize) + " steps");
    int64_t chunk = std::min(chunkSize, T);
    if (Dk > most || Dv > most)
      return fail("Dk = " + Twine(Dk) + " and Dv = " + Twine(Dv) +
                  ": a recurrence's kernel keeps a Dk x Dv state per head, "
                  "with Dk and Dv at most " + Twine(most) + " so far");
    if (chunk > most)
      return fail("chunk_size " + Twine(chunkSize) +
                  " is too large: a chunk's products take chunk^2 values, so "
                  "kernels take chunks of at most " + Twine(most) + " steps");
    // Work per step: the chunk's causal products (half of C x Dk and
    // C x Dv) and the state's read and update; the delta rule does each
    // twice.
    double perStep = double(chunk) * (Dk + Dv) + 4.0 * Dk * Dv;
    if (rec.getUpdate() == Update::delta)
      perStep *= 2;

    OpBuilder b(func);
    auto I = [&](int64_t x) { return b.getI64IntegerAttr(x); };
    int64_t args = func.getNumArguments();
    auto kernel = b.create<kernel::ChunkedRecurrenceOp>(
        rec.getLoc(), b.getStringAttr(kernelSymbol(func.getSymName())),
        func.getSymNameAttr(), I(args + func.getNumResults()), I(T), I(H),
        I(Dk), I(Dv), I(chunk), chosen ? b.getUnitAttr() : UnitAttr(),
        kernel::DecayAttr::get(b.getContext(), kernel::Decay(rec.getGate())),
        kernel::StateUpdateAttr::get(b.getContext(),
                                     kernel::StateUpdate(rec.getUpdate())),
        b.getF64FloatAttr(rec.getScaleOrDefault()), TypeAttr::get(elem),
        TypeAttr::get(outElem), I(*q), I(*k), I(*v), *g, *beta, *h0, I(args),
        ret.getNumOperands() == 2 ? I(args + 1) : IntegerAttr(), *offsets,
        rec.getOffsets()
            ? TypeAttr::get(rec.getOffsets().getType().getElementType())
            : TypeAttr(),
        I(rec.getSequences()), headsFirst ? b.getUnitAttr() : UnitAttr(),
        I(std::llround(perStep * T * H)),
        /*schedule=*/kernel::CudaRecurrenceScheduleAttr());
    return mlir::verify(kernel);
  }

  LogicalResult planFunction(func::FuncOp func) {
    auto fail = [&](const Twine &why) {
      return func.emitError("linop-plan: @") << func.getSymName() << ": " << why;
    };
    auto ret = dyn_cast<func::ReturnOp>(func.getBody().front().getTerminator());
    if (ret) {
      auto recs = func.getBody().front().getOps<RecurrenceOp>();
      if (!recs.empty()) {
        if (std::next(recs.begin()) != recs.end())
          return fail("a kernel computes one recurrence so far");
        return planRecurrence(func, *recs.begin(), ret);
      }
    }
    if (!ret || ret.getNumOperands() != 1)
      return fail("kernels compute functions with one result so far");
    // Gates that are data: y = post * apply(A, pre * x), elementwise
    // products (arith.mulf) with batched arguments of the data's shape.
    auto gateOf = [&](arith::MulFOp mul, Value inner,
                      BlockArgument &gate) -> LogicalResult {
      Value other = mul.getLhs() == inner ? mul.getRhs() : mul.getLhs();
      gate = dyn_cast<BlockArgument>(other);
      if (!gate || gate.getOwner()->getParentOp() != func ||
          other.getType() != inner.getType())
        return fail("a gate (an elementwise product with the data) must be "
                    "a function argument of the data's type");
      return success();
    };
    Value result = ret.getOperand(0);
    BlockArgument postGate, preGate;
    if (auto mul = result.getDefiningOp<arith::MulFOp>()) {
      Value inner = mul.getLhs().getDefiningOp<ApplyOp>() ? mul.getLhs()
                                                           : mul.getRhs();
      if (failed(gateOf(mul, inner, postGate)))
        return failure();
      result = inner;
    }
    auto apply = result.getDefiningOp<ApplyOp>();
    if (!apply)
      return fail("the result must be a linop.apply, or its elementwise "
                  "product with a gate");
    Value input = apply.getInput();
    if (auto mul = input.getDefiningOp<arith::MulFOp>()) {
      input = mul.getLhs();
      if (!isa<BlockArgument>(input))
        return fail("a gated input must be the product of two function "
                    "arguments");
      if (failed(gateOf(mul, input, preGate)))
        return failure();
    }
    auto in = dyn_cast<BlockArgument>(input);
    RankedTensorType inType = apply.getInput().getType();
    RankedTensorType outType = apply.getType();
    // A batch, static channels (rows of the batch, channel fastest), the
    // row.
    auto batched = [](RankedTensorType t) {
      return t.getRank() >= 2 && ShapedType::isDynamic(t.getShape()[0]) &&
             llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
    };
    if (!in || !batched(inType) || !batched(outType))
      return fail("kernels take a function argument of type tensor<?xNxT> "
                  "or tensor<?xCx...xNxT> (a batch of rows) so far");
    ArrayRef<int64_t> channels = inType.getShape().drop_front().drop_back();
    if (outType.getShape().drop_front().drop_back() != channels)
      return fail("the result's dimensions between the batch and the row "
                  "must be the input's");
    Type inElem = inType.getElementType(), outElem = outType.getElementType();
    if (realPart(inElem) != realPart(outElem))
      return fail("kernels read and write one precision so far, not " +
                  llvm::Twine(typeName(inElem)) + " -> " + typeName(outElem));
    for (BlockArgument a : func.getArguments())
      if (a != in && a != preGate && a != postGate &&
          !cast<RankedTensorType>(a.getType()).hasStaticShape())
        return fail("weights arguments must have static shapes");
    int64_t nIn = inType.getShape().back(), nOut = outType.getShape().back();

    Planner planner(func, channels);
    std::vector<Factor> factors;
    if (failed(planner.collect(apply.getOp(), factors)))
      return failure();
    // Gates are diagonals whose weights are the gate's row. They come
    // before a packing at the start and after an unpacking at the end, so
    // those stay steps in the tile rather than the load's and store's.
    auto gate = [&](BlockArgument g, int64_t n) {
      Factor d{Factor::Dense};
      Type e = cast<ShapedType>(g.getType()).getElementType();
      d.operand = g.getArgNumber();
      d.r = 1;
      d.blocks = n;
      d.batched = true;
      d.weightStorage = narrowStorage(e);
      return d;
    };
    if (preGate)
      factors.insert(factors.begin(), gate(preGate, nIn));
    if (postGate)
      factors.push_back(gate(postGate, nOut));
    // A complex tile when anything is complex; real values in it keep
    // imaginary part 0, so `promote` costs nothing. f16 and bf16 are
    // storage formats: the tile computes in f32.
    bool cplx = isa<ComplexType>(inElem) || isa<ComplexType>(outElem) ||
                llvm::any_of(factors, [](const Factor &f) {
                  return f.kind == Factor::Convert || f.kind == Factor::Rfft;
                });
    Type scalar = realPart(inElem);
    if (scalar.isF16() || scalar.isBF16())
      scalar = Float32Type::get(&getContext());
    Type elem = cplx ? ComplexType::get(scalar) : scalar;
    llvm::erase_if(factors, [](const Factor &f) {
      return f.kind == Factor::Convert && f.convert == "promote";
    });
    scalarsBeforeSteps(factors);
    packThroughPadding(factors);
    // Packing at either end is how the load or the store reads memory; a
    // real part at the end is what a real store keeps.
    bool packedLoad = false, packedStore = false;
    if (!factors.empty() && factors.front().convert == "pack") {
      packedLoad = true;
      factors.erase(factors.begin());
    }
    if (!factors.empty() && (factors.back().convert == "unpack" ||
                             factors.back().convert == "real")) {
      packedStore = factors.back().convert == "unpack";
      factors.pop_back();
    }
    merge(factors);
    foldScales(factors);
    // The tile buffers hold the longest vector any factor sees.
    int64_t first = packedLoad ? nIn / 2 : nIn;
    int64_t last = packedStore ? nOut / 2 : nOut;
    int64_t n = first, len = first;
    for (const Factor &f : factors) {
      len = lengthAfter(f, len);
      n = std::max(n, len);
    }
    if (len != last)
      return fail("the factors map " + std::to_string(nIn) + " to " +
                  std::to_string(len) + " elements, not " +
                  std::to_string(nOut));

    // Emit the kernel in place of the function.
    MLIRContext *ctx = &getContext();
    OpBuilder b(func);
    Location loc = func.getLoc();
    auto I = [&](int64_t v) { return b.getI64IntegerAttr(v); };
    int64_t operands = func.getNumArguments() + func.getNumResults();
    auto kernel = b.create<kernel::KernelOp>(
        loc, b.getStringAttr(kernelSymbol(func.getSymName())),
        func.getSymNameAttr(), I(operands), I(n), I(2), TypeAttr::get(elem),
        Attribute(), IntegerAttr(),
        func->getAttrOfType<ArrayAttr>("linop.radix_choices"), IntegerAttr());
    Block *body = b.createBlock(&kernel.getBody());
    b.setInsertionPointToStart(body);

    // The Cooley-Tukey radices in the order the stages apply (innermost
    // first): a leading permutation is likely their digit reversal.
    SmallVector<int64_t> radices;
    for (const Factor &f : factors)
      if (f.kind == Factor::Stage && f.codelet == kernel::CodeletKind::dft)
        radices.insert(radices.begin(), f.r);
    auto perm = [&](ArrayRef<int64_t> p) {
      return kernel::structuredPermutation(ctx, p, radices);
    };

    int64_t cur = 0;
    size_t firstFactor = 0;
    Attribute loadPerm;
    if (!factors.empty() && factors[0].kind == Factor::Permute) {
      loadPerm = perm(factors[0].perm);
      firstFactor = 1;
    }
    // Lengths other than the buffers' are spelled out.
    auto length = [&](int64_t v) { return v == n ? IntegerAttr() : I(v); };
    auto unit = [&](bool on) { return on ? b.getUnitAttr() : UnitAttr(); };
    // The global element type, where it differs from the tile's.
    auto global = [&](Type t) {
      return t != elem ? TypeAttr::get(t) : TypeAttr();
    };
    b.create<kernel::LoadOp>(loc, I(in.getArgNumber()), I(cur), loadPerm,
                             length(first), global(inElem), unit(packedLoad),
                             UnitAttr());
    int64_t curLen = first;
    for (size_t k = firstFactor; k < factors.size(); ++k) {
      const Factor &f = factors[k];
      int64_t next = 1 - cur;
      switch (f.kind) {
      case Factor::Stage: {
        std::vector<cd> m;
        int64_t rows = f.rOut ? f.rOut : f.r;
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < f.r; ++j)
            m.push_back(f.matrix(i, j));
        Attribute tw;
        if (!f.twiddles.empty()) {
          // The decomposition rounded them to the element type once.
          tw = kernel::recognizeTwiddles(ctx, f.twiddles, f.a, f.r, f.b,
                                         scalar.isF64() ? 1e-14 : 1e-6);
          if (!tw)
            tw = complexAttr(ctx, f.twiddles, {int64_t(f.twiddles.size())});
        }
        b.create<kernel::StageOp>(
            loc, f.codelet, f.a, f.r, f.b, cur, next, f.inverse,
            f.codelet == kernel::CodeletKind::matrix
                ? complexAttr(ctx, m, {rows, f.r})
                : ElementsAttr(),
            tw, f.scale == 1.0 ? FloatAttr() : b.getF64FloatAttr(f.scale),
            f.rOut ? I(f.rOut) : IntegerAttr());
        break;
      }
      case Factor::Convert: {
        auto kind = kernel::symbolizeConvertKind(f.convert);
        if (!kind)
          return fail("'" + f.convert + "' inside a kernel is not supported");
        b.create<kernel::ConvertOp>(
            loc, *kind, f.convert == "pack" ? curLen / 2 : curLen, cur, next);
        break;
      }
      case Factor::Rfft:
        b.create<kernel::RfftStageOp>(loc, f.m, f.inverse, cur, next);
        break;
      case Factor::Permute:
        b.create<kernel::PermuteOp>(loc, perm(f.perm), I(cur), I(next));
        break;
      case Factor::Butterfly: {
        bool baked = !f.weights.empty();
        b.create<kernel::ButterflyStageOp>(
            loc, baked ? IntegerAttr() : I(f.operand), I(baked ? 0 : f.block),
            I(baked ? 0 : f.level), I(f.levels), I(f.stride), I(cur), I(next),
            unit(f.complexWeights),
            baked ? complexAttr(ctx, f.weights,
                                {int64_t(f.weights.size()) / 4, 2, 2})
                  : ElementsAttr(),
            f.weightStorage ? TypeAttr::get(f.weightStorage) : TypeAttr());
        break;
      }
      case Factor::Dense:
        b.create<kernel::DenseStageOp>(
            loc, I(f.operand), I(f.blocks), I(f.r),
            f.members ? I(f.members) : IntegerAttr(), unit(f.batched), I(cur),
            I(next),
            unit(f.complexWeights),
            f.weightStorage ? TypeAttr::get(f.weightStorage) : TypeAttr());
        break;
      case Factor::Embed: {
        SmallVector<int64_t> rows, cols;
        SmallVector<Attribute> blocks;
        for (const EmbedBlock &e : f.embed) {
          rows.push_back(e.rows);
          cols.push_back(e.cols);
          if (e.identity) {
            blocks.push_back(b.getUnitAttr());
            continue;
          }
          std::vector<cd> m;
          for (int64_t i = 0; i < e.rows; ++i)
            for (int64_t j = 0; j < e.cols; ++j)
              m.push_back(e.matrix(i, j));
          // Zero blocks print as one value.
          if (!m.empty() && llvm::all_of(m, [](cd v) { return v == cd(0); }))
            m.resize(1);
          blocks.push_back(complexAttr(ctx, m, {e.rows, e.cols}));
        }
        b.create<kernel::EmbedOp>(loc, I(f.nIn), I(f.nOut),
                                  b.getDenseI64ArrayAttr(rows),
                                  b.getDenseI64ArrayAttr(cols),
                                  b.getArrayAttr(blocks), I(cur), I(next));
        break;
      }
      }
      cur = next;
      curLen = lengthAfter(f, curLen);
    }
    b.create<kernel::StoreOp>(loc, I(cur), I(func.getNumArguments()),
                              length(last), global(outElem),
                              unit(packedStore), UnitAttr());
    // Assertions are off in release LLVM: check what we built.
    if (failed(mlir::verify(kernel)))
      return failure();
    // The work, for --bench and --explain.
    kernel.setFlopsPerRowAttr(
        I(int64_t(std::llround(kernelShape(kernel).flops))));
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    model = costModelFor(module);
    if (!model) {
      module.emitError("linop-plan: the module's target '")
          << moduleTarget(module).getName()
          << "' is not known to this tool (targets: " << targetNames() << ")";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> funcs;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && f.isPublic())
        funcs.push_back(f);
    // Every function is tried, so that each refusal is reported at once.
    bool ok = true;
    for (func::FuncOp f : funcs) {
      if (failed(planFunction(f))) {
        ok = false;
        continue;
      }
      f.erase();
    }
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
