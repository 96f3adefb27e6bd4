//===- Codelets.h - the codelet algorithms, written once ------------------===//
//
// FFTW genfft's idea: a codelet is an algorithm over abstract values, and
// emitters give the values meaning. The CPU lowering's emitter builds MLIR
// vector ops, the CUDA emitter writes C++ statements, the flop counter
// counts; all three run the same algorithm, so counting never drifts from
// emitting and the two backends compute the same sums in the same order.
//
// An emitter E provides
//   using V = ...;             a value (complex, or real in a real kernel);
//                              V{} is "no value" (an exact zero)
//   bool present(const V &);   false for V{}
//   bool complex();            whether values are complex
//   V add(V, V), sub(V, V), neg(V)
//   V mulReal(V, double c)     x c, for c not 0 or +-1
//   V mulI(V, bool negative)   x (+-i), complex only
//   V mulImag(V, double c)     x (i c), complex only, c not 0 or +-1
//   V mulComplex(V, cd c)      x c, complex only, c with both parts nonzero
//   V zero()                   an explicit 0
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_CODELETS_H
#define LINOP_CODELETS_H

#include "linop/Dialect/LinopKernel.h"
#include "reference/Math.h"

#include "llvm/ADT/ArrayRef.h"

#include <complex>
#include <vector>

namespace linop::codelets {

using cd = std::complex<double>;

/// x c with exact folding: V{} for c = 0, x for 1, a negation for -1, a
/// swap for +-i, half a product for real or imaginary c.
template <class E>
typename E::V mulConst(E &e, const typename E::V &x, cd c) {
  double r = c.real(), i = c.imag();
  if (r == 0 && i == 0)
    return {};
  if (i == 0)
    return r == 1 ? x : r == -1 ? e.neg(x) : e.mulReal(x, r);
  if (r == 0)
    return i == 1 ? e.mulI(x, false) : i == -1 ? e.mulI(x, true)
                                               : e.mulImag(x, i);
  return e.mulComplex(x, c);
}

/// acc + term, where either may be absent.
template <class E>
typename E::V accumulate(E &e, const typename E::V &acc,
                         const typename E::V &term) {
  if (!e.present(term))
    return acc;
  if (!e.present(acc))
    return term;
  return e.add(acc, term);
}

/// The rows x size(x) constant matrix m (row-major) times x.
template <class E>
std::vector<typename E::V> matrix(E &e, const std::vector<typename E::V> &x,
                                  llvm::ArrayRef<cd> m, int64_t rows) {
  int64_t cols = x.size();
  std::vector<typename E::V> y;
  for (int64_t k = 0; k < rows; ++k) {
    typename E::V acc{};
    for (int64_t l = 0; l < cols; ++l)
      acc = accumulate(e, acc, mulConst(e, x[l], m[k * cols + l]));
    y.push_back(e.present(acc) ? acc : e.zero());
  }
  return y;
}

/// An FFT of size(x): radix-2 splitting (decimation in time) down to odd
/// sizes, which are constant matrix products; roots exact at quarter turns
/// so that trivial twiddles fold away.
template <class E>
std::vector<typename E::V> fft(E &e, const std::vector<typename E::V> &x,
                               bool inverse) {
  int64_t r = x.size();
  if (r == 1)
    return x;
  if (r % 2) {
    std::vector<cd> m;
    for (int64_t k = 0; k < r; ++k)
      for (int64_t j = 0; j < r; ++j)
        m.push_back(ref::unitRoot(inverse ? j * k : -j * k, r));
    return matrix(e, x, m, r);
  }
  std::vector<typename E::V> ev, od;
  for (int64_t j = 0; j < r; ++j)
    (j % 2 ? od : ev).push_back(x[j]);
  ev = fft(e, ev, inverse);
  od = fft(e, od, inverse);
  std::vector<typename E::V> y(r);
  for (int64_t k = 0; k < r / 2; ++k) {
    typename E::V t = mulConst(e, od[k], ref::unitRoot(inverse ? k : -k, r));
    y[k] = e.add(ev[k], t);
    y[k + r / 2] = e.sub(ev[k], t);
  }
  return y;
}

/// Sylvester's recursion: H_2m [a; b] = [H_m a + H_m b; H_m a - H_m b].
template <class E>
std::vector<typename E::V> wht(E &e, const std::vector<typename E::V> &x) {
  int64_t r = x.size();
  if (r == 1)
    return x;
  std::vector<typename E::V> lo = wht(e, {x.begin(), x.begin() + r / 2});
  std::vector<typename E::V> hi = wht(e, {x.begin() + r / 2, x.end()});
  std::vector<typename E::V> y(r);
  for (int64_t k = 0; k < r / 2; ++k) {
    y[k] = e.add(lo[k], hi[k]);
    y[k + r / 2] = e.sub(lo[k], hi[k]);
  }
  return y;
}

/// The codelet of `stage` on its r inputs (twiddles already applied),
/// scaled: its r (or r_out) outputs.
template <class E>
std::vector<typename E::V> stage(E &e, kernel::StageOp stage,
                                 const std::vector<typename E::V> &x) {
  std::vector<typename E::V> y;
  switch (stage.getCodelet()) {
  case kernel::CodeletKind::dft:
    y = fft(e, x, stage.getInverse());
    break;
  case kernel::CodeletKind::hadamard:
    y = wht(e, x);
    break;
  case kernel::CodeletKind::matrix: {
    auto values = llvm::cast<mlir::DenseElementsAttr>(*stage.getMatrix())
                      .getValues<cd>();
    std::vector<cd> m(values.begin(), values.end());
    // A splat (all entries equal) is stored once.
    m.resize(stage.rowsOut() * stage.getR(), m.empty() ? cd(0) : m[0]);
    y = matrix(e, x, m, stage.rowsOut());
    break;
  }
  }
  if (auto s = stage.getScale())
    for (auto &v : y)
      if (e.present(v))
        v = mulConst(e, v, s->convertToDouble());
  // A product by 0 (a scale of 0, say) folds to no value: an output of 0.
  for (auto &v : y)
    if (!e.present(v))
      v = e.zero();
  return y;
}

/// The flop counter: counts real floating-point operations as the
/// emitters emit them (a complex add 2, a complex product 6, one by a real
/// or imaginary constant 2; negations and swaps are free).
class FlopCounter {
public:
  struct V {
    bool set = false;
  };
  explicit FlopCounter(bool complex) : cplx(complex) {}
  double flops = 0;

  bool present(const V &v) const { return v.set; }
  bool complex() const { return cplx; }
  V add(V, V) { return op(cplx ? 2 : 1); }
  V sub(V, V) { return op(cplx ? 2 : 1); }
  V neg(V) { return op(0); }
  V mulReal(V, double) { return op(cplx ? 2 : 1); }
  V mulI(V, bool) { return op(0); }
  V mulImag(V, double) { return op(2); }
  V mulComplex(V, cd) { return op(6); }
  V zero() { return op(0); }
  /// r present inputs.
  std::vector<V> inputs(int64_t r) const { return std::vector<V>(r, V{true}); }

private:
  V op(double f) {
    flops += f;
    return V{true};
  }
  bool cplx;
};

/// Real flops of a size-r DFT codelet as the emitters unroll it.
inline double dftFlops(int64_t r, bool complex) {
  FlopCounter c(complex);
  fft(c, c.inputs(r), false);
  return c.flops;
}

} // namespace linop::codelets

#endif
