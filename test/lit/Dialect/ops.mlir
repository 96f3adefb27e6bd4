// Every op parses, verifies, prints, and parses again to the same text.
// RUN: linop-opt %s | FileCheck %s
// RUN: linop-opt %s | linop-opt | FileCheck %s
// RUN: linop-opt %s --mlir-print-op-generic | linop-opt | FileCheck %s

// CHECK-LABEL: func.func @transforms
func.func @transforms() {
  // CHECK: linop.dft : !linop.op<8x8, complex<f32>>
  %0 = linop.dft : !linop.op<8x8, complex<f32>>
  // CHECK: linop.dft inverse norm = full : !linop.op<6x6, complex<f64>>
  %1 = linop.dft inverse norm = full : !linop.op<6x6, complex<f64>>
  // CHECK: linop.dft norm = sqrt : !linop.op<8x8, f32 -> complex<f32>>
  %2 = linop.dft norm = sqrt : !linop.op<8x8, f32 -> complex<f32>>
  // CHECK: linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  %3 = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  // CHECK: linop.irdft norm = full : !linop.op<7x4, complex<f32> -> f32>
  %4 = linop.irdft norm = full : !linop.op<7x4, complex<f32> -> f32>
  // CHECK: linop.dct II norm = sqrt : !linop.op<8x8, f32>
  %5 = linop.dct II norm = sqrt : !linop.op<8x8, f32>
  // CHECK: linop.dct III : !linop.op<12x12, f64>
  %6 = linop.dct III : !linop.op<12x12, f64>
  // CHECK: linop.dst IV norm = sqrt : !linop.op<16x16, complex<f32>>
  %7 = linop.dst IV norm = sqrt : !linop.op<16x16, complex<f32>>
  // CHECK: linop.hadamard norm = sqrt : !linop.op<1024x1024, f16>
  %8 = linop.hadamard norm = sqrt : !linop.op<1024x1024, f16>
  // CHECK: linop.hadamard : !linop.op<4x4, bf16>
  %9 = linop.hadamard : !linop.op<4x4, bf16>
  // CHECK: linop.hartley : !linop.op<12x12, f32>
  %10 = linop.hartley : !linop.op<12x12, f32>
  return
}

// CHECK-LABEL: func.func @blocks
func.func @blocks(%w: tensor<4x8xf32>, %d: tensor<3x8xf64>) {
  // CHECK: linop.identity : !linop.op<4x4, f32>
  %0 = linop.identity : !linop.op<4x4, f32>
  // CHECK: linop.perm [2, 0, 1] : !linop.op<3x3, f32>
  %1 = linop.perm [2, 0, 1] : !linop.op<3x3, f32>
  // CHECK: linop.perm bitrev : !linop.op<8x8, complex<f32>>
  %2 = linop.perm bitrev : !linop.op<8x8, complex<f32>>
  // CHECK: linop.perm stride 2 : !linop.op<6x6, f32>
  %3 = linop.perm stride 2 : !linop.op<6x6, f32>
  // CHECK: linop.perm digitrev [4, 2, 3] : !linop.op<24x24, f32>
  %p4 = linop.perm digitrev [4, 2, 3] : !linop.op<24x24, f32>
  // CHECK: linop.twiddle 16 x 64 inverse : !linop.op<2048x2048, complex<f32>>
  %t5 = linop.twiddle 16 x 64 inverse : !linop.op<2048x2048, complex<f32>>
  // CHECK: linop.dense %{{.*}} : (tensor<4x8xf32>) -> !linop.op<4x8, f32>
  %4 = linop.dense %w : (tensor<4x8xf32>) -> !linop.op<4x8, f32>
  // A family of three diagonals.
  // CHECK: linop.diag %{{.*}} : (tensor<3x8xf64>) -> !linop.op<[3] 8x8, f64>
  %5 = linop.diag %d : (tensor<3x8xf64>) -> !linop.op<[3] 8x8, f64>
  return
}

