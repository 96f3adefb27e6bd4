// Circulant, Toeplitz and convolution operators with constant weights,
// through the convolution theorem: a circulant of size P is
// iDFT_P diag(DFT_P c / P) DFT_P, and a Toeplitz matrix is the top-left
// block of a circulant of P >= M + N - 1 (a convolution's, of K taps, of
// P >= max(M, N + K - 1)), a power of two, between zero padding and
// truncation. Real operators run the
// complex circulant between promote and real. The reference evaluator
// checks each against the op; FileCheck checks the shape.
// RUN: linop-opt %s --linop-decompose | FileCheck %s
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose{max-leaf=4},linop-simplify" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-8: remark: equivalent after 'linop-decompose
// EQ-NOT: {{error:}}

// A real circulant of 8: half the spectrum, 5 entries, between rdft and
// irdft (each a complex DFT of 4 once decomposed).
// CHECK-LABEL: func.func @circulant_real
// CHECK-DAG: linop.pack : !linop.op<4x8, f32 -> complex<f32>>
// CHECK-DAG: linop.diag {{.*}} : (tensor<5xcomplex<f32>>) -> !linop.op<5x5, complex<f32>>
// CHECK-DAG: linop.unpack : !linop.op<8x4, complex<f32> -> f32>
// CHECK-NOT: linop.circulant
// CHECK: return
func.func @circulant_real() -> !linop.op<8x8, f32> {
  %h = arith.constant dense<[0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 0.25, -2.0]> : tensor<8xf32>
  %C = linop.circulant %h : (tensor<8xf32>) -> !linop.op<8x8, f32>
  return %C : !linop.op<8x8, f32>
}

// A complex circulant of 6 (not a power of two): DFTs of 6.
// CHECK-LABEL: func.func @circulant_complex
// CHECK-NOT: linop.promote
// CHECK-DAG: linop.diag {{.*}} : (tensor<6xcomplex<f64>>) -> !linop.op<6x6, complex<f64>>
// CHECK: return
func.func @circulant_complex() -> !linop.op<6x6, complex<f64>> {
  %h = arith.constant dense<[(0.5, 1.0), (-1.25, 0.5), (2.0, -0.25), (0.75, 0.0), (-0.5, 2.5), (1.5, -1.0)]> : tensor<6xcomplex<f64>>
  %C = linop.circulant %h : (tensor<6xcomplex<f64>>) -> !linop.op<6x6, complex<f64>>
  return %C : !linop.op<6x6, complex<f64>>
}

// A 3 x 5 Toeplitz matrix: a circulant of 8 (>= 3 + 5 - 1), padding 5 -> 8,
// truncation 8 -> 3.
// CHECK-LABEL: func.func @toeplitz_wide
// CHECK-DAG: linop.diag {{.*}} : (tensor<5xcomplex<f64>>)
// CHECK-DAG: linop.direct_sum {{.*}} -> !linop.op<8x5, f64>
// CHECK-DAG: linop.direct_sum {{.*}} -> !linop.op<3x8, f64>
// CHECK: return
func.func @toeplitz_wide() -> !linop.op<3x5, f64> {
  %t = arith.constant dense<[0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 0.25]> : tensor<7xf64>
  %T = linop.toeplitz %t : (tensor<7xf64>) -> !linop.op<3x5, f64>
  return %T : !linop.op<3x5, f64>
}

// A tall one, 6 x 2: a circulant of 8.
func.func @toeplitz_tall() -> !linop.op<6x2, f64> {
  %t = arith.constant dense<[0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 0.25]> : tensor<7xf64>
  %T = linop.toeplitz %t : (tensor<7xf64>) -> !linop.op<6x2, f64>
  return %T : !linop.op<6x2, f64>
}

// A causal convolution of 10 with 3 taps: a circulant of 16 (>= 10 + 10 - 1).
// CHECK-LABEL: func.func @conv_causal
// CHECK-DAG: linop.diag {{.*}} : (tensor<9xcomplex<f32>>)
// CHECK-DAG: linop.direct_sum {{.*}} -> !linop.op<16x10, f32>
// CHECK-DAG: linop.direct_sum {{.*}} -> !linop.op<10x16, f32>
// CHECK-NOT: linop.conv
// CHECK: return
func.func @conv_causal() -> !linop.op<10x10, f32> {
  %k = arith.constant dense<[0.5, -1.25, 2.0]> : tensor<3xf32>
  %K = linop.conv causal %k : (tensor<3xf32>) -> !linop.op<10x10, f32>
  return %K : !linop.op<10x10, f32>
}

// The full convolution: 6 + 4 - 1 = 9 outputs.
func.func @conv_full() -> !linop.op<9x6, complex<f32>> {
  %k = arith.constant dense<[(0.5, 1.0), (-1.25, 0.5), (2.0, -0.25), (0.75, 0.0)]> : tensor<4xcomplex<f32>>
  %K = linop.conv full %k : (tensor<4xcomplex<f32>>) -> !linop.op<9x6, complex<f32>>
  return %K : !linop.op<9x6, complex<f32>>
}

// A family of three kernels as long as the signal (Hyena's long
// convolutions): one spectrum per member, the DFTs shared.
// CHECK-LABEL: func.func @conv_family
// CHECK-DAG: linop.diag {{.*}} : (tensor<3x5xcomplex<f32>>) -> !linop.op<[3] 5x5, complex<f32>>
// CHECK-DAG: linop.pack : !linop.op<4x8, f32 -> complex<f32>>
// CHECK: return
func.func @conv_family() -> !linop.op<[3] 4x4, f32> {
  %k = arith.constant dense<[[0.5, -1.25, 2.0, 0.75], [-0.5, 1.5, 0.25, -2.0], [1.0, 0.0, -0.75, 0.5]]> : tensor<3x4xf32>
  %K = linop.conv causal %k : (tensor<3x4xf32>) -> !linop.op<[3] 4x4, f32>
  return %K : !linop.op<[3] 4x4, f32>
}

// Run-time weights stay for the planner, which says what it cannot do.
// CHECK-LABEL: func.func @conv_runtime
// CHECK: linop.conv causal %arg0
func.func @conv_runtime(%k: tensor<3xf32>) -> !linop.op<10x10, f32> {
  %K = linop.conv causal %k : (tensor<3xf32>) -> !linop.op<10x10, f32>
  return %K : !linop.op<10x10, f32>
}
