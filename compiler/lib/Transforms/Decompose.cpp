//===- Decompose.cpp - linop-decompose: named transforms to stages -------===//
//
// Rewrites named transforms into a compose of stages the planner maps one
// by one: kron(I_a, leaf, I_b), constant diag (twiddles), perm, and scale
// of those. Every rule is a fact of SPIRAL's formula algebra
// (docs/semantics.md for the conventions), checked against the reference
// evaluator in test/lit/Transforms/linop-decompose.mlir.
//
//  DFT_mn   = (DFT_m (x) I_n) T^mn_n (I_m (x) DFT_n) L^mn_m  (Cooley-Tukey)
//  DFT_N    = C' Trunc iDFT_M diag(DFT_M g / M) DFT_M Pad C  (Bluestein)
//  WHT_2^k  = product of I (x) WHT_2^j (x) I
//  A (x) B  = (A (x) I)(I (x) B)
//  DCT/DST/Hartley (complex element types) through a DFT of size 2N or N.
//  rDFT_2M  = Split DFT_M Pack,  irDFT_2M = Unpack iDFT_M Merge
//  rDFT_N   = Trunc DFT_N Promote (N odd)
//  X (real) = Real X (complex) Promote   (DFT of real input, DCT, DST, Hartley)
//  circulant(h) = iDFT_N diag(DFT_N h / N) DFT_N   (constant h)
//  toeplitz(t), conv(k) = Trunc circulant_P Pad, P >= M + N - 1
//  circulant(h) (real) = irDFT_N diag(rDFT_N h / N) rDFT_N
//
//===----------------------------------------------------------------------===//

#include "FactorBuilders.h"
#include "linop/RadixSearch.h"
#include "linop/Target.h"
#include "linop/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/APFloat.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <complex>

namespace linop {
#define GEN_PASS_DEF_DECOMPOSE
#include "linop/Transforms/Passes.h.inc"
} // namespace linop

using namespace mlir;
using namespace linop;
using namespace linop::fb;

namespace {

struct Config {
  int64_t maxLeaf = 16;
  bool search = true;           // radix-choice=cost, else largest
  SmallVector<int64_t> radices; // allowed Cooley-Tukey radices
  const CostModel *model = nullptr; // the module's target's (Target.h)
};

int64_t largestPrimeFactor(int64_t n) {
  int64_t best = 1;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) {
      best = p;
      n /= p;
    }
  return n > 1 ? std::max(best, n) : best;
}

/// radix-choice=largest: the largest allowed radix dividing n (else the
/// largest divisor <= max-leaf), then the same for the rest, down to a
/// leaf. Empty for Bluestein.
SmallVector<int64_t> largestRadices(int64_t n, const Config &cfg) {
  if (largestPrimeFactor(n) > cfg.maxLeaf)
    return {};
  SmallVector<int64_t> allowed(cfg.radices);
  llvm::sort(allowed, std::greater<int64_t>());
  SmallVector<int64_t> seq;
  while (n > cfg.maxLeaf) {
    int64_t r = 0;
    for (int64_t a : allowed)
      if (a > 1 && a <= cfg.maxLeaf && a < n && n % a == 0) {
        r = a;
        break;
      }
    for (int64_t d = std::min(cfg.maxLeaf, n - 1); !r && d >= 2; --d)
      if (n % d == 0)
        r = d;
    seq.push_back(r);
    n /= r;
  }
  seq.push_back(n);
  return seq;
}

/// Cooley-Tukey radices for DFT_N, outermost first, chosen by the search
/// (linop/RadixSearch.h) with the target's cost model; empty for Bluestein (a prime
/// factor above max-leaf). The choice and the runners-up go on the
/// enclosing function as `linop.radix_choices`, for --explain.
SmallVector<int64_t> chooseRadices(Operation *op, PatternRewriter &rewriter,
                                   int64_t N, Type elem, const Config &cfg) {
  if (!cfg.search)
    return largestRadices(N, cfg);
  RadixSearchOptions o;
  o.radices = cfg.radices;
  o.maxLeaf = cfg.maxLeaf;
  o.complex = isa<ComplexType>(elem);
  o.scalarBytes = realPart(elem).getIntOrFloatBitWidth() / 8;
  std::vector<RadixPlan> plans = searchRadices(N, o, *cfg.model, /*keep=*/3);
  if (plans.empty())
    return {};
  if (auto func = op->getParentOfType<func::FuncOp>()) {
    std::string why =
        "DFT_" + std::to_string(N) + " = " + describe(plans[0], *cfg.model);
    for (size_t k = 1; k < plans.size(); ++k)
      why += (k == 1 ? "; next best " : ", ") + describe(plans[k], *cfg.model);
    SmallVector<Attribute> notes;
    if (auto old = func->getAttrOfType<ArrayAttr>("linop.radix_choices"))
      notes.assign(old.begin(), old.end());
    auto note = rewriter.getStringAttr(why);
    if (!llvm::is_contained(notes, note)) {
      notes.push_back(note);
      rewriter.modifyOpInPlace(func, [&] {
        func->setAttr("linop.radix_choices", rewriter.getArrayAttr(notes));
      });
    }
  }
  return plans[0].radices;
}

