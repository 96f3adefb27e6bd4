//===- LowerKernels.cpp - linop-cpu-lower-kernels: kernel IR to loops -----===//
//
// Each kernel becomes a function with the CPU kernel ABI (linop/Target.h)
// looping over its rows in tiles. Across rows, each tile buffer is a
// memref<n x width x S> per real/imaginary plane, so that element i of all
// the tile's rows is one vector<width x S>: every stage is then plain SIMD
// code whatever its strides. Along the row, a buffer is one row and a
// vector holds consecutive elements. Codelets are unrolled from
// linop/Codelets.h through the vector emitter below. Buffers are sized for
// the longest vector of the kernel; loads, stores, permutations and stages
// touch only their own length, and `embed` stages change it. The kernel IR
// verified its own invariants (buffers, lengths, permutations, sizes), so
// nothing here checks them again.
//
//===----------------------------------------------------------------------===//

#include "linop/CPU/CpuTarget.h"
#include "linop/CPU/Passes.h"
#include "linop/Codelets.h"
#include "reference/Math.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"

namespace linop::cpu {
#define GEN_PASS_DEF_CPULOWERKERNELS
#include "linop/CPU/Passes.h.inc"
} // namespace linop::cpu

using namespace mlir;
using namespace linop;
using namespace linop::cpu;
using ref::cd;

namespace {

// For measuring fused butterfly levels against fewer in one run
// (bench/NOTES.md); not a user option.
llvm::cl::opt<int> fuseButterflyLevels(
    "linop-cpu-fuse-butterfly", llvm::cl::Hidden, llvm::cl::init(0),
    llvm::cl::desc("butterfly levels lowered together at most, each group "
                   "of elements through all of them in registers (1: none "
                   "fused; 0: as many as the vector registers hold)"));

/// A value of the tile: one vector of rows per plane (im null when real).
struct CV {
  Value re, im;
};

class Lowering {
public:
  Lowering(OpBuilder &b, Location loc, ModuleOp module, int64_t width,
           int64_t n, Type elem)
      : b(b), loc(loc), module(module), W(width), N(n),
        S(cast<FloatType>(realPart(elem))), cplx(isa<ComplexType>(elem)),
        vt(VectorType::get({width}, S)) {}

