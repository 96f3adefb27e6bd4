// linop-decompose rewrites named transforms into the normal form the
// planner takes: a compose of kron(I_a, leaf, I_b), constant diag and perm
// factors. The reference evaluator checks that every function computes the
// same; FileCheck checks the shape of the result, under the fixed radix
// rule (radix-choice=largest; the search has linop-decompose-radix.mlir).
// RUN: linop-opt %s --linop-decompose=radix-choice=largest | FileCheck %s
// RUN: linop-opt %s --linop-decompose=radix-choice=largest | FileCheck %s --check-prefix=NF
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ
// Small leaves exercise deeper recursions (and once caught a dangling pointer in the evaluator).
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose{max-leaf=8}" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ
// The radix search under other options, and the fixed rule.
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-attach-target{target=cpu description=lanes=8},linop-decompose{radices=4}" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose{radix-choice=largest}" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-27: remark: equivalent after '{{(linop-attach-target[^,]*,)?}}linop-decompose
// EQ-NOT: {{error:}}

// Normal form: no named transform above size 16 is left.
// NF-NOT: linop.{{(dft|hadamard|dct|dst|hartley)}} {{.*}}!linop.op<{{(1[7-9]|[2-9][0-9]|[0-9][0-9][0-9]+)}}x
// NF: func.func @irdft_odd

// Sizes up to max-leaf (16) are leaves, whatever their factors.
// CHECK-LABEL: func.func @leaves
// CHECK-NEXT: linop.dft : !linop.op<2x2
// CHECK-NEXT: linop.dft inverse : !linop.op<4x4
// CHECK-NEXT: linop.dft norm = sqrt : !linop.op<8x8
// CHECK-NEXT: linop.dft : !linop.op<16x16
// CHECK-NEXT: linop.dft : !linop.op<6x6
// CHECK-NEXT: linop.dft norm = full : !linop.op<12x12
// CHECK-NEXT: linop.dft : !linop.op<13x13
// CHECK-NEXT: return
func.func @leaves() -> (!linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<16x16, complex<f64>>, !linop.op<6x6, complex<f64>>, !linop.op<12x12, complex<f64>>, !linop.op<13x13, complex<f64>>) {
  %0 = linop.dft : !linop.op<2x2, complex<f64>>
  %1 = linop.dft inverse : !linop.op<4x4, complex<f64>>
  %2 = linop.dft norm = sqrt : !linop.op<8x8, complex<f64>>
  %3 = linop.dft : !linop.op<16x16, complex<f64>>
  %4 = linop.dft : !linop.op<6x6, complex<f64>>
  %5 = linop.dft norm = full : !linop.op<12x12, complex<f64>>
  %6 = linop.dft : !linop.op<13x13, complex<f64>>
  return %0, %1, %2, %3, %4, %5, %6 : !linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<16x16, complex<f64>>, !linop.op<6x6, complex<f64>>, !linop.op<12x12, complex<f64>>, !linop.op<13x13, complex<f64>>
}

// Cooley-Tukey, radix 16: (F16 (x) I4) T (I16 (x) F4) L^64_16, the
// twiddles T a formula.
// CHECK-LABEL: func.func @dft64
// CHECK-DAG: %[[F16:.*]] = linop.dft : !linop.op<16x16, complex<f64>>
// CHECK-DAG: %[[F4:.*]] = linop.dft : !linop.op<4x4, complex<f64>>
// CHECK-DAG: %[[I4:.*]] = linop.identity : !linop.op<4x4, complex<f64>>
// CHECK-DAG: %[[I16:.*]] = linop.identity : !linop.op<16x16, complex<f64>>
// CHECK-DAG: %[[S1:.*]] = linop.kron %[[F16]], %[[I4]] :
// CHECK-DAG: %[[T:.*]] = linop.twiddle 16 x 4 : !linop.op<64x64, complex<f64>>
// CHECK-DAG: %[[S2:.*]] = linop.kron %[[I16]], %[[F4]] :
// CHECK-DAG: %[[L:.*]] = linop.perm stride 16 : !linop.op<64x64, complex<f64>>
// CHECK: %[[R:.*]] = linop.compose %[[S1]], %[[T]], %[[S2]], %[[L]] :
// CHECK-NEXT: return %[[R]]
func.func @dft64() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dft : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// The leaves carry inverse and norm: 1/sqrt(16) 1/sqrt(16) = 1/sqrt(256).
// CHECK-LABEL: func.func @dft256_inverse_sqrt
// CHECK-COUNT-2: linop.dft inverse norm = sqrt : !linop.op<16x16, complex<f64>>
// CHECK: linop.kron {{.*}} -> !linop.op<256x256
// CHECK: linop.twiddle 16 x 16 inverse : !linop.op<256x256, complex<f64>>
// CHECK: linop.kron {{.*}} -> !linop.op<256x256
// CHECK: linop.perm stride 16 : !linop.op<256x256
// CHECK: linop.compose
func.func @dft256_inverse_sqrt() -> !linop.op<256x256, complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<256x256, complex<f64>>
  return %0 : !linop.op<256x256, complex<f64>>
}

