// The runtime's chunked recurrence (linop_cpu_recurrence) against the
// sequential float64 reference (ref::recurrence): every gate kind, both
// updates, with and without an initial state, chunk sizes that do and do
// not divide T, strided batch entries, f32 and bf16/f16 storage, and
// log-decays down to -20. Outputs are poisoned with NaN first.

#include "linop/runtime.h"
#include "reference/Math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

using linop::ref::Rng;

struct Case {
  int64_t B, T, H, Dk, Dv, chunk;
  int gate, update;
  bool init;
  double gLow = -1.0;          // log-decays uniform in [gLow, 0)
  int64_t elem = LINOP_REC_F32; // q, k, v and o storage
  bool headsFirst = false;      // [H, T, D] per entry instead of [T, H, D]
  int64_t resetStep = -1;       // a step whose log-decays are all resetG
  double resetG = 0.0;
  // Variable-length sequences: N + 1 offsets per entry (B (N + 1) in
  // all), as int32 (offsetBytes 4) or int64; empty: one sequence of T.
  std::vector<int64_t> cu = {};
  int64_t offsetBytes = 8;
};

std::string name(const Case &c) {
  return "B" + std::to_string(c.B) + " T" + std::to_string(c.T) + " H" +
         std::to_string(c.H) + " Dk" + std::to_string(c.Dk) + " Dv" +
         std::to_string(c.Dv) + " chunk" + std::to_string(c.chunk) +
         " gate" + std::to_string(c.gate) + " update" +
         std::to_string(c.update) + (c.init ? " init" : "") + " elem" +
         std::to_string(c.elem) + (c.headsFirst ? " heads-first" : "") +
         (c.cu.empty() ? "" : " sequences" + std::to_string(c.cu.size() / c.B - 1));
}

uint16_t narrow(float f, int64_t elem) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if (elem == LINOP_REC_BF16)
    return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
  // f16 for values well inside its normal range (the inputs here).
  int e = int((x >> 23) & 0xff) - 127 + 15;
  uint32_t sign = (x >> 16) & 0x8000, m = x & 0x7fffff;
  if (f == 0.0f || e <= 0)
    return uint16_t(sign);
  uint32_t r = (uint32_t(e) << 23 | m);
  return uint16_t(sign | ((r + 0xfff + ((r >> 13) & 1)) >> 13));
}

float widen(uint16_t h, int64_t elem) {
  uint32_t x;
  if (elem == LINOP_REC_BF16) {
    x = uint32_t(h) << 16;
  } else {
    uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    x = uint32_t(h & 0x8000) << 16;
    if (e)
      x |= (e + 112) << 23 | m << 13;
    else if (m) {
      float v = float(m) * 5.9604645e-8f;
      return (h & 0x8000) ? -v : v;
    }
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

/// Relative Frobenius error of `got` against `ref`.
double error(const std::vector<double> &got, const std::vector<double> &ref) {
  double d = 0, n = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i]))
      return std::numeric_limits<double>::infinity();
    d += (got[i] - ref[i]) * (got[i] - ref[i]);
    n += ref[i] * ref[i];
  }
  return n ? std::sqrt(d / n) : std::sqrt(d);
}