  OpBuilder &b;
  Location loc;
  ModuleOp module;
  int64_t W, N;
  FloatType S;
  bool cplx;
  VectorType vt;
  SmallVector<Value> re, im; // tile buffers by index
  bool inRow = false;        // vectors along the row (W = lanes, one row)
  Value ptrs, strides;       // the ABI's pointer and stride arrays
  Value tileRow, rowEnd;     // across rows: the tile's first row, and the
                             // end of the range (i64)
  // A kernel split into sub-rows (linop-split-kernels): a tile is W
  // consecutive sub-rows subFirst .. subFirst + W - 1 of row subRow (i64).
  int64_t subrows = 1;
  Value subRow, subFirst;

  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value i64(int64_t v) {
    return b.create<arith::ConstantIntOp>(loc, v, b.getI64Type());
  }
  Value toI64(Value index) {
    return b.create<arith::IndexCastOp>(loc, b.getI64Type(), index);
  }
  Value toIndex(Value v) {
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v);
  }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulIOp>(loc, x, y); }

  // Floating-point vector arithmetic; contraction lets LLVM form FMAs.
  arith::FastMathFlagsAttr fm() {
    return arith::FastMathFlagsAttr::get(b.getContext(),
                                         arith::FastMathFlags::contract);
  }
  Value fadd(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y, fm()); }
  Value fsub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y, fm()); }
  Value fmul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y, fm()); }
  Value fneg(Value x) { return b.create<arith::NegFOp>(loc, x); }
  Value splat(double v) {
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(vt, b.getFloatAttr(S, v)));
  }
  Value broadcast(Value scalar) {
    return b.create<vector::BroadcastOp>(loc, vt, scalar);
  }

  CV cadd(CV x, CV y) { return {fadd(x.re, y.re), cplx ? fadd(x.im, y.im) : Value()}; }
  CV csub(CV x, CV y) { return {fsub(x.re, y.re), cplx ? fsub(x.im, y.im) : Value()}; }
  /// x * (tr + i ti) with run-time scalar vectors.
  CV cmulVec(CV x, Value tr, Value ti) {
    if (!cplx || !ti)
      return {fmul(x.re, tr), cplx ? fmul(x.im, tr) : Value()};
    return {fsub(fmul(x.re, tr), fmul(x.im, ti)),
            fadd(fmul(x.re, ti), fmul(x.im, tr))};
  }
  CV zero() { return {splat(0.0), cplx ? splat(0.0) : Value()}; }

  // Across rows a buffer is [n][W] and a vector is element i of W rows;
  // along the row it is [n] and a vector is elements i .. i + V - 1.
  SmallVector<Value, 2> at(Value i) {
    if (inRow)
      return {i};
    return {i, idx(0)};
  }
  CV loadBuf(int64_t buf, Value i) {
    return {b.create<vector::LoadOp>(loc, vt, re[buf], at(i)),
            cplx ? b.create<vector::LoadOp>(loc, vt, im[buf], at(i))
                 : Value()};
  }
  void storeBuf(int64_t buf, Value i, CV v) {
    b.create<vector::StoreOp>(loc, v.re, re[buf], at(i));
    if (cplx)
      b.create<vector::StoreOp>(loc, v.im, im[buf], at(i));
  }

  /// A private constant memref.global holding `values`, and its memref.
  Value table(ArrayRef<double> values, Type elem) {
    auto type = MemRefType::get({int64_t(values.size())}, elem);
    auto tensorType = RankedTensorType::get(type.getShape(), elem);
    DenseElementsAttr init;
    if (auto f = dyn_cast<FloatType>(elem)) {
      SmallVector<APFloat> vals;
      for (double v : values) {
        APFloat x(v);
        bool lost;
        x.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
        vals.push_back(x);
      }
      init = DenseElementsAttr::get(tensorType, vals);
    } else if (elem.isInteger(32)) {
      SmallVector<int32_t> ints(values.begin(), values.end());
      init = DenseElementsAttr::get(tensorType, ArrayRef<int32_t>(ints));
    } else {
      SmallVector<int64_t> ints(values.begin(), values.end());
      init = DenseElementsAttr::get(tensorType, ArrayRef<int64_t>(ints));
    }
    std::string name = "__linop_table_" + std::to_string(nextTable++);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(module.getBody());
      b.create<memref::GlobalOp>(loc, name, b.getStringAttr("private"), type,
                                 init, /*constant=*/true, IntegerAttr());
    }
    return b.create<memref::GetGlobalOp>(loc, type, name);
  }
  static inline int nextTable = 0;

  // Global memory through the ABI's pointer arrays.
  Value loadPtr(Value ptrs, int64_t k) {
    auto ptrT = LLVM::LLVMPointerType::get(b.getContext());
    Value p = b.create<LLVM::GEPOp>(loc, ptrT, ptrT, ptrs,
                                    ArrayRef<LLVM::GEPArg>{int32_t(k)});
    return b.create<LLVM::LoadOp>(loc, ptrT, p);
  }
  Value loadI64(Value arr, int64_t k) {
    auto ptrT = LLVM::LLVMPointerType::get(b.getContext());
    Value p = b.create<LLVM::GEPOp>(loc, ptrT, b.getI64Type(), arr,
                                    ArrayRef<LLVM::GEPArg>{int32_t(k)});
    return b.create<LLVM::LoadOp>(loc, b.getI64Type(), p);
  }
  Value scalarPtr(Value base, Value offI64) {
    auto ptrT = LLVM::LLVMPointerType::get(b.getContext());
    return b.create<LLVM::GEPOp>(loc, ptrT, S, base, ValueRange{offI64});
  }
  Value loadScalar(Value base, Value offI64) {
    return b.create<LLVM::LoadOp>(loc, S, scalarPtr(base, offI64));
  }

  // Loops.
  template <typename Fn>
  void forRange(int64_t lo, int64_t hi, Fn body) {
    auto loop = b.create<scf::ForOp>(loc, idx(lo), idx(hi), idx(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  SmallVector<Value> transpose(SmallVector<Value> rows);
  int64_t transposedBlocks(int64_t len, bool interleaved);
  /// How a load or store sees global memory: `interleaved` when a tile
  /// element is a (re, im) pair there, `strideScale` scalars per unit of
  /// the row stride (2 for a complex global type), `mem` the scalar type
  /// there (f16, bf16 as i16 bits, or the tile's).
  struct GlobalLayout {
    bool interleaved;
    int64_t strideScale;
    Type mem;
  };
  GlobalLayout globalLayout(std::optional<Type> global, bool packed);
  /// Where lane w's row (or sub-row) starts in global memory, in scalars,
  /// and whether lane w holds a row of the range (null: always).
  SmallVector<Value> laneOffsets(Value stride, int64_t elemFloats);
  SmallVector<Value> laneInside();
  /// Interleaved sub-rows: element j of the tile's W sub-rows is W
  /// consecutive elements in global memory, one vector (two, complex).
  Value interleavedOffset(Value stride, Value element, int64_t elemFloats);
  // Global scalars and vectors of `mem`, converted to and from the tile's.
  Value memPtr(Value base, Value offI64, Type mem) {
    auto ptrT = LLVM::LLVMPointerType::get(b.getContext());
    return b.create<LLVM::GEPOp>(loc, ptrT, mem, base, ValueRange{offI64});
  }
  Value loadGlobal(const GlobalLayout &g, Value base, Value offI64,
                   bool vector);
  void storeGlobal(const GlobalLayout &g, Value v, Value base, Value offI64);
  Value widen(Value v, Type mem);
  Value narrow(Value v, Type mem);

  // Along the row: where a stage reads or writes. A tile buffer, the row in
  // global memory (the load or the store fused into the stage), or a
  // buffer read through an index map (a permuted load: gathers).
  struct Place {
    int64_t buf = -1; // -1: global
    Value base, rowOff;
    ArrayRef<int64_t> perm;
    Value blocks; // a buffer read through a map of whole vectors: i32 table
  };
  CV rowRead(const Place &p, Value i);
  void rowWrite(const Place &p, Value i, CV v);
  CV rowGather(const Place &p, Value table, Value slot);
  SmallVector<Value> unzip(SmallVector<Value> v, int64_t unit);
  SmallVector<Value> zip(SmallVector<Value> v, int64_t unit);
  LogicalResult lowerStageRow(kernel::StageOp op, const Place &src,
                              const Place &dst);
  LogicalResult lowerRow(kernel::KernelOp kernel, Value row);
  LogicalResult lowerStridedFirstStage(kernel::StageOp op, const Place &src,
                                       const Place &dst);
  /// Tables of the real and imaginary parts of `tw` (in `twOrder` when
  /// given); the imaginary one only for a complex tile.
  void complexTables(ArrayRef<cd> tw, Value &twRe, Value &twIm,
                     ArrayRef<int64_t> twOrder = {});
  void twiddleTables(kernel::StageOp op, Value &twRe, Value &twIm,
                     ArrayRef<int64_t> twOrder);
  std::vector<CV> applyCodelet(kernel::StageOp op, const std::vector<CV> &x);
  /// x c with the constant folded (codelets::mulConst), acc + term.
  CV mulConst(CV x, cd c);
  CV accumulate(CV acc, CV term);
  LogicalResult lowerLoad(kernel::LoadOp op);
  LogicalResult lowerStore(kernel::StoreOp op);
  LogicalResult lowerStage(kernel::StageOp op);
  /// Consecutive butterfly levels that `fusedLevels` grouped: each group
  /// of 2^k elements through all k in registers. `shift`: blocks to add to
  /// the ops', inside a loop over repeated blocks (an index), or null.
  LogicalResult lowerButterflies(ArrayRef<kernel::ButterflyStageOp> ops,
                                 Value shift = {});
  /// The butterfly level `steps[i]` and the levels after it (before `end`)
  /// that lower with it: the next levels of the same block, at other
  /// power-of-two strides, each reading what the one before wrote. Inside
  /// a loop over repeated blocks, `again` is the same step's position in
  /// the last repetition.
  SmallVector<kernel::ButterflyStageOp, 3>
  fusedLevels(ArrayRef<Operation *> steps, size_t i, size_t end,
              size_t again = size_t(-1)) const;
  LogicalResult lowerDense(kernel::DenseStageOp op);
  LogicalResult lowerPermute(kernel::PermuteOp op);
  LogicalResult lowerEmbed(kernel::EmbedOp op);
  LogicalResult lowerConvert(kernel::ConvertOp op);
  LogicalResult lowerRfft(kernel::RfftStageOp op);
};

/// The codelets' emitter (linop/Codelets.h) for vectors of the tile.
struct VectorEmitter {
  Lowering &L;
  using V = CV;
  bool present(const V &v) const { return bool(v.re); }
  bool complex() const { return L.cplx; }
  V add(V x, V y) { return L.cadd(x, y); }
  V sub(V x, V y) { return L.csub(x, y); }
  V neg(V x) { return {L.fneg(x.re), L.cplx ? L.fneg(x.im) : Value()}; }
  V mulReal(V x, double c) {
    Value s = L.splat(c);
    return {L.fmul(x.re, s), L.cplx ? L.fmul(x.im, s) : Value()};
  }
  V mulI(V x, bool negative) {
    return negative ? V{x.im, L.fneg(x.re)} : V{L.fneg(x.im), x.re};
  }
  V mulImag(V x, double c) {
    Value s = L.splat(c);
    return {L.fneg(L.fmul(x.im, s)), L.fmul(x.re, s)};
  }
  V mulComplex(V x, cd c) {
    Value sr = L.splat(c.real()), si = L.splat(c.imag());
    return {L.fsub(L.fmul(x.re, sr), L.fmul(x.im, si)),
            L.fadd(L.fmul(x.re, si), L.fmul(x.im, sr))};
  }
  V zero() { return L.zero(); }
};

CV Lowering::mulConst(CV x, cd c) {
  VectorEmitter e{*this};
  return codelets::mulConst(e, x, c);
}

CV Lowering::accumulate(CV acc, CV term) {
  VectorEmitter e{*this};
  return codelets::accumulate(e, acc, term);
}

/// Transposes W vectors of W lanes: out[f][w] = in[w][f]. log2(W) rounds of
/// two-input shuffles (what x86 does with vpermt2ps/vunpck).
SmallVector<Value> Lowering::transpose(SmallVector<Value> rows) {
  for (int64_t s = 1; s < W; s *= 2) {
    SmallVector<Value> next(rows.size());
    SmallVector<int64_t> lo, hi;
    for (int64_t j = 0; j < W; ++j) {
      // Lane j of the pair (a, a + s): from a or from b (offset W).
      lo.push_back(j & s ? W + j - s : j);
      hi.push_back(j & s ? W + j : j + s);
    }
    for (int64_t a = 0; a < W; ++a) {
      if (a & s)
        continue;
      next[a] = b.create<vector::ShuffleOp>(loc, rows[a], rows[a + s], lo);
      next[a + s] = b.create<vector::ShuffleOp>(loc, rows[a], rows[a + s], hi);
    }
    rows = next;
  }
  return rows;
}

/// Blocks of W floats per row that go through the register transpose; the
/// rest of a row (less than a block) is copied element by element.
int64_t Lowering::transposedBlocks(int64_t len, bool interleaved) {
  if ((W & (W - 1)) != 0 || W < 2)
    return 0;
  return len / (interleaved ? W / 2 : W);
}

Lowering::GlobalLayout Lowering::globalLayout(std::optional<Type> global,
                                              bool packed) {
  if (!global)
    return GlobalLayout{cplx, cplx ? 2 : 1, S};
  // A real row, under a real or complex tile (the verifier checked the
  // pairing): f16, bf16 (as bits: LLVM's bf16 conversions may need
  // libcalls) or the tile's precision; pairs of reals when packed.
  Type mem = global->isBF16() ? Type(b.getI16Type()) : *global;
  return GlobalLayout{packed, 1, mem};
}

/// Element type `e` in the shape of `like`: a vector of e, or e itself.
static Type shapedLike(Type like, Type e) {
  if (auto vt = dyn_cast<VectorType>(like))
    return VectorType::get(vt.getShape(), e);
  return e;
}

/// The i32 constant k, splat when `i32` is a vector type.
static Value intConstant(OpBuilder &b, Location loc, Type i32, int64_t k) {
  if (auto vt = dyn_cast<VectorType>(i32))
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(vt, b.getI32IntegerAttr(k)));
  return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(k));
}

/// f16 converts in hardware (F16C); bf16 is the top half of an f32 and
/// rounds to nearest even by integer arithmetic, NaN staying NaN.
Value Lowering::widen(Value v, Type mem) {
  if (mem == S)
    return v;
  auto shaped = [&](Type e) { return shapedLike(v.getType(), e); };
  if (mem.isF16())
    return b.create<arith::ExtFOp>(loc, shaped(S), v);
  Type i32 = shaped(b.getI32Type());
  auto c = [&](int64_t k) { return intConstant(b, loc, i32, k); };
  Value bits = b.create<arith::ShLIOp>(
      loc, b.create<arith::ExtUIOp>(loc, i32, v), c(16));
  return b.create<arith::BitcastOp>(loc, shaped(S), bits);
}

Value Lowering::narrow(Value v, Type mem) {
  if (mem == S)
    return v;
  auto shaped = [&](Type e) { return shapedLike(v.getType(), e); };
  if (mem.isF16())
    return b.create<arith::TruncFOp>(loc, shaped(mem), v);
  Type i32 = shaped(b.getI32Type());
  auto c = [&](int64_t k) { return intConstant(b, loc, i32, k); };
  Value bits = b.create<arith::BitcastOp>(loc, i32, v);
  Value lsb = b.create<arith::AndIOp>(
      loc, b.create<arith::ShRUIOp>(loc, bits, c(16)), c(1));
  Value rounded = b.create<arith::ShRUIOp>(
      loc, b.create<arith::AddIOp>(loc, bits, b.create<arith::AddIOp>(
                                                  loc, lsb, c(0x7fff))),
      c(16));
  Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, v, v);
  Value quiet = b.create<arith::OrIOp>(
      loc, b.create<arith::ShRUIOp>(loc, bits, c(16)), c(0x40));
  Value out = b.create<arith::SelectOp>(loc, nan, quiet, rounded);
  return b.create<arith::TruncIOp>(loc, shaped(mem), out);
}

