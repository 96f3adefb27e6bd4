// linop-split-prepare gives a convolution whose kernel is a function
// argument an entry point for the kernel's spectrum: @f_prepare (rows of
// kernels, zero-padded to the circulant size, rdft norm = full) and @f
// taking the spectra, with the convolution theorem's factors around a
// diagonal of them. End to end against numpy: test/python/test_linop.py;
// the kernels: test/numerics/specs/families.mlir (@hyena).
// RUN: linop-opt %s --linop-split-prepare -split-input-file -verify-diagnostics | FileCheck %s

// One kernel of 64 taps per channel over 64 samples: a circulant of 128,
// half spectra of 65.
// CHECK-LABEL: func.func @hyena_prepare(%arg0: tensor<?x64xf32>) -> tensor<?x65xcomplex<f32>>
// CHECK: linop.rdft norm = full : !linop.op<65x128, f32 -> complex<f32>>
// CHECK: linop.direct_sum {{.*}} -> !linop.op<128x64, f32>
// CHECK: linop.apply {{.*}} -> tensor<?x65xcomplex<f32>>
// CHECK-LABEL: func.func @hyena(%arg0: tensor<?x3x64xf32>, %arg1: tensor<3x65xcomplex<f32>>) -> tensor<?x3x64xf32>
// CHECK: linop.diag %arg1 : (tensor<3x65xcomplex<f32>>) -> !linop.op<[3] 65x65, complex<f32>>
// CHECK: linop.compose {{.*}} -> !linop.op<[3] 64x64, f32>
// CHECK-NOT: linop.conv
func.func @hyena(%u: tensor<?x3x64xf32>, %k: tensor<3x64xf32>) -> tensor<?x3x64xf32> {
  %K = linop.conv causal %k : (tensor<3x64xf32>) -> !linop.op<[3] 64x64, f32>
  %y = linop.apply %K, %u : (!linop.op<[3] 64x64, f32>, tensor<?x3x64xf32>) -> tensor<?x3x64xf32>
  return %y : tensor<?x3x64xf32>
}

// -----

// A complex circulant: the full spectrum, through a DFT of its own size.
// CHECK-LABEL: func.func @circ_prepare(%arg0: tensor<?x48xcomplex<f32>>) -> tensor<?x48xcomplex<f32>>
// CHECK: linop.dft norm = full : !linop.op<48x48, complex<f32>>
// CHECK-LABEL: func.func @circ(%arg0: tensor<?x48xcomplex<f32>>, %arg1: tensor<48xcomplex<f32>>)
// CHECK: linop.diag %arg1
func.func @circ(%x: tensor<?x48xcomplex<f32>>, %c: tensor<48xcomplex<f32>>) -> tensor<?x48xcomplex<f32>> {
  %K = linop.circulant %c : (tensor<48xcomplex<f32>>) -> !linop.op<48x48, complex<f32>>
  %y = linop.apply %K, %x : (!linop.op<48x48, complex<f32>>, tensor<?x48xcomplex<f32>>) -> tensor<?x48xcomplex<f32>>
  return %y : tensor<?x48xcomplex<f32>>
}

// -----

// A rectangular Toeplitz matrix (T[i, j] = t[i - j + N - 1], 6 x 4, 9
// weights) in a circulant of 16: its first column is t[3 .. 8] at the top
// and t[0 .. 2] at the bottom, the weights rotated by N - 1 and padded in
// the middle.
// CHECK-LABEL: func.func @rel_prepare(%arg0: tensor<?x9xf32>) -> tensor<?x9xcomplex<f32>>
// CHECK: linop.direct_sum {{.*}} -> !linop.op<16x9, f32>
// CHECK: linop.perm [3, 4, 5, 6, 7, 8, 0, 1, 2]
// CHECK-LABEL: func.func @rel(%arg0: tensor<?x4xf32>, %arg1: tensor<9xcomplex<f32>>) -> tensor<?x6xf32>
func.func @rel(%x: tensor<?x4xf32>, %t: tensor<9xf32>) -> tensor<?x6xf32> {
  %T = linop.toeplitz %t : (tensor<9xf32>) -> !linop.op<6x4, f32>
  %y = linop.apply %T, %x : (!linop.op<6x4, f32>, tensor<?x4xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}

// -----

// Left alone: a function whose several operators take run-time weights
// (a kernel two convolutions share among them), and a constant kernel
// (linop-decompose's). The planner says what it cannot do.
// CHECK-LABEL: func.func @left
// CHECK: linop.toeplitz %arg1
// CHECK: linop.conv causal %arg2
// CHECK: linop.conv causal %arg2
// CHECK: linop.conv causal %cst
// CHECK-NOT: _prepare
func.func @left(%x: tensor<?x8xf32>, %t: tensor<15xf32>, %k: tensor<3xf32>) -> tensor<?x8xf32> {
  %T = linop.toeplitz %t : (tensor<15xf32>) -> !linop.op<8x8, f32>
  %K = linop.conv causal %k : (tensor<3xf32>) -> !linop.op<8x8, f32>
  %L = linop.conv causal %k : (tensor<3xf32>) -> !linop.op<8x8, f32>
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %M = linop.conv causal %c : (tensor<2xf32>) -> !linop.op<8x8, f32>
  %C = linop.compose %T, %K, %L, %M : (!linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %C, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// The prepare entry point's name must be free.
func.func @taken_prepare(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  return %x : tensor<?x8xf32>
}
// expected-error @+1 {{linop-split-prepare: @taken needs an entry point @taken_prepare for its convolution kernel's spectrum, and the spec already has a symbol of that name}}
func.func @taken(%x: tensor<?x8xf32>, %k: tensor<3xf32>) -> tensor<?x8xf32> {
  %K = linop.conv causal %k : (tensor<3xf32>) -> !linop.op<8x8, f32>
  %y = linop.apply %K, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
