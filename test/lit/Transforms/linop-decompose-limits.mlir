// linop-decompose refuses rows past 2^24 points with a located message,
// instead of running out of memory (a prime needs Bluestein's power of two
// of twice the size; 2^32 and 2^40 would not fit any index vector), and
// warns about scale factors the operator's type cannot hold.
// RUN: linop-opt %s --linop-decompose -split-input-file -verify-diagnostics -o /dev/null

func.func @prime() -> !linop.op<2147483647x2147483647, complex<f32>> {
  // expected-error @+1 {{linop-decompose: 'linop.dft' of 2147483647x2147483647 is larger than the 2^24 = 16777216 points per row that the planner supports so far}}
  %F = linop.dft : !linop.op<2147483647x2147483647, complex<f32>>
  return %F : !linop.op<2147483647x2147483647, complex<f32>>
}

// -----

func.func @pow2_40() -> !linop.op<1099511627776x1099511627776, complex<f32>> {
  // expected-error @+1 {{is larger than the 2^24 = 16777216 points per row}}
  %F = linop.dft : !linop.op<1099511627776x1099511627776, complex<f32>>
  return %F : !linop.op<1099511627776x1099511627776, complex<f32>>
}

// -----

func.func @hadamard_2_25() -> !linop.op<33554432x33554432, f32> {
  // expected-error @+1 {{'linop.hadamard' of 33554432x33554432 is larger than}}
  %H = linop.hadamard : !linop.op<33554432x33554432, f32>
  return %H : !linop.op<33554432x33554432, f32>
}

// -----

// A scale outside the normal range of the operator's type is compiled,
// with a warning: the kernel's results would be 0, infinite or denormal.
func.func @tiny_scale() -> !linop.op<8x8, complex<f32>> {
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  // expected-warning @+1 {{the factor 1.000000e-50 is outside the normal range of 'f32' (1.175494e-38 to 3.402823e+38): the kernel's results will be 0, infinite or denormal}}
  %S = linop.scale %F by 1.0e-50 : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %S : !linop.op<8x8, complex<f32>>
}

// -----

func.func @huge_scale_f16() -> !linop.op<8x8, f16> {
  %H = linop.hadamard : !linop.op<8x8, f16>
  // expected-warning @+1 {{the factor 1.000000e+05 is outside the normal range of 'f16'}}
  %S = linop.scale %H by 1.0e5 : (!linop.op<8x8, f16>) -> !linop.op<8x8, f16>
  return %S : !linop.op<8x8, f16>
}