/// DFT_N = (DFT_r (x) I_n) T^N_n (I_r (x) DFT_n) L^N_r with
/// T = diag(w^(i j)) at i n + j (linop.twiddle, a formula), r = radices[0] and DFT_n split the same
/// way by the rest. The norm goes to the leaves: 1/sqrt(r) 1/sqrt(n) =
/// 1/sqrt(N), and the same for 1/N.
Value cooleyTukey(FactorBuilder &b, int64_t N, ArrayRef<int64_t> radices,
                  bool inverse, Norm norm, Type elem) {
  if (radices.size() <= 1)
    return b.dft(N, inverse, norm, elem);
  int64_t r = radices.front(), n = N / r;
  Value Fr = b.dft(r, inverse, norm, elem);
  Value Fn = cooleyTukey(b, n, radices.drop_front(), inverse, norm, elem);
  return b.compose({b.kron(1, Fr, n, elem), b.twiddle(r, n, inverse, N, elem),
                    b.kron(r, Fn, 1, elem), b.perm(stridePerm(N, r), elem)},
                   b.type(N, N, elem));
}

/// Bluestein: jk = (j^2 + k^2 - (k-j)^2) / 2, so DFT_N = C T C with the
/// chirp C = diag(w^(j^2/2)) and the Toeplitz T[k,j] = w^(-(k-j)^2/2).
/// T is the top-left block of a circulant of size M >= 2N-1 (a power of
/// two), and a circulant is iDFT_M diag(DFT_M g) DFT_M / M.
Value bluestein(FactorBuilder &b, int64_t N, bool inverse, Norm norm,
                Type elem) {
  int64_t sign = inverse ? 1 : -1;
  int64_t M = 1;
  while (M < 2 * N - 1)
    M *= 2;
  // w^(j^2/2) = exp(sign pi i j^2 / N): period 2N in j^2.
  std::vector<cd> chirp(N), chirpOut(N), g(M, 0.0);
  double s = normScale(norm, N);
  for (int64_t j = 0; j < N; ++j) {
    chirp[j] = unitRoot(sign * ((j * j) % (2 * N)), 2 * N);
    chirpOut[j] = s * chirp[j];
    cd h = std::conj(chirp[j]);
    g[j] = h;
    if (j > 0)
      g[M - j] = h;
  }
  std::vector<cd> gHat(M);
  ref::fft(g.data(), gHat.data(), M, /*inverse=*/false);
  for (cd &v : gHat)
    v /= double(M);
  // Zero padding N -> M and truncation M -> N, on the real side.
  Type rt = realPart(elem);
  Value pad = b.pad(N, M, rt), trunc = b.pad(N, M, rt, /*truncate=*/true);
  return b.compose({b.diag(chirpOut, elem), trunc,
                    b.dft(M, /*inverse=*/true, Norm::none, elem),
                    b.diag(gHat, elem),
                    b.dft(M, /*inverse=*/false, Norm::none, elem), pad,
                    b.diag(chirp, elem)},
                   b.type(N, N, elem));
}

