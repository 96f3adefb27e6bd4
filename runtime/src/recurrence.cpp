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
#include <vector>

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

/// One (batch entry, head) sequence, chunk by chunk; buffers reused.
struct Sequence {
  int64_t T, H, Dk, Dv, C, decay, update, elem, outElem;
  bool headsFirst;
  float scale;
  // The state; the chunk's q, k and u (rows of steps); k and the
  // log-decays transposed (rows of key channels), so that the products
  // over steps run along contiguous memory; the decayed products P[t][s]
  // = D(q_t, k_s) and, for the delta rule, Lk[t][s] = D(k_t, k_s).
  std::vector<float> S, q, k, u, kT, beta, w, e, o, P, Lk;
  // Log-decays summed within the chunk, in double: a large sum must not
  // swallow the small differences that are exponentiated.
  std::vector<double> G, gT;

  explicit Sequence(const int64_t *plan, double scale)
      : T(plan[LINOP_REC_T]), H(plan[LINOP_REC_H]), Dk(plan[LINOP_REC_DK]),
        Dv(plan[LINOP_REC_DV]), C(plan[LINOP_REC_CHUNK]),
        decay(plan[LINOP_REC_DECAY]), update(plan[LINOP_REC_UPDATE]),
        elem(plan[LINOP_REC_ELEMENT]), outElem(plan[LINOP_REC_OUT_ELEMENT]),
        headsFirst(plan[LINOP_REC_HEADS_FIRST] != 0), scale(float(scale)),
        S(Dk * Dv), q(C * Dk), k(C * Dk), u(C * Dv), kT(Dk * C), beta(C), w(C),
        e(Dk), o(Dv), P(C * C), Lk(C * C), G(C * Dk), gT(Dk * C) {}

  /// log-decay cumulated to step t of the chunk, key channel i.
  double g(int64_t t, int64_t i) const {
    return decay == 2 ? G[t * Dk + i] : G[t * Dk];
  }
  /// D(x_t, k_s) for s <= t (s < t when `strict`) into rows of `out`, x
  /// the chunk's rows of Dk values. Axpys over s, so the compiler
  /// vectorizes them without reassociating a sum.
  void decayedProducts(const float *x, int64_t L, bool strict, float *out) {
    for (int64_t t = 0; t < L; ++t) {
      float *row = &out[t * C];
      const int64_t n = strict ? t : t + 1;
      for (int64_t s = 0; s < n; ++s)
        row[s] = 0.0f;
      for (int64_t i = 0; i < Dk; ++i) {
        const float a = x[t * Dk + i], *ks = &kT[i * C];
        if (decay == 2) {
          const double gti = G[t * Dk + i], *gs = &gT[i * C];
          for (int64_t s = 0; s < n; ++s)
            row[s] += a * ks[s] * std::exp(float(gti - gs[s]));
        } else {
          for (int64_t s = 0; s < n; ++s)
            row[s] += a * ks[s];
        }
      }
      if (decay == 1)
        for (int64_t s = 0; s < n; ++s)
          row[s] *= std::exp(float(G[t * Dk] - G[s * Dk]));
    }
  }
  /// out[j] = sum_i (e^Gc_t[i] x[i]) S0[i][j].
  void readState(const float *x, int64_t t, float *out) {
    const float f = decay == 1 ? std::exp(float(G[t * Dk])) : 1.0f;
    for (int64_t i = 0; i < Dk; ++i)
      e[i] = decay == 2 ? x[i] * std::exp(float(G[t * Dk + i])) : x[i] * f;
    for (int64_t j = 0; j < Dv; ++j)
      out[j] = 0;
    for (int64_t i = 0; i < Dk; ++i) {
      const float a = e[i], *row = &S[i * Dv];
      for (int64_t j = 0; j < Dv; ++j)
        out[j] += a * row[j];
    }
  }

