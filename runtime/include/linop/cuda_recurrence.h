/*
 * The chunked linear recurrence on the GPU: the device template that the
 * CUDA kernels linopc emits for linop_kernel.chunked_recurrence
 * instantiate, with the sizes of one spec function as constants (a config
 * struct; see linop_rec::chunked_recurrence). NVRTC compiles it after
 * linop/cuda_device.h, whose conversions it uses.
 *
 * One block runs one (batch entry, head, tile of BV value columns), chunk
 * by chunk, with the state S [Dk x BV] in f32 registers from the first
 * chunk to the last: no chunk state goes through global memory. Per chunk
 * of C steps (runtime/src/recurrence.cpp derives the same algebra; Gc are
 * the log-decays summed from the chunk's start, in double):
 *
 *   A[t][s] = beta_s D(x_t, k_s), s <= t     (x = q; x = k, s < t, for the
 *                                             delta rule's correction)
 *   u       = v - (e^Gc . k) S, then u_t -= sum_{s<t} A[t][s] u_s
 *                                            (delta rule only)
 *   o       = scale ((e^Gc . q) S + A u)
 *   S       = e^Gc_C . S + (beta e^(Gc_C - Gc) . k)^T u
 *
 * With 16-bit q, k, v the four products run on tensor cores (mma.sync
 * m16n8k16, operands rounded to the storage type, sums in f32), the
 * contract of the Triton kernels people use; with f32 storage they run as
 * f32 FMAs in the same fragment layout. A vector gate's decayed q.k
 * products are exact f32 sums (each term its own exponential).
 *
 * The tiles in shared memory hold the storage type, each laid out so that
 * an mma operand's pair of consecutive k values is one 32-bit word (k^T
 * and S^T for the B operands, u^T for both products with u), with rows
 * padded by 8 elements: the 32 lanes' words of a fragment then fall in 32
 * banks.
 */
#ifndef LINOP_CUDA_RECURRENCE_H
#define LINOP_CUDA_RECURRENCE_H

#define LINOP_REC_DEVICE static __device__ __forceinline__

