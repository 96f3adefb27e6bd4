// linop-simplify merges the permutations, diagonals and scalings between
// stages of the normal form. The reference evaluator checks every function
// after linop-decompose and linop-simplify.
// RUN: linop-opt %s --linop-simplify | FileCheck %s
// RUN: linop-opt %s --linop-decompose --linop-simplify | FileCheck %s --check-prefix=PIPE
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose,linop-simplify" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-13: remark: equivalent after 'linop-decompose,linop-simplify'
// EQ-NOT: {{error:}}

// L^16_4 L^16_4 is the identity: both go.
// CHECK-LABEL: func.func @perms_cancel
// CHECK-NEXT: %[[A:.*]] = linop.dense
// CHECK-NEXT: return %[[A]]
func.func @perms_cancel(%a: tensor<16x16xf64>) -> !linop.op<16x16, f64> {
  %P = linop.perm stride 4 : !linop.op<16x16, f64>
  %A = linop.dense %a : (tensor<16x16xf64>) -> !linop.op<16x16, f64>
  %0 = linop.compose %A, %P, %P : (!linop.op<16x16, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) -> !linop.op<16x16, f64>
  return %0 : !linop.op<16x16, f64>
}

// D1 P D2 = D' P with d'[i] = d1[i] d2[p[i]].
// CHECK-LABEL: func.func @diag_perm_diag
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[6.000000e+00, 1.400000e+01, 2.400000e+01, 2.000000e+01]> : tensor<4xf64>
// CHECK-DAG: %[[A:.*]] = linop.dense
// CHECK-DAG: %[[D:.*]] = linop.diag %[[C]]
// CHECK-DAG: %[[P:.*]] = linop.perm [1, 2, 3, 0]
// CHECK: linop.compose %[[A]], %[[D]], %[[P]], %[[A]] :
func.func @diag_perm_diag(%a: tensor<4x4xf64>) -> !linop.op<4x4, f64> {
  %d1 = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>
  %d2 = arith.constant dense<[5.0, 6.0, 7.0, 8.0]> : tensor<4xf64>
  %A = linop.dense %a : (tensor<4x4xf64>) -> !linop.op<4x4, f64>
  %D1 = linop.diag %d1 : (tensor<4xf64>) -> !linop.op<4x4, f64>
  %D2 = linop.diag %d2 : (tensor<4xf64>) -> !linop.op<4x4, f64>
  %P = linop.perm [1, 2, 3, 0] : !linop.op<4x4, f64>
  %0 = linop.compose %A, %D1, %P, %D2, %A : (!linop.op<4x4, f64>, !linop.op<4x4, f64>, !linop.op<4x4, f64>, !linop.op<4x4, f64>, !linop.op<4x4, f64>) -> !linop.op<4x4, f64>
  return %0 : !linop.op<4x4, f64>
}

// CHECK-LABEL: func.func @unit_diag_identity
// CHECK-NEXT: %[[A:.*]] = linop.dense
// CHECK-NEXT: return %[[A]]
func.func @unit_diag_identity(%a: tensor<4x4xf64>) -> !linop.op<4x4, f64> {
  %one = arith.constant dense<1.0> : tensor<4xf64>
  %A = linop.dense %a : (tensor<4x4xf64>) -> !linop.op<4x4, f64>
  %D = linop.diag %one : (tensor<4xf64>) -> !linop.op<4x4, f64>
  %I = linop.identity : !linop.op<4x4, f64>
  %0 = linop.compose %A, %I, %D : (!linop.op<4x4, f64>, !linop.op<4x4, f64>, !linop.op<4x4, f64>) -> !linop.op<4x4, f64>
  return %0 : !linop.op<4x4, f64>
}

