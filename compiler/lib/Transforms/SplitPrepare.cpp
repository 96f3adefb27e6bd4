//===- SplitPrepare.cpp - linop-split-prepare: a convolution's spectrum ---===//
//
// A convolution, Toeplitz matrix or circulant whose weights are a function
// argument needs the spectrum of the circulant it embeds in, which depends
// only on the weights: computing it at every call would cost a transform
// per weight set and call. So the spec function @f(x, k) becomes two entry
// points:
//
//   @f_prepare(k rows) -> spectra rows   (the circulant's first column from
//                                         the weights, rdft norm=full)
//   @f(x, spectra)                       (pad, rdft, diag(spectra), irdft,
//                                         truncate: what linop-decompose
//                                         builds for constant kernels)
//
// A caller runs @f_prepare once per weight set (a family's kernels [C, K]
// are C rows) and passes its result to @f. Tools run this pass on the spec
// before they read its functions' signatures (tools/linopc/KernelAbi.cpp),
// so the header, the manifest and linop-run see both entry points.
//
//===----------------------------------------------------------------------===//

#include "FactorBuilders.h"

#include "linop/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace linop {
#define GEN_PASS_DEF_SPLITPREPARE
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;
using namespace linop::fb;

namespace {

struct SplitPreparePass
    : linop::impl::SplitPrepareBase<SplitPreparePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // New functions go before the one they serve, out of this walk's way.
    for (auto f : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (!f.isExternal() && f.isPublic() && failed(split(module, f)))
        return signalPassFailure();
  }

  /// The one convolution of `f` whose kernel is an argument of `f` used
  /// by nothing else, or null: anything else stays for the planner, which
  /// says what it cannot do.
  Operation *runtimeConvolution(func::FuncOp f) {
    Operation *found = nullptr;
    int count = 0;
    f.walk([&](Operation *op) {
      if (!isa<ConvOp, CirculantOp, ToeplitzOp>(op))
        return;
      auto k = dyn_cast<BlockArgument>(op->getOperand(0));
      if (!k || k.getOwner()->getParentOp() != f)
        return;
      ++count;
      found = op;
    });
    if (count != 1 || !found->getOperand(0).hasOneUse())
      return nullptr;
    auto kt = cast<RankedTensorType>(found->getOperand(0).getType());
    Type e = kt.getElementType();
    if (!kt.hasStaticShape() || e.isF16() || e.isBF16())
      return nullptr; // f16/bf16 have no complex type for the spectrum
    return found;
  }

  /// The circulant's first column from the weights (K of them): a
  /// convolution's kernel zero-padded to P; a Toeplitz matrix's t[N - 1 + d]
  /// for d in [0, M) at the top and t[0 .. N - 2] at the bottom, zeros
  /// between (the weights rotated by N - 1, then padded in the middle); a
  /// circulant's own.
  Value column(FactorBuilder &b, Operation *op, int64_t K, int64_t P,
               Type elem) {
    auto t = cast<OperatorType>(op->getResult(0).getType());
    int64_t M = t.getRows(), N = t.getCols();
    if (!isa<ToeplitzOp>(op) || N == 1)
      return b.pad(K, P, elem);
    SmallVector<int64_t> rotate;
    for (int64_t i = 0; i < K; ++i)
      rotate.push_back((i + N - 1) % K);
    // t'[M] goes to row P - N + 1 through a column of zeros ending in 1,
    // so that no block of the direct sum is empty.
    std::vector<cd> tail(P - M - N + 2, 0.0);
    tail.back() = 1.0;
    SmallVector<Value> blocks{b.identity(M, elem),
                              b.dense(tail.size(), 1, tail, elem)};
    if (N > 2)
      blocks.push_back(b.identity(N - 2, elem));
    Value middle = b.directSum(blocks, b.type(P, K, elem));
    return b.compose({middle, b.perm(rotate, elem)}, b.type(P, K, elem));
  }

  LogicalResult split(ModuleOp module, func::FuncOp f) {
    Operation *op = runtimeConvolution(f);
    if (!op)
      return success();
    MLIRContext *ctx = &getContext();
    Location loc = op->getLoc();
    auto k = cast<BlockArgument>(op->getOperand(0));
    auto kt = cast<RankedTensorType>(k.getType());
    auto t = cast<OperatorType>(op->getResult(0).getType());
    Type elem = kt.getElementType();
    bool real = !isa<ComplexType>(elem);
    Type spec = real ? ComplexType::get(elem) : elem;
    int64_t K = kt.getShape().back();
    int64_t P = circulantSize(op, K), H = real ? P / 2 + 1 : P;
    SmallVector<int64_t> family(kt.getShape().drop_back());
    std::string name = (f.getSymName() + "_prepare").str();
    if (module.lookupSymbol(name))
      return f.emitError("linop-split-prepare: @")
             << f.getSymName() << " needs an entry point @" << name
             << " for its convolution kernel's spectrum, and the spec "
                "already has a symbol of that name";

    // @f_prepare: rows of kernels in, rows of spectra out.
    PatternRewriter rw(ctx);
    rw.setInsertionPoint(f);
    auto rows = [&](int64_t n, Type e) {
      return RankedTensorType::get({ShapedType::kDynamic, n}, e);
    };
    auto prepare = rw.create<func::FuncOp>(
        f.getLoc(), name,
        rw.getFunctionType({rows(K, elem)}, {rows(H, spec)}));
    Block *body = prepare.addEntryBlock();
    rw.setInsertionPointToStart(body);
    FactorBuilder b(rw, loc);
    Value forward;
    if (real) {
      auto r = b.create<RdftOp>(b.type(H, P, elem, spec), Norm::full);
      forward = r ? r.getResult() : Value();
    } else {
      forward = b.dft(P, /*inverse=*/false, Norm::full, elem);
    }
    Value toSpectrum = b.compose({forward, column(b, op, K, P, elem)},
                                 b.type(H, K, elem, spec));
    if (!b.ok() || !toSpectrum)
      return failure();
    auto spectra = b.create<ApplyOp>(rows(H, spec), toSpectrum,
                                     body->getArgument(0));
    if (!spectra)
      return failure();
    rw.create<func::ReturnOp>(loc, spectra.getResult());

    // @f: the kernel argument becomes the spectra.
    auto st = RankedTensorType::get(
        llvm::to_vector(llvm::concat<const int64_t>(family, ArrayRef(H))),
        spec);
    k.setType(st);
    SmallVector<Type> inputs(f.getArgumentTypes());
    inputs[k.getArgNumber()] = st;
    f.setType(rw.getFunctionType(inputs, f.getResultTypes()));
    rw.setInsertionPoint(op);
    auto diag = b.create<DiagOp>(b.type(H, H, spec).withFamily(family), k);
    Value v = diag ? b.circulantEmbedding(t, P, diag.getResult()) : Value();
    if (!b.ok() || !v)
      return failure();
    rw.replaceOp(op, v);
    return success();
  }
};

} // namespace