Value Lowering::loadGlobal(const GlobalLayout &g, Value base, Value offI64,
                           bool vector) {
  Type t = vector ? Type(VectorType::get({W}, g.mem)) : g.mem;
  Value v = vector ? b.create<LLVM::LoadOp>(loc, t, memPtr(base, offI64, g.mem),
                                            /*alignment=*/g.mem.getIntOrFloatBitWidth() / 8)
                   : b.create<LLVM::LoadOp>(loc, t, memPtr(base, offI64, g.mem));
  return widen(v, g.mem);
}

void Lowering::storeGlobal(const GlobalLayout &g, Value v, Value base,
                           Value offI64) {
  Value m = narrow(v, g.mem);
  unsigned align = g.mem.getIntOrFloatBitWidth() / 8;
  if (isa<VectorType>(m.getType()))
    b.create<LLVM::StoreOp>(loc, m, memPtr(base, offI64, g.mem), align);
  else
    b.create<LLVM::StoreOp>(loc, m, memPtr(base, offI64, g.mem));
}

LogicalResult Lowering::lowerLoad(kernel::LoadOp op) {
  int64_t len = op.getN() ? *op.getN() : N;
  int64_t dst = op.getDst();
  GlobalLayout layout = globalLayout(op.getGlobal(), op.getPacked());
  bool inter = layout.interleaved;
  int64_t blocks = transposedBlocks(len, inter);
  int64_t perBlock = inter ? W / 2 : W, done = blocks * perBlock;
  // A permuted load that transposes reads into the other buffer, then
  // permutes in cache; one that does not reads through the index map.
  bool twoPass = op.getPerm() && blocks;
  int64_t target = twoPass ? 1 - dst : dst;
  Value base = loadPtr(ptrs, op.getOperand());
  Value stride = mul(loadI64(strides, op.getOperand()),
                     i64(layout.strideScale));
  int64_t elemFloats = inter ? 2 : 1;
  Value perm;
  if (auto p = op.getPermAttr()) {
    std::vector<int64_t> idxs = kernel::permutationIndices(p);
    perm = table(SmallVector<double>(idxs.begin(), idxs.end()), b.getI64Type());
  }
  if (op.getInterleaved()) {
    // Sub-rows side by side: element i of the tile is one vector of W
    // sub-rows (two for interleaved pairs, split into planes).
    SmallVector<int64_t> even, odd;
    for (int64_t w = 0; w < W; ++w) {
      even.push_back(2 * w);
      odd.push_back(2 * w + 1);
    }
    Value zeros = cplx && !inter ? splat(0.0) : Value();
    forRange(0, len, [&](Value i) {
      Value src = perm ? b.create<memref::LoadOp>(loc, perm, i).getResult()
                       : toI64(i);
      Value off = interleavedOffset(stride, src, elemFloats);
      Value v0 = loadGlobal(layout, base, off, /*vector=*/true);
      if (!inter)
        return storeBuf(dst, i, {v0, zeros});
      Value v1 = loadGlobal(layout, base, add(off, i64(W)), /*vector=*/true);
      storeBuf(dst, i,
               {b.create<vector::ShuffleOp>(loc, v0, v1, even),
                b.create<vector::ShuffleOp>(loc, v0, v1, odd)});
    });
    return success();
  }
  SmallVector<Value> rowOff = laneOffsets(stride, elemFloats);
  if (blocks) {
    // Blocks of W floats per row: W rows x W floats, transposed in registers.
    Value zeros = cplx && !inter ? splat(0.0) : Value();
    forRange(0, blocks, [&](Value blk) {
      Value first = mul(toI64(blk), i64(W));
      SmallVector<Value> rows;
      for (int64_t w = 0; w < W; ++w) {
        Value off = add(rowOff[w], first);
        rows.push_back(loadGlobal(layout, base, off, /*vector=*/true));
      }
      SmallVector<Value> cols = transpose(rows);
      Value i0 = mul(blk, idx(perBlock));
      for (int64_t k = 0; k < perBlock; ++k) {
        Value i = add(i0, idx(k));
        if (inter)
          storeBuf(target, i, {cols[2 * k], cols[2 * k + 1]});
        else
          storeBuf(target, i, {cols[k], zeros});
      }
    });
  }
  if (done < len) {
    for (int64_t w = 0; w < W; ++w)
      forRange(done, len, [&](Value i) {
        Value src = perm && !twoPass
                        ? toI64(toIndex(b.create<memref::LoadOp>(loc, perm, i)))
                        : toI64(i);
        Value off = add(rowOff[w], mul(src, i64(elemFloats)));
        Value lane = idx(w);
        b.create<memref::StoreOp>(loc, loadGlobal(layout, base, off, false),
                                  re[target], ValueRange{i, lane});
        if (cplx) {
          Value v = inter ? loadGlobal(layout, base, add(off, i64(1)), false)
                          : b.create<arith::ConstantOp>(loc, b.getFloatAttr(S, 0.0));
          b.create<memref::StoreOp>(loc, v, im[target], ValueRange{i, lane});
        }
      });
  }
  if (twoPass)
    forRange(0, len, [&](Value i) {
      Value src = toIndex(b.create<memref::LoadOp>(loc, perm, i));
      storeBuf(dst, i, loadBuf(target, src));
    });
  return success();
}