namespace linop_rec {

/* Storage types (runtime.h: LINOP_REC_F32, _F16, _BF16). */
enum { F32 = 0, F16 = 1, BF16 = 2 };

template <int E> struct Storage {
  typedef unsigned short type; /* raw bits */
};
template <> struct Storage<F32> {
  typedef float type;
};

template <int E> LINOP_REC_DEVICE float toFloat(typename Storage<E>::type x) {
  if constexpr (E == F32)
    return x;
  else if constexpr (E == F16)
    return linop_f16_to_f32(x);
  else
    return linop_bf16_to_f32(x);
}

template <int E>
LINOP_REC_DEVICE typename Storage<E>::type fromFloat(float v) {
  if constexpr (E == F32)
    return v;
  else if constexpr (E == F16)
    return linop_f32_to_f16(v);
  else
    return linop_f32_to_bf16(v);
}

/* Two floats as one 16-bit pair register of an mma operand: `lo` (the lower
 * k index) in the lower half. cvt puts its first source in the upper half. */
template <int E> LINOP_REC_DEVICE unsigned pack(float lo, float hi) {
  unsigned r;
  if constexpr (E == F16)
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  else
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  return r;
}

/* c += a b for a warp: a 16 x 16 (row), b 16 x 8 (col), c 16 x 8 in f32. */
template <int E>
LINOP_REC_DEVICE void mma(float (&c)[4], unsigned a0, unsigned a1,
                          unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
  if constexpr (E == F16)
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  else
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, "
        "%3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

/* One operand register: two consecutive k values, packed 16-bit pairs
 * (the mma's) or, with f32 storage, a float2. */
template <int E> struct Pair {
  typedef unsigned type;
};
template <> struct Pair<F32> {
  typedef float2 type;
};

template <int E>
LINOP_REC_DEVICE typename Pair<E>::type makePair(float lo, float hi) {
  if constexpr (E == F32) {
    float2 r;
    r.x = lo;
    r.y = hi;
    return r;
  } else {
    return pack<E>(lo, hi);
  }
}

/* The pair at p[0], p[1] of a tile (p 4-byte aligned, 8 with f32). */
template <int E>
LINOP_REC_DEVICE typename Pair<E>::type
loadPair(const typename Storage<E>::type *p) {
  if constexpr (E == F32)
    return *reinterpret_cast<const float2 *>(p);
  else
    return *reinterpret_cast<const unsigned *>(p);
}

/* Where accumulator element e of column tile n lives, for this lane: the
 * m16n8 fragment layout (rows g and g + 8, columns 2 t and 2 t + 1). */
LINOP_REC_DEVICE int fragRow(int e) {
  return ((threadIdx.x & 31) >> 2) + 8 * (e >> 1);
}
LINOP_REC_DEVICE int fragCol(int n, int e) {
  return 8 * n + 2 * (threadIdx.x & 3) + (e & 1);
}

/* acc[n] += sum_{k < K} a(r, k) b(k, c) over the warp's 16 rows r and the
 * NT * 8 columns c (column tile n: c = 8 n ... 8 n + 7); K is a multiple of
 * 16. a(r, k) gives the pair of (r, k) and (r, k + 1), b(k, c) that of
 * (k, c) and (k + 1, c), k even. */
template <int E, int NT, int K, class A, class B>
LINOP_REC_DEVICE void warpProduct(float (&acc)[NT][4], const A &a,
                                  const B &b) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  if constexpr (E == F32) {
#pragma unroll 2
    for (int k = 0; k < K; k += 2) {
      const float2 a0 = a(g, k), a1 = a(g + 8, k);
#pragma unroll
      for (int n = 0; n < NT; ++n) {
        const float2 b0 = b(k, 8 * n + 2 * t), b1 = b(k, 8 * n + 2 * t + 1);
        acc[n][0] += a0.x * b0.x + a0.y * b0.y;
        acc[n][1] += a0.x * b1.x + a0.y * b1.y;
        acc[n][2] += a1.x * b0.x + a1.y * b0.y;
        acc[n][3] += a1.x * b1.x + a1.y * b1.y;
      }
    }
  } else {
#pragma unroll 2
    for (int k = 0; k < K; k += 16) {
      const int c = k + 2 * t;
      const unsigned a0 = a(g, c), a1 = a(g + 8, c), a2 = a(g, c + 8),
                     a3 = a(g + 8, c + 8);
#pragma unroll
      for (int n = 0; n < NT; ++n) {
        const int col = 8 * n + g;
        mma<E>(acc[n], a0, a1, a2, a3, b(c, col), b(c + 8, col));
      }
    }
  }
}

/* The block's shared memory, in bytes (the schedule's `shared`); the same
 * carving as chunked_recurrence's. */
template <class P> __host__ __device__ constexpr int sharedBytes() {
  constexpr int DKP = (P::DK + 15) / 16 * 16, C = P::C, BV = P::BV;
  constexpr int GW = P::DECAY == 2 ? DKP : 1;
  constexpr int in = P::ELEMENT == F32 ? 4 : 2;
  return 8 * (P::DECAY ? C * GW : 0) + 12 * C +
         in * (2 * C * (DKP + 8) + BV * (C + 8) + C * (C + 8) +
               BV * (DKP + 8)) +
         (P::DELTA ? 4 * (C * (BV + 4) + C * (C + 4)) : 0);
}

/* The kernel body. P holds the constants: T, H, DK, DV; C (the chunk, a
 * multiple of 16), BV (value columns per block, a multiple of 16), THREADS;
 * DECAY (0 none, 1 scalar, 2 vector), DELTA, HEADS_FIRST; ELEMENT and OUT
 * (storage of q, k, v and of o); the operand positions Q, K, V, G, BETA,
 * H0, O, STATE, OFFSETS (-1: absent); SCALE; SEQUENCES per batch entry and
 * OFFSET_BYTES (4 or 8) for variable-length sequences. */
template <class P>
LINOP_REC_DEVICE void chunked_recurrence(const linop_cuda_args &args) {
  constexpr int C = P::C, DK = P::DK, DV = P::DV, BV = P::BV, E = P::ELEMENT;
  constexpr int DECAY = P::DECAY, THREADS = P::THREADS, WARPS = THREADS / 32;
  constexpr int DKP = (DK + 15) / 16 * 16, MT = DKP / 16,
                SMT = (MT + WARPS - 1) / WARPS;
  constexpr int NTV = BV / 8, NTC = C / 8, VT = (DV + BV - 1) / BV;
  // Row strides of the tiles (elements).
  constexpr int QS = DKP + 8, US = C + 8, AS = C + 8, SS = DKP + 8;
  constexpr int FS = BV + 4, LS = C + 4, GW = DECAY == 2 ? DKP : 1;
  // Elements from one step to the next: H rows ([T, H, D]) or one.
  constexpr long long HS = P::HEADS_FIRST ? 1 : P::H;
  typedef typename Storage<E>::type In;
  typedef typename Storage<P::OUT>::type Out;
  static_assert(C % 16 == 0 && BV % 16 == 0 && THREADS % 32 == 0,
                "tile shape");

  // Log-decays summed within the chunk (double); beta, e^Gc and the
  // state update's weights per step (f32); then the tiles:
  // q and k [C][QS], u^T [BV][US], the products A [C][AS], S^T [BV][SS];
  // for the delta rule, u [C][FS] and the correction products [C][LS] in
  // f32 for the forward substitution.
  double *G = reinterpret_cast<double *>(linop_dynamic_shared);
  float *beta = reinterpret_cast<float *>(G + (DECAY ? C * GW : 0));
  float *eG = beta + C, *wS = eG + C;
  In *q = reinterpret_cast<In *>(wS + C);
  In *k = q + C * QS, *uT = k + C * QS, *A = uT + BV * US, *ST = A + C * AS;
  float *uf = reinterpret_cast<float *>(ST + BV * SS), *Lf = uf + C * FS;

  const int tid = threadIdx.x, warp = tid >> 5;
  float state[SMT][NTV][4];
  constexpr long long SEQ = P::SEQUENCES;
  const long long units = args.batch * SEQ * (P::H * VT);
  for (long long unit = blockIdx.x; unit < units; unit += gridDim.x) {
    const long long b = unit / (SEQ * P::H * VT);
    const int seq = int(unit / (P::H * VT) % SEQ);
    const int h = int(unit % (P::H * VT)) / VT, j0 = int(unit % VT) * BV;
    // The sequence: steps bos .. bos + len - 1 of the entry. Offsets that
    // do not split T (the host checked them) leave it alone.
    long long bos = 0, len = P::T;
    if constexpr (P::OFFSETS >= 0) {
      const char *cu = reinterpret_cast<const char *>(args.ptr[P::OFFSETS]) +
                       b * args.stride[P::OFFSETS] * P::OFFSET_BYTES;
      long long e;
      if constexpr (P::OFFSET_BYTES == 4) {
        bos = reinterpret_cast<const int *>(cu)[seq];
        e = reinterpret_cast<const int *>(cu)[seq + 1];
      } else {
        bos = reinterpret_cast<const long long *>(cu)[seq];
        e = reinterpret_cast<const long long *>(cu)[seq + 1];
      }
      if (bos < 0 || e < bos || e > P::T)
        continue; // uniform across the block: no barrier is skipped
      len = e - bos;
    }
    // Operand `pos` of this batch entry at head h and step bos, rows of
    // `width`.
    auto at = [&](int pos, int width) -> long long {
      return b * args.stride[pos] +
             ((P::HEADS_FIRST ? (long long)h * P::T : (long long)h) +
              bos * HS) *
                 width;
    };
    // States: [SEQUENCES, H, DK, DV] per entry.
    const long long stateAt = ((long long)seq * P::H + h) * DK * DV + j0;
    const In *Q = reinterpret_cast<const In *>(args.ptr[P::Q]) + at(P::Q, DK);
    const In *K = reinterpret_cast<const In *>(args.ptr[P::K]) + at(P::K, DK);
    const In *V =
        reinterpret_cast<const In *>(args.ptr[P::V]) + at(P::V, DV) + j0;
    Out *O = reinterpret_cast<Out *>(args.ptr[P::O]) + at(P::O, DV) + j0;

    // The state: row i = 16 mt + fragRow, column j = fragCol of the
    // warp's row tiles mt = warp, warp + WARPS, ...
#pragma unroll
    for (int m = 0; m < SMT; ++m)
#pragma unroll
      for (int n = 0; n < NTV; ++n)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int i = 16 * (warp + WARPS * m) + fragRow(e), j = fragCol(n, e);
          float x = 0;
          if constexpr (P::H0 >= 0)
            if (i < DK && j0 + j < DV)
              x = reinterpret_cast<const float *>(
                  args.ptr[P::H0])[b * args.stride[P::H0] + stateAt +
                                   (long long)i * DV + j];
          state[m][n][e] = x;
        }
    // S^T in the storage type, the B operand of the reads of the state.
    auto shareState = [&] {
#pragma unroll
      for (int m = 0; m < SMT; ++m)
        if (warp + WARPS * m < MT)
#pragma unroll
          for (int n = 0; n < NTV; ++n)
#pragma unroll
            for (int e = 0; e < 4; ++e)
              ST[fragCol(n, e) * SS + 16 * (warp + WARPS * m) + fragRow(e)] =
                  fromFloat<E>(state[m][n][e]);
    };
    shareState();

    for (int t0 = 0; t0 < len; t0 += C) {
      const int L = len - t0 < C ? int(len - t0) : C;
      // The chunk, zero past T, DK and DV (zero rows add nothing; zero
      // log-decays keep the chunk's last cumulated decay that of step L-1).
      // Where the starts, the batch strides and the rows allow, 16 bytes at
      // a time, every load of the chunk issued before the first store, so
      // that the chunk waits for one round trip to memory, not dozens.
      constexpr int VEC = 16 / sizeof(In);
      const uint4 zero = {0, 0, 0, 0};
      if (DK % VEC == 0 && (args.ptr[P::Q] | args.ptr[P::K]) % 16 == 0 &&
          (args.stride[P::Q] | args.stride[P::K]) % VEC == 0) {
        // In rounds of at most 8 loads a thread per operand (registers).
        constexpr int N = C * DKP / VEC, R = (N + THREADS - 1) / THREADS,
                      B = R < 8 ? R : 8;
        for (int r0 = 0; r0 < R; r0 += B) {
          uint4 rq[B], rk[B];
#pragma unroll
          for (int r = 0; r < B; ++r) {
            const int x = tid + (r0 + r) * THREADS, t = x / (DKP / VEC),
                      i = x % (DKP / VEC) * VEC;
            const long long off = (long long)(t0 + t) * HS * DK + i;
            const bool in = x < N && t < L && i < DK;
            rq[r] = in ? *reinterpret_cast<const uint4 *>(&Q[off]) : zero;
            rk[r] = in ? *reinterpret_cast<const uint4 *>(&K[off]) : zero;
          }
#pragma unroll
          for (int r = 0; r < B; ++r) {
            const int x = tid + (r0 + r) * THREADS, t = x / (DKP / VEC),
                      i = x % (DKP / VEC) * VEC;
            if (x < N) {
              *reinterpret_cast<uint4 *>(&q[t * QS + i]) = rq[r];
              *reinterpret_cast<uint4 *>(&k[t * QS + i]) = rk[r];
            }
          }
        }
      } else {
        for (int x = tid; x < C * DKP; x += THREADS) {
          const int t = x / DKP, i = x % DKP;
          const bool in = t < L && i < DK;
          const long long off = (long long)(t0 + t) * HS * DK + i;
          q[t * QS + i] = in ? Q[off] : In(0);
          k[t * QS + i] = in ? K[off] : In(0);
        }
      }
      // v, transposed into u^T (and as f32 rows for the delta rule).
      auto putV = [&](int t, int j, In v) {
        uT[j * US + t] = v;
        if constexpr (P::DELTA)
          uf[t * FS + j] = toFloat<E>(v);
      };
      if (DV % VEC == 0 && args.ptr[P::V] % 16 == 0 &&
          args.stride[P::V] % VEC == 0) {
        constexpr int N = C * BV / VEC, R = (N + THREADS - 1) / THREADS;
        uint4 rv[R];
#pragma unroll
        for (int r = 0; r < R; ++r) {
          const int x = tid + r * THREADS, t = x / (BV / VEC),
                    j = x % (BV / VEC) * VEC;
          const bool in = x < N && t < L && j0 + j < DV;
          rv[r] = in ? *reinterpret_cast<const uint4 *>(
                           &V[(long long)(t0 + t) * HS * DV + j])
                     : zero;
        }
#pragma unroll
        for (int r = 0; r < R; ++r) {
          const int x = tid + r * THREADS, t = x / (BV / VEC),
                    j = x % (BV / VEC) * VEC;
          const In *e = reinterpret_cast<const In *>(&rv[r]);
          if (x < N)
#pragma unroll
            for (int c = 0; c < VEC; ++c)
              putV(t, j + c, e[c]);
        }
      } else {
        for (int x = tid; x < C * BV; x += THREADS) {
          const int t = x / BV, j = x % BV;
          putV(t, j,
               t < L && j0 + j < DV ? V[(long long)(t0 + t) * HS * DV + j]
                                    : In(0));
        }
      }
      if constexpr (DECAY != 0) {
        constexpr int W = DECAY == 2 ? DK : 1;
        constexpr int N = C * GW, R = (N + THREADS - 1) / THREADS,
                      B = R < 16 ? R : 16;
        const float *g =
            reinterpret_cast<const float *>(args.ptr[P::G]) + at(P::G, W);
        for (int r0 = 0; r0 < R; r0 += B) {
          float rg[B];
#pragma unroll
          for (int r = 0; r < B; ++r) {
            const int x = tid + (r0 + r) * THREADS, t = x / GW, i = x % GW;
            rg[r] = x < N && t < L && i < W
                        ? g[(long long)(t0 + t) * HS * W + i]
                        : 0.0f;
          }
          // A decay of 0 (g = -inf) or below e^-1e4 gives 0 either way;
          // clamped, differences stay finite. NaN stays NaN.
#pragma unroll
          for (int r = 0; r < B; ++r) {
            const int x = tid + (r0 + r) * THREADS;
            if (x < N)
              G[x] = rg[r] < -1e4f ? -1e4 : double(rg[r]);
          }
        }
      }
      if constexpr (P::DELTA)
        for (int t = tid; t < C; t += THREADS)
          beta[t] = t < L ? reinterpret_cast<const float *>(
                                args.ptr[P::BETA])[at(P::BETA, 1) +
                                                   (long long)(t0 + t) * HS]
                          : 0.0f;
      __syncthreads();
      // The log-decays' running sums: a vector gate's per key channel, a
      // scalar gate's by one warp (each lane a run of steps, then a scan
      // of the runs' totals by shuffles).
      if constexpr (DECAY == 2) {
        for (int i = tid; i < GW; i += THREADS) {
          double run = 0;
          for (int t = 0; t < C; ++t)
            G[t * GW + i] = run += G[t * GW + i];
        }
        __syncthreads();
      } else if constexpr (DECAY == 1) {
        if (warp == 0) {
          constexpr int RUN = (C + 31) / 32;
          const int lane = tid & 31;
          double run = 0;
          for (int t = lane * RUN; t < (lane + 1) * RUN && t < C; ++t)
            G[t] = run += G[t];
          double before = run;
          for (int d = 1; d < 32; d *= 2) {
            const double x = __shfl_up_sync(0xffffffffu, before, d);
            if (lane >= d)
              before += x;
          }
          before -= run;
          for (int t = lane * RUN; t < (lane + 1) * RUN && t < C; ++t)
            G[t] += before;
        }
        __syncthreads();
      }
      // Per step, for gates that are one per step: e^Gc_t, and the weight
      // beta_s e^(Gc_C - Gc_s) of step s in the chunk's state update.
      if constexpr (DECAY != 2) {
        for (int t = tid; t < C; t += THREADS) {
          float w = DECAY == 1 ? expf(float(G[C - 1] - G[t])) : 1.0f;
          if constexpr (P::DELTA)
            w *= beta[t];
          eG[t] = DECAY == 1 ? expf(float(G[t])) : 1.0f;
          wS[t] = w;
        }
        __syncthreads();
      }
      // e^(Gc_t - Gc_s), or e^Gc_t when s < 0.
      auto decay = [&](int t, int s, int i) -> float {
        if constexpr (DECAY == 0)
          return 1.0f;
        else if constexpr (DECAY == 1)
          return expf(float(G[t] - (s < 0 ? 0.0 : G[s])));
        else
          return expf(float(G[t * GW + i] - (s < 0 ? 0.0 : G[s * GW + i])));
      };
      auto tile = [](const In *p) { return loadPair<E>(p); };

      // beta_s D(x_t, k_s) for s <= t (s < t if strict), else 0: into the
      // f32 correction products Lf (delta) or the tile A.
      auto products = [&](const In *x, bool strict, bool toLf) {
        auto put = [&](int t, int s, float v) {
          if (toLf)
            Lf[t * LS + s] = v;
          else
            A[t * AS + s] = fromFloat<E>(v);
        };
        if constexpr (DECAY == 2) {
          for (int e = tid; e < C * C; e += THREADS) {
            const int t = e / C, s = e % C;
            float v = 0;
            if (s < t || (s == t && !strict)) {
              for (int i = 0; i < DK; ++i)
                v += toFloat<E>(x[t * QS + i]) * toFloat<E>(k[s * QS + i]) *
                     decay(t, s, i);
              if constexpr (P::DELTA)
                v *= beta[s];
            }
            put(t, s, v);
          }
        } else {
          for (int rb = warp; rb < C / 16; rb += WARPS) {
            float acc[NTC][4] = {};
            warpProduct<E, NTC, DKP>(
                acc, [&](int r, int i) { return tile(&x[(16 * rb + r) * QS + i]); },
                [&](int i, int s) { return tile(&k[s * QS + i]); });
#pragma unroll
            for (int n = 0; n < NTC; ++n)
#pragma unroll
              for (int e = 0; e < 4; ++e) {
                const int t = 16 * rb + fragRow(e), s = fragCol(n, e);
                float v = 0;
                if (s < t || (s == t && !strict)) {
                  v = acc[n][e] * decay(t, s, 0);
                  if constexpr (P::DELTA)
                    v *= beta[s];
                }
                put(t, s, v);
              }
          }
        }
      };
      // acc += (e^Gc . x) S for the warp's rows 16 rb ... 16 rb + 15.
      auto readState = [&](float (&acc)[NTV][4], const In *x, int rb) {
        warpProduct<E, NTV, DKP>(
            acc,
            [&](int r, int i) {
              const In *p = &x[(16 * rb + r) * QS + i];
              if constexpr (DECAY == 2)
                return makePair<E>(toFloat<E>(p[0]) * decay(16 * rb + r, -1, i),
                                   toFloat<E>(p[1]) * decay(16 * rb + r, -1, i + 1));
              else
                return tile(p);
            },
            [&](int i, int j) { return tile(&ST[j * SS + i]); });
        if constexpr (DECAY == 1)
#pragma unroll
          for (int n = 0; n < NTV; ++n)
#pragma unroll
            for (int e = 0; e < 4; ++e)
              acc[n][e] *= eG[16 * rb + fragRow(e)];
      };

      if constexpr (P::DELTA) {
        // u = (I + L)^-1 (v - (e^Gc . k) S): the corrections, then a
        // forward substitution in f32, one value column per thread.
        products(k, true, true);
        for (int rb = warp; rb < C / 16; rb += WARPS) {
          float acc[NTV][4] = {};
          readState(acc, k, rb);
#pragma unroll
          for (int n = 0; n < NTV; ++n)
#pragma unroll
            for (int e = 0; e < 4; ++e)
              uf[(16 * rb + fragRow(e)) * FS + fragCol(n, e)] -= acc[n][e];
        }
        __syncthreads();
        for (int j = tid; j < BV; j += THREADS) {
          for (int t = 1; t < L; ++t) {
            float x = uf[t * FS + j];
            for (int s = 0; s < t; ++s)
              x -= Lf[t * LS + s] * uf[s * FS + j];
            uf[t * FS + j] = x;
          }
          for (int t = 0; t < C; ++t)
            uT[j * US + t] = fromFloat<E>(uf[t * FS + j]);
        }
      }

      // o = scale ((e^Gc . q) S + A u), rows of steps t0 + t < T.
      products(q, false, false);
      __syncthreads();
      for (int rb = warp; rb < C / 16; rb += WARPS) {
        float acc[NTV][4] = {};
        readState(acc, q, rb);
        warpProduct<E, NTV, C>(
            acc, [&](int r, int s) { return tile(&A[(16 * rb + r) * AS + s]); },
            [&](int s, int j) { return tile(&uT[j * US + s]); });
#pragma unroll
        for (int n = 0; n < NTV; ++n)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int t = 16 * rb + fragRow(e), j = fragCol(n, e);
            if (t < L && j0 + j < DV)
              O[(long long)(t0 + t) * HS * DV + j] =
                  fromFloat<P::OUT>(P::SCALE * acc[n][e]);
          }
      }

      // S = e^Gc_C . S + (beta e^(Gc_C - Gc) . k)^T u, in the registers.
#pragma unroll
      for (int m = 0; m < SMT; ++m) {
        const int mt = warp + WARPS * m;
        if (mt >= MT)
          continue;
        if constexpr (DECAY != 0)
#pragma unroll
          for (int n = 0; n < NTV; ++n)
#pragma unroll
            for (int e = 0; e < 4; ++e)
              state[m][n][e] *= DECAY == 1 ? eG[C - 1]
                                           : decay(C - 1, -1, 16 * mt + fragRow(e));
        auto weight = [&](int s, int i) {
          float w = toFloat<E>(k[s * QS + i]);
          if constexpr (DECAY == 2) {
            w *= decay(C - 1, s, i);
            if constexpr (P::DELTA)
              w *= beta[s];
          } else if constexpr (DECAY == 1 || P::DELTA) {
            w *= wS[s];
          }
          return w;
        };
        warpProduct<E, NTV, C>(
            state[m],
            [&](int r, int s) {
              return makePair<E>(weight(s, 16 * mt + r),
                                 weight(s + 1, 16 * mt + r));
            },
            [&](int s, int j) { return tile(&uT[j * US + s]); });
      }
      // Every read of this chunk's tiles and of S^T is done.
      __syncthreads();
      shareState();
    }

    if constexpr (P::STATE >= 0) {
      float *out = reinterpret_cast<float *>(args.ptr[P::STATE]) +
                   b * args.stride[P::STATE] + stateAt;
#pragma unroll
      for (int m = 0; m < SMT; ++m)
#pragma unroll
        for (int n = 0; n < NTV; ++n)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int i = 16 * (warp + WARPS * m) + fragRow(e),
                      j = fragCol(n, e);
            if (i < DK && j0 + j < DV)
              out[(long long)i * DV + j] = state[m][n][e];
          }
    }
    // The next unit's first writes (S^T, the tiles) wait for every read.
    __syncthreads();
  }
}

} // namespace linop_rec

#undef LINOP_REC_DEVICE

#endif
