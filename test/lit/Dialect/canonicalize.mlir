// Canonicalization simplifies the operator algebra, and the dense reference
// evaluator confirms that every function computes the same before and after.
// RUN: linop-opt %s --canonicalize | FileCheck %s
// RUN: linop-opt %s --linop-check-equivalence="pipeline=canonicalize" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-19: remark: equivalent after 'canonicalize'
// EQ-NOT: {{error:}}

// CHECK-LABEL: func.func @compose_identity
// CHECK-NEXT: %[[F:.*]] = linop.dft
// CHECK-NEXT: return %[[F]]
func.func @compose_identity() -> !linop.op<8x8, complex<f32>> {
  %I = linop.identity : !linop.op<8x8, complex<f32>>
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %0 = linop.compose %I, %F, %I : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %0 : !linop.op<8x8, complex<f32>>
}

// A real identity in a complex product drops out too.
// CHECK-LABEL: func.func @compose_real_identity
// CHECK: linop.compose %{{.*}}, %{{.*}} : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>)
func.func @compose_real_identity() -> !linop.op<8x8, complex<f32>> {
  %I = linop.identity : !linop.op<8x8, f32>
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %0 = linop.compose %F, %I, %F : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, f32>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %0 : !linop.op<8x8, complex<f32>>
}