  void run(const void *Q, const void *K, const void *V, const float *Gl,
           const float *Beta, const float *H0, void *O, float *Sout) {
    // Elements between steps: H rows of D ([T, H, D]) or one row of D
    // (heads first: [H, T, D]).
    const int64_t heads = headsFirst ? 1 : H, qs = heads * Dk, vs = heads * Dv;
    for (int64_t i = 0; i < Dk * Dv; ++i)
      S[i] = H0 ? H0[i] : 0.0f;
    for (int64_t t0 = 0; t0 < T; t0 += C) {
      const int64_t L = std::min(C, T - t0);
      for (int64_t t = 0; t < L; ++t) {
        for (int64_t i = 0; i < Dk; ++i) {
          q[t * Dk + i] = load(Q, (t0 + t) * qs + i, elem);
          k[t * Dk + i] = kT[i * C + t] = load(K, (t0 + t) * qs + i, elem);
        }
        for (int64_t j = 0; j < Dv; ++j)
          u[t * Dv + j] = load(V, (t0 + t) * vs + j, elem);
        beta[t] = update ? Beta[(t0 + t) * heads] : 1.0f;
        const int64_t width = decay == 2 ? Dk : 1;
        for (int64_t i = 0; i < width && decay; ++i)
          // A decay of exactly 0 (g = -inf, a reset) or below e^-1e4
          // contributes 0 either way; clamped, the differences stay finite.
          // NaN stays NaN.
          G[t * Dk + i] = gT[i * C + t] =
              std::max(double(Gl[(t0 + t) * heads * width + i]), -1e4) +
              (t ? G[(t - 1) * Dk + i] : 0.0);
      }
      // The delta rule: u = (I + L)^-1 (v - W), L strictly lower, by
      // forward substitution.
      if (update) {
        decayedProducts(k.data(), L, /*strict=*/true, Lk.data());
        for (int64_t t = 0; t < L; ++t) {
          float *ut = &u[t * Dv];
          readState(&k[t * Dk], t, o.data());
          for (int64_t j = 0; j < Dv; ++j)
            ut[j] -= o[j];
          for (int64_t s = 0; s < t; ++s) {
            const float c = beta[s] * Lk[t * C + s], *us = &u[s * Dv];
            for (int64_t j = 0; j < Dv; ++j)
              ut[j] -= c * us[j];
          }
        }
      }
      // Outputs from the state at the chunk's start and the chunk itself.
      decayedProducts(q.data(), L, /*strict=*/false, P.data());
      for (int64_t t = 0; t < L; ++t) {
        readState(&q[t * Dk], t, o.data());
        for (int64_t s = 0; s <= t; ++s) {
          const float c = beta[s] * P[t * C + s], *us = &u[s * Dv];
          for (int64_t j = 0; j < Dv; ++j)
            o[j] += c * us[j];
        }
        for (int64_t j = 0; j < Dv; ++j)
          store(O, (t0 + t) * vs + j, outElem, scale * o[j]);
      }
      // The state at the chunk's end (w: a scalar gate's decay from each
      // step to the end, the same for every key channel).
      for (int64_t s = 0; s < L; ++s)
        w[s] = decay == 1 ? std::exp(float(G[(L - 1) * Dk] - G[s * Dk])) : 1.0f;
      for (int64_t i = 0; i < Dk; ++i) {
        float *row = &S[i * Dv];
        const double last = decay ? g(L - 1, i) : 0.0;
        if (decay) {
          const float a = std::exp(float(last));
          for (int64_t j = 0; j < Dv; ++j)
            row[j] *= a;
        }
        for (int64_t s = 0; s < L; ++s) {
          const float c =
              beta[s] * kT[i * C + s] *
              (decay == 2 ? std::exp(float(last - G[s * Dk + i])) : w[s]);
          const float *us = &u[s * Dv];
          for (int64_t j = 0; j < Dv; ++j)
            row[j] += c * us[j];
        }
      }
    }
    if (Sout)
      std::memcpy(Sout, S.data(), sizeof(float) * Dk * Dv);
  }
};

void runRange(Sequence &seq, const int64_t *plan, void *const *ptrs,
              const int64_t *strides, int64_t begin, int64_t end) {
  const int64_t H = seq.H, Dk = seq.Dk, Dv = seq.Dv;
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
  // Where head h of a batch entry starts: h rows in ([T, H, D]) or h
  // sequences of T rows ([H, T, D]).
  auto head = [&](int64_t h, int64_t width) {
    return seq.headsFirst ? h * seq.T * width : h * width;
  };
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t b = unit / H, h = unit % H;
    seq.run(
        at(LINOP_REC_Q, b, head(h, Dk), in),
        at(LINOP_REC_K, b, head(h, Dk), in),
        at(LINOP_REC_V, b, head(h, Dv), in),
        reinterpret_cast<const float *>(at(LINOP_REC_G, b, head(h, gWidth), 4)),
        reinterpret_cast<const float *>(at(LINOP_REC_BETA, b, head(h, 1), 4)),
        reinterpret_cast<const float *>(at(LINOP_REC_H0, b, h * Dk * Dv, 4)),
        at(LINOP_REC_O, b, head(h, Dv), out),
        reinterpret_cast<float *>(at(LINOP_REC_STATE, b, h * Dk * Dv, 4)));
  }
}

} // namespace

extern "C" void linop_cpu_recurrence(const int64_t *plan, double scale,
                                     void *const *ptrs, const int64_t *strides,
                                     int64_t begin, int64_t end) {
  Sequence seq(plan, scale);
  runRange(seq, plan, ptrs, strides, begin, end);
}