/// Circulant, Toeplitz and convolution operators with constant weights,
/// through the convolution theorem. A circulant of size P with first column
/// c is iDFT_P diag(DFT_P c / P) DFT_P. An M x N Toeplitz matrix is the
/// top-left block of a circulant of size P >= M + N - 1 (a power of two):
/// Trunc_{P->M} C Pad_{N->P}, with c[d] = t[d + N - 1] for 0 <= d < M and
/// c[P - e] = t[N - 1 - e] for 0 < e < N. A convolution is the Toeplitz
/// matrix of its kernel (t[N - 1 + d] = k[d], 0 <= d < K), on a circulant
/// of P >= max(M, N + K - 1). Real operators keep half the spectrum
/// between rdft and irdft (a half-size complex DFT each), with the padding
/// and truncation on the real side. A family keeps one spectrum per member.
/// Run-time weights stay as they are (linop-split-prepare gives a
/// convolution's kernel argument a prepare entry point before this pass;
/// the planner refuses the rest by name).
template <typename OpTy>
struct DecomposeConvolution : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<OperatorType>(op.getType());
    Value weights = op->getOperand(0);
    // f16 and bf16 have no complex type for the spectrum (the planner says
    // so); nothing may be built before this point, or the driver loops.
    Type elem = t.getDomain();
    if (elem.isF16() || elem.isBF16())
      return failure();
    std::optional<std::vector<cd>> w = constantValues(weights);
    if (!w)
      return failure();
    int64_t M = t.getRows(), N = t.getCols();
    int64_t len = cast<ShapedType>(weights.getType()).getShape().back();
    int64_t members = len ? int64_t(w->size()) / len : 0;
    // Where column d of the circulant comes from: t[N - 1 + d] (Toeplitz
    // numbering), for d in (-N, M). A convolution's kernel has K taps, so
    // wrapping around only needs to clear them.
    bool circulant = isa<CirculantOp>(op.getOperation());
    int64_t P = circulantSize(op, len);
    auto tap = [&](const cd *k, int64_t d) -> cd {
      if constexpr (std::is_same_v<OpTy, ConvOp>)
        return d >= 0 && d < len ? k[d] : cd(0);
      else
        return k[N - 1 + d]; // Toeplitz
    };
    std::vector<cd> spectra(members * P), col(P);
    for (int64_t f = 0; f < members; ++f) {
      const cd *k = w->data() + f * len;
      if (circulant) {
        col.assign(k, k + P);
      } else {
        std::fill(col.begin(), col.end(), cd(0));
        for (int64_t d = 0; d < M; ++d)
          col[d] = tap(k, d);
        for (int64_t e = 1; e < N; ++e)
          col[P - e] = tap(k, -e);
      }
      ref::fft(col.data(), spectra.data() + f * P, P, /*inverse=*/false);
    }
    for (cd &v : spectra)
      v /= double(P);

    FactorBuilder b(rewriter, op.getLoc());
    ArrayRef<int64_t> family = t.getFamily();
    Value D;
    if (isa<ComplexType>(elem)) {
      D = b.diag(spectra, elem, family);
    } else {
      // Real weights: the spectrum is Hermitian, so half of it (P/2 + 1
      // entries) between rdft and irdft, a half-size complex DFT each.
      int64_t H = P / 2 + 1;
      std::vector<cd> half;
      for (int64_t f = 0; f < members; ++f)
        half.insert(half.end(), spectra.begin() + f * P,
                    spectra.begin() + f * P + H);
      D = b.diag(half, ComplexType::get(elem), family);
    }
    Value v = b.circulantEmbedding(t, P, D);
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct DecomposeDft : OpRewritePattern<DftOp> {
  DecomposeDft(MLIRContext *ctx, const Config &cfg)
      : OpRewritePattern(ctx), cfg(cfg) {
    setHasBoundedRewriteRecursion();
  }
  LogicalResult matchAndRewrite(DftOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    int64_t N = t.getRows();
    if (N <= cfg.maxLeaf)
      return failure();
    FactorBuilder b(rewriter, op.getLoc());
    if (!isa<ComplexType>(t.getDomain())) {
      // Real input: promote, then the complex DFT.
      Value v = b.compose({b.dft(N, op.getInverse(), op.getNorm(),
                                 t.getCodomain()),
                           b.promote(N, t.getDomain())},
                          t);
      if (!b.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    SmallVector<int64_t> radices =
        chooseRadices(op, rewriter, N, t.getDomain(), cfg);
    Value v = radices.size()
                  ? cooleyTukey(b, N, radices, op.getInverse(), op.getNorm(),
                                t.getDomain())
                  : bluestein(b, N, op.getInverse(), op.getNorm(),
                              t.getDomain());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
  Config cfg;
};

/// rDFT_2M = Split (s DFT_M) Pack: the real vector read as M complex
/// values, one complex DFT of half the size, and a pass that separates the
/// transforms of the even and odd samples. Odd N: Trunc DFT_N Promote.
struct DecomposeRdft : OpRewritePattern<RdftOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RdftOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    int64_t N = t.getCols(), M = N / 2;
    Type real = t.getDomain(), cplx = t.getCodomain();
    FactorBuilder b(rewriter, op.getLoc());
    Value v;
    if (N % 2 == 0) {
      Value F = b.dft(M, false, Norm::none, cplx);
      double s = normScale(op.getNorm(), N);
      v = b.compose({b.make<RfftSplitOp>(b.type(M + 1, M, cplx)),
                     s == 1.0 ? F : b.scale(F, s),
                     b.make<PackOp>(b.type(M, N, real, cplx))},
                    t);
    } else {
      // Keep outputs 0..M of the full DFT: I_M (+) [1 0 ... 0].
      std::vector<cd> e0(N - M, 0.0);
      e0[0] = 1.0;
      Value trunc = b.directSum({b.identity(M, real),
                                 b.dense(1, N - M, e0, real)},
                                b.type(M + 1, N, real));
      v = b.compose({trunc, b.dft(N, false, op.getNorm(), cplx),
                     b.promote(N, real)},
                    t);
    }
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// irDFT_2M = Unpack (s iDFT_M) Merge. Odd N = 2M + 1: the Hermitian
/// extension's terms k and N - k add up to 2 Re(X_k w^kt), so
/// irDFT_N = Real (s iDFT_N) Pad diag(1, 2, ..., 2), Pad the zero padding
/// of M + 1 values to N.
struct DecomposeIrdft : OpRewritePattern<IrdftOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IrdftOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    int64_t N = t.getRows(), M = N / 2;
    Type cplx = t.getDomain(), real = t.getCodomain();
    FactorBuilder b(rewriter, op.getLoc());
    if (N % 2) {
      std::vector<cd> twice(M + 1, 2.0), e0(N - M, 0.0);
      twice[0] = 1.0;
      e0[0] = 1.0;
      Value pad = b.directSum({b.identity(M, real),
                               b.dense(N - M, 1, e0, real)},
                              b.type(N, M + 1, real));
      Value v = b.compose({b.make<RealOp>(b.type(N, N, cplx, real)),
                           b.dft(N, true, op.getNorm(), cplx), pad,
                           b.diag(twice, cplx)},
                          t);
      if (!b.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    Value F = b.dft(M, true, Norm::none, cplx);
    double s = normScale(op.getNorm(), N);
    Value v = b.compose({b.make<UnpackOp>(b.type(N, M, cplx, real)),
                         s == 1.0 ? F : b.scale(F, s),
                         b.make<RfftMergeOp>(b.type(M, M + 1, cplx))},
                        t);
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// WHT_2^k = WHT_2^k1 (x) WHT_2^k2 (x) ..., each factor a stage
/// I (x) WHT_2^ki (x) I; the chunks are as equal as max-leaf allows. Each
/// leaf carries the norm: the scalings multiply to that of WHT_2^k.
struct DecomposeHadamard : OpRewritePattern<HadamardOp> {
  DecomposeHadamard(MLIRContext *ctx, const Config &cfg)
      : OpRewritePattern(ctx), cfg(cfg) {}
  LogicalResult matchAndRewrite(HadamardOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    int64_t N = t.getRows();
    int64_t leafBits = 0;
    while ((int64_t(2) << leafBits) <= cfg.maxLeaf)
      ++leafBits;
    if (N <= cfg.maxLeaf || leafBits == 0)
      return failure();
    int64_t k = 0;
    while ((int64_t(1) << k) < N)
      ++k;
    int64_t chunks = (k + leafBits - 1) / leafBits;
    FactorBuilder b(rewriter, op.getLoc());
    Type elem = t.getDomain();
    SmallVector<Value> stages;
    int64_t done = 0;
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t bits = k / chunks + (c < k % chunks ? 1 : 0);
      int64_t pre = int64_t(1) << done, leaf = int64_t(1) << bits;
      int64_t post = N / (pre * leaf);
      stages.push_back(
          b.kron(pre, b.hadamard(leaf, op.getNorm(), elem), post, elem));
      done += bits;
    }
    // The factors commute. Apply the one with the second smallest I_b last
    // (after the b = 1 one), so that along the row both the first stage's
    // reads and the last stage's writes of the global row are contiguous;
    // large strides only touch the row once it is in cache (bench/NOTES.md,
    // CPU v6).
    if (stages.size() > 2)
      std::rotate(stages.begin(), stages.end() - 2, stages.end() - 1);
    Value v = b.compose(stages, t);
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
  Config cfg;
};

/// Row scalings of the orthonormal DCT/DST (norm = sqrt).
double trigRowScale(bool sine, TrigType kind, Norm norm, int64_t N,
                    int64_t k) {
  if (norm != Norm::sqrt)
    return 1.0;
  if (kind == TrigType::IV)
    return std::sqrt(2.0 / N);
  int64_t special = sine ? N - 1 : 0;
  return k == special ? std::sqrt(1.0 / N) : std::sqrt(2.0 / N);
}

/// DCT/DST II, III, IV of a complex element type through DFT_2N, exactly
/// (all factors complex-linear). With x~ = E x = [x; +-J x] (J reverses):
///  DCT-II: y[k] = 1/2 w4N^k DFT_2N(E+ x)[k]          (w4N = exp(-i pi/2N))
///  DST-II: y[k] = i/2 w4N^(k+1) DFT_2N(E- x)[k+1]
///  IV:     y[k] = c w8N^(2k+1) DFT_2N(D E+- x)[k],  D = diag(+-w4N^r),
///          c = 1/2 (DCT) or i/2 (DST), the sign of D is - for r >= N
///  III:    the transpose of II (DFT_2N is symmetric).
/// E = P (I_N (x) [1; +-1]) with P the interleaving permutation.
Value trigViaDft(FactorBuilder &b, bool sine, TrigType kind, Norm norm,
                 int64_t N, Type elem) {
  Type rt = realPart(elem);
  int64_t N2 = 2 * N;
  double sgn = sine ? -1.0 : 1.0;
  SmallVector<int64_t> pe(N2);
  for (int64_t i = 0; i < N; ++i) {
    pe[i] = 2 * i;
    pe[N2 - 1 - i] = 2 * i + 1;
  }
  SmallVector<int64_t> shift(N2);
  for (int64_t i = 0; i < N2; ++i)
    shift[i] = (i + 1) % N2;
  Value F = b.dft(N2, false, Norm::none, elem);
  std::vector<cd> w(N);
  cd c = sine ? cd(0.0, 0.5) : cd(0.5, 0.0);
  for (int64_t k = 0; k < N; ++k) {
    double a = trigRowScale(sine, kind, norm, N, k);
    if (kind == TrigType::IV)
      w[k] = a * c * unitRoot(-(2 * k + 1), 8 * N);
    else
      w[k] = a * c * unitRoot(-(sine ? k + 1 : k), 4 * N);
  }
  OperatorType t = b.type(N, N, elem);
  if (kind == TrigType::III) {
    // (diag Trunc [Shift] F P S)^T = S^T P^-1 F [Shift^-1] Pad diag.
    Value gather = b.kron(N, b.dense(1, 2, {1.0, sgn}, rt), 1, rt);
    Value pad = b.kron(1, b.dense(2, 1, {1.0, 0.0}, rt), N, rt);
    return b.compose({gather, b.perm(invertPerm(pe), rt), F,
                      sine ? b.perm(invertPerm(shift), rt) : Value(), pad,
                      b.diag(w, elem)},
                     t);
  }
  Value spread = b.kron(N, b.dense(2, 1, {1.0, sgn}, rt), 1, rt);
  Value trunc = b.kron(1, b.dense(1, 2, {1.0, 0.0}, rt), N, rt);
  if (kind == TrigType::IV) {
    std::vector<cd> d(N2);
    for (int64_t r = 0; r < N2; ++r)
      d[r] = (r < N ? 1.0 : -1.0) * unitRoot(-r, 4 * N);
    return b.compose({b.diag(w, elem), trunc, F, b.diag(d, elem),
                      b.perm(pe, rt), spread},
                     t);
  }
  return b.compose({b.diag(w, elem), trunc,
                    sine ? b.perm(shift, rt) : Value(), F, b.perm(pe, rt),
                    spread},
                   t);
}

/// Makhoul: for real x, DCT-II_N x = Re(diag(s_k w^k) DFT_N P x) with
/// w = exp(-i pi / 2N) and P reading the even samples up, then the odd
/// ones down (v_n = x_2n, v_(N-1-n) = x_(2n+1)): one complex DFT of N in
/// place of the 2N of the general route. DCT-III is its transpose as a
/// real-linear map (Re and promote swap, complex maps become adjoints):
/// P^T Re(iDFT_N diag(s_k conj(w^k)) X).
Value makhoulDct(FactorBuilder &b, bool three, Norm norm, int64_t N,
                 Type real, Type cplx) {
  SmallVector<int64_t> p(N), pinv(N);
  for (int64_t n = 0; 2 * n < N; ++n)
    p[n] = 2 * n;
  for (int64_t n = 0; 2 * n + 1 < N; ++n)
    p[N - 1 - n] = 2 * n + 1;
  for (int64_t n = 0; n < N; ++n)
    pinv[p[n]] = n;
  std::vector<cd> w(N);
  for (int64_t k = 0; k < N; ++k) {
    double s = norm == Norm::sqrt ? std::sqrt((k ? 2.0 : 1.0) / N) : 1.0;
    w[k] = s * unitRoot(three ? k : -k, 4 * N);
  }
  Value re = b.make<RealOp>(b.type(N, N, cplx, real));
  if (three)
    return b.compose({b.perm(pinv, real), re,
                      b.dft(N, true, Norm::none, cplx), b.diag(w, cplx),
                      b.promote(N, real)},
                     b.type(N, N, real));
  return b.compose({re, b.diag(w, cplx), b.dft(N, false, Norm::none, cplx),
                    b.promote(N, real), b.perm(p, real)},
                   b.type(N, N, real));
}

template <typename OpTy>
struct DecomposeTrig : OpRewritePattern<OpTy> {
  DecomposeTrig(MLIRContext *ctx, const Config &cfg)
      : OpRewritePattern<OpTy>(ctx), cfg(cfg) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    if (t.getRows() <= cfg.maxLeaf)
      return failure();
    FactorBuilder b(rewriter, op.getLoc());
    bool real = !isa<ComplexType>(t.getDomain());
    Value v;
    int64_t N = t.getRows();
    if (real && std::is_same<OpTy, DctOp>::value &&
        op.getKind() != TrigType::IV) {
      v = makhoulDct(b, op.getKind() == TrigType::III, op.getNorm(), N,
                     t.getDomain(), ComplexType::get(t.getDomain()));
    } else if (real && op.getKind() != TrigType::IV) {
      // DST-II = J DCT-II diag((-1)^j) (cos(pi (2j+1)/2 - x) = (-1)^j
      // sin x, J the reversal), and DST-III its transpose.
      SmallVector<int64_t> rev(N);
      std::vector<cd> sign(N);
      for (int64_t i = 0; i < N; ++i) {
        rev[i] = N - 1 - i;
        sign[i] = i % 2 ? -1.0 : 1.0;
      }
      Value C = b.create<DctOp>(t, op.getKind(), op.getNorm());
      Value J = b.perm(rev, t.getDomain()),
            D = b.diag(sign, t.getDomain());
      v = op.getKind() == TrigType::II ? b.compose({J, C, D}, t)
                                       : b.compose({D, C, J}, t);
    }
    else
      v = real ? b.viaComplex(op)
               : trigViaDft(b, std::is_same<OpTy, DstOp>::value,
                            op.getKind(), op.getNorm(), t.getRows(),
                            t.getDomain());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
  Config cfg;
};

/// Hartley of a complex element type: cas = cos + sin gives
/// H = (1+i)/2 F + (1-i)/2 conj(F), and conj(F) = F R with R the index
/// negation k -> -k mod N. So H = s F Fold diag(a, b) P (I_N (x) [1; 1]):
/// stack [x; R x], weight, and add the halves.
struct DecomposeHartley : OpRewritePattern<HartleyOp> {
  DecomposeHartley(MLIRContext *ctx, const Config &cfg)
      : OpRewritePattern(ctx), cfg(cfg) {}
  LogicalResult matchAndRewrite(HartleyOp op,
                                PatternRewriter &rewriter) const override {
    OperatorType t = op.getType();
    int64_t N = t.getRows();
    if (N <= cfg.maxLeaf)
      return failure();
    Type elem = t.getDomain(), rt = realPart(elem);
    FactorBuilder b(rewriter, op.getLoc());
    if (!isa<ComplexType>(elem)) {
      Value v = b.viaComplex(op);
      if (!b.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    double s = normScale(op.getNorm(), N);
    std::vector<cd> w(2 * N);
    SmallVector<int64_t> p(2 * N);
    for (int64_t i = 0; i < N; ++i) {
      w[i] = s * cd(0.5, 0.5);
      w[N + i] = s * cd(0.5, -0.5);
      p[i] = 2 * i;
      p[N + i] = 2 * ((N - i) % N) + 1;
    }
    Value v = b.compose(
        {b.dft(N, false, Norm::none, elem),
         b.kron(1, b.dense(1, 2, {1.0, 1.0}, rt), N, rt), b.diag(w, elem),
         b.perm(p, rt), b.kron(N, b.dense(2, 1, {1.0, 1.0}, rt), 1, rt)},
        t);
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
  Config cfg;
};

/// scale(compose(A, B, ...), c) = compose(scale(A', c), ...): the scale
/// wraps the first factor that can carry it (a complex c needs a complex
/// factor).
struct ScaleIntoCompose : OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleOp op,
                                PatternRewriter &rewriter) const override {
    auto c = op.getInput().getDefiningOp<ComposeOp>();
    if (!c || !c.getType().getFamily().empty())
      return failure();
    cd f = op.getFactor();
    SmallVector<Value> fs(c.getFactors());
    for (Value &x : fs) {
      if (f.imag() != 0.0 && !isa<ComplexType>(opType(x).getCodomain()))
        continue;
      FactorBuilder b(rewriter, op.getLoc(), /*quiet=*/true);
      if (auto inner = x.getDefiningOp<ScaleOp>())
        x = b.scale(inner.getInput(), f * inner.getFactor());
      else
        x = b.scale(x, f);
      Value v = b.compose(fs, op.getType());
      if (!b.ok() || !v)
        return failure();
      rewriter.replaceOp(op, v);
      return success();
    }
    return failure();
  }
};

/// A butterfly of several blocks is the product of its blocks:
/// B = B_{n-1} ... B_0 P; the input permutation stays with block 0. A
/// constant twiddle tensor is split; another is sliced.
struct SplitButterfly : OpRewritePattern<ButterflyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ButterflyOp op,
                                PatternRewriter &rewriter) const override {
    auto tt = cast<RankedTensorType>(op.getTwiddles().getType());
    int64_t rank = tt.getRank(), famRank = rank - 5;
    int64_t nb = tt.getShape()[famRank];
    if (nb <= 1)
      return failure();
    SmallVector<int64_t> shape(tt.getShape());
    shape[famRank] = 1;
    int64_t inner = 1, fams = 1;
    for (int64_t i = famRank + 1; i < rank; ++i)
      inner *= shape[i];
    for (int64_t i = 0; i < famRank; ++i)
      fams *= shape[i];
    auto vals = constantValues(op.getTwiddles());
    FactorBuilder b(rewriter, op.getLoc());
    SmallVector<Value> blocks;
    for (int64_t blk = nb - 1; blk >= 0; --blk) {
      Value tw;
      if (vals) {
        std::vector<cd> part;
        for (int64_t f = 0; f < fams; ++f)
          part.insert(part.end(), vals->begin() + (f * nb + blk) * inner,
                      vals->begin() + (f * nb + blk + 1) * inner);
        tw = b.constant(tt.getElementType(), shape, part);
      } else {
        SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)),
            sizes, strides(rank, rewriter.getIndexAttr(1));
        offsets[famRank] = rewriter.getIndexAttr(blk);
        for (int64_t d : shape)
          sizes.push_back(rewriter.getIndexAttr(d));
        auto slice = b.create<tensor::ExtractSliceOp>(op.getTwiddles(),
                                                      offsets, sizes, strides);
        tw = slice ? slice.getResult() : Value();
      }
      if (!tw)
        return failure();
      auto blkOp = b.create<ButterflyOp>(
          op.getType(), tw, op.getDecreasing(),
          blk == 0 ? op.getInputPermAttr() : DenseI64ArrayAttr());
      if (!blkOp)
        return failure();
      blocks.push_back(blkOp.getResult());
    }
    Value v = b.compose(blocks, op.getType());
    if (!b.ok() || !v)
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct DecomposePass : linop::impl::DecomposeBase<DecomposePass> {
  using DecomposeBase::DecomposeBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Below 2 no DFT has a leaf (Bluestein would recurse forever).
    if (maxLeaf < 2) {
      getOperation().emitError("linop-decompose: max-leaf must be >= 2, got ")
          << int64_t(maxLeaf);
      return signalPassFailure();
    }
    if (radixChoice != "cost" && radixChoice != "largest") {
      getOperation().emitError("linop-decompose: radix-choice must be "
                               "'cost' or 'largest', got '")
          << radixChoice << "'";
      return signalPassFailure();
    }
    for (int64_t r : radices)
      if (r < 2 || r > maxLeaf) {
        getOperation().emitError("linop-decompose: radix ")
            << r << " is not a codelet size (2 to max-leaf = "
            << int64_t(maxLeaf) << ")";
        return signalPassFailure();
      }
    Config cfg;
    cfg.maxLeaf = maxLeaf;
    cfg.search = radixChoice == "cost";
    std::unique_ptr<CostModel> model = costModelFor(getOperation());
    if (!model) {
      getOperation().emitError("linop-decompose: the module's target '")
          << moduleTarget(getOperation()).getName()
          << "' is not known to this tool (targets: " << targetNames() << ")";
      return signalPassFailure();
    }
    cfg.model = model.get();
    cfg.radices.assign(radices.begin(), radices.end());
    if (cfg.radices.empty())
      cfg.radices = {16, 8, 7, 5, 4, 3, 2};

    // Real transforms above a codelet go through complex values, and f16
    // and bf16 have no complex type: say so rather than loop.
    WalkResult narrow = getOperation().walk([&](Operation *op) {
      auto t = op->getNumResults() == 1
                   ? dyn_cast<OperatorType>(op->getResult(0).getType())
                   : OperatorType();
      Type scalar = t ? realPart(t.getDomain()) : Type();
      if (!scalar || !(scalar.isF16() || scalar.isBF16()))
        return WalkResult::advance();
      bool viaComplex =
          isa<RdftOp, IrdftOp>(op) ||
          (isa<DftOp, DctOp, DstOp, HartleyOp>(op) && t.getRows() > maxLeaf);
      if (!viaComplex)
        return WalkResult::advance();
      op->emitError("linop-decompose: '")
          << op->getName() << "' of " << scalar
          << " values needs complex intermediate values, which have no "
          << scalar << " type: use f32 values (Hadamard, butterfly, Monarch "
          << "and dense operators take f16 and bf16)";
      return WalkResult::interrupt();
    });
    if (narrow.wasInterrupted())
      return signalPassFailure();

    // A scale is an f64 attribute; the kernels multiply in the operator's
    // type, where a factor outside the normal range turns rows into zeros,
    // infinities or denormals. Warn once, here, where the spec is compiled.
    getOperation().walk([&](ScaleOp op) {
      Type scalar = realPart(op.getType().getCodomain());
      const llvm::fltSemantics *sem =
          scalar.isF32()    ? &llvm::APFloat::IEEEsingle()
          : scalar.isF16()  ? &llvm::APFloat::IEEEhalf()
          : scalar.isBF16() ? &llvm::APFloat::BFloat()
                            : nullptr;
      if (!sem)
        return;
      double largest =
          llvm::APFloat::getLargest(*sem).convertToDouble();
      double smallest =
          llvm::APFloat::getSmallestNormalized(*sem).convertToDouble();
      std::complex<double> c = op.getFactor();
      for (double v : {c.real(), c.imag()}) {
        double a = std::abs(v);
        if (a != 0 && (a > largest || a < smallest)) {
          op.emitWarning("the factor ")
              << v << " is outside the normal range of " << scalar << " ("
              << smallest << " to " << largest
              << "): the kernel's results will be 0, infinite or denormal";
          return;
        }
      }
    });

    // Permutations are held as index vectors while the normal form is
    // built: a 2^24-point DFT takes 13 s and 0.9 GB here, 2^26 runs out of
    // memory. Past 2^24 points, say so instead.
    constexpr int64_t kMaxPoints = int64_t(1) << 24;
    WalkResult huge = getOperation().walk([&](Operation *op) {
      auto t = op->getNumResults() == 1
                   ? dyn_cast<OperatorType>(op->getResult(0).getType())
                   : OperatorType();
      if (!t || (t.getRows() <= kMaxPoints && t.getCols() <= kMaxPoints))
        return WalkResult::advance();
      op->emitError("linop-decompose: '")
          << op->getName() << "' of " << t.getRows() << "x" << t.getCols()
          << " is larger than the 2^24 = " << kMaxPoints
          << " points per row that the planner supports so far";
      return WalkResult::interrupt();
    });
    if (huge.wasInterrupted())
      return signalPassFailure();

    RewritePatternSet patterns(ctx);
    patterns.add<DecomposeDft, DecomposeHadamard, DecomposeTrig<DctOp>,
                 DecomposeTrig<DstOp>, DecomposeHartley>(ctx, cfg);
    patterns.add<ScaleIntoCompose, SplitButterfly, DecomposeRdft,
                 DecomposeIrdft, DecomposeConvolution<CirculantOp>,
                 DecomposeConvolution<ToeplitzOp>,
                 DecomposeConvolution<ConvOp>>(ctx);
    populateNormalFormPatterns(patterns, /*split=*/true);
    TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    AdjointOp::getCanonicalizationPatterns(patterns, ctx);
    ScaleOp::getCanonicalizationPatterns(patterns, ctx);

    // A builder that fails to verify its op reports an error: a bug here.
    bool sawError = false;
    ScopedDiagnosticHandler watch(ctx, [&](Diagnostic &d) {
      sawError |= d.getSeverity() == DiagnosticSeverity::Error;
      return failure(); // pass it on
    });
    GreedyRewriteConfig config;
    config.maxIterations = 64;
    config.enableRegionSimplification = GreedySimplifyRegionLevel::Disabled;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                            config))) {
      getOperation().emitError("linop-decompose did not converge");
      return signalPassFailure();
    }
    if (sawError || failed(verify(getOperation())))
      signalPassFailure();
  }
};

} // namespace
