// linop-check-constants: a constant past the largest finite value of the
// operator's element type, or a nonzero one below its smallest normal
// value, gets a warning at the op; the module is unchanged. linopc runs it
// first and still compiles.
// RUN: linop-opt %s --linop-check-constants --verify-diagnostics | FileCheck %s
// RUN: linopc %s --target=cpu --emit=kernel 2>&1 | FileCheck %s --check-prefix=LINOPC

// CHECK-LABEL: func.func @tiny_scale
// CHECK: linop.scale %{{.*}} by 1.000000e-50
// LINOPC: warning: the constant 1e-50 underflows f32 (its smallest normal value is 1.17549e-38): the kernel computes with a subnormal or zero
// LINOPC: linop_kernel.kernel @linop_k_tiny_scale
func.func @tiny_scale(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  // expected-warning @+1 {{the constant 1e-50 underflows f32 (its smallest normal value is 1.17549e-38): the kernel computes with a subnormal or zero}}
  %S = linop.scale %H by 1.0e-50 : (!linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %S, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @huge_imaginary(%x: tensor<?x4xcomplex<f32>>) -> tensor<?x4xcomplex<f32>> {
  %F = linop.dft : !linop.op<4x4, complex<f32>>
  // expected-warning @+1 {{the constant 1e+39 overflows f32 (its largest finite value is 3.40282e+38): the kernel computes with infinity}}
  %S = linop.scale %F by (1.0, 1.0e39) : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32>>
  %y = linop.apply %S, %x : (!linop.op<4x4, complex<f32>>, tensor<?x4xcomplex<f32>>) -> tensor<?x4xcomplex<f32>>
  return %y : tensor<?x4xcomplex<f32>>
}

// f16's range is much narrower: 70000 overflows it, 1e-5 is subnormal.
func.func @f16_weights(%x: tensor<?x4xf16>) -> tensor<?x4xf16> {
  %d = arith.constant dense<[1.0, 7.0e4, 1.0e-5, 2.0]> : tensor<4xf16>
  // expected-warning @+1 {{2 of its 4 constant values are out of range; the first: the constant inf overflows f16}}
  %D = linop.diag %d : (tensor<4xf16>) -> !linop.op<4x4, f16>
  %y = linop.apply %D, %x : (!linop.op<4x4, f16>, tensor<?x4xf16>) -> tensor<?x4xf16>
  return %y : tensor<?x4xf16>
}

// In range, and f64: no warning.
func.func @fine(%x: tensor<?x4xf64>) -> tensor<?x4xf64> {
  %d = arith.constant dense<[1.0e-300, 1.0e300, 0.0, -2.0]> : tensor<4xf64>
  %D = linop.diag %d : (tensor<4xf64>) -> !linop.op<4x4, f64>
  %S = linop.scale %D by 1.0e-200 : (!linop.op<4x4, f64>) -> !linop.op<4x4, f64>
  %y = linop.apply %S, %x : (!linop.op<4x4, f64>, tensor<?x4xf64>) -> tensor<?x4xf64>
  return %y : tensor<?x4xf64>
}