void check(const Case &c) {
  SCOPED_TRACE(name(c));
  Rng rng(1234 + c.T * 7 + c.gate * 3 + c.update);
  const int64_t B = c.B, T = c.T, H = c.H, Dk = c.Dk, Dv = c.Dv;
  const int64_t N = c.cu.empty() ? 1 : int64_t(c.cu.size()) / B - 1;
  const int64_t qn = T * H * Dk, vn = T * H * Dv, sn = N * H * Dk * Dv;
  const int64_t gn = c.gate == 2 ? T * H * Dk : T * H;
  // Row strides with a gap, so that the batch entries' offsets matter.
  const int64_t pad = 3;
  std::vector<double> q = linop::ref::randomReals(rng, B * qn);
  std::vector<double> k = linop::ref::randomReals(rng, B * qn);
  std::vector<double> v = linop::ref::randomReals(rng, B * vn);
  std::vector<double> g = linop::ref::randomReals(rng, B * gn, c.gLow, 0.0);
  if (c.resetStep >= 0) // g[b, resetStep, ...] for every entry and head
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < gn / T; ++i)
        g[b * gn + c.resetStep * (gn / T) + i] = c.resetG;
  std::vector<double> beta = linop::ref::randomReals(rng, B * T * H, 0.0, 1.0);
  std::vector<double> h0 = linop::ref::randomReals(rng, B * sn);
  if (c.update) // the delta rule with unit keys, as DeltaNet normalizes them
    for (int64_t r = 0; r < B * T * H; ++r) {
      double n = 0;
      for (int64_t i = 0; i < Dk; ++i)
        n += k[r * Dk + i] * k[r * Dk + i];
      for (int64_t i = 0; i < Dk; ++i)
        k[r * Dk + i] /= std::sqrt(n);
    }
  const bool narrowIo = c.elem != LINOP_REC_F32;
  // Storage: rounded to the element type, so the reference sees the same
  // inputs.
  // Where element i of an entry's [T, H, w] sequence tensor lies (w = 0:
  // not a sequence tensor, in place).
  auto place = [&](int64_t i, int64_t w) {
    if (!c.headsFirst || w == 0)
      return i;
    int64_t t = i / (H * w), h = i / w % H, d = i % w;
    return (h * T + t) * w + d;
  };
  auto stored = [&](std::vector<double> &x, int64_t n, int64_t elem,
                    std::vector<float> &f32, std::vector<uint16_t> &bits,
                    int64_t w) {
    int64_t stride = n + pad;
    f32.assign(B * stride, 0.0f);
    bits.assign(B * stride, 0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < n; ++i) {
        double &val = x[b * n + i];
        int64_t at = b * stride + place(i, w);
        if (elem == LINOP_REC_F32) {
          f32[at] = float(val);
          val = f32[at];
        } else {
          bits[at] = narrow(float(val), elem);
          val = widen(bits[at], elem);
        }
      }
  };
  std::vector<float> qf, kf, vf, gf, bf, hf, scratch;
  std::vector<uint16_t> qb, kb, vb, unused;
  stored(q, qn, c.elem, qf, qb, Dk);
  stored(k, qn, c.elem, kf, kb, Dk);
  stored(v, vn, c.elem, vf, vb, Dv);
  stored(g, gn, LINOP_REC_F32, gf, unused, c.gate == 2 ? Dk : 1);
  stored(beta, T * H, LINOP_REC_F32, bf, unused, 1);
  stored(h0, sn, LINOP_REC_F32, hf, unused, 0);

  const double scale = 1.0 / std::sqrt(double(Dk));
  // The reference, one sequence at a time (steps t0 .. t1 - 1 of entry b).
  std::vector<double> oRef(B * vn), sRef(B * sn);
  const int64_t hs = H * Dk * Dv;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n) {
      const int64_t t0 = c.cu.empty() ? 0 : c.cu[b * (N + 1) + n],
                    t1 = c.cu.empty() ? T : c.cu[b * (N + 1) + n + 1];
      double *state = &sRef[b * sn + n * hs];
      const double *init = c.init ? &h0[b * sn + n * hs] : nullptr;
      if (t1 == t0) {
        for (int64_t i = 0; i < hs; ++i)
          state[i] = init ? init[i] : 0.0;
        continue;
      }
      const int64_t gw = gn / (T * H);
      linop::ref::recurrence(
          {1, t1 - t0, H, Dk, Dv}, c.gate, c.update, scale,
          &q[b * qn + t0 * H * Dk], &k[b * qn + t0 * H * Dk],
          &v[b * vn + t0 * H * Dv],
          c.gate ? &g[b * gn + t0 * H * gw] : nullptr,
          c.update ? &beta[b * T * H + t0 * H] : nullptr, init,
          &oRef[b * vn + t0 * H * Dv], state);
    }

  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> of(B * (vn + pad), nan), sf(B * (sn + pad), nan);
  std::vector<uint16_t> ob(B * (vn + pad), 0x7fff);
  // Operands in ABI order: q k v [g] [beta] [h0], then o, state.
  std::vector<void *> ptrs;
  std::vector<int64_t> strides;
  auto add = [&](void *p, int64_t n) -> int64_t {
    ptrs.push_back(p);
    strides.push_back(n + pad);
    return int64_t(ptrs.size()) - 1;
  };
  int64_t plan[LINOP_REC_PLAN_SIZE];
  plan[LINOP_REC_T] = T;
  plan[LINOP_REC_H] = H;
  plan[LINOP_REC_DK] = Dk;
  plan[LINOP_REC_DV] = Dv;
  plan[LINOP_REC_CHUNK] = c.chunk;
  plan[LINOP_REC_DECAY] = c.gate;
  plan[LINOP_REC_UPDATE] = c.update;
  plan[LINOP_REC_ELEMENT] = c.elem;
  plan[LINOP_REC_OUT_ELEMENT] = c.elem;
  plan[LINOP_REC_HEADS_FIRST] = c.headsFirst;
  plan[LINOP_REC_SEQUENCES] = N;
  plan[LINOP_REC_OFFSET_BYTES] = c.offsetBytes;
  std::vector<int32_t> cu32(c.cu.begin(), c.cu.end());
  std::vector<int64_t> cu64 = c.cu;
  plan[LINOP_REC_Q] = add(narrowIo ? (void *)qb.data() : qf.data(), qn);
  plan[LINOP_REC_K] = add(narrowIo ? (void *)kb.data() : kf.data(), qn);
  plan[LINOP_REC_V] = add(narrowIo ? (void *)vb.data() : vf.data(), vn);
  plan[LINOP_REC_G] = c.gate ? add(gf.data(), gn) : -1;
  plan[LINOP_REC_BETA] = c.update ? add(bf.data(), T * H) : -1;
  plan[LINOP_REC_H0] = c.init ? add(hf.data(), sn) : -1;
  plan[LINOP_REC_O] = add(narrowIo ? (void *)ob.data() : of.data(), vn);
  plan[LINOP_REC_STATE] = add(sf.data(), sn);
  // Offsets with the stride of their rows (no gap).
  plan[LINOP_REC_OFFSETS] = -1;
  if (!c.cu.empty()) {
    ptrs.push_back(c.offsetBytes == 4 ? (void *)cu32.data() : cu64.data());
    strides.push_back(N + 1);
    plan[LINOP_REC_OFFSETS] = int64_t(ptrs.size()) - 1;
  }
  // Two calls over halves of the (entry, sequence, head) units, as the
  // thread pool splits them: the cut may fall inside an entry's heads.
  const int64_t units = B * N * H;
  linop_cpu_recurrence(plan, scale, ptrs.data(), strides.data(), 0, units / 2);
  linop_cpu_recurrence(plan, scale, ptrs.data(), strides.data(), units / 2,
                       units);

  std::vector<double> oGot(B * vn), sGot(B * sn);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t i = 0; i < vn; ++i) {
      int64_t at = b * (vn + pad) + place(i, Dv);
      oGot[b * vn + i] = narrowIo ? widen(ob[at], c.elem) : of[at];
    }
    for (int64_t i = 0; i < sn; ++i)
      sGot[b * sn + i] = sf[b * (sn + pad) + i];
  }
  // f32 arithmetic over T steps; a 16-bit output adds its rounding.
  const double bound = narrowIo ? (c.elem == LINOP_REC_BF16 ? 8e-3 : 1e-3)
                                : 2e-5 * std::sqrt(double(T));
  EXPECT_LE(error(oGot, oRef), bound) << "o";
  EXPECT_LE(error(sGot, sRef), 2e-5 * std::sqrt(double(T))) << "final state";
}

