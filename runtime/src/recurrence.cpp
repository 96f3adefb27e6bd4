// The CPU's chunked linear recurrence (runtime.h: linop_cpu_recurrence).
//
// Per (batch entry, head), with state S: [Dk, Dv] and Gc the log-decays
// summed from the start of the chunk (Gc_t inclusive of step t), every
// gate kind and both updates are one computation on a chunk of L steps:
//
//   u_s  = v_s                                         (additive, beta = 1)
//   u_t  = v_t - S0^T (e^Gc_t . k_t) - sum_{s<t} beta_s D(k_t, k_s) u_s
//                                                      (delta: a forward
//                                                       substitution)
//   o_t  = scale (S0^T (e^Gc_t . q_t) + sum_{s<=t} beta_s D(q_t, k_s) u_s)
//   S[i] = e^Gc_L[i] S0[i] + sum_s e^(Gc_L[i] - Gc_s[i]) beta_s k_s[i] u_s
//
// where D(x_t, y_s) = sum_i x_t[i] y_s[i] e^(Gc_t[i] - Gc_s[i]) (a scalar
// gate: one factor; none: a dot product). Only differences Gc_t - Gc_s with
// s <= t are exponentiated, so decays near 0 underflow to 0 instead of
// overflowing. Derivation and the sequential float64 reference:
// lib/reference/Math.cpp (recurrence).

#include "linop/runtime.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include <Eigen/Dense>

namespace {

float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint32_t floatToBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, e = (h >> 10) & 0x1f,
           m = h & 0x3ff;
  if (e == 0) // zero or subnormal: m 2^-24
    return std::copysign(float(m) * 5.9604645e-8f, sign ? -1.0f : 1.0f);
  if (e == 31)
    return bitsToFloat(sign | 0x7f800000u | (m << 13));
  return bitsToFloat(sign | ((e + 112) << 23) | (m << 13));
}

// Round to nearest, ties to even; overflow to infinity; NaN stays NaN.
uint16_t floatToHalf(float f) {
  uint32_t x = floatToBits(f), sign = (x >> 16) & 0x8000, ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u)
    return uint16_t(sign | 0x7e00 | ((ax >> 13) & 0x3ff));
  if (ax >= 0x477ff000u) // 65520 and above round to infinity
    return uint16_t(sign | 0x7c00);
  if (ax < 0x38800000u) // below 2^-14: a subnormal, in units of 2^-24
    return uint16_t(sign |
                    uint32_t(std::nearbyint(std::fabs(f) * 16777216.0f)));
  uint32_t r = ax - 0x38000000u; // exponent bias 127 -> 15
  return uint16_t(sign | ((r + 0xfff + ((r >> 13) & 1)) >> 13));
}