// Scalars commute: the scale moves into the diagonal, which becomes complex.
// CHECK-LABEL: func.func @scale_into_diag
// CHECK: arith.constant dense<[(0.000000e+00,2.000000e+00), (0.000000e+00,4.000000e+00),
// CHECK-NOT: linop.scale
// CHECK: linop.diag %{{.*}} : (tensor<8xcomplex<f64>>)
// CHECK: linop.compose
func.func @scale_into_diag(%a: tensor<4x4xcomplex<f64>>) -> !linop.op<8x8, complex<f64>> {
  %d = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf64>
  %A = linop.dense %a : (tensor<4x4xcomplex<f64>>) -> !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %K = linop.kron %I, %A : (!linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  %S = linop.scale %K by (0.0, 2.0) : (!linop.op<8x8, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  %D = linop.diag %d : (tensor<8xf64>) -> !linop.op<8x8, f64>
  %0 = linop.compose %S, %K, %D : (!linop.op<8x8, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<8x8, f64>) -> !linop.op<8x8, complex<f64>>
  return %0 : !linop.op<8x8, complex<f64>>
}

// L (A (x) I) L = I (x) A: A (x) I_n = L^mn_m (I_n (x) A) L^mn_n.
// CHECK-LABEL: func.func @commute
// CHECK-DAG: %[[A:.*]] = linop.dense
// CHECK-DAG: %[[I:.*]] = linop.identity : !linop.op<4x4, f64>
// CHECK: %[[K:.*]] = linop.kron %[[I]], %[[A]]
// CHECK-NOT: linop.perm
// CHECK: return %[[K]]
func.func @commute(%a: tensor<4x4xf64>) -> !linop.op<16x16, f64> {
  %P = linop.perm stride 4 : !linop.op<16x16, f64>
  %A = linop.dense %a : (tensor<4x4xf64>) -> !linop.op<4x4, f64>
  %I = linop.identity : !linop.op<4x4, f64>
  %K = linop.kron %A, %I : (!linop.op<4x4, f64>, !linop.op<4x4, f64>) -> !linop.op<16x16, f64>
  %0 = linop.compose %P, %K, %P : (!linop.op<16x16, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) -> !linop.op<16x16, f64>
  return %0 : !linop.op<16x16, f64>
}

// The same with a 2x3 leaf: (L^8_2 (I_4 (x) A) L^12_4) = A (x) I_4.
// CHECK-LABEL: func.func @commute_nonsquare
// CHECK: %[[K:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<2x3, f64>, !linop.op<4x4, f64>)
// CHECK-NOT: linop.perm
// CHECK: linop.compose %{{.*}}, %[[K]] :
func.func @commute_nonsquare(%a: tensor<2x3xf64>, %b: tensor<8x8xf64>) -> !linop.op<8x12, f64> {
  %A = linop.dense %a : (tensor<2x3xf64>) -> !linop.op<2x3, f64>
  %B = linop.dense %b : (tensor<8x8xf64>) -> !linop.op<8x8, f64>
  %I = linop.identity : !linop.op<4x4, f64>
  %K = linop.kron %I, %A : (!linop.op<4x4, f64>, !linop.op<2x3, f64>) -> !linop.op<8x12, f64>
  %L = linop.perm stride 2 : !linop.op<8x8, f64>
  %R = linop.perm stride 4 : !linop.op<12x12, f64>
  %0 = linop.compose %B, %L, %K, %R : (!linop.op<8x8, f64>, !linop.op<8x8, f64>, !linop.op<8x12, f64>, !linop.op<12x12, f64>) -> !linop.op<8x12, f64>
  return %0 : !linop.op<8x12, f64>
}

// I_2 (x) P is one permutation.
// CHECK-LABEL: func.func @kron_perm
// CHECK-NEXT: %[[P:.*]] = linop.perm [0, 2, 1, 3, 4, 6, 5, 7] : !linop.op<8x8, complex<f64>>
// CHECK-NEXT: return %[[P]]
func.func @kron_perm() -> !linop.op<8x8, complex<f64>> {
  %P = linop.perm stride 2 : !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %0 = linop.kron %I, %P : (!linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %0 : !linop.op<8x8, complex<f64>>
}

// Products with a family operator are left alone.
// CHECK-LABEL: func.func @family
// CHECK: linop.compose %{{.*}}, %{{.*}}, %{{.*}} :
func.func @family(%w: tensor<2x8xf64>) -> !linop.op<[2] 8x8, f64> {
  %D = linop.diag %w : (tensor<2x8xf64>) -> !linop.op<[2] 8x8, f64>
  %P = linop.perm stride 2 : !linop.op<8x8, f64>
  %0 = linop.compose %P, %D, %P : (!linop.op<8x8, f64>, !linop.op<[2] 8x8, f64>, !linop.op<8x8, f64>) -> !linop.op<[2] 8x8, f64>
  return %0 : !linop.op<[2] 8x8, f64>
}

// 512 = 16 x 32 and 32 = 16 x 2: the two stride permutations at the input
// merge into one.
// PIPE-LABEL: func.func @dft512
// PIPE-COUNT-1: linop.perm
// PIPE-NOT: linop.perm
// PIPE: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} : (!linop.op<512x512
func.func @dft512() -> !linop.op<512x512, complex<f64>> {
  %0 = linop.dft : !linop.op<512x512, complex<f64>>
  return %0 : !linop.op<512x512, complex<f64>>
}

// The digit reversal of DFT_128 merges with the spreading permutation.
// PIPE-LABEL: func.func @dct2
// PIPE-COUNT-1: linop.perm
// PIPE-NOT: linop.perm
// PIPE: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} :
func.func @dct2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct II norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// The permutation between the DFT and the Hadamard stages moves blocks of
// 4 only, so it commutes with I_32 (x) H4 and sinks to the input.
// PIPE-LABEL: func.func @kron_dft_hadamard
// PIPE: %[[H:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>)
// PIPE: %[[P:.*]] = linop.perm
// PIPE: linop.compose %{{.*}}, %[[H]], %[[P]] :
func.func @kron_dft_hadamard() -> !linop.op<128x128, complex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %0 = linop.kron %F, %H : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>) -> !linop.op<128x128, complex<f64>>
  return %0 : !linop.op<128x128, complex<f64>>
}

// A real scale folds into the twiddle formula; a complex one stays a
// scale (the plan merges it into a stage).
// PIPE-LABEL: func.func @scaled_dft
// PIPE-NOT: linop.scale
// PIPE: linop.twiddle 8 x 8 scale 2.000000e+00 : !linop.op<64x64, complex<f64>>
// PIPE: linop.compose
// PIPE-LABEL: func.func @complex_scaled_dft
// PIPE: linop.twiddle 8 x 8 : !linop.op<64x64, complex<f64>>
// PIPE: linop.scale %{{.*}} by (0.000000e+00, 2.000000e+00)
func.func @scaled_dft() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft : !linop.op<64x64, complex<f64>>
  %0 = linop.scale %F by 2.0 : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

func.func @complex_scaled_dft() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft : !linop.op<64x64, complex<f64>>
  %0 = linop.scale %F by (0.0, 2.0) : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