TEST(Recurrence, EveryGateAndUpdate) {
  for (int gate : {0, 1, 2})
    for (int update : {0, 1})
      for (int64_t T : {1, 7, 64, 130})
        for (bool init : {false, true})
          check({2, T, 2, 16, 8, 32, gate, update, init});
}

TEST(Recurrence, ChunkSizesDoNotChangeTheResult) {
  for (int64_t chunk : {1, 5, 64, 300})
    for (int gate : {1, 2})
      check({3, 100, 1, 8, 12, chunk, gate, 1, true});
}

TEST(Recurrence, HeadDimensionsOf64And128) {
  check({1, 96, 3, 64, 64, 64, 1, 0, true});
  check({1, 70, 1, 128, 128, 64, 2, 1, false});
}

TEST(Recurrence, DecaysDownToMinus20StayFinite) {
  for (int gate : {1, 2})
    for (int update : {0, 1}) {
      Case c{2, 200, 2, 16, 16, 64, gate, update, true};
      c.gLow = -20.0;
      check(c);
    }
}

TEST(Recurrence, SixteenBitStorage) {
  for (int64_t elem : {LINOP_REC_BF16, LINOP_REC_F16})
    for (int update : {0, 1}) {
      Case c{2, 65, 2, 32, 16, 16, 1, update, true};
      c.elem = elem;
      check(c);
    }
}