float bf16ToFloat(uint16_t b) { return bitsToFloat(uint32_t(b) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t x = floatToBits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

float load(const void *p, int64_t i, int64_t type) {
  switch (type) {
  case LINOP_REC_F16:
    return halfToFloat(static_cast<const uint16_t *>(p)[i]);
  case LINOP_REC_BF16:
    return bf16ToFloat(static_cast<const uint16_t *>(p)[i]);
  default:
    return static_cast<const float *>(p)[i];
  }
}

void store(void *p, int64_t i, int64_t type, float v) {
  switch (type) {
  case LINOP_REC_F16:
    static_cast<uint16_t *>(p)[i] = floatToHalf(v);
    break;
  case LINOP_REC_BF16:
    static_cast<uint16_t *>(p)[i] = floatToBf16(v);
    break;
  default:
    static_cast<float *>(p)[i] = v;
  }
}

size_t elementBytes(int64_t type) { return type == LINOP_REC_F32 ? 4 : 2; }

/// Row-major f32 matrices: the chunk's tiles and the state. Their products
/// are Eigen's blocked GEMMs.
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One (batch entry, head) sequence, chunk by chunk; buffers reused.
struct Sequence {
  int64_t H, Dk, Dv, C, decay, update, elem, outElem, width;
  bool headsFirst;
  float scale;
  // The state [Dk, Dv]; the chunk's q, k and u (v, then the delta rule's
  // corrected values), rows of steps; X and W: scaled copies of rows of q
  // or k (the operands of a product); the decayed products P[t][s] =
  // D(x_t, k_s); the outputs O.
  Mat S, q, k, u, X, W, P, O;
  std::vector<float> beta;
  // Log-decays summed within the chunk, rows of `width` (Dk for a vector
  // gate, else 1), in double: a large sum must not swallow the small
  // differences that are exponentiated.
  Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> G;

  explicit Sequence(const int64_t *plan, double scale)
      : H(plan[LINOP_REC_H]), Dk(plan[LINOP_REC_DK]),
        Dv(plan[LINOP_REC_DV]), C(plan[LINOP_REC_CHUNK]),
        decay(plan[LINOP_REC_DECAY]), update(plan[LINOP_REC_UPDATE]),
        elem(plan[LINOP_REC_ELEMENT]), outElem(plan[LINOP_REC_OUT_ELEMENT]),
        width(decay == 2 ? Dk : 1),
        headsFirst(plan[LINOP_REC_HEADS_FIRST] != 0), scale(float(scale)),
        S(Dk, Dv), q(C, Dk), k(C, Dk), u(C, Dv), X(C, Dk), W(C, Dk), P(C, C),
        O(C, Dv), beta(C), G(C, width) {}

  /// e^(Gc_t - Gc_s) per key channel (a row of `width`), or e^Gc_t when
  /// s < 0; each difference rounded to float before its exponential. An
  /// expression: nothing is allocated.
  auto between(int64_t t, int64_t s) const {
    return (G.row(t) - G.row(s)).cast<float>().exp();
  }
  auto upTo(int64_t t) const { return G.row(t).cast<float>().exp(); }
  /// Rows t = r0 ... r1 - 1 of x into rows t - r0 of `out`, each scaled by
  /// e^(Gc_t - Gc_ref) (e^Gc_t when ref < 0), or by e^(Gc_ref - Gc_t) when
  /// `fromRef`.
  void scaledRows(const Mat &x, int64_t r0, int64_t r1, int64_t ref,
                  bool fromRef, Mat &out) const {
    for (int64_t t = r0; t < r1; ++t) {
      const int64_t a = fromRef ? ref : t, b = fromRef ? t : ref;
      if (width == 1)
        out.row(t - r0) =
            x.row(t) *
            std::exp(float(G(a, 0) - (b < 0 ? 0.0 : G(b, 0))));
      else if (b < 0)
        out.row(t - r0) = x.row(t).array() * upTo(a);
      else
        out.row(t - r0) = x.row(t).array() * between(a, b);
    }
  }

  /// P[t][s] = D(x_t, k_s) for s <= t (s < t when `strict`), 0 above, for
  /// the chunk's L steps. Without a gate or with a scalar one, one product
  /// x k^T (a scalar gate's factor per pair after it). A vector gate's
  /// blocks of 16 rows take their products with earlier steps s < r0 <= t
  /// factored through step r0, (x_t e^(Gc_t - Gc_r0)) (k_s e^(Gc_r0 -
  /// Gc_s))^T, both factors at most 1 for log-decays <= 0; the 16 x 16
  /// blocks on the diagonal are exact sums.
  void decayedProducts(const Mat &x, int64_t L, bool strict) {
    auto mask = [&](int64_t t, int64_t s) { return s > t || (strict && s == t); };
    if (decay != 2) {
      P.topLeftCorner(L, L).noalias() =
          x.topRows(L) * k.topRows(L).transpose();
      for (int64_t t = 0; t < L; ++t)
        for (int64_t s = 0; s < L; ++s)
          P(t, s) = mask(t, s) ? 0.0f
                    : decay == 1
                        ? P(t, s) * std::exp(float(G(t, 0) - G(s, 0)))
                        : P(t, s);
      return;
    }
    const int64_t B = 16;
    for (int64_t r0 = 0; r0 < L; r0 += B) {
      const int64_t r1 = std::min(r0 + B, L), n = r1 - r0;
      if (r0 > 0) {
        scaledRows(x, r0, r1, r0, /*fromRef=*/false, X);
        scaledRows(k, 0, r0, r0, /*fromRef=*/true, W);
        P.block(r0, 0, n, r0).noalias() =
            X.topRows(n) * W.topRows(r0).transpose();
      }
      for (int64_t t = r0; t < r1; ++t)
        for (int64_t s = r0; s < L; ++s)
          P(t, s) = s >= r1 || mask(t, s)
                        ? 0.0f
                        : (x.row(t).array() * k.row(s).array() *
                           between(t, s))
                              .sum();
    }
  }

  /// The recurrence over T steps from S = H0 (0 when null), its final
  /// state into Sout.
  void run(int64_t T, const void *Q, const void *K, const void *V,
           const float *Gl, const float *Beta, const float *H0, void *O_,
           float *Sout) {
    // Elements between steps: H rows of D ([T, H, D]) or one row of D
    // (heads first: [H, T, D]).
    const int64_t heads = headsFirst ? 1 : H, qs = heads * Dk, vs = heads * Dv;
    for (int64_t i = 0; i < Dk; ++i)
      for (int64_t j = 0; j < Dv; ++j)
        S(i, j) = H0 ? H0[i * Dv + j] : 0.0f;
    for (int64_t t0 = 0; t0 < T; t0 += C) {
      const int64_t L = std::min(C, T - t0);
      for (int64_t t = 0; t < L; ++t) {
        for (int64_t i = 0; i < Dk; ++i) {
          q(t, i) = load(Q, (t0 + t) * qs + i, elem);
          k(t, i) = load(K, (t0 + t) * qs + i, elem);
        }
        for (int64_t j = 0; j < Dv; ++j)
          u(t, j) = load(V, (t0 + t) * vs + j, elem);
        beta[t] = update ? Beta[(t0 + t) * heads] : 1.0f;
        for (int64_t i = 0; i < width && decay; ++i)
          // A decay of exactly 0 (g = -inf, a reset) or below e^-1e4
          // contributes 0 either way; clamped, the differences stay finite.
          // NaN stays NaN.
          G(t, i) = std::max(double(Gl[(t0 + t) * heads * width + i]), -1e4) +
                    (t ? G(t - 1, i) : 0.0);
      }
      // Reads of the state at the chunk's start: (e^Gc_t . x_t) S.
      auto readState = [&](const Mat &x, Mat &out) {
        if (decay)
          scaledRows(x, 0, L, -1, /*fromRef=*/false, X);
        out.topRows(L).noalias() = (decay ? X : x).topRows(L) * S;
      };
      // The delta rule: u = (I + L)^-1 (v - (e^Gc . k) S), L[t][s] =
      // beta_s D(k_t, k_s) strictly lower: one triangular solve.
      if (update) {
        readState(k, O);
        u.topRows(L) -= O.topRows(L);
        decayedProducts(k, L, /*strict=*/true);
        for (int64_t s = 0; s < L; ++s)
          P.col(s).head(L) *= beta[s];
        P.topLeftCorner(L, L).triangularView<Eigen::UnitLower>().solveInPlace(
            u.topRows(L));
      }
      // Outputs from the state at the chunk's start and the chunk itself.
      readState(q, O);
      decayedProducts(q, L, /*strict=*/false);
      if (update)
        for (int64_t s = 0; s < L; ++s)
          P.col(s).head(L) *= beta[s];
      O.topRows(L).noalias() += P.topLeftCorner(L, L) * u.topRows(L);
      for (int64_t t = 0; t < L; ++t)
        for (int64_t j = 0; j < Dv; ++j)
          store(O_, (t0 + t) * vs + j, outElem, scale * O(t, j));
      // The state at the chunk's end: S = e^Gc_L . S + W^T u, W[s] = beta_s
      // e^(Gc_L - Gc_s) . k_s.
      if (decay)
        for (int64_t i = 0; i < Dk; ++i)
          S.row(i) *= std::exp(float(G(L - 1, width == 1 ? 0 : i)));
      if (decay)
        scaledRows(k, 0, L, L - 1, /*fromRef=*/true, W);
      else
        W.topRows(L) = k.topRows(L);
      for (int64_t s = 0; s < L; ++s)
        W.row(s) *= beta[s];
      S.noalias() += W.topRows(L).transpose() * u.topRows(L);
    }
    if (Sout)
      for (int64_t i = 0; i < Dk; ++i)
        for (int64_t j = 0; j < Dv; ++j)
          Sout[i * Dv + j] = S(i, j);
  }
};

/// A batch entry's N + 1 offsets (int32 when `bytes` is 4, else int64).
std::vector<int64_t> offsetsOf(const void *row, int64_t bytes, int64_t N) {
  std::vector<int64_t> cu(N + 1);
  for (int64_t n = 0; n <= N; ++n)
    cu[n] = bytes == 4 ? static_cast<const int32_t *>(row)[n]
                       : static_cast<const int64_t *>(row)[n];
  return cu;
}

/// Whether entry `entry`'s offsets split its T steps into sequences; the
/// reason reported (linop_job_error) when not.
linop_status checkOffsets(const std::vector<int64_t> &cu, int64_t T,
                          int64_t entry) {
  const int64_t N = int64_t(cu.size()) - 1;
  auto fail = [&](int64_t n, const char *why) {
    return linop_job_error(
        LINOP_ERROR_INVALID_ARGUMENT,
        "chunked recurrence: the offsets of batch entry %lld do not split "
        "its T = %lld steps into %lld sequences: offsets[%lld] = %lld %s",
        static_cast<long long>(entry), static_cast<long long>(T),
        static_cast<long long>(N), static_cast<long long>(n),
        static_cast<long long>(cu[n]), why);
  };
  if (cu[0] != 0)
    return fail(0, "(the first must be 0)");
  for (int64_t n = 1; n <= N; ++n)
    if (cu[n] < cu[n - 1])
      return fail(n, "is below the offset before it");
  if (cu[N] != T)
    return fail(N, "(the last must be T)");
  return LINOP_OK;
}

/// Reads entry b's offsets into `cu`; false, with the reason reported,
/// unless they split its T steps into sequences.
bool readOffsets(const int64_t *plan, void *const *ptrs,
                 const int64_t *strides, int64_t b, std::vector<int64_t> &cu) {
  const int64_t T = plan[LINOP_REC_T], pos = plan[LINOP_REC_OFFSETS],
                bytes = plan[LINOP_REC_OFFSET_BYTES];
  if (pos < 0) {
    cu = {0, T};
    return true;
  }
  cu = offsetsOf(static_cast<const char *>(ptrs[pos]) + b * strides[pos] * bytes,
                 bytes, plan[LINOP_REC_SEQUENCES]);
  return checkOffsets(cu, T, b) == LINOP_OK;
}

void runRange(Sequence &seq, const int64_t *plan, void *const *ptrs,
              const int64_t *strides, int64_t begin, int64_t end) {
  const int64_t H = seq.H, Dk = seq.Dk, Dv = seq.Dv,
                N = plan[LINOP_REC_SEQUENCES], T = plan[LINOP_REC_T];
  // Operand #which of batch entry b, advanced by `offset` elements of
  // `bytes` each; null where absent.
  auto at = [&](int64_t which, int64_t b, int64_t offset,
                size_t bytes) -> char * {
    int64_t pos = plan[which];
    if (pos < 0)
      return nullptr;
    return static_cast<char *>(ptrs[pos]) +
           (b * strides[pos] + offset) * int64_t(bytes);
  };
  const size_t in = elementBytes(seq.elem), out = elementBytes(seq.outElem);
  const int64_t gWidth = seq.decay == 2 ? Dk : 1;
  // Where step t of head h of a batch entry starts: t H + h rows
  // ([T, H, D]) or h T + t rows ([H, T, D]).
  auto step = [&](int64_t h, int64_t t, int64_t width) {
    return (seq.headsFirst ? h * T + t : t * H + h) * width;
  };
  std::vector<int64_t> cu;
  int64_t entry = -1;
  bool valid = false;
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t b = unit / (N * H), n = unit / H % N, h = unit % H;
    if (b != entry) {
      entry = b;
      valid = readOffsets(plan, ptrs, strides, b, cu);
    }
    if (!valid)
      continue;
    const int64_t t0 = cu[n], state = (n * H + h) * Dk * Dv;
    seq.run(
        cu[n + 1] - t0, at(LINOP_REC_Q, b, step(h, t0, Dk), in),
        at(LINOP_REC_K, b, step(h, t0, Dk), in),
        at(LINOP_REC_V, b, step(h, t0, Dv), in),
        reinterpret_cast<const float *>(
            at(LINOP_REC_G, b, step(h, t0, gWidth), 4)),
        reinterpret_cast<const float *>(at(LINOP_REC_BETA, b, step(h, t0, 1), 4)),
        reinterpret_cast<const float *>(at(LINOP_REC_H0, b, state, 4)),
        at(LINOP_REC_O, b, step(h, t0, Dv), out),
        reinterpret_cast<float *>(at(LINOP_REC_STATE, b, state, 4)));
  }
}

} // namespace