// CHECK-LABEL: func.func @dft48_full
// CHECK-DAG: linop.dft norm = full : !linop.op<16x16
// CHECK-DAG: linop.dft norm = full : !linop.op<3x3
// CHECK-DAG: linop.perm stride 16 : !linop.op<48x48
// CHECK: linop.compose
func.func @dft48_full() -> !linop.op<48x48, complex<f64>> {
  %0 = linop.dft norm = full : !linop.op<48x48, complex<f64>>
  return %0 : !linop.op<48x48, complex<f64>>
}

// 96 = 16 x 6, and 6 is a leaf.
// CHECK-LABEL: func.func @dft96_inverse_full
// CHECK-DAG: linop.dft inverse norm = full : !linop.op<16x16
// CHECK-DAG: linop.dft inverse norm = full : !linop.op<6x6
// CHECK-DAG: linop.perm stride 16 : !linop.op<96x96
// CHECK: linop.compose
func.func @dft96_inverse_full() -> !linop.op<96x96, complex<f64>> {
  %0 = linop.dft inverse norm = full : !linop.op<96x96, complex<f64>>
  return %0 : !linop.op<96x96, complex<f64>>
}

// Mixed radix: the largest allowed radix dividing 35 is 7.
// CHECK-LABEL: func.func @dft35
// CHECK-DAG: linop.dft : !linop.op<7x7
// CHECK-DAG: linop.dft : !linop.op<5x5
// CHECK-DAG: linop.perm stride 7 : !linop.op<35x35
// CHECK: linop.compose
func.func @dft35() -> !linop.op<35x35, complex<f64>> {
  %0 = linop.dft : !linop.op<35x35, complex<f64>>
  return %0 : !linop.op<35x35, complex<f64>>
}

// Bluestein: chirp, zero padding to 64, a circulant through DFT_64,
// truncation, chirp.
// CHECK-LABEL: func.func @dft17
// CHECK-DAG: %[[PAD:.*]] = linop.direct_sum %{{.*}}, %{{.*}} : (!linop.op<16x16, f64>, !linop.op<48x1, f64>) -> !linop.op<64x17, f64>
// CHECK-DAG: %[[TRUNC:.*]] = linop.direct_sum %{{.*}}, %{{.*}} : (!linop.op<16x16, f64>, !linop.op<1x48, f64>) -> !linop.op<17x64, f64>
// CHECK-DAG: linop.dft inverse : !linop.op<16x16, complex<f64>>
// CHECK-DAG: linop.diag %{{.*}} : (tensor<17xcomplex<f64>>)
// CHECK: linop.compose %{{.*}}, %[[TRUNC]], {{.*}}, %[[PAD]], %{{[^,]*}} : (!linop.op<17x17, complex<f64>>, !linop.op<17x64, f64>,
func.func @dft17() -> !linop.op<17x17, complex<f64>> {
  %0 = linop.dft : !linop.op<17x17, complex<f64>>
  return %0 : !linop.op<17x17, complex<f64>>
}

// CHECK-LABEL: func.func @dft97_inverse_sqrt
// CHECK: linop.direct_sum {{.*}} -> !linop.op<256x97, f64>
// CHECK: linop.direct_sum {{.*}} -> !linop.op<97x256, f64>
// CHECK: linop.compose
func.func @dft97_inverse_sqrt() -> !linop.op<97x97, complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<97x97, complex<f64>>
  return %0 : !linop.op<97x97, complex<f64>>
}