// CHECK-LABEL: func.func @structured
func.func @structured(%tw: tensor<2x3x4x2x2xcomplex<f32>>, %l: tensor<4x2x2xf32>, %r: tensor<2x4x4xf32>) {
  // CHECK: linop.butterfly %{{.*}} : (tensor<2x3x4x2x2xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  %0 = linop.butterfly %tw : (tensor<2x3x4x2x2xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  // CHECK: linop.butterfly %{{.*}} {decreasing, input_perm = array<i64: 0, 4, 2, 6, 1, 5, 3, 7>}
  %1 = linop.butterfly %tw {decreasing, input_perm = array<i64: 0, 4, 2, 6, 1, 5, 3, 7>} : (tensor<2x3x4x2x2xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  // CHECK: linop.monarch %{{.*}}, %{{.*}} : (tensor<4x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<8x8, f32>
  %2 = linop.monarch %l, %r : (tensor<4x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<8x8, f32>
  return
}

// CHECK-LABEL: func.func @combinators
func.func @combinators() {
  %a = linop.hadamard : !linop.op<2x2, f32>
  %b = linop.dft : !linop.op<4x4, complex<f32>>
  %c = linop.identity : !linop.op<3x3, f32>
  // CHECK: linop.compose %{{.*}}, %{{.*}} : (!linop.op<4x4, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  %0 = linop.compose %b, %b : (!linop.op<4x4, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  // A real operator acts on complex values.
  // CHECK: linop.kron %{{.*}}, %{{.*}} : (!linop.op<2x2, f32>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %1 = linop.kron %a, %b : (!linop.op<2x2, f32>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  // CHECK: linop.direct_sum %{{.*}}, %{{.*}} : (!linop.op<2x2, f32>, !linop.op<3x3, f32>) -> !linop.op<5x5, f32>
  %2 = linop.direct_sum %a, %c : (!linop.op<2x2, f32>, !linop.op<3x3, f32>) -> !linop.op<5x5, f32>
  // CHECK: linop.transpose %{{.*}} : (!linop.op<5x5, f32>) -> !linop.op<5x5, f32>
  %3 = linop.transpose %2 : (!linop.op<5x5, f32>) -> !linop.op<5x5, f32>
  // CHECK: linop.adjoint %{{.*}} : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  %4 = linop.adjoint %b : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  // CHECK: linop.scale %{{.*}} by 5.000000e-01 : (!linop.op<2x2, f32>) -> !linop.op<2x2, f32>
  %5 = linop.scale %a by 0.5 : (!linop.op<2x2, f32>) -> !linop.op<2x2, f32>
  // CHECK: linop.scale %{{.*}} by (0.000000e+00, 1.000000e+00) : (!linop.op<4x4, complex<f32>>)
  %6 = linop.scale %b by (0.0, 1.0) : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  return
}

// CHECK-LABEL: func.func @convolutions
func.func @convolutions(%h: tensor<16xf32>, %t: tensor<7xf32>, %k: tensor<64x3xf32>, %k2: tensor<5xcomplex<f32>>) {
  // CHECK: linop.circulant %{{.*}} : (tensor<16xf32>) -> !linop.op<16x16, f32>
  %0 = linop.circulant %h : (tensor<16xf32>) -> !linop.op<16x16, f32>
  // CHECK: linop.toeplitz %{{.*}} : (tensor<7xf32>) -> !linop.op<3x5, f32>
  %1 = linop.toeplitz %t : (tensor<7xf32>) -> !linop.op<3x5, f32>
  // CHECK: linop.conv causal %{{.*}} : (tensor<64x3xf32>) -> !linop.op<[64] 128x128, f32>
  %2 = linop.conv causal %k : (tensor<64x3xf32>) -> !linop.op<[64] 128x128, f32>
  // CHECK: linop.conv full %{{.*}} : (tensor<5xcomplex<f32>>) -> !linop.op<12x8, complex<f32>>
  %3 = linop.conv full %k2 : (tensor<5xcomplex<f32>>) -> !linop.op<12x8, complex<f32>>
  return
}

// CHECK-LABEL: func.func @gated_conv
func.func @gated_conv(%u: tensor<2x64x128xf32>, %pre: tensor<2x64x128xf32>, %post: tensor<2x64x128xf32>, %k: tensor<64x128xf32>) -> tensor<2x64x128xf32> {
  %Pre = linop.diag %pre : (tensor<2x64x128xf32>) -> !linop.op<[2, 64] 128x128, f32>
  %Post = linop.diag %post : (tensor<2x64x128xf32>) -> !linop.op<[2, 64] 128x128, f32>
  %K = linop.conv causal %k : (tensor<64x128xf32>) -> !linop.op<[64] 128x128, f32>
  // CHECK: linop.compose {{.*}} -> !linop.op<[2, 64] 128x128, f32>
  %G = linop.compose %Post, %K, %Pre : (!linop.op<[2, 64] 128x128, f32>, !linop.op<[64] 128x128, f32>, !linop.op<[2, 64] 128x128, f32>) -> !linop.op<[2, 64] 128x128, f32>
  // CHECK: linop.apply {{.*}} -> tensor<2x64x128xf32>
  %y = linop.apply %G, %u : (!linop.op<[2, 64] 128x128, f32>, tensor<2x64x128xf32>) -> tensor<2x64x128xf32>
  return %y : tensor<2x64x128xf32>
}

// CHECK-LABEL: func.func @apply
func.func @apply(%x: tensor<?x3x8xf32>) -> tensor<?x3x5xcomplex<f32>> {
  %R = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  // CHECK: linop.apply %{{.*}}, %{{.*}} : (!linop.op<5x8, f32 -> complex<f32>>, tensor<?x3x8xf32>) -> tensor<?x3x5xcomplex<f32>>
  %y = linop.apply %R, %x : (!linop.op<5x8, f32 -> complex<f32>>, tensor<?x3x8xf32>) -> tensor<?x3x5xcomplex<f32>>
  return %y : tensor<?x3x5xcomplex<f32>>
}

// CHECK-LABEL: func.func @recurrences
func.func @recurrences(%q: tensor<2x?x4x16xbf16>, %k: tensor<2x?x4x16xbf16>, %v: tensor<2x?x4x32xbf16>,
                       %gs: tensor<2x?x4xf32>, %gv: tensor<2x?x4x16xf32>, %beta: tensor<2x?x4xf32>,
                       %h0: tensor<2x4x16x32xf32>) {
  // CHECK: linop.recurrence %{{.*}}, %{{.*}}, %{{.*}} gate = none update = additive :
  %o0, %s0 = linop.recurrence %q, %k, %v gate = none update = additive
      : (tensor<2x?x4x16xbf16>, tensor<2x?x4x16xbf16>, tensor<2x?x4x32xbf16>) -> (tensor<2x?x4x32xbf16>, tensor<2x4x16x32xf32>)
  // CHECK: gate = scalar(%{{.*}}) update = additive init(%{{.*}}) {chunk_size = 128 : i64, scale = 2.500000e-01 : f64}
  %o1, %s1 = linop.recurrence %q, %k, %v gate = scalar(%gs) update = additive init(%h0) {chunk_size = 128 : i64, scale = 0.25 : f64}
      : (tensor<2x?x4x16xbf16>, tensor<2x?x4x16xbf16>, tensor<2x?x4x32xbf16>, tensor<2x?x4xf32>, tensor<2x4x16x32xf32>) -> (tensor<2x?x4x32xbf16>, tensor<2x4x16x32xf32>)
  // CHECK: gate = vector(%{{.*}}) update = delta(%{{.*}})
  %o2, %s2 = linop.recurrence %q, %k, %v gate = vector(%gv) update = delta(%beta)
      : (tensor<2x?x4x16xbf16>, tensor<2x?x4x16xbf16>, tensor<2x?x4x32xbf16>, tensor<2x?x4x16xf32>, tensor<2x?x4xf32>) -> (tensor<2x?x4x32xbf16>, tensor<2x4x16x32xf32>)
  return
}

// Heads first: [B, H, T, D].
// CHECK-LABEL: func.func @heads_first
// CHECK: linop.recurrence %{{.*}}, %{{.*}}, %{{.*}} gate = scalar(%{{.*}}) update = additive layout = bhtd :
func.func @heads_first(%q: tensor<2x4x?x16xf32>, %g: tensor<2x4x?xf32>) {
  %o, %s = linop.recurrence %q, %q, %q gate = scalar(%g) update = additive layout = bhtd
      : (tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?xf32>) -> (tensor<2x4x?x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// Weights as constants in the spec, inline or as a resource blob.
// CHECK-LABEL: func.func @constant_weights
func.func @constant_weights() -> !linop.op<2x2, f32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %r = arith.constant dense_resource<w2> : tensor<2xf32>
  %A = linop.dense %w : (tensor<2x2xf32>) -> !linop.op<2x2, f32>
  %D = linop.diag %r : (tensor<2xf32>) -> !linop.op<2x2, f32>
  // CHECK: linop.compose
  %B = linop.compose %A, %D : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<2x2, f32>
  return %B : !linop.op<2x2, f32>
}

{-#
  dialect_resources: {
    builtin: {
      w2: "0x040000000000803F00000040"
    }
  }
#-}

// CHECK-LABEL: func.func @real_complex_steps
func.func @real_complex_steps() {
  // CHECK: linop.promote : !linop.op<8x8, f32 -> complex<f32>>
  %0 = linop.promote : !linop.op<8x8, f32 -> complex<f32>>
  // CHECK: linop.real : !linop.op<8x8, complex<f64> -> f64>
  %1 = linop.real : !linop.op<8x8, complex<f64> -> f64>
  // CHECK: linop.pack : !linop.op<4x8, f32 -> complex<f32>>
  %2 = linop.pack : !linop.op<4x8, f32 -> complex<f32>>
  // CHECK: linop.unpack : !linop.op<8x4, complex<f32> -> f32>
  %3 = linop.unpack : !linop.op<8x4, complex<f32> -> f32>
  // CHECK: linop.rfft_split : !linop.op<5x4, complex<f32>>
  %4 = linop.rfft_split : !linop.op<5x4, complex<f32>>
  // CHECK: linop.rfft_merge : !linop.op<4x5, complex<f32>>
  %5 = linop.rfft_merge : !linop.op<4x5, complex<f32>>
  return
}