LogicalResult Lowering::lowerStore(kernel::StoreOp op) {
  int64_t len = op.getN() ? *op.getN() : N;
  int64_t src = op.getSrc();
  GlobalLayout layout = globalLayout(op.getGlobal(), op.getPacked());
  bool inter = layout.interleaved;
  int64_t elemFloats = inter ? 2 : 1;
  Value base = loadPtr(ptrs, op.getOperand());
  Value stride = mul(loadI64(strides, op.getOperand()),
                     i64(layout.strideScale));
  int64_t blocks = transposedBlocks(len, inter);
  int64_t perBlock = inter ? W / 2 : W, done = blocks * perBlock;
  if (op.getInterleaved()) {
    // Sub-rows side by side: element i of the tile is one vector of W
    // sub-rows (two for interleaved pairs, zipped from the planes).
    SmallVector<int64_t> lo, hi;
    for (int64_t w = 0; w < W / 2; ++w) {
      lo.append({w, W + w});
      hi.append({W / 2 + w, W + W / 2 + w});
    }
    forRange(0, len, [&](Value i) {
      Value off = interleavedOffset(stride, toI64(i), elemFloats);
      CV v = loadBuf(src, i);
      if (!inter)
        return storeGlobal(layout, v.re, base, off);
      storeGlobal(layout, b.create<vector::ShuffleOp>(loc, v.re, v.im, lo),
                  base, off);
      storeGlobal(layout, b.create<vector::ShuffleOp>(loc, v.re, v.im, hi),
                  base, add(off, i64(W)));
    });
    return success();
  }
  SmallVector<Value> rowOff = laneOffsets(stride, elemFloats);
  SmallVector<Value> inside = laneInside();
  // Stores into rows of the range only (the last tile may be partial).
  auto guarded = [&](int64_t w, auto body) {
    if (!inside[w])
      return body();
    auto ifOp = b.create<scf::IfOp>(loc, inside[w], /*withElse=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    body();
  };
  if (blocks) {
    forRange(0, blocks, [&](Value blk) {
      Value i0 = mul(blk, idx(perBlock));
      SmallVector<Value> cols;
      for (int64_t k = 0; k < perBlock; ++k) {
        CV v = loadBuf(src, add(i0, idx(k)));
        cols.push_back(v.re);
        if (inter)
          cols.push_back(v.im);
      }
      SmallVector<Value> rows = transpose(cols);
      Value first = mul(toI64(blk), i64(W));
      for (int64_t w = 0; w < W; ++w)
        guarded(w, [&] {
          storeGlobal(layout, rows[w], base, add(rowOff[w], first));
        });
    });
  }
  for (int64_t w = 0; w < W && done < len; ++w)
    guarded(w, [&] {
      Value lane = idx(w);
      forRange(done, len, [&](Value i) {
        Value off = add(rowOff[w], mul(toI64(i), i64(elemFloats)));
        storeGlobal(layout,
                    b.create<memref::LoadOp>(loc, re[src], ValueRange{i, lane}),
                    base, off);
        if (inter)
          storeGlobal(layout,
                      b.create<memref::LoadOp>(loc, im[src], ValueRange{i, lane}),
                      base, add(off, i64(1)));
      });
    });
  return success();
}

SmallVector<Value> Lowering::laneOffsets(Value stride, int64_t elemFloats) {
  SmallVector<Value> off;
  if (subrows > 1) {
    // Sub-row u of row r starts at element u n of the row.
    Value first = add(mul(subRow, stride),
                      mul(subFirst, i64(N * elemFloats)));
    for (int64_t w = 0; w < W; ++w)
      off.push_back(add(first, i64(w * N * elemFloats)));
    return off;
  }
  // Lanes past the range repeat its last row: loads stay in bounds.
  Value last = b.create<arith::SubIOp>(loc, rowEnd, i64(1));
  for (int64_t w = 0; w < W; ++w)
    off.push_back(mul(
        b.create<arith::MinSIOp>(loc, add(tileRow, i64(w)), last), stride));
  return off;
}

SmallVector<Value> Lowering::laneInside() {
  SmallVector<Value> in(W);
  if (subrows > 1)
    return in; // a tile of sub-rows is always whole
  for (int64_t w = 0; w < W; ++w)
    in[w] = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt,
                                    add(tileRow, i64(w)), rowEnd);
  return in;
}

Value Lowering::interleavedOffset(Value stride, Value element,
                                  int64_t elemFloats) {
  // Element j of sub-row u is element u + subrows j of the row.
  Value e = add(subFirst, mul(element, i64(subrows)));
  return add(mul(subRow, stride), mul(e, i64(elemFloats)));
}

/// The stage's twiddles as tables of real and imaginary parts (in
/// `twOrder` when given: entry k is twiddle twOrder[k]); null without.
void Lowering::twiddleTables(kernel::StageOp op, Value &twRe, Value &twIm,
                             ArrayRef<int64_t> twOrder) {
  complexTables(kernel::twiddleValues(op), twRe, twIm, twOrder);
}

void Lowering::complexTables(ArrayRef<cd> tw, Value &twRe, Value &twIm,
                             ArrayRef<int64_t> twOrder) {
  if (tw.empty())
    return;
  SmallVector<double> tr, ti;
  for (size_t k = 0; k < tw.size(); ++k) {
    cd v = twOrder.empty() ? tw[k] : tw[twOrder[k]];
    tr.push_back(v.real());
    ti.push_back(v.imag());
  }
  twRe = table(tr, S);
  if (cplx)
    twIm = table(ti, S);
}

std::vector<CV> Lowering::applyCodelet(kernel::StageOp op,
                                       const std::vector<CV> &x) {
  VectorEmitter e{*this};
  return codelets::stage(e, op, x);
}

LogicalResult Lowering::lowerStage(kernel::StageOp op) {
  int64_t a = op.getA(), r = op.getR(), bb = op.getB();
  Value twRe, twIm;
  // Twiddles of a longer row (sub-row u of m): w^(l (u + m j)) over r b m
  // is the sub-row's own w^(l j) over r b (a table, as without sub-rows)
  // times w^(l u) over r b m, which differs by lane: a vector per l from a
  // table of r x m.
  auto sub = dyn_cast_or_null<kernel::TwiddlesAttr>(op.getTwiddlesAttr());
  Value laneRe, laneIm;
  if (sub && sub.getSubrows() > 1) {
    int64_t m = sub.getSubrows();
    std::vector<cd> own, lane;
    auto f = kernel::TwiddlesAttr::get(b.getContext(), r, bb,
                                       sub.getInverse(), sub.scale());
    for (int64_t k = 0; k < a * r * bb; ++k)
      own.push_back(f.at(k));
    for (int64_t l = 0; l < r; ++l)
      for (int64_t u = 0; u < m; ++u) {
        int64_t e = (l * u) % (r * bb * m);
        lane.push_back(ref::unitRoot(sub.getInverse() ? e : -e, r * bb * m));
      }
    complexTables(own, twRe, twIm);
    complexTables(lane, laneRe, laneIm);
  } else {
    twiddleTables(op, twRe, twIm, {});
  }
  // The lane factors of input l for this tile's sub-rows.
  SmallVector<std::pair<Value, Value>> laneTw;
  if (laneRe)
    for (int64_t l = 0; l < r; ++l) {
      Value at = toIndex(add(subFirst, i64(l * sub.getSubrows())));
      laneTw.push_back({b.create<vector::LoadOp>(loc, vt, laneRe, at),
                        b.create<vector::LoadOp>(loc, vt, laneIm, at)});
    }
  forRange(0, a, [&](Value i) {
    forRange(0, bb, [&](Value j) {
      Value base = add(mul(i, idx(r * bb)), j);
      std::vector<CV> x;
      std::vector<Value> at;
      for (int64_t l = 0; l < r; ++l) {
        Value p = add(base, idx(l * bb));
        at.push_back(p);
        CV v = loadBuf(op.getSrc(), p);
        if (twRe) {
          Value tr = broadcast(b.create<memref::LoadOp>(loc, twRe, p));
          Value ti = cplx ? broadcast(b.create<memref::LoadOp>(loc, twIm, p))
                          : Value();
          if (!laneTw.empty()) {
            CV t = cmulVec({laneTw[l].first, laneTw[l].second}, tr, ti);
            tr = t.re;
            ti = t.im;
          }
          v = cmulVec(v, tr, ti);
        }
        x.push_back(v);
      }
      std::vector<CV> y = applyCodelet(op, x);
      if (auto rOut = op.getROut()) {
        Value out = add(mul(i, idx(*rOut * bb)), j);
        for (int64_t k = 0; k < *rOut; ++k)
          storeBuf(op.getDst(), add(out, idx(k * bb)), y[k]);
        return;
      }
      for (int64_t k = 0; k < r; ++k)
        storeBuf(op.getDst(), at[k], y[k]);
    });
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Along the row: one row per tile, vectors of W lanes of consecutive
// elements. A stage I_a (x) A_r (x) I_b with W | b is plain SIMD over j; one
// with b | W takes r vectors of consecutive elements (W / b blocks of r b),
// regroups them with log2(r) rounds of two-input shuffles so that vector l
// holds input l of W / b codelets, and undoes the regrouping after the
// codelet. The load fuses into the first stage and the store into the last
// (no passes of their own); a permuted load copies the row and the first
// stage gathers through the index map.
//===----------------------------------------------------------------------===//

CV Lowering::rowRead(const Place &p, Value i) {
  if (p.buf >= 0 && p.blocks) {
    Value k = b.create<arith::DivUIOp>(loc, i, idx(W));
    Value blk = b.create<memref::LoadOp>(loc, p.blocks, ValueRange{k});
    Value at = b.create<arith::IndexCastOp>(loc, b.getIndexType(), blk);
    return loadBuf(p.buf, add(mul(at, idx(W)), b.create<arith::RemUIOp>(loc, i, idx(W))));
  }
  if (p.buf >= 0)
    return loadBuf(p.buf, i);
  Value off = add(p.rowOff, toI64(i));
  if (!cplx)
    return {b.create<LLVM::LoadOp>(loc, vt, scalarPtr(p.base, off), 4), {}};
  Value off2 = mul(off, i64(2));
  Value v0 = b.create<LLVM::LoadOp>(loc, vt, scalarPtr(p.base, off2), 4);
  Value v1 = b.create<LLVM::LoadOp>(
      loc, vt, scalarPtr(p.base, add(off2, i64(W))), 4);
  SmallVector<int64_t> ev, od;
  for (int64_t k = 0; k < W; ++k) {
    ev.push_back(2 * k);
    od.push_back(2 * k + 1);
  }
  return {b.create<vector::ShuffleOp>(loc, v0, v1, ev),
          b.create<vector::ShuffleOp>(loc, v0, v1, od)};
}

void Lowering::rowWrite(const Place &p, Value i, CV v) {
  if (p.buf >= 0)
    return storeBuf(p.buf, i, v);
  Value off = add(p.rowOff, toI64(i));
  if (!cplx) {
    b.create<LLVM::StoreOp>(loc, v.re, scalarPtr(p.base, off), 4);
    return;
  }
  SmallVector<int64_t> lo, hi;
  for (int64_t k = 0; k < W / 2; ++k) {
    lo.append({k, W + k});
    hi.append({W / 2 + k, W + W / 2 + k});
  }
  Value off2 = mul(off, i64(2));
  b.create<LLVM::StoreOp>(loc, b.create<vector::ShuffleOp>(loc, v.re, v.im, lo),
                          scalarPtr(p.base, off2), 4);
  b.create<LLVM::StoreOp>(loc, b.create<vector::ShuffleOp>(loc, v.re, v.im, hi),
                          scalarPtr(p.base, add(off2, i64(W))), 4);
}

/// The W elements of buffer p.buf whose positions are table[slot W ..].
CV Lowering::rowGather(const Place &p, Value table, Value slot) {
  auto it = VectorType::get({W}, b.getI32Type());
  Value ix = b.create<vector::LoadOp>(loc, it, table, ValueRange{mul(slot, idx(W))});
  Value mask = b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(VectorType::get({W}, b.getI1Type()), true));
  Value c0 = idx(0), pass = splat(0.0);
  auto g = [&](Value buf) {
    return b.create<vector::GatherOp>(loc, vt, buf, ValueRange{c0}, ix, mask,
                                      pass);
  };
  return {g(re[p.buf]), cplx ? Value(g(im[p.buf])) : Value()};
}

/// One round takes the even units (of `unit` lanes) of the whole sequence,
/// then the odd ones; log2(r) rounds turn r vectors of W / unit blocks of
/// r units into r vectors of unit l of every block.
SmallVector<Value> Lowering::unzip(SmallVector<Value> v, int64_t unit) {
  int64_t r = v.size(), U = W / unit;
  SmallVector<int64_t> ev, od;
  for (int64_t u = 0; u < U; ++u)
    for (int64_t t = 0; t < unit; ++t) {
      ev.push_back(2 * u * unit + t);
      od.push_back((2 * u + 1) * unit + t);
    }
  for (int64_t s = 1; s < r; s *= 2) {
    SmallVector<Value> next(r);
    for (int64_t q = 0; q < r / 2; ++q) {
      next[q] = b.create<vector::ShuffleOp>(loc, v[2 * q], v[2 * q + 1], ev);
      next[r / 2 + q] =
          b.create<vector::ShuffleOp>(loc, v[2 * q], v[2 * q + 1], od);
    }
    v = next;
  }
  return v;
}

/// The inverse of unzip.
SmallVector<Value> Lowering::zip(SmallVector<Value> v, int64_t unit) {
  int64_t r = v.size(), U = W / unit;
  SmallVector<int64_t> lo, hi;
  for (int64_t u = 0; u < U; ++u)
    for (int64_t t = 0; t < unit; ++t) {
      int64_t side = u % 2 ? W : 0;
      lo.push_back(side + u / 2 * unit + t);
      hi.push_back(side + (U / 2 + u / 2) * unit + t);
    }
  for (int64_t s = 1; s < r; s *= 2) {
    SmallVector<Value> next(r);
    for (int64_t q = 0; q < r / 2; ++q) {
      next[2 * q] = b.create<vector::ShuffleOp>(loc, v[q], v[r / 2 + q], lo);
      next[2 * q + 1] =
          b.create<vector::ShuffleOp>(loc, v[q], v[r / 2 + q], hi);
    }
    v = next;
  }
  return v;
}

LogicalResult Lowering::lowerStageRow(kernel::StageOp op, const Place &src,
                                      const Place &dst) {
  int64_t a = op.getA(), r = op.getR(), bb = op.getB(), len = a * r * bb;
  bool plain = bb % W == 0;
  // Slot order: the element each lane of each codelet input vector holds.
  std::vector<int64_t> order;
  if (!plain) {
    int64_t U = W / bb;
    for (int64_t q = 0; q < a / U; ++q)
      for (int64_t l = 0; l < r; ++l)
        for (int64_t i = 0; i < U; ++i)
          for (int64_t j = 0; j < bb; ++j)
            order.push_back(((q * U + i) * r + l) * bb + j);
  }
  Value twRe, twIm;
  twiddleTables(op, twRe, twIm, order);
  Value gather;
  if (!src.perm.empty()) {
    SmallVector<double> g;
    for (int64_t k = 0; k < len; ++k)
      g.push_back(src.perm[plain ? k : order[k]]);
    gather = table(g, b.getI32Type());
  }
  auto twiddle = [&](CV v, Value p) {
    if (!twRe)
      return v;
    Value tr = b.create<vector::LoadOp>(loc, vt, twRe, ValueRange{p});
    Value ti = cplx ? Value(b.create<vector::LoadOp>(loc, vt, twIm, ValueRange{p}))
                    : Value();
    return cmulVec(v, tr, ti);
  };
  // unzip (or zip) both planes of r vectors.
  auto regroup = [&](const std::vector<CV> &v, bool undo) {
    SmallVector<Value> vr, vi;
    for (const CV &c : v) {
      vr.push_back(c.re);
      vi.push_back(c.im);
    }
    vr = undo ? zip(vr, bb) : unzip(vr, bb);
    if (cplx)
      vi = undo ? zip(vi, bb) : unzip(vi, bb);
    std::vector<CV> out;
    for (size_t k = 0; k < v.size(); ++k)
      out.push_back({vr[k], cplx ? vi[k] : Value()});
    return out;
  };
  if (plain) {
    forRange(0, a, [&](Value i) {
      forRange(0, bb / W, [&](Value jb) {
        Value base = add(mul(i, idx(r * bb)), mul(jb, idx(W)));
        std::vector<CV> x;
        for (int64_t l = 0; l < r; ++l) {
          Value p = add(base, idx(l * bb));
          CV v = gather ? rowGather(src, gather,
                                    b.create<arith::DivUIOp>(loc, p, idx(W)))
                        : rowRead(src, p);
          x.push_back(twiddle(v, p));
        }
        std::vector<CV> y = applyCodelet(op, x);
        for (int64_t k = 0; k < r; ++k)
          rowWrite(dst, add(base, idx(k * bb)), y[k]);
      });
    });
    return success();
  }
  forRange(0, a / (W / bb), [&](Value q) {
    Value base = mul(q, idx(r * W));
    std::vector<CV> x(r);
    if (gather) {
      for (int64_t l = 0; l < r; ++l)
        x[l] = rowGather(src, gather, add(mul(q, idx(r)), idx(l)));
    } else {
      std::vector<CV> raw;
      for (int64_t t = 0; t < r; ++t)
        raw.push_back(rowRead(src, add(base, idx(t * W))));
      x = regroup(raw, false);
    }
    for (int64_t l = 0; l < r; ++l)
      x[l] = twiddle(x[l], add(base, idx(l * W)));
    std::vector<CV> y = regroup(applyCodelet(op, x), true);
    for (int64_t t = 0; t < r; ++t)
      rowWrite(dst, add(base, idx(t * W)), y[t]);
  });
  return success();
}

/// The first stage of a split permuted load: for W codelets at a time,
/// input l of codelet 16m + t is lane t of the contiguous global vector at
/// l N/W + m W; the outputs, codelets in lanes, are transposed back to rows.
LogicalResult Lowering::lowerStridedFirstStage(kernel::StageOp op,
                                               const Place &src,
                                               const Place &dst) {
  Value twRe, twIm;
  twiddleTables(op, twRe, twIm, {});
  int64_t n = N / W;
  forRange(0, n / W, [&](Value g) {
    Value base = mul(g, idx(W));
    std::vector<CV> x;
    for (int64_t l = 0; l < W; ++l)
      x.push_back(rowRead(src, add(base, idx(l * n))));
    std::vector<CV> y = applyCodelet(op, x);
    SmallVector<Value> yr, yi;
    for (const CV &c : y) {
      yr.push_back(c.re);
      yi.push_back(c.im);
    }
    yr = transpose(yr);
    if (cplx)
      yi = transpose(yi);
    for (int64_t t = 0; t < W; ++t)
      rowWrite(dst, add(mul(base, idx(W)), idx(t * W)),
               {yr[t], cplx ? yi[t] : Value()});
  });
  return success();
}

LogicalResult Lowering::lowerRow(kernel::KernelOp kernel, Value row) {
  auto &ops = kernel.steps().getOperations();
  auto load = cast<kernel::LoadOp>(ops.front());
  auto store = cast<kernel::StoreOp>(ops.back());
  Place in, out;
  in.base = loadPtr(ptrs, load.getOperand());
  in.rowOff = mul(row, loadI64(strides, load.getOperand()));
  out.base = loadPtr(ptrs, store.getOperand());
  out.rowOff = mul(row, loadI64(strides, store.getOperand()));
  // A split permuted load (CpuTarget.h: permutationSplits): the first
  // stage reads the global row in contiguous vectors, the second reads its
  // output through a map of whole vectors; no copy, no gathers.
  SmallVector<int64_t> blocks;
  std::vector<int64_t> perm = kernel::permutationIndices(load.getPermAttr());
  bool split = !perm.empty() && splitFirstStage(kernelShape(kernel), W) &&
               permutationSplits(perm, W, blocks);
  if (!split && !perm.empty()) {
    // The row lands in the spare buffer; the first stage gathers from it.
    forRange(0, N / W, [&](Value k) {
      Value i = mul(k, idx(W));
      storeBuf(2, i, rowRead(in, i));
    });
    in = Place{2, {}, {}, perm};
  }
  SmallVector<kernel::StageOp> stages;
  for (Operation &op : ops)
    if (auto st = dyn_cast<kernel::StageOp>(op))
      stages.push_back(st);
  if (stages.empty()) {
    // A copy, or a permutation through gathers.
    Value gather;
    if (!in.perm.empty()) {
      SmallVector<double> g(in.perm.begin(), in.perm.end());
      gather = table(g, b.getI32Type());
    }
    forRange(0, N / W, [&](Value k) {
      Value i = mul(k, idx(W));
      rowWrite(out, i, gather ? rowGather(in, gather, k) : rowRead(in, i));
    });
    return success();
  }
  // A real row runs every stage after the first in place in the output
  // row: two rows per stage in cache instead of three with ping-pong
  // buffers (a 4K-element row and its buffers overflowed L1; bench/NOTES.md
  // CPU v6). Each iteration reads its r vectors before writing them, and
  // outputs never overlap inputs (the entry points check). Complex rows
  // keep planar buffers (the global row is interleaved).
  bool inOut = !cplx;
  for (auto [k, st] : llvm::enumerate(stages)) {
    Place src = k == 0 ? in
                : inOut ? out
                        : Place{int64_t(st.getSrc()), {}, {}, {}, {}};
    Place dst = k + 1 == stages.size() || inOut
                    ? out
                    : Place{int64_t(st.getDst()), {}, {}, {}, {}};
    if (split && k == 0) {
      if (failed(lowerStridedFirstStage(st, src, dst)))
        return failure();
      continue;
    }
    if (split && k == 1)
      src.blocks = table(SmallVector<double>(blocks.begin(), blocks.end()),
                         b.getI32Type());
    if (failed(lowerStageRow(st, src, dst)))
      return failure();
  }
  return success();
}

SmallVector<kernel::ButterflyStageOp, 3>
Lowering::fusedLevels(ArrayRef<Operation *> steps, size_t i, size_t end,
                      size_t again) const {
  // k levels hold 2^k vectors of the group and a level's 4 weights (twice
  // each for complex tiles) in registers: the most k whose 2^k + 4 fit
  // half the vector registers (16 with AVX2, 32 with AVX-512), so that
  // the products' temporaries do not spill. On AVX2 that is 2 real levels
  // and no complex fusion: the development VM measured 2 real levels
  // 1.21-1.33x faster than 1, 3 slower than 2, and 2 complex ones level
  // with 1 (bench/NOTES.md).
  const int64_t registers = W * FloatType(S).getWidth() >= 512 ? 32 : 16,
                planes = cplx ? 2 : 1;
  int64_t most = 1;
  while ((int64_t(1) << (most + 1)) * planes + 4 * planes <= registers / 2)
    ++most;
  if (fuseButterflyLevels > 0)
    most = fuseButterflyLevels;
  auto first = cast<kernel::ButterflyStageOp>(steps[i]);
  SmallVector<kernel::ButterflyStageOp, 3> group{first};
  llvm::SmallDenseSet<int64_t> strides{int64_t(first.getStride())};
  for (size_t j = i + 1; j < end && int64_t(group.size()) < most; ++j) {
    auto next = dyn_cast<kernel::ButterflyStageOp>(steps[j]);
    kernel::ButterflyStageOp last = group.back();
    if (!next || next.getBlock() != first.getBlock() ||
        next.getLevels() != first.getLevels() ||
        next.getLevel() != last.getLevel() + 1 ||
        !llvm::isPowerOf2_64(next.getStride()) ||
        !llvm::isPowerOf2_64(first.getStride()) ||
        !strides.insert(next.getStride()).second ||
        next.getSrc() != last.getDst())
      break;
    group.push_back(next);
  }
  // The group reads the first level's input and writes the last level's
  // output: the levels between leave their buffers' first 2^L elements as
  // they were. Fused only where no later step reads them before a level of
  // the same size or a load writes them again: after the group here, and,
  // inside a loop over repeated blocks, after its last repetition too.
  auto unread = [&](size_t at, size_t size) {
    llvm::SmallDenseSet<int64_t> stale;
    for (size_t j = at; j + 1 < at + size; ++j)
      stale.insert(cast<kernel::ButterflyStageOp>(steps[j]).getDst());
    stale.erase(cast<kernel::ButterflyStageOp>(steps[at + size - 1]).getDst());
    for (size_t j = at + size; j < steps.size() && !stale.empty(); ++j) {
      Operation *op = steps[j];
      if (auto src = op->getAttrOfType<IntegerAttr>("src");
          src && stale.contains(src.getInt()))
        return false;
      auto bf = dyn_cast<kernel::ButterflyStageOp>(op);
      if ((bf && bf.getLevels() == first.getLevels()) ||
          isa<kernel::LoadOp>(op))
        stale.erase(op->getAttrOfType<IntegerAttr>("dst").getInt());
    }
    return true;
  };
  while (group.size() > 1 &&
         (!unread(i, group.size()) ||
          (again != size_t(-1) && !unread(again, group.size()))))
    group.pop_back();
  return group;
}

LogicalResult Lowering::lowerButterflies(
    ArrayRef<kernel::ButterflyStageOp> ops, Value shift) {
  // Each level's weights: run-time ones through the ABI's pointers,
  // constant ones from tables in the kernel (real and imaginary parts
  // apart); weight e of pair p at 4 (first + p) + e.
  struct Level {
    kernel::ButterflyStageOp op;
    Value wbase, tabRe, tabIm, first;
    GlobalLayout wl;
  };
  SmallVector<Level, 2> levels;
  for (kernel::ButterflyStageOp op : ops) {
    Level l{op, {}, {}, {}, {}, globalLayout(op.getGlobal(), false)};
    if (op.getOperand())
      l.wbase = loadPtr(ptrs, *op.getOperand());
    // A butterfly of L levels acts on the first 2^L elements.
    int64_t half = (int64_t(1) << op.getLevels()) / 2;
    int64_t levelBase = (op.getBlock() * op.getLevels() + op.getLevel()) * half;
    if (auto w = op.getWeights()) {
      SmallVector<double> re, im;
      for (auto v :
           cast<DenseElementsAttr>(*w).getValues<std::complex<double>>()) {
        re.push_back(v.real());
        im.push_back(v.imag());
      }
      l.tabRe = table(re, S);
      if (op.getComplexWeights())
        l.tabIm = table(im, S);
      levelBase = 0;
    }
    l.first = i64(levelBase);
    if (shift)
      l.first = add(l.first, mul(toI64(shift), i64(op.getLevels() * half)));
    levels.push_back(l);
  }
  auto weight = [&](Level &l, Value w, int64_t e) -> std::pair<Value, Value> {
    bool cw = l.op.getComplexWeights();
    Value o = add(w, i64(e));
    if (l.tabRe) {
      Value i = toIndex(o);
      return {broadcast(b.create<memref::LoadOp>(loc, l.tabRe, i)),
              cw ? broadcast(b.create<memref::LoadOp>(loc, l.tabIm, i))
                 : Value()};
    }
    if (!cw)
      return {broadcast(loadGlobal(l.wl, l.wbase, o, false)), Value()};
    Value o2 = mul(o, i64(2));
    return {broadcast(loadScalar(l.wbase, o2)),
            broadcast(loadScalar(l.wbase, add(o2, i64(1))))};
  };
  // The pair (x0, x1) at elements a0 < a1 = a0 + s through level l: its
  // pair index counts the lower elements, (a0 / 2s) s + a0 mod s.
  auto divU = [&](Value x, int64_t d) {
    return b.create<arith::DivUIOp>(loc, x, idx(d)).getResult();
  };
  auto remU = [&](Value x, int64_t d) {
    return b.create<arith::RemUIOp>(loc, x, idx(d)).getResult();
  };
  auto pairThrough = [&](Level &l, Value a0, CV &x0, CV &x1) {
    int64_t s = l.op.getStride();
    Value p = add(mul(divU(a0, 2 * s), idx(s)), remU(a0, s));
    Value w = mul(add(toI64(p), l.first), i64(4));
    auto [t00r, t00i] = weight(l, w, 0);
    auto [t01r, t01i] = weight(l, w, 1);
    auto [t10r, t10i] = weight(l, w, 2);
    auto [t11r, t11i] = weight(l, w, 3);
    CV y0 = cadd(cmulVec(x0, t00r, t00i), cmulVec(x1, t01r, t01i));
    x1 = cadd(cmulVec(x0, t10r, t10i), cmulVec(x1, t11r, t11i));
    x0 = y0;
  };
  // Element a with a zero inserted at the bit of stride s.
  auto spread = [&](Value g, int64_t s) {
    return add(mul(divU(g, s), idx(2 * s)), remU(g, s));
  };
  // k levels of strides s_0 ... s_{k-1}: the 2^k elements a + (a sum of
  // some of the strides) go through all of them in registers, one load and
  // one store each instead of k (k = 1: a pair through one level).
  kernel::ButterflyStageOp op = ops.front();
  int64_t half = (int64_t(1) << op.getLevels()) / 2;
  const int64_t k = levels.size(), group = int64_t(1) << k;
  SmallVector<int64_t> strides, sorted;
  for (Level &l : levels)
    strides.push_back(l.op.getStride());
  sorted = strides;
  llvm::sort(sorted);
  forRange(0, half >> (k - 1), [&](Value g) {
    Value a = g;
    for (int64_t st : sorted)
      a = spread(a, st);
    SmallVector<Value> at;
    SmallVector<CV> x;
    for (int64_t e = 0; e < group; ++e) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j)
        if (e >> j & 1)
          off += strides[j];
      at.push_back(off ? add(a, idx(off)) : a);
      x.push_back(loadBuf(op.getSrc(), at.back()));
    }
    for (int64_t j = 0; j < k; ++j)
      for (int64_t e = 0; e < group; ++e)
        if (!(e >> j & 1))
          pairThrough(levels[j], at[e], x[e], x[e | int64_t(1) << j]);
    for (int64_t e = 0; e < group; ++e)
      storeBuf(levels.back().op.getDst(), at[e], x[e]);
  });
  return success();
}

LogicalResult Lowering::lowerDense(kernel::DenseStageOp op) {
  Value wbase = loadPtr(ptrs, op.getOperand());
  bool cw = op.getComplexWeights();
  GlobalLayout wl = globalLayout(op.getGlobal(), false);
  int64_t r = op.getR();
  // Weights per row: lane l (row tileRow + l) reads its own, laneOff[l]
  // scalars in. A family's row takes member (tileRow + l) mod M; a gate's
  // row its own row of the operand, where rows past the range in the last
  // tile read the range's last row (their results are not stored).
  SmallVector<Value> memberOff;
  if (op.getMembers() || op.getBatched()) {
    if (inRow || !tileRow)
      return op.emitError("linop-cpu-lower-kernels: per-row weights are "
                          "read across rows only");
    int64_t scalars = cw ? 2 : 1;
    Value stride = op.getBatched()
                       ? mul(loadI64(strides, op.getOperand()), i64(scalars))
                       : i64(op.getBlocks() * r * r * scalars);
    for (int64_t l = 0; l < W; ++l) {
      Value row = add(tileRow, i64(l));
      if (auto members = op.getMembers())
        row = b.create<arith::RemUIOp>(loc, row, i64(*members));
      else
        row = b.create<arith::MinSIOp>(loc, row, add(rowEnd, i64(-1)));
      memberOff.push_back(mul(row, stride));
    }
  }
  // A weight scalar at offset `o` of the member (or of the one operand) as
  // a vector across the tile's rows.
  auto weightVec = [&](Value o, bool narrowStored) {
    auto one = [&](Value at) {
      return narrowStored ? loadGlobal(wl, wbase, at, false)
                          : loadScalar(wbase, at);
    };
    if (memberOff.empty())
      return broadcast(one(o));
    Value v = splat(0.0);
    for (int64_t l = 0; l < W; ++l)
      v = b.create<vector::InsertOp>(loc, one(add(memberOff[l], o)), v,
                                     ArrayRef<int64_t>{l});
    return v;
  };
  forRange(0, op.getBlocks(), [&](Value blk) {
    Value first = mul(blk, idx(r));
    forRange(0, r, [&](Value k) {
      CV init = zero();
      SmallVector<Value> inits{init.re};
      if (cplx)
        inits.push_back(init.im);
      auto loop = b.create<scf::ForOp>(loc, idx(0), idx(r), idx(1), inits);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(loop.getBody());
        Value l = loop.getInductionVar();
        CV acc{loop.getRegionIterArgs()[0],
               cplx ? loop.getRegionIterArgs()[1] : Value()};
        // W[blk, k, l] = operand[(blk r + k) r + l].
        Value o = add(mul(toI64(add(first, k)), i64(r)), toI64(l));
        Value wr, wi;
        if (cw) {
          Value o2 = mul(o, i64(2));
          wr = weightVec(o2, false);
          wi = weightVec(add(o2, i64(1)), false);
        } else {
          wr = weightVec(o, true);
        }
        CV sum = cadd(acc, cmulVec(loadBuf(op.getSrc(), add(first, l)), wr, wi));
        SmallVector<Value> yields{sum.re};
        if (cplx)
          yields.push_back(sum.im);
        b.create<scf::YieldOp>(loc, yields);
      }
      storeBuf(op.getDst(), add(first, k),
               {loop.getResult(0), cplx ? loop.getResult(1) : Value()});
    });
  });
  return success();
}

LogicalResult Lowering::lowerPermute(kernel::PermuteOp op) {
  std::vector<int64_t> p = kernel::permutationIndices(op.getPerm());
  int64_t len = p.size();
  Value perm = table(SmallVector<double>(p.begin(), p.end()), b.getI64Type());
  forRange(0, len, [&](Value i) {
    Value src = toIndex(b.create<memref::LoadOp>(loc, perm, i));
    storeBuf(op.getDst(), i, loadBuf(op.getSrc(), src));
  });
  return success();
}

LogicalResult Lowering::lowerEmbed(kernel::EmbedOp op) {
  int64_t src = op.getSrc(), dst = op.getDst();
  int64_t rowOff = 0, colOff = 0;
  for (auto [k, blk] : llvm::enumerate(op.getBlocks())) {
    int64_t rows = op.getRows()[k], cols = op.getCols()[k];
    int64_t r0 = rowOff, c0 = colOff;
    rowOff += rows;
    colOff += cols;
    if (isa<UnitAttr>(blk)) {
      forRange(0, rows, [&](Value i) {
        storeBuf(dst, add(i, idx(r0)), loadBuf(src, add(i, idx(c0))));
      });
      continue;
    }
    auto attr = cast<DenseElementsAttr>(blk);
    std::vector<cd> m(attr.getValues<cd>().begin(), attr.getValues<cd>().end());
    if (!cplx && llvm::any_of(m, [](cd c) { return c.imag() != 0; }))
      return op.emitError("a real kernel cannot apply a complex block");
    // Each input the block uses is loaded once; rows are unrolled products
    // with zeros and ones folded, runs of zero rows are a fill loop.
    std::vector<CV> x(cols);
    auto input = [&](int64_t j) {
      if (!x[j].re)
        x[j] = loadBuf(src, idx(c0 + j));
      return x[j];
    };
    auto zeroRow = [&](int64_t i) {
      for (int64_t j = 0; j < cols; ++j)
        if (m[i * cols + j] != cd(0))
          return false;
      return true;
    };
    for (int64_t i = 0; i < rows;) {
      if (zeroRow(i)) {
        int64_t e = i + 1;
        while (e < rows && zeroRow(e))
          ++e;
        CV z = zero();
        forRange(r0 + i, r0 + e, [&](Value at) { storeBuf(dst, at, z); });
        i = e;
        continue;
      }
      CV acc;
      for (int64_t j = 0; j < cols; ++j)
        if (m[i * cols + j] != cd(0))
          acc = accumulate(acc, mulConst(input(j), m[i * cols + j]));
      storeBuf(dst, idx(r0 + i), acc);
      ++i;
    }
  }
  return success();
}

LogicalResult Lowering::lowerConvert(kernel::ConvertOp op) {
  kernel::ConvertKind kind = op.getKind();
  int64_t n = op.getN(), src = op.getSrc(), dst = op.getDst();
  Value z = splat(0.0);
  forRange(0, n, [&](Value i) {
    Value i2 = mul(i, idx(2)), i21 = add(i2, idx(1));
    if (kind == kernel::ConvertKind::real) {
      storeBuf(dst, i, {loadBuf(src, i).re, z});
    } else if (kind == kernel::ConvertKind::pack) {
      storeBuf(dst, i, {loadBuf(src, i2).re, loadBuf(src, i21).re});
    } else {
      CV v = loadBuf(src, i);
      storeBuf(dst, i2, {v.re, z});
      storeBuf(dst, i21, {v.im, z});
    }
  });
  return success();
}

/// Split (inverse: merge) pairs k with m - k; one loop over k = 1 .. m-1
/// computes output k from inputs k and m - k and a twiddle table, and the
/// ends (k = 0 and, for split, k = m) come from element 0 alone.
LogicalResult Lowering::lowerRfft(kernel::RfftStageOp op) {
  int64_t m = op.getM(), src = op.getSrc(), dst = op.getDst();
  bool inverse = op.getInverse();
  Value half = splat(0.5);
  if (!inverse) {
    // X[0] = Re Z0 + Im Z0, X[m] = Re Z0 - Im Z0 (both real).
    CV z0 = loadBuf(src, idx(0));
    storeBuf(dst, idx(0), {fadd(z0.re, z0.im), splat(0.0)});
    storeBuf(dst, idx(m), {fsub(z0.re, z0.im), splat(0.0)});
  } else {
    // Z[0] = (a + b) + i (a - b) with a = Re X0, b = Re Xm.
    Value a = loadBuf(src, idx(0)).re, bm = loadBuf(src, idx(m)).re;
    storeBuf(dst, idx(0), {fadd(a, bm), fsub(a, bm)});
  }
  if (m < 2)
    return success();
  // w^k = exp(-+2 pi i k / 2m) for k < m.
  SmallVector<double> wr, wi;
  for (int64_t k = 0; k < m; ++k) {
    cd w = ref::unitRoot(inverse ? k : -k, 2 * m);
    wr.push_back(w.real());
    wi.push_back(w.imag());
  }
  Value tr = table(wr, S), ti = table(wi, S);
  forRange(1, m, [&](Value k) {
    Value mk = b.create<arith::SubIOp>(loc, idx(m), k);
    CV a = loadBuf(src, k), c = loadBuf(src, mk);
    Value wre = broadcast(b.create<memref::LoadOp>(loc, tr, k));
    Value wim = broadcast(b.create<memref::LoadOp>(loc, ti, k));
    if (!inverse) {
      // E = (a + conj c) / 2, O = (a - conj c) / 2i, X = E + w O.
      Value er = fmul(fadd(a.re, c.re), half), ei = fmul(fsub(a.im, c.im), half);
      Value orr = fmul(fadd(a.im, c.im), half), oi = fmul(fsub(c.re, a.re), half);
      CV wo = cmulVec({orr, oi}, wre, wim);
      storeBuf(dst, k, {fadd(er, wo.re), fadd(ei, wo.im)});
    } else {
      // S = a + conj c, D = a - conj c, Z = S + i w^-1 D.
      Value sr = fadd(a.re, c.re), si = fsub(a.im, c.im);
      Value dr = fsub(a.re, c.re), di = fadd(a.im, c.im);
      CV t = cmulVec({dr, di}, wre, wim);
      storeBuf(dst, k, {fsub(sr, t.im), fadd(si, t.re)});
    }
  });
  return success();
}

struct CpuLowerKernelsPass
    : linop::cpu::impl::CpuLowerKernelsBase<CpuLowerKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<kernel::KernelOp> kernels(module.getOps<kernel::KernelOp>());
    for (kernel::KernelOp k : kernels)
      if (failed(lower(module, k)))
        return signalPassFailure();
    SmallVector<kernel::ChunkedRecurrenceOp> recurrences(
        module.getOps<kernel::ChunkedRecurrenceOp>());
    for (kernel::ChunkedRecurrenceOp r : recurrences)
      lower(module, r);
  }

  /// A recurrence kernel calls the runtime's chunked recurrence
  /// (linop_cpu_recurrence, IREE's microkernel pattern) with its plan, a
  /// constant table in the layout of runtime.h's LINOP_REC_* indices.
  void lower(ModuleOp module, kernel::ChunkedRecurrenceOp rec) {
    OpBuilder b(rec);
    Location loc = rec.getLoc();
    MLIRContext *ctx = b.getContext();
    auto ptrT = LLVM::LLVMPointerType::get(ctx);
    Type i64 = b.getI64Type(), f64 = b.getF64Type();
    const char *callee = "linop_cpu_recurrence";
    auto decl = module.lookupSymbol<LLVM::LLVMFuncOp>(callee);
    if (!decl) {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(module.getBody());
      decl = b.create<LLVM::LLVMFuncOp>(
          loc, callee,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                      {ptrT, f64, ptrT, ptrT, i64, i64}));
    }
    auto code = [](Type t) -> int64_t { return t.isF16() ? 1 : t.isBF16() ? 2 : 0; };
    auto opt = [](std::optional<uint64_t> p) { return p ? int64_t(*p) : -1; };
    SmallVector<int64_t> plan{
        int64_t(rec.getT()),  int64_t(rec.getH()),
        int64_t(rec.getDk()), int64_t(rec.getDv()),
        int64_t(rec.getChunk()), int64_t(rec.getDecay()),
        int64_t(rec.getUpdate()), code(rec.getElement()),
        code(rec.getOutElement()), int64_t(rec.getQ()),
        int64_t(rec.getK()), int64_t(rec.getV()),
        opt(rec.getG()), opt(rec.getBeta()),
        opt(rec.getH0()), int64_t(rec.getO()),
        opt(rec.getState()), int64_t(rec.getHeadsFirst()),
        opt(rec.getOffsets()),
        rec.getOffsetElement()
            ? int64_t(rec.getOffsetElement()->getIntOrFloatBitWidth() / 8)
            : 0,
        int64_t(rec.getSequences())};
    auto planType = LLVM::LLVMArrayType::get(i64, plan.size());
    std::string planName = (rec.getSymName() + "_plan").str();
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(module.getBody());
      b.create<LLVM::GlobalOp>(
          loc, planType, /*isConstant=*/true, LLVM::Linkage::Private, planName,
          DenseElementsAttr::get(
              RankedTensorType::get({int64_t(plan.size())}, i64),
              ArrayRef<int64_t>(plan)));
    }
    auto func = b.create<func::FuncOp>(
        loc, rec.getSymName(), b.getFunctionType({ptrT, ptrT, i64, i64}, {}));
    func->setAttr("linop.function", rec.getFunctionAttr());
    if (auto f = rec.getFlopsPerRowAttr())
      func->setAttr("linop.flops_per_row", f);
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value planPtr = b.create<LLVM::AddressOfOp>(loc, ptrT, planName);
    Value scale = b.create<arith::ConstantOp>(loc, rec.getScaleAttr());
    b.create<LLVM::CallOp>(
        loc, decl,
        ValueRange{planPtr, scale, entry->getArgument(0), entry->getArgument(1),
                   entry->getArgument(2), entry->getArgument(3)});
    b.create<func::ReturnOp>(loc);
    rec.erase();
  }

  /// `kernel` as a function with the CPU ABI: (ptrs, strides, begin, end).
  LogicalResult lower(ModuleOp module, kernel::KernelOp kernel) {
    auto sched = dyn_cast_or_null<kernel::CpuScheduleAttr>(
        kernel.getScheduleAttr());
    if (!sched)
      return kernel.emitError("linop-cpu-lower-kernels: the kernel has no CPU "
                              "schedule (run linop-cpu-schedule first)");
    OpBuilder b(kernel);
    Location loc = kernel.getLoc();
    auto ptrT = LLVM::LLVMPointerType::get(b.getContext());
    auto i64 = b.getI64Type();
    auto func = b.create<func::FuncOp>(
        loc, kernel.getSymName(), b.getFunctionType({ptrT, ptrT, i64, i64}, {}));
    func->setAttr("linop.function", kernel.getFunctionAttr());
    // Per row of the function; a pass of a split kernel counts units of W
    // sub-rows (the tools read both).
    int64_t lanes = sched.getLanes(), subrows = kernel.subrowCount();
    if (auto f = kernel.getFlopsPerRowAttr())
      func->setAttr("linop.flops_per_row", b.getI64IntegerAttr(f.getInt() * subrows));
    if (subrows > 1)
      func->setAttr("linop.units_per_row", b.getI64IntegerAttr(subrows / lanes));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value begin = entry->getArgument(2), end = entry->getArgument(3);

    // Along the row where the schedule says so and the kernel has that
    // form (else across rows: the same semantics).
    bool inRow = sched.getLayout() == kernel::CpuLayout::along_row &&
                 inRowSupported(kernelShape(kernel), sched.getLanes());
    Lowering L(b, loc, module, sched.getLanes(), kernel.getN(),
               kernel.getElement());
    L.inRow = inRow;
    L.ptrs = entry->getArgument(0);
    L.strides = entry->getArgument(1);
    auto bufType = MemRefType::get({L.N, L.W}, L.S);
    SmallVector<Value> allocs;
    if (inRow) {
      // Three buffers (the third takes a permuted load) in one allocation,
      // each plane 4 KiB-rounded plus 576 B after the previous one: a stage
      // reads and writes the same index of two planes, and addresses equal
      // modulo 4 KiB would stall loads behind unrelated stores.
      int64_t bytes = L.S.getWidth() / 8;
      int64_t slot = (L.N * bytes + 4095) / 4096 * 4096 / bytes + 576 / bytes;
      int64_t slots = L.cplx ? 6 : 3;
      Value all = b.create<memref::AllocOp>(
          loc, MemRefType::get({slots * slot}, L.S), b.getI64IntegerAttr(64));
      allocs.push_back(all);
      for (int64_t k = 0; k < slots; ++k) {
        Value v = b.create<memref::SubViewOp>(loc, all,
                                              ArrayRef<int64_t>{k * slot},
                                              ArrayRef<int64_t>{L.N},
                                              ArrayRef<int64_t>{1});
        (L.cplx && k % 2 ? L.im : L.re).push_back(v);
      }
    } else {
      for (int64_t k = 0; k < kernel.getBuffers(); ++k) {
        allocs.push_back(b.create<memref::AllocOp>(loc, bufType, b.getI64IntegerAttr(64)));
        L.re.push_back(allocs.back());
        if (L.cplx) {
          allocs.push_back(b.create<memref::AllocOp>(loc, bufType, b.getI64IntegerAttr(64)));
          L.im.push_back(allocs.back());
        }
      }
    }
    // A kernel split into sub-rows counts tiles of W sub-rows: the range
    // is in those units (linop.units_per_row of them per row), so
    // that the thread pool spreads one long row too.
    L.subrows = subrows;
    bool tilesAsUnits = inRow || subrows > 1;
    auto tiles =
        b.create<scf::ForOp>(loc, begin, end, L.i64(tilesAsUnits ? 1 : L.W));
    if (inRow) {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(tiles.getBody()->getTerminator());
      if (failed(L.lowerRow(kernel, tiles.getInductionVar())))
        return failure();
    } else {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(tiles.getBody()->getTerminator());
      Value tile = tiles.getInductionVar();
      L.tileRow = tile;
      L.rowEnd = end;
      if (subrows > 1) {
        Value groups = L.i64(subrows / L.W);
        L.subRow = b.create<arith::DivSIOp>(loc, tile, groups);
        L.subFirst = L.mul(b.create<arith::RemSIOp>(loc, tile, groups),
                           L.i64(L.W));
      }
      SmallVector<Operation *> steps;
      for (Operation &op : kernel.steps())
        steps.push_back(&op);
      auto repeats = loopedRepeats(kernel);
      const kernel::ButterflyRepeat *rep = repeats.begin();
      for (size_t i = 0; i < steps.size(); ++i) {
        Operation &op = *steps[i];
        if (rep != repeats.end() && rep->first == i) {
          // Stacked factors: one period of stages in a loop over blocks.
          auto loop = b.create<scf::ForOp>(loc, L.idx(0), L.idx(rep->repeats),
                                           L.idx(1));
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPoint(loop.getBody()->getTerminator());
          Value shift = L.mul(loop.getInductionVar(), L.idx(rep->blockStep));
          for (size_t j = 0; j < rep->period;) {
            auto group = L.fusedLevels(
                steps, i + j, i + rep->period,
                i + j + (rep->repeats - 1) * rep->period);
            if (failed(L.lowerButterflies(group, shift)))
              return failure();
            j += group.size();
          }
          i += rep->period * rep->repeats - 1;
          ++rep;
          continue;
        }
        LogicalResult r =
            llvm::TypeSwitch<Operation *, LogicalResult>(&op)
                .Case([&](kernel::LoadOp o) { return L.lowerLoad(o); })
                .Case([&](kernel::StoreOp o) { return L.lowerStore(o); })
                .Case([&](kernel::StageOp o) { return L.lowerStage(o); })
                .Case([&](kernel::ButterflyStageOp o) {
                  // Up to the next loop over repeated blocks, if any.
                  size_t end = rep != repeats.end() ? rep->first : steps.size();
                  auto group = L.fusedLevels(steps, i, end);
                  i += group.size() - 1;
                  return L.lowerButterflies(group);
                })
                .Case([&](kernel::DenseStageOp o) { return L.lowerDense(o); })
                .Case([&](kernel::PermuteOp o) { return L.lowerPermute(o); })
                .Case([&](kernel::EmbedOp o) { return L.lowerEmbed(o); })
                .Case([&](kernel::ConvertOp o) { return L.lowerConvert(o); })
                .Case([&](kernel::RfftStageOp o) { return L.lowerRfft(o); })
                .Default([&](Operation *o) {
                  return o->emitError("linop-cpu-lower-kernels: unexpected "
                                      "step");
                });
        if (failed(r))
          return failure();
      }
    }
    for (Value buf : allocs)
      b.create<memref::DeallocOp>(loc, buf);
    b.create<func::ReturnOp>(loc);
    kernel.erase();
    return success();
  }
};

} // namespace