TEST(Recurrence, HeadsFirstLayout) {
  for (int gate : {0, 1, 2})
    for (int update : {0, 1}) {
      Case c{2, 45, 3, 16, 8, 16, gate, update, true};
      c.headsFirst = true;
      check(c);
    }
}

TEST(Recurrence, ResetsAndHugeDecaysWithinAChunk) {
  // A decay of exactly 0 (g = -inf: the state forgets everything) or of
  // e^-1e8 in the middle of a chunk: later steps of that chunk still see
  // the small differences of their own decays.
  for (double reset : {-std::numeric_limits<double>::infinity(), -1e8, -1e5})
    for (int gate : {1, 2})
      for (int update : {0, 1}) {
        Case c{2, 100, 2, 16, 8, 64, gate, update, true};
        c.resetStep = 37;
        c.resetG = reset;
        check(c);
      }
}

TEST(Recurrence, LongChunksKeepTheirAccuracy) {
  // Sums of log-decays over 1024 steps reach -4e4; what is exponentiated
  // is their differences, which must not lose digits to the sums.
  for (int64_t chunk : {64, 1024}) {
    Case c{1, 2048, 1, 16, 16, chunk, 2, 0, false};
    c.gLow = -40.0;
    check(c);
  }
}

TEST(Recurrence, VariableLengthSequences) {
  // Two entries, four sequences each: empty ones, one of a single step,
  // one across several chunks; int64 and int32 offsets.
  const std::vector<int64_t> cu = {0, 0, 1, 40, 100, 0, 60, 60, 99, 100};
  for (int gate : {0, 1, 2})
    for (int update : {0, 1})
      for (int64_t bytes : {8, 4}) {
        Case c{2, 100, 2, 16, 8, 16, gate, update, gate != 1};
        c.cu = cu;
        c.offsetBytes = bytes;
        c.headsFirst = update == 1 && bytes == 4;
        check(c);
      }
}

/// linop_cpu_recurrence over `units` on the thread pool, as a kernel runs
/// it: its status is linop_parallel_for's.
linop_status onThreadPool(const int64_t *plan, void *const *ptrs,
                          const int64_t *strides, int64_t units) {
  struct Call {
    const int64_t *plan;
    void *const *ptrs;
    const int64_t *strides;
  } call{plan, ptrs, strides};
  auto fn = [](void *p, int64_t begin, int64_t end) {
    auto *c = static_cast<Call *>(p);
    linop_cpu_recurrence(c->plan, 1.0, c->ptrs, c->strides, begin, end);
  };
  return linop_parallel_for(units, 1, fn, &call);
}

} // namespace