// CHECK-LABEL: func.func @hadamard_leaves
// CHECK-NEXT: linop.hadamard : !linop.op<2x2, f64>
// CHECK-NEXT: linop.hadamard norm = sqrt : !linop.op<16x16, f64>
// CHECK-NEXT: return
func.func @hadamard_leaves() -> (!linop.op<2x2, f64>, !linop.op<16x16, f64>) {
  %0 = linop.hadamard : !linop.op<2x2, f64>
  %1 = linop.hadamard norm = sqrt : !linop.op<16x16, f64>
  return %0, %1 : !linop.op<2x2, f64>, !linop.op<16x16, f64>
}

// WHT_32 = (WHT_8 (x) I_4)(I_8 (x) WHT_4); the norm goes to each leaf.
// CHECK-LABEL: func.func @hadamard32
// CHECK-DAG: %[[H8:.*]] = linop.hadamard norm = full : !linop.op<8x8, f64>
// CHECK-DAG: %[[H4:.*]] = linop.hadamard norm = full : !linop.op<4x4, f64>
// CHECK-DAG: %[[A:.*]] = linop.kron %[[H8]], %{{.*}} : (!linop.op<8x8, f64>, !linop.op<4x4, f64>)
// CHECK-DAG: %[[B:.*]] = linop.kron %{{.*}}, %[[H4]] : (!linop.op<8x8, f64>, !linop.op<4x4, f64>)
// CHECK: linop.compose %[[A]], %[[B]] :
func.func @hadamard32() -> !linop.op<32x32, f64> {
  %0 = linop.hadamard norm = full : !linop.op<32x32, f64>
  return %0 : !linop.op<32x32, f64>
}

// CHECK-LABEL: func.func @hadamard256
// CHECK-COUNT-2: linop.hadamard norm = sqrt : !linop.op<16x16, f64>
// CHECK: linop.compose %{{[^,]*}}, %{{[^,]*}} : (!linop.op<256x256, f64>, !linop.op<256x256, f64>)
func.func @hadamard256() -> !linop.op<256x256, f64> {
  %0 = linop.hadamard norm = sqrt : !linop.op<256x256, f64>
  return %0 : !linop.op<256x256, f64>
}

// CHECK-LABEL: func.func @trig_leaves
// CHECK-NEXT: linop.dct II norm = sqrt : !linop.op<8x8, f64>
// CHECK-NEXT: linop.dct IV : !linop.op<16x16, f64>
// CHECK-NEXT: linop.dst III : !linop.op<8x8, f64>
// CHECK-NEXT: linop.dst II norm = sqrt : !linop.op<16x16, f64>
// CHECK-NEXT: linop.hartley : !linop.op<16x16, f64>
// CHECK-NEXT: return
func.func @trig_leaves() -> (!linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) {
  %0 = linop.dct II norm = sqrt : !linop.op<8x8, f64>
  %1 = linop.dct IV : !linop.op<16x16, f64>
  %2 = linop.dst III : !linop.op<8x8, f64>
  %3 = linop.dst II norm = sqrt : !linop.op<16x16, f64>
  %4 = linop.hartley : !linop.op<16x16, f64>
  return %0, %1, %2, %3, %4 : !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>
}