extern "C" void linop_cpu_recurrence(const int64_t *plan, double scale,
                                     void *const *ptrs, const int64_t *strides,
                                     int64_t begin, int64_t end) {
  // The chunk's buffers and Eigen's GEMM blocks are allocated here: a
  // failure is the entry point's error (linop_job_error), not an exception
  // through generated code.
  try {
    Sequence seq(plan, scale);
    runRange(seq, plan, ptrs, strides, begin, end);
  } catch (const std::bad_alloc &) {
    linop_job_error(LINOP_ERROR_OUT_OF_MEMORY,
                    "chunked recurrence: out of memory for the buffers of a "
                    "chunk of %lld steps (Dk = %lld, Dv = %lld)",
                    static_cast<long long>(plan[LINOP_REC_CHUNK]),
                    static_cast<long long>(plan[LINOP_REC_DK]),
                    static_cast<long long>(plan[LINOP_REC_DV]));
  }
}

extern "C" linop_status linop_check_offsets(const void *offsets,
                                            int offset_bytes, int64_t stride,
                                            int64_t rows, int64_t sequences,
                                            int64_t T) {
  if (!offsets)
    return linop_job_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "chunked recurrence: the offsets are NULL");
  const int64_t bytes = offset_bytes == 4 ? 4 : 8;
  try {
    for (int64_t r = 0; r < rows; ++r)
      if (linop_status s = checkOffsets(
              offsetsOf(static_cast<const char *>(offsets) + r * stride * bytes,
                        bytes, sequences),
              T, r))
        return s;
  } catch (const std::bad_alloc &) {
    return linop_job_error(LINOP_ERROR_OUT_OF_MEMORY,
                           "chunked recurrence: out of memory for %lld offsets",
                           static_cast<long long>(sequences + 1));
  }
  return LINOP_OK;
}