// Offsets that do not split T into sequences: an error that names the
// offending offset, and that entry untouched.
TEST(Recurrence, BadOffsetsAreAnError) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const int64_t T = 4;
  for (const std::vector<int64_t> &cu :
       {std::vector<int64_t>{1, 2, 4}, {0, 3, 2}, {0, 2, 5}, {0, -1, 4}}) {
    std::vector<float> q(T, 1.0f), k(T, 1.0f), v(T, 1.0f), o(T, nan),
        s(2, nan);
    void *ptrs[] = {q.data(), k.data(), v.data(), o.data(), s.data(),
                    const_cast<int64_t *>(cu.data())};
    const int64_t strides[] = {T, T, T, T, 2, 3};
    int64_t plan[LINOP_REC_PLAN_SIZE] = {};
    plan[LINOP_REC_T] = T;
    plan[LINOP_REC_H] = plan[LINOP_REC_DK] = plan[LINOP_REC_DV] = 1;
    plan[LINOP_REC_CHUNK] = 2;
    plan[LINOP_REC_ELEMENT] = plan[LINOP_REC_OUT_ELEMENT] = LINOP_REC_F32;
    plan[LINOP_REC_Q] = 0;
    plan[LINOP_REC_K] = 1;
    plan[LINOP_REC_V] = 2;
    plan[LINOP_REC_G] = plan[LINOP_REC_BETA] = plan[LINOP_REC_H0] = -1;
    plan[LINOP_REC_O] = 3;
    plan[LINOP_REC_STATE] = 4;
    plan[LINOP_REC_OFFSETS] = 5;
    plan[LINOP_REC_OFFSET_BYTES] = 8;
    plan[LINOP_REC_SEQUENCES] = 2;
    EXPECT_EQ(onThreadPool(plan, ptrs, strides, 2),
              LINOP_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(linop_last_error()).find("do not split its T = 4"),
              std::string::npos)
        << linop_last_error();
    for (float x : o)
      EXPECT_TRUE(std::isnan(x));
    EXPECT_TRUE(std::isnan(s[0]) && std::isnan(s[1]));
  }
}

// A chunk whose buffers cannot be allocated (4 TiB for its products): the
// recurrence reports it through linop_parallel_for, writes nothing, and
// does not throw through the caller.
TEST(Recurrence, OutOfMemoryIsAnError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer stops at an allocation of 4 TiB "
                  "instead of failing it";
#else
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> q(4, 1.0f), k(4, 1.0f), v(4, 1.0f), o(4, nan), s(4, nan);
  void *ptrs[] = {q.data(), k.data(), v.data(), o.data(), s.data()};
  const int64_t strides[] = {1, 1, 1, 1, 1};
  int64_t plan[LINOP_REC_PLAN_SIZE];
  plan[LINOP_REC_T] = 1;
  plan[LINOP_REC_H] = 1;
  plan[LINOP_REC_DK] = 1;
  plan[LINOP_REC_DV] = 1;
  plan[LINOP_REC_CHUNK] = int64_t(1) << 20;
  plan[LINOP_REC_DECAY] = 0;
  plan[LINOP_REC_UPDATE] = 0;
  plan[LINOP_REC_ELEMENT] = LINOP_REC_F32;
  plan[LINOP_REC_OUT_ELEMENT] = LINOP_REC_F32;
  plan[LINOP_REC_HEADS_FIRST] = 0;
  plan[LINOP_REC_OFFSETS] = -1;
  plan[LINOP_REC_OFFSET_BYTES] = 0;
  plan[LINOP_REC_SEQUENCES] = 1;
  plan[LINOP_REC_Q] = 0;
  plan[LINOP_REC_K] = 1;
  plan[LINOP_REC_V] = 2;
  plan[LINOP_REC_G] = -1;
  plan[LINOP_REC_BETA] = -1;
  plan[LINOP_REC_H0] = -1;
  plan[LINOP_REC_O] = 3;
  plan[LINOP_REC_STATE] = 4;
  EXPECT_EQ(onThreadPool(plan, ptrs, strides, 1), LINOP_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(std::string(linop_last_error()).find("out of memory"),
            std::string::npos)
      << linop_last_error();
  EXPECT_TRUE(std::isnan(o[0]) && std::isnan(s[0]));
#endif
}
