/*
 * Device helpers for the CUDA C++ kernels that linopc generates. NVRTC
 * compiles this header with the kernels, so it uses no host or toolkit
 * headers: the Hopper features (clusters, distributed shared memory) and the
 * half-precision conversions are inline PTX. Needs sm_90.
 *
 * A generated kernel looks like
 *
 *   extern "C" __global__ void __launch_bounds__(256)
 *   linop_k_f(const __grid_constant__ linop_cuda_args args) {
 *     for (long long g = blockIdx.x / CLUSTER; g < linop_row_groups(args, ROWS);
 *          g += gridDim.x / CLUSTER) { ... }
 *   }
 *
 * launched by linop_cuda_run (linop/runtime.h), which explains the grid.
 */
#ifndef LINOP_CUDA_DEVICE_H
#define LINOP_CUDA_DEVICE_H

/* ---- The kernel parameter ---------------------------------------------- */

/* C++ allows this typedef to repeat runtime.h's identical one. */
typedef unsigned long long linop_cuda_deviceptr;

#ifndef LINOP_CUDA_MAX_OPERANDS
#define LINOP_CUDA_MAX_OPERANDS 16
#endif

/* Same layout as runtime.h's linop_cuda_args (long long is int64_t's width
 * on every CUDA platform); both check the size. */
#ifndef LINOP_CUDA_ARGS_DEFINED
#define LINOP_CUDA_ARGS_DEFINED
typedef struct {
  linop_cuda_deviceptr ptr[LINOP_CUDA_MAX_OPERANDS];
  long long stride[LINOP_CUDA_MAX_OPERANDS];
  long long batch;
  linop_cuda_deviceptr workspace;
} linop_cuda_args;
#endif
static_assert(sizeof(linop_cuda_args) == 272,
              "linop_cuda_args must match linop/runtime.h");

#define LINOP_DEVICE static __device__ __forceinline__

/* Row groups of `rows` rows in the batch: the kernel's loop bound. */
LINOP_DEVICE long long linop_row_groups(const linop_cuda_args &args,
                                        unsigned rows) {
  return (args.batch + rows - 1) / rows;
}

/* This block's scratch in args.workspace: one slot of `bytes` per row group
 * in flight, i.e. per cluster of the grid. */
LINOP_DEVICE void *linop_workspace(const linop_cuda_args &args,
                                   unsigned cluster,
                                   unsigned long long bytes) {
  return reinterpret_cast<void *>(args.workspace +
                                  (blockIdx.x / cluster) * bytes);
}

/* Index i of a tile buffer plane with a padding word after every 32: the
 * strides of a stage's codelet inputs (powers of two up to 16) then fall in
 * distinct shared-memory banks. */
LINOP_DEVICE int linop_pad(int i) { return i + (i >> 5); }

/* ---- Dynamic shared memory ------------------------------------------------ */

/* The block's dynamic shared memory (linop_cuda_kernel.shared_bytes). */
extern __shared__ __align__(16) unsigned char linop_dynamic_shared[];

template <class T> LINOP_DEVICE T *linop_shared() {
  return reinterpret_cast<T *>(linop_dynamic_shared);
}

/* ---- Thread-block clusters ------------------------------------------------ */

/* This block's rank in its cluster, 0..linop_cluster_size()-1. */
LINOP_DEVICE unsigned linop_cluster_rank() {
  unsigned rank;
  asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  return rank;
}

/* Blocks in the cluster (1 when launched without clusters). */
LINOP_DEVICE unsigned linop_cluster_size() {
  unsigned size;
  asm("mov.u32 %0, %%cluster_nctarank;" : "=r"(size));
  return size;
}

/* Every thread of every block of the cluster arrives and waits. Release and
 * acquire make shared-memory writes before it visible to reads after it in
 * the whole cluster. Also call it before exiting when other blocks may still
 * read this block's shared memory. */
LINOP_DEVICE void linop_cluster_sync() {
  asm volatile("barrier.cluster.arrive.release;\n\t"
               "barrier.cluster.wait.acquire;" ::: "memory");
}

/* The address of `p` (this block's shared memory) in the shared memory of
 * block `rank` of the cluster, for the linop_*_remote accessors. */
LINOP_DEVICE unsigned linop_map_shared(const void *p, unsigned rank) {
  /* The builtin, unlike inline cvta, lets the compiler fold the round trip
   * from a shared address to a generic one and back. */
  const unsigned local = static_cast<unsigned>(__cvta_generic_to_shared(p));
  unsigned remote;
  asm("mapa.shared::cluster.u32 %0, %1, %2;"
      : "=r"(remote)
      : "r"(local), "r"(rank));
  return remote;
}

/* The generic address of `p` (this block's shared memory) in block `rank`
 * of the cluster: plain loads and stores through it reach that block's
 * shared memory (distributed shared memory). */
LINOP_DEVICE float *linop_cluster_map(float *p, unsigned rank) {
  unsigned long long remote;
  asm("mapa.u64 %0, %1, %2;"
      : "=l"(remote)
      : "l"(reinterpret_cast<unsigned long long>(p)), "r"(rank));
  return reinterpret_cast<float *>(remote);
}

/* Loads and stores through a linop_map_shared address. volatile and
 * "memory" keep them on their side of linop_cluster_sync. */
LINOP_DEVICE float linop_load_remote(unsigned address) {
  float v;
  asm volatile("ld.shared::cluster.f32 %0, [%1];"
               : "=f"(v)
               : "r"(address)
               : "memory");
  return v;
}

LINOP_DEVICE float2 linop_load_remote2(unsigned address) {
  float2 v;
  asm volatile("ld.shared::cluster.v2.f32 {%0, %1}, [%2];"
               : "=f"(v.x), "=f"(v.y)
               : "r"(address)
               : "memory");
  return v;
}

LINOP_DEVICE void linop_store_remote(unsigned address, float v) {
  asm volatile("st.shared::cluster.f32 [%0], %1;" ::"r"(address), "f"(v)
               : "memory");
}

LINOP_DEVICE void linop_store_remote2(unsigned address, float2 v) {
  asm volatile("st.shared::cluster.v2.f32 [%0], {%1, %2};" ::"r"(address),
               "f"(v.x), "f"(v.y)
               : "memory");
}

/* ---- Half precision, as raw bits (no cuda_fp16.h under NVRTC) ------------- */

LINOP_DEVICE float linop_f16_to_f32(unsigned short bits) {
  float v;
  asm("cvt.f32.f16 %0, %1;" : "=f"(v) : "h"(bits));
  return v;
}

/* Rounds to nearest even. */
LINOP_DEVICE unsigned short linop_f32_to_f16(float v) {
  unsigned short bits;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(bits) : "f"(v));
  return bits;
}

/* bfloat16 is the upper half of a float32: exact. */
LINOP_DEVICE float linop_bf16_to_f32(unsigned short bits) {
  return __uint_as_float(static_cast<unsigned>(bits) << 16);
}

/* Rounds to nearest even. */
LINOP_DEVICE unsigned short linop_f32_to_bf16(float v) {
  unsigned short bits;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(bits) : "f"(v));
  return bits;
}

#undef LINOP_DEVICE

#endif /* LINOP_CUDA_DEVICE_H */
