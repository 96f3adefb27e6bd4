// linop-cuda-schedule: each kernel's launch shape and memory level within
// the GPU description (compiler/lib/CUDA/CudaTarget.cpp): the tile buffers
// of several rows in a block's shared memory where they fit, a cluster of
// blocks sharing them through distributed shared memory where a row needs
// more, a global workspace past a cluster; f64 is refused. A kernel of
// square or butterfly stages works in place, in one tile buffer.
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-decompose --linop-plan --linop-cuda-schedule -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linop-opt %s --linop-attach-target="target=cuda description=smem=48K,cluster=4" --linop-decompose --linop-plan --linop-cuda-schedule -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SMALL

// Short rows: several per block (two blocks of shared memory per
// multiprocessor), one thread per codelet of the widest stage.
// CHECK-LABEL: linop_kernel.kernel @linop_k_had256
// CHECK-SAME: buffers = 1
// CHECK-SAME: schedule = #linop_kernel.cuda<threads = 256, rows = 16, level = shared, cluster = 1, shared = 16960, workspace = 0>
// SMALL-LABEL: linop_kernel.kernel @linop_k_had256
// SMALL-SAME: level = shared
func.func @had256(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %F = linop.hadamard : !linop.op<256x256, f32>
  %y = linop.apply %F, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// A 4096-point complex row takes 33 KiB: one row per block, also with 48
// KiB per block.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft4096
// CHECK-SAME: schedule = #linop_kernel.cuda<threads = 256, rows = 1, level = shared, cluster = 1, shared = 33800, workspace = 0>
// SMALL-LABEL: linop_kernel.kernel @linop_k_dft4096
// SMALL-SAME: schedule = #linop_kernel.cuda<threads = 256, rows = 1, level = shared, cluster = 1,
func.func @dft4096(%x: tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>> {
  %F = linop.dft : !linop.op<4096x4096, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, complex<f32>>, tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>>
  return %y : tensor<?x4096xcomplex<f32>>
}

// -----

// 16K complex points: 132 KiB, a block to a multiprocessor, so 512 threads.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft16384
// CHECK-SAME: schedule = #linop_kernel.cuda<threads = 512, rows = 1, level = shared, cluster = 1, shared = 135176, workspace = 0>
func.func @dft16384(%x: tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>> {
  %F = linop.dft : !linop.op<16384x16384, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<16384x16384, complex<f32>>, tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>>
  return %y : tensor<?x16384xcomplex<f32>>
}

// -----

// 64K complex points: 528 KiB, spread over the largest cluster, 16 blocks.
// With clusters of at most 4 blocks of 48 KiB: a global workspace.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft65536
// CHECK-SAME: level = cluster, cluster = 16, shared = 33800,
// SMALL-LABEL: linop_kernel.kernel @linop_k_dft65536
// SMALL-SAME: level = global, cluster = 1, shared = 0, workspace = 540680>
func.func @dft65536(%x: tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>> {
  %F = linop.dft : !linop.op<65536x65536, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, complex<f32>>, tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>>
  return %y : tensor<?x65536xcomplex<f32>>
}

// -----

// f16 data: the tile computes in f32 and the load converts.
// CHECK-LABEL: linop_kernel.kernel @linop_k_had_f16 for "had_f16" : 1024 x f32
// CHECK-SAME: level = shared
// CHECK: linop_kernel.load operand 0 -> 0 {global = f16}
// CHECK: linop_kernel.store {{.*}} {global = f16}
func.func @had_f16(%x: tensor<?x1024xf16>) -> tensor<?x1024xf16> {
  %F = linop.hadamard : !linop.op<1024x1024, f16>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, f16>, tensor<?x1024xf16>) -> tensor<?x1024xf16>
  return %y : tensor<?x1024xf16>
}

// -----

// expected-error @+1 {{linop-cuda-schedule: @dft_f64: the CUDA target computes in f32 (with f16 and bf16 storage); f64 and complex<f64> kernels run on the CPU target}}
func.func @dft_f64(%x: tensor<?x64xcomplex<f64>>) -> tensor<?x64xcomplex<f64>> {
  %F = linop.dft : !linop.op<64x64, complex<f64>>
  %y = linop.apply %F, %x : (!linop.op<64x64, complex<f64>>, tensor<?x64xcomplex<f64>>) -> tensor<?x64xcomplex<f64>>
  return %y : tensor<?x64xcomplex<f64>>
}

// -----

// Commuting stages (Kronecker factors on disjoint digits, no twiddles
// between them) are reordered: first the one over the outermost digit
// (A = 1), last the one with the widest stride left, so that the emitter
// can fuse the row's load and store into them.
// CHECK-LABEL: linop_kernel.kernel @linop_k_had4096
// CHECK: linop_kernel.load operand 0 -> 0
// CHECK-NEXT: linop_kernel.stage hadamard 1 x 16 x 256, 0 -> 0
// CHECK-NEXT: linop_kernel.stage hadamard 256 x 16 x 1, 0 -> 0
// CHECK-NEXT: linop_kernel.stage hadamard 16 x 16 x 16, 0 -> 0
// CHECK-NEXT: linop_kernel.store 0 -> operand 1
func.func @had4096(%x: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %F = linop.hadamard : !linop.op<4096x4096, f32>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, f32>, tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// -----

// A kernel with a step that cannot work in place (the real FFT's split)
// keeps two buffers.
// CHECK-LABEL: linop_kernel.kernel @linop_k_rdft1024
// CHECK-SAME: buffers = 2
// CHECK: linop_kernel.rfft_stage 1 -> 0
func.func @rdft1024(%x: tensor<?x1024xf32>) -> tensor<?x513xcomplex<f32>> {
  %F = linop.rdft : !linop.op<513x1024, f32 -> complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<513x1024, f32 -> complex<f32>>, tensor<?x1024xf32>) -> tensor<?x513xcomplex<f32>>
  return %y : tensor<?x513xcomplex<f32>>
}

// -----

// Butterfly stages work in place and take up to 16 rows a block, whose
// threads read each pair's weights once for all of them (here 16 rows of
// 4.1 KiB, one buffer).
// CHECK-LABEL: linop_kernel.kernel @linop_k_bf1024
// CHECK-SAME: buffers = 1
// CHECK-SAME: schedule = #linop_kernel.cuda<threads = 512, rows = 16, level = shared, cluster = 1,
// CHECK-COUNT-10: linop_kernel.butterfly_stage 0 -> 0
func.func @bf1024(%x: tensor<?x1024xf32>, %tw: tensor<1x10x512x2x2xf32>) -> tensor<?x1024xf32> {
  %B = linop.butterfly %tw : (tensor<1x10x512x2x2xf32>) -> !linop.op<1024x1024, f32>
  %y = linop.apply %B, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