// CHECK-LABEL: func.func @compose_flatten
// CHECK: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} :
func.func @compose_flatten(%a: tensor<4x4xf32>, %b: tensor<4xf32>) -> !linop.op<4x4, f32> {
  %A = linop.dense %a : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %D = linop.diag %b : (tensor<4xf32>) -> !linop.op<4x4, f32>
  %0 = linop.compose %A, %D : (!linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %1 = linop.compose %0, %A : (!linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %1 : !linop.op<4x4, f32>
}

// CHECK-LABEL: func.func @compose_single
// CHECK-NEXT: %[[H:.*]] = linop.hadamard
// CHECK-NEXT: return %[[H]]
func.func @compose_single() -> !linop.op<4x4, f32> {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.compose %H : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}

// Bit reversal is an involution: the pair merges into the identity.
// CHECK-LABEL: func.func @bitrev_twice
// CHECK-NEXT: %[[D:.*]] = linop.dense
// CHECK-NEXT: return %[[D]]
func.func @bitrev_twice(%a: tensor<8x8xf32>) -> !linop.op<8x8, f32> {
  %P = linop.perm bitrev : !linop.op<8x8, f32>
  %A = linop.dense %a : (tensor<8x8xf32>) -> !linop.op<8x8, f32>
  %0 = linop.compose %A, %P, %P : (!linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0 : !linop.op<8x8, f32>
}

// Two stride permutations become one, in its most readable form: here
// L^8_2 L^8_2 = L^8_4.
// CHECK-LABEL: func.func @adjacent_perms
// CHECK: linop.perm stride 4 : !linop.op<8x8, f32>
// CHECK-NOT: linop.perm stride 2
func.func @adjacent_perms(%a: tensor<8x8xf32>) -> !linop.op<8x8, f32> {
  %P = linop.perm stride 2 : !linop.op<8x8, f32>
  %A = linop.dense %a : (tensor<8x8xf32>) -> !linop.op<8x8, f32>
  %0 = linop.compose %A, %P, %P : (!linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0 : !linop.op<8x8, f32>
}

// CHECK-LABEL: func.func @double_transpose
// CHECK-NEXT: %[[D:.*]] = linop.dense
// CHECK-NEXT: return %[[D]]
func.func @double_transpose(%a: tensor<4x8xf32>) -> !linop.op<4x8, f32> {
  %A = linop.dense %a : (tensor<4x8xf32>) -> !linop.op<4x8, f32>
  %0 = linop.transpose %A : (!linop.op<4x8, f32>) -> !linop.op<8x4, f32>
  %1 = linop.transpose %0 : (!linop.op<8x4, f32>) -> !linop.op<4x8, f32>
  return %1 : !linop.op<4x8, f32>
}

// CHECK-LABEL: func.func @double_adjoint
// CHECK-NEXT: %[[D:.*]] = linop.dense
// CHECK-NEXT: return %[[D]]
func.func @double_adjoint(%a: tensor<4x4xcomplex<f64>>) -> !linop.op<4x4, complex<f64>> {
  %A = linop.dense %a : (tensor<4x4xcomplex<f64>>) -> !linop.op<4x4, complex<f64>>
  %0 = linop.adjoint %A : (!linop.op<4x4, complex<f64>>) -> !linop.op<4x4, complex<f64>>
  %1 = linop.adjoint %0 : (!linop.op<4x4, complex<f64>>) -> !linop.op<4x4, complex<f64>>
  return %1 : !linop.op<4x4, complex<f64>>
}

// The adjoint of the DFT is the inverse DFT with the same scaling.
// CHECK-LABEL: func.func @adjoint_dft
// CHECK-NEXT: linop.dft inverse norm = sqrt : !linop.op<6x6, complex<f32>>
func.func @adjoint_dft() -> !linop.op<6x6, complex<f32>> {
  %F = linop.dft norm = sqrt : !linop.op<6x6, complex<f32>>
  %0 = linop.adjoint %F : (!linop.op<6x6, complex<f32>>) -> !linop.op<6x6, complex<f32>>
  return %0 : !linop.op<6x6, complex<f32>>
}

// Symmetric transforms are their own transpose; DCT-II and III swap.
// CHECK-LABEL: func.func @transpose_symmetric
// CHECK-NEXT: %[[H:.*]] = linop.hadamard
// CHECK-NEXT: %[[C:.*]] = linop.dct III norm = sqrt
// CHECK-NEXT: return %[[H]], %[[C]]
func.func @transpose_symmetric() -> (!linop.op<8x8, f32>, !linop.op<8x8, f32>) {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %C = linop.dct II norm = sqrt : !linop.op<8x8, f32>
  %0 = linop.transpose %H : (!linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  %1 = linop.transpose %C : (!linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0, %1 : !linop.op<8x8, f32>, !linop.op<8x8, f32>
}

// CHECK-LABEL: func.func @transpose_perm
// CHECK-NEXT: linop.perm [1, 2, 0] : !linop.op<3x3, f32>
func.func @transpose_perm() -> !linop.op<3x3, f32> {
  %P = linop.perm [2, 0, 1] : !linop.op<3x3, f32>
  %0 = linop.transpose %P : (!linop.op<3x3, f32>) -> !linop.op<3x3, f32>
  return %0 : !linop.op<3x3, f32>
}

// CHECK-LABEL: func.func @kron_unit
// CHECK-NEXT: %[[H:.*]] = linop.hadamard
// CHECK-NEXT: return %[[H]]
func.func @kron_unit() -> !linop.op<4x4, f32> {
  %U = linop.identity : !linop.op<1x1, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.kron %U, %H, %U : (!linop.op<1x1, f32>, !linop.op<4x4, f32>, !linop.op<1x1, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}

// CHECK-LABEL: func.func @kron_flatten
// CHECK: linop.kron %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} : (!linop.op<2x2, f32>, !linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
func.func @kron_flatten() -> !linop.op<8x8, f32> {
  %H = linop.hadamard : !linop.op<2x2, f32>
  %0 = linop.kron %H, %H : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<4x4, f32>
  %1 = linop.kron %0, %H : (!linop.op<4x4, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  return %1 : !linop.op<8x8, f32>
}

// CHECK-LABEL: func.func @scale_fold
// CHECK-NEXT: %[[H:.*]] = linop.hadamard
// CHECK-NEXT: linop.scale %[[H]] by 1.500000e+00
func.func @scale_fold() -> (!linop.op<4x4, f32>, !linop.op<4x4, f32>) {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.scale %H by 1.0 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %1 = linop.scale %H by 0.5 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %2 = linop.scale %1 by 3.0 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0, %2 : !linop.op<4x4, f32>, !linop.op<4x4, f32>
}

// CHECK-LABEL: func.func @direct_sum_single
// CHECK-NEXT: %[[H:.*]] = linop.hadamard
// CHECK-NEXT: return %[[H]]
func.func @direct_sum_single() -> !linop.op<4x4, f32> {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.direct_sum %H : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}

// Applied to data: the whole function is checked on random inputs.
// CHECK-LABEL: func.func @applied
// CHECK: linop.compose %{{[^,]*}}, %{{[^,]*}} :
func.func @applied(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %G = linop.adjoint %F : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %P = linop.perm bitrev : !linop.op<8x8, f32>
  %0 = linop.compose %G, %P, %P, %F : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %0, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}

// -----

// A DFT's input permutation stays a digit reversal when two merge; the
// adjoint of a twiddle diagonal is the inverse twiddle, its transpose
// itself.
// CHECK-LABEL: func.func @digitrev_merge
// CHECK: linop.perm digitrev [4, 2, 2] : !linop.op<16x16, complex<f32>>
func.func @digitrev_merge() -> !linop.op<16x16, complex<f32>> {
  %P = linop.perm stride 4 : !linop.op<16x16, complex<f32>>
  %Q = linop.perm [0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15] : !linop.op<16x16, complex<f32>>
  %0 = linop.compose %Q, %P : (!linop.op<16x16, complex<f32>>, !linop.op<16x16, complex<f32>>) -> !linop.op<16x16, complex<f32>>
  return %0 : !linop.op<16x16, complex<f32>>
}
// CHECK-LABEL: func.func @twiddle_adjoint
// CHECK: %[[A:.*]] = linop.twiddle 4 x 8 inverse : !linop.op<64x64, complex<f32>>
// CHECK: %[[B:.*]] = linop.twiddle 4 x 8 inverse : !linop.op<64x64, complex<f32>>
// CHECK: linop.compose %[[A]], %[[B]]
func.func @twiddle_adjoint() -> !linop.op<64x64, complex<f32>> {
  %T = linop.twiddle 4 x 8 : !linop.op<64x64, complex<f32>>
  %A = linop.adjoint %T : (!linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  %U = linop.twiddle 4 x 8 inverse : !linop.op<64x64, complex<f32>>
  %B = linop.transpose %U : (!linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  %0 = linop.compose %A, %B : (!linop.op<64x64, complex<f32>>, !linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  return %0 : !linop.op<64x64, complex<f32>>
}

// Transposes and adjoints of combinators: (A B)^T = B^T A^T, Kronecker
// products and direct sums factor by factor, scales commute (conjugated in
// the adjoint). The dense operators stay transposed; the rest simplify.
// CHECK-LABEL: func.func @transpose_compose
// CHECK-DAG: %[[AT:.*]] = linop.transpose %{{.*}} : (!linop.op<4x6, f32>) -> !linop.op<6x4, f32>
// CHECK-DAG: %[[BT:.*]] = linop.transpose %{{.*}} : (!linop.op<6x4, f32>) -> !linop.op<4x6, f32>
// CHECK: linop.compose %[[BT]], %[[AT]] : (!linop.op<4x6, f32>, !linop.op<6x4, f32>) -> !linop.op<4x4, f32>
func.func @transpose_compose(%a: tensor<4x6xf32>, %b: tensor<6x4xf32>) -> !linop.op<4x4, f32> {
  %A = linop.dense %a : (tensor<4x6xf32>) -> !linop.op<4x6, f32>
  %B = linop.dense %b : (tensor<6x4xf32>) -> !linop.op<6x4, f32>
  %C = linop.compose %A, %B : (!linop.op<4x6, f32>, !linop.op<6x4, f32>) -> !linop.op<4x4, f32>
  %T = linop.transpose %C : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %T : !linop.op<4x4, f32>
}

// CHECK-LABEL: func.func @adjoint_sum_scale
// CHECK: %[[S:.*]] = linop.scale %{{.*}} by (5.000000e-01, -2.000000e+00) : (!linop.op<5x3, complex<f32>>)
// CHECK: %[[FI:.*]] = linop.dft inverse
// CHECK: linop.direct_sum %[[S]], %[[FI]], %{{.*}} : (!linop.op<5x3, complex<f32>>, !linop.op<4x4, complex<f32>>, !linop.op<3x5, complex<f32>>) -> !linop.op<12x12, complex<f32>>
func.func @adjoint_sum_scale(%a: tensor<3x5xcomplex<f32>>) -> !linop.op<12x12, complex<f32>> {
  %A = linop.dense %a : (tensor<3x5xcomplex<f32>>) -> !linop.op<3x5, complex<f32>>
  %F = linop.dft : !linop.op<4x4, complex<f32>>
  %S = linop.scale %A by (0.5, 2.0) : (!linop.op<3x5, complex<f32>>) -> !linop.op<3x5, complex<f32>>
  %D = linop.direct_sum %S, %F : (!linop.op<3x5, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<7x9, complex<f32>>
  %E = linop.adjoint %D : (!linop.op<7x9, complex<f32>>) -> !linop.op<9x7, complex<f32>>
  %G = linop.dense %a : (tensor<3x5xcomplex<f32>>) -> !linop.op<3x5, complex<f32>>
  %H = linop.direct_sum %E, %G : (!linop.op<9x7, complex<f32>>, !linop.op<3x5, complex<f32>>) -> !linop.op<12x12, complex<f32>>
  return %H : !linop.op<12x12, complex<f32>>
}

// CHECK-LABEL: func.func @adjoint_kron
// CHECK-DAG: %[[FI:.*]] = linop.dft inverse : !linop.op<4x4, complex<f32>>
// CHECK-DAG: %[[WA:.*]] = linop.adjoint %{{.*}} : (!linop.op<2x3, complex<f32>>) -> !linop.op<3x2, complex<f32>>
// CHECK: linop.kron %[[FI]], %[[WA]] : (!linop.op<4x4, complex<f32>>, !linop.op<3x2, complex<f32>>) -> !linop.op<12x8, complex<f32>>
func.func @adjoint_kron(%w: tensor<2x3xcomplex<f32>>) -> !linop.op<12x8, complex<f32>> {
  %F = linop.dft : !linop.op<4x4, complex<f32>>
  %W = linop.dense %w : (tensor<2x3xcomplex<f32>>) -> !linop.op<2x3, complex<f32>>
  %K = linop.kron %F, %W : (!linop.op<4x4, complex<f32>>, !linop.op<2x3, complex<f32>>) -> !linop.op<8x12, complex<f32>>
  %A = linop.adjoint %K : (!linop.op<8x12, complex<f32>>) -> !linop.op<12x8, complex<f32>>
  return %A : !linop.op<12x8, complex<f32>>
}
