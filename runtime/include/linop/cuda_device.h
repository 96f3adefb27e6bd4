/*
 * Device helpers for the CUDA C++ that linopc emits (compiled by NVRTC, so
 * no host headers: everything is plain C++ and inline PTX).
 */
#ifndef LINOP_CUDA_DEVICE_H
#define LINOP_CUDA_DEVICE_H

typedef unsigned long long linop_cuda_deviceptr;

/* Mirrors linop_cuda_args of runtime.h: the one parameter of a kernel. */
#define LINOP_CUDA_MAX_OPERANDS 16
typedef struct {
  linop_cuda_deviceptr ptr[LINOP_CUDA_MAX_OPERANDS];
  long long stride[LINOP_CUDA_MAX_OPERANDS];
  long long batch;
  linop_cuda_deviceptr workspace;
} linop_cuda_args;

typedef long long int64_t;

/* Index i of a tile plane with a padding word after every 32. */
__device__ __forceinline__ int linop_pad(int i) { return i + (i >> 5); }

/* Thread-block clusters (sm_90). */
__device__ __forceinline__ unsigned linop_cluster_rank(void) {
  unsigned r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}
__device__ __forceinline__ void linop_cluster_sync(void) {
  asm volatile("barrier.cluster.arrive.release.aligned;\n\t"
               "barrier.cluster.wait.acquire.aligned;" ::: "memory");
}
/* The generic address of `p` (in this block's shared memory) in block
 * `rank` of the cluster: plain loads and stores through it reach that
 * block's shared memory. */
__device__ __forceinline__ float *linop_cluster_map(float *p, unsigned rank) {
  unsigned long long out;
  asm volatile("mapa.u64 %0, %1, %2;"
               : "=l"(out)
               : "l"((unsigned long long)p), "r"(rank));
  return (float *)out;
}

/* f16 and bf16 storage, f32 arithmetic; round to nearest even. */
__device__ __forceinline__ float linop_f16_to_f32(unsigned short h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}
__device__ __forceinline__ unsigned short linop_f32_to_f16(float f) {
  unsigned short h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}
__device__ __forceinline__ float linop_bf16_to_f32(unsigned short h) {
  return __int_as_float((int)h << 16);
}
__device__ __forceinline__ unsigned short linop_f32_to_bf16(float f) {
  unsigned short h;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}

#endif
