// linop-decompose and linop-simplify at the largest sizes the dense
// reference evaluator handles (it multiplies N x N matrices per factor:
// about 15 s of one core here, hence one trial).
// RUN: linop-opt %s --linop-decompose=radix-choice=largest | FileCheck %s
// RUN: linop-opt %s --linop-decompose=radix-choice=largest --linop-simplify | FileCheck %s --check-prefix=SIMP
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose,linop-simplify trials=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-3: remark: equivalent after 'linop-decompose,linop-simplify'
// EQ-NOT: {{error:}}

// 1024 = 16 x 64, 64 = 16 x 4: stages F16 (x) I64, I16 (x) F16 (x) I4,
// I256 (x) F4, two twiddle diagonals, and the permutations at the input,
// which merge into one.
// CHECK-LABEL: func.func @dft1024
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}} : (!linop.op<16x16, complex<f64>>, !linop.op<64x64, complex<f64>>)
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}}, %{{.*}} : (!linop.op<16x16, complex<f64>>, !linop.op<16x16, complex<f64>>, !linop.op<4x4, complex<f64>>)
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}} : (!linop.op<256x256, complex<f64>>, !linop.op<4x4, complex<f64>>)
// CHECK-DAG: linop.perm stride 16 : !linop.op<1024x1024, complex<f64>>
// CHECK: linop.compose
// SIMP-LABEL: func.func @dft1024
// SIMP-COUNT-1: linop.perm
// SIMP-NOT: linop.perm
// SIMP: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} : (!linop.op<1024x1024
func.func @dft1024() -> !linop.op<1024x1024, complex<f64>> {
  %F = linop.dft inverse norm = sqrt : !linop.op<1024x1024, complex<f64>>
  return %F : !linop.op<1024x1024, complex<f64>>
}

// 1000 = 8 x 125, 125 = 5 x 25, 25 = 5 x 5.
// CHECK-LABEL: func.func @dft1000
// CHECK-DAG: linop.dft : !linop.op<8x8, complex<f64>>
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}}, %{{.*}} : (!linop.op<40x40, complex<f64>>, !linop.op<5x5, complex<f64>>, !linop.op<5x5, complex<f64>>)
// CHECK-DAG: linop.kron %{{.*}}, %{{.*}} : (!linop.op<200x200, complex<f64>>, !linop.op<5x5, complex<f64>>)
// CHECK: linop.compose
func.func @dft1000() -> !linop.op<1000x1000, complex<f64>> {
  %F = linop.dft : !linop.op<1000x1000, complex<f64>>
  return %F : !linop.op<1000x1000, complex<f64>>
}

// CHECK-LABEL: func.func @hadamard1024
// CHECK-COUNT-3: linop.hadamard norm = sqrt
// CHECK: linop.compose %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} : (!linop.op<1024x1024, f32>
func.func @hadamard1024() -> !linop.op<1024x1024, f32> {
  %H = linop.hadamard norm = sqrt : !linop.op<1024x1024, f32>
  return %H : !linop.op<1024x1024, f32>
}