// DCT/DST of complex element type through DFT_2N: the input is spread to
// [x; +-Jx] (kron(I_N, [1; +-1]) then a perm), transformed, truncated to N
// rows (kron([1 0], I_N)) and twiddled.
// CHECK-LABEL: func.func @dct2
// CHECK-DAG: %[[SPREAD:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<64x64, f64>, !linop.op<2x1, f64>) -> !linop.op<128x64, f64>
// CHECK-DAG: %[[TRUNC:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<1x2, f64>, !linop.op<64x64, f64>) -> !linop.op<64x128, f64>
// CHECK-DAG: %[[W:.*]] = linop.diag %{{.*}} : (tensor<64xcomplex<f64>>)
// CHECK-DAG: %[[P:.*]] = linop.perm [0, 2, 4, {{.*}}, 5, 3, 1] : !linop.op<128x128, f64>
// CHECK: linop.compose %[[W]], %[[TRUNC]], {{.*}}, %[[P]], %[[SPREAD]] :
func.func @dct2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct II norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// Type III is the transpose of type II.
// CHECK-LABEL: func.func @dct3
// CHECK-DAG: %[[GATHER:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<64x64, f64>, !linop.op<1x2, f64>) -> !linop.op<64x128, f64>
// CHECK-DAG: %[[PAD:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<2x1, f64>, !linop.op<64x64, f64>) -> !linop.op<128x64, f64>
// CHECK: linop.compose %[[GATHER]], {{.*}}, %[[PAD]], %{{[^,]*}} :
func.func @dct3() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct III norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// CHECK-LABEL: func.func @dct4
// CHECK: linop.diag %{{.*}} : (tensor<128xcomplex<f64>>)
// CHECK: linop.compose
func.func @dct4() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct IV : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// CHECK-LABEL: func.func @dst2
// CHECK: linop.perm [1, 2, 3, {{.*}}, 127, 0] : !linop.op<128x128, f64>
// CHECK: linop.compose
func.func @dst2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst II : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// CHECK-LABEL: func.func @dst3
// CHECK: linop.compose
func.func @dst3() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst III norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// CHECK-LABEL: func.func @dst4
// CHECK: linop.compose
func.func @dst4() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst IV norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// Hartley: F_N (a x + b x(-k)), with [x; x(-k)] spread, weighted, added.
// CHECK-LABEL: func.func @hartley64
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}} : (!linop.op<1x2, f64>, !linop.op<64x64, f64>) -> !linop.op<64x128, f64>
// CHECK-DAG: linop.diag %{{.*}} : (tensor<128xcomplex<f64>>)
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}} : (!linop.op<64x64, f64>, !linop.op<2x1, f64>) -> !linop.op<128x64, f64>
// CHECK: linop.compose
func.func @hartley64() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.hartley norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// F32 (x) H4 = (F32 (x) I4)(I32 (x) H4), and F32 decomposes in place:
// I (x) (A B ...) (x) I = (I (x) A (x) I)(I (x) B (x) I)...
// CHECK-LABEL: func.func @kron_dft_hadamard
// CHECK-DAG: %[[S1:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<16x16, complex<f64>>, !linop.op<8x8, complex<f64>>)
// CHECK-DAG: %[[T:.*]] = linop.diag %{{.*}} : (tensor<128xcomplex<f64>>)
// CHECK-DAG: %[[S2:.*]] = linop.kron %{{.*}}, %{{.*}}, %{{.*}} : (!linop.op<16x16, complex<f64>>, !linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>)
// CHECK-DAG: %[[P:.*]] = linop.perm [{{.*}}] : !linop.op<128x128, complex<f64>>
// CHECK-DAG: %[[S3:.*]] = linop.kron %{{.*}}, %{{.*}} : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>)
// CHECK: linop.compose %[[S1]], %[[T]], %[[S2]], %[[P]], %[[S3]] :
func.func @kron_dft_hadamard() -> !linop.op<128x128, complex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %0 = linop.kron %F, %H : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>) -> !linop.op<128x128, complex<f64>>
  return %0 : !linop.op<128x128, complex<f64>>
}

// Each stage keeps its own field: the real Hadamard stages stay real.
// CHECK-LABEL: func.func @kron_hadamard_dft
// CHECK: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} : (!linop.op<192x192, f64>, !linop.op<192x192, f64>, !linop.op<192x192, complex<f64>>)
func.func @kron_hadamard_dft() -> !linop.op<192x192, complex<f64>> {
  %H = linop.hadamard norm = sqrt : !linop.op<64x64, f64>
  %F = linop.dft : !linop.op<3x3, complex<f64>>
  %0 = linop.kron %H, %F : (!linop.op<64x64, f64>, !linop.op<3x3, complex<f64>>) -> !linop.op<192x192, complex<f64>>
  return %0 : !linop.op<192x192, complex<f64>>
}

// A scale of a decomposed operator wraps one (complex) factor.
// CHECK-LABEL: func.func @scaled
// CHECK: %[[S:.*]] = linop.scale %{{.*}} by (0.000000e+00, 2.000000e+00)
// CHECK: linop.compose %[[S]],
func.func @scaled() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft : !linop.op<64x64, complex<f64>>
  %0 = linop.scale %F by (0.0, 2.0) : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// The adjoint of the DFT is the inverse DFT, then decomposed.
