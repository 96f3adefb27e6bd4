// linop-decompose at single and half precision: twiddles are computed in
// float64 and rounded once to the element type, so the result matches the
// float64 reference to about the type's precision.
// RUN: linop-opt %s --linop-decompose=radix-choice=largest | FileCheck %s
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose,linop-simplify tolerance=1e-6" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-6: remark: equivalent after 'linop-decompose,linop-simplify'
// EQ-NOT: {{error:}}

// CHECK-LABEL: func.func @dft64
// CHECK: linop.dft : !linop.op<16x16, complex<f32>>
// CHECK: linop.twiddle 16 x 4 : !linop.op<64x64, complex<f32>>
// CHECK: linop.compose {{.*}} -> !linop.op<64x64, complex<f32>>
func.func @dft64(%x: tensor<5x64xcomplex<f32>>) -> tensor<5x64xcomplex<f32>> {
  %F = linop.dft : !linop.op<64x64, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<64x64, complex<f32>>, tensor<5x64xcomplex<f32>>) -> tensor<5x64xcomplex<f32>>
  return %y : tensor<5x64xcomplex<f32>>
}

// CHECK-LABEL: func.func @dft97
// CHECK: linop.direct_sum {{.*}} -> !linop.op<256x97, f32>
func.func @dft97() -> !linop.op<97x97, complex<f32>> {
  %F = linop.dft inverse norm = full : !linop.op<97x97, complex<f32>>
  return %F : !linop.op<97x97, complex<f32>>
}

// CHECK-LABEL: func.func @dct2
// CHECK: linop.dft : !linop.op<16x16, complex<f32>>
func.func @dct2() -> !linop.op<32x32, complex<f32>> {
  %F = linop.dct II norm = sqrt : !linop.op<32x32, complex<f32>>
  return %F : !linop.op<32x32, complex<f32>>
}

// CHECK-LABEL: func.func @hadamard_f16
// CHECK-DAG: linop.hadamard norm = sqrt : !linop.op<8x8, f16>
// CHECK-DAG: linop.hadamard norm = sqrt : !linop.op<16x16, f16>
func.func @hadamard_f16() -> !linop.op<128x128, f16> {
  %H = linop.hadamard norm = sqrt : !linop.op<128x128, f16>
  return %H : !linop.op<128x128, f16>
}

// CHECK-LABEL: func.func @hadamard_bf16
func.func @hadamard_bf16() -> !linop.op<64x64, bf16> {
  %H = linop.hadamard : !linop.op<64x64, bf16>
  return %H : !linop.op<64x64, bf16>
}

// A scale of a half-precision Hadamard folds into nothing (no diagonal):
// it wraps one stage.
// CHECK-LABEL: func.func @scaled_f16
// CHECK: linop.scale %{{.*}} by 5.000000e-01 : (!linop.op<32x32, f16>)
func.func @scaled_f16() -> !linop.op<32x32, f16> {
  %H = linop.hadamard : !linop.op<32x32, f16>
  %S = linop.scale %H by 0.5 : (!linop.op<32x32, f16>) -> !linop.op<32x32, f16>
  return %S : !linop.op<32x32, f16>
}
