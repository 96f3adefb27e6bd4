// linop-plan turns an applied operator in factor normal form into a kernel:
// one tile loop, a load, one stage per factor, a store.
// RUN: linop-opt %s --linop-plan -split-input-file -verify-diagnostics | FileCheck %s

// I_1 (x) F2 (x) I_4, I_2 (x) F2 (x) I_2, I_4 (x) F2 (x) I_1: three stages
// between ping-pong buffers.
// CHECK-LABEL: func.func @linop_k_hadamard8(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-SAME: linop.function = "hadamard8"
// CHECK: linop_kernel.tile_loop {{.*}} attributes {buffers = 2 : i64, element = f32, n = 8 : i64, width = 8 : i64}
// CHECK: linop_kernel.load {{.*}} {dst = 0 : i64, operand = 0 : i64}
// CHECK: linop_kernel.stage {a = 1 : i64, b = 4 : i64, codelet = "hadamard", dst = 1 : i64, r = 2 : i64, src = 0 : i64}
// CHECK: linop_kernel.stage {a = 2 : i64, b = 2 : i64, codelet = "hadamard", dst = 0 : i64, r = 2 : i64, src = 1 : i64}
// CHECK: linop_kernel.stage {a = 4 : i64, b = 1 : i64, codelet = "hadamard", dst = 1 : i64, r = 2 : i64, src = 0 : i64}
// CHECK: linop_kernel.store {{.*}} {operand = 1 : i64, src = 1 : i64}
// CHECK-NOT: func.func @hadamard8
func.func @hadamard8(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %F = linop.hadamard : !linop.op<2x2, f32>
  %H = linop.kron %F, %F, %F : (!linop.op<2x2, f32>, !linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Cooley-Tukey DFT_8 = (DFT_2 (x) I_4) T (I_2 (x) DFT_4) L^8_2: the stride
// permutation becomes the load's index map, the twiddle diagonal merges
// into the stage after it, and the DFT leaves are FFT codelets.
// CHECK-LABEL: func.func @linop_k_dft8
// CHECK: linop_kernel.load {{.*}} {dst = 0 : i64, operand = 0 : i64, perm = array<i64: 0, 2, 4, 6, 1, 3, 5, 7>}
// CHECK-NEXT: linop_kernel.stage {a = 2 : i64, b = 1 : i64, codelet = "dft", dst = 1 : i64, r = 4 : i64, src = 0 : i64}
// CHECK-NEXT: linop_kernel.stage {a = 1 : i64, b = 4 : i64, codelet = "dft", dst = 0 : i64, r = 2 : i64, src = 1 : i64, twiddles = dense<
// CHECK-NEXT: linop_kernel.store {{.*}} {operand = 1 : i64, src = 0 : i64}
func.func @dft8(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %I2 = linop.identity : !linop.op<2x2, complex<f32>>
  %I4 = linop.identity : !linop.op<4x4, complex<f32>>
  %F2 = linop.dft : !linop.op<2x2, complex<f32>>
  %F4 = linop.dft : !linop.op<4x4, complex<f32>>
  %t = arith.constant dense<[(1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (0.70710678118654757, -0.70710678118654757), (0.0, -1.0), (-0.70710678118654757, -0.70710678118654757)]> : tensor<8xcomplex<f32>>
  %T = linop.diag %t : (tensor<8xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  %A = linop.kron %F2, %I4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %B = linop.kron %I2, %F4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %L = linop.perm stride 2 : !linop.op<8x8, complex<f32>>
  %D = linop.compose %A, %T, %B, %L : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %D, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}

// -----

// Run-time weights: a BPBP butterfly reads its twiddles (argument #1) in
// each of its 2 x 2 stages; a scale folds into the stage next to it.
// CHECK-LABEL: func.func @linop_k_bpbp
// CHECK: linop_kernel.load
// CHECK-NEXT: linop_kernel.butterfly_stage %{{.*}} {block = 0 : i64, dst = 1 : i64, level = 0 : i64, levels = 2 : i64, operand = 1 : i64, src = 0 : i64, stride = 1 : i64}
// CHECK-NEXT: linop_kernel.butterfly_stage %{{.*}} {block = 0 : i64, dst = 0 : i64, level = 1 : i64, levels = 2 : i64, operand = 1 : i64, src = 1 : i64, stride = 2 : i64}
// CHECK-NEXT: linop_kernel.butterfly_stage %{{.*}} {block = 1 : i64, {{.*}} level = 0 : i64
// CHECK-NEXT: linop_kernel.butterfly_stage %{{.*}} {block = 1 : i64, {{.*}} level = 1 : i64
// CHECK-NEXT: linop_kernel.dense_stage %{{.*}} {blocks = 1 : i64, dst = 1 : i64, operand = 2 : i64, r = 4 : i64, src = 0 : i64}
// CHECK-NEXT: linop_kernel.stage {a = 1 : i64, b = 1 : i64, codelet = "hadamard", dst = 0 : i64, r = 4 : i64, scale = 5.000000e-01 : f64, src = 1 : i64}
// CHECK-NEXT: linop_kernel.store %{{.*}} {operand = 3 : i64, src = 0 : i64}
func.func @bpbp(%x: tensor<?x4xf32>, %tw: tensor<2x2x2x2x2xf32>, %w: tensor<4x4xf32>) -> tensor<?x4xf32> {
  %B = linop.butterfly %tw : (tensor<2x2x2x2x2xf32>) -> !linop.op<4x4, f32>
  %W = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %S = linop.scale %H by 0.5 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %A = linop.compose %S, %W, %B : (!linop.op<4x4, f32>, !linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %y = linop.apply %A, %x : (!linop.op<4x4, f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// A transform too large for a codelet must be decomposed first: an error,
// never a slow or wrong kernel.
func.func @big(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  // expected-error @+1 {{linop-plan: 'linop.dft' of this size must be decomposed first (run linop-decompose)}}
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}

// -----

// expected-error @+1 {{linop-plan: @static_batch: the CPU backend takes a function argument of type tensor<?xNxT> (a batch of rows) so far}}
func.func @static_batch(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