// CHECK-LABEL: func.func @adjoint
// CHECK-NOT: linop.adjoint
// CHECK: linop.dft inverse norm = sqrt : !linop.op<16x16
// CHECK: linop.compose
func.func @adjoint() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft norm = sqrt : !linop.op<64x64, complex<f64>>
  %0 = linop.adjoint %F : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}

// Nested products flatten into one compose at the apply.
// CHECK-LABEL: func.func @circular
// CHECK: %[[C:.*]] = linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} :
// CHECK: linop.apply %[[C]]
func.func @circular(%h: tensor<32xcomplex<f64>>, %x: tensor<3x32xcomplex<f64>>) -> tensor<3x32xcomplex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %G = linop.dft inverse norm = full : !linop.op<32x32, complex<f64>>
  %D = linop.diag %h : (tensor<32xcomplex<f64>>) -> !linop.op<32x32, complex<f64>>
  %C = linop.compose %G, %D, %F : (!linop.op<32x32, complex<f64>>, !linop.op<32x32, complex<f64>>, !linop.op<32x32, complex<f64>>) -> !linop.op<32x32, complex<f64>>
  %y = linop.apply %C, %x : (!linop.op<32x32, complex<f64>>, tensor<3x32xcomplex<f64>>) -> tensor<3x32xcomplex<f64>>
  return %y : tensor<3x32xcomplex<f64>>
}

// Two butterfly blocks become two single-block butterflies; the input
// permutation stays with block 0, which applies first.
// CHECK-LABEL: func.func @butterfly_blocks
// CHECK-DAG: %[[B1:.*]] = linop.butterfly %{{.*}} : (tensor<1x2x2x2x2xf64>)
// CHECK-DAG: %[[B0:.*]] = linop.butterfly %{{.*}} {input_perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x2x2x2xf64>)
// CHECK: linop.compose %[[B1]], %[[B0]] :
func.func @butterfly_blocks() -> !linop.op<4x4, f64> {
  %tw = arith.constant dense<[[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], [[[9.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]], [[[[8.0, 9.0], [1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]]], [[[7.0, 8.0], [9.0, 1.0]], [[2.0, 3.0], [4.0, 5.0]]]]]> : tensor<2x2x2x2x2xf64>
  %0 = linop.butterfly %tw {input_perm = array<i64: 0, 2, 1, 3>} : (tensor<2x2x2x2x2xf64>) -> !linop.op<4x4, f64>
  return %0 : !linop.op<4x4, f64>
}

// Family operators pass through untouched.
// CHECK-LABEL: func.func @family
// CHECK-NEXT: linop.conv causal
// CHECK-NEXT: linop.dense
// CHECK-NEXT: return
func.func @family(%k: tensor<4x3xf64>, %w: tensor<2x8x8xf64>) -> (!linop.op<[4] 32x32, f64>, !linop.op<[2] 8x8, f64>) {
  %0 = linop.conv causal %k : (tensor<4x3xf64>) -> !linop.op<[4] 32x32, f64>
  %1 = linop.dense %w : (tensor<2x8x8xf64>) -> !linop.op<[2] 8x8, f64>
  return %0, %1 : !linop.op<[4] 32x32, f64>, !linop.op<[2] 8x8, f64>
}

// The inverse real DFT of an odd size: real (iDFT_63) pad diag(1, 2, ...).
// Real transforms: linop-decompose-real.mlir.
// CHECK-LABEL: func.func @irdft_odd
// CHECK-DAG: linop.diag %{{.*}} : (tensor<32xcomplex<f64>>) -> !linop.op<32x32, complex<f64>>
// CHECK-DAG: linop.direct_sum %{{.*}}, %{{.*}} : (!linop.op<31x31, f64>, !linop.op<32x1, f64>) -> !linop.op<63x32, f64>
// CHECK-DAG: linop.real : !linop.op<63x63, complex<f64> -> f64>
// CHECK: linop.compose
func.func @irdft_odd() -> !linop.op<63x32, complex<f64> -> f64> {
  %0 = linop.irdft norm = full : !linop.op<63x32, complex<f64> -> f64>
  return %0 : !linop.op<63x32, complex<f64> -> f64>
}
