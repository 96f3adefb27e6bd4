// linop-plan turns an applied operator in factor normal form into a
// target-neutral kernel: a load, one stage per factor, a store.
// RUN: linop-opt %s --linop-plan -split-input-file -verify-diagnostics | FileCheck %s

// I_1 (x) F2 (x) I_4, I_2 (x) F2 (x) I_2, I_4 (x) F2 (x) I_1: three stages
// between ping-pong buffers.
// CHECK-LABEL: linop_kernel.kernel @linop_k_hadamard8 for "hadamard8" : 8 x f32
// CHECK-SAME: attributes {buffers = 2 : i64, flops_per_row = 24 : i64, operands = 2 : i64}
// CHECK-NEXT: linop_kernel.load operand 0 -> 0
// CHECK-NEXT: linop_kernel.stage hadamard 1 x 2 x 4, 0 -> 1
// CHECK-NEXT: linop_kernel.stage hadamard 2 x 2 x 2, 1 -> 0
// CHECK-NEXT: linop_kernel.stage hadamard 4 x 2 x 1, 0 -> 1
// CHECK-NEXT: linop_kernel.store 1 -> operand 1
// CHECK-NOT: func.func @hadamard8
func.func @hadamard8(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %F = linop.hadamard : !linop.op<2x2, f32>
  %H = linop.kron %F, %F, %F : (!linop.op<2x2, f32>, !linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Cooley-Tukey DFT_8 = (DFT_2 (x) I_4) T (I_2 (x) DFT_4) L^8_2: the stride
// permutation becomes the load's index map (the digit reversal of radices
// 2 and 4), the twiddle diagonal merges into the stage after it as the
// Cooley-Tukey formula (no table), and the DFT leaves are FFT codelets.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft8
// CHECK: linop_kernel.load operand 0 -> 0 {perm = #linop_kernel.perm<digit_reversal [2, 4]>}
// CHECK-NEXT: linop_kernel.stage dft 2 x 4 x 1, 0 -> 1
// CHECK-NEXT: linop_kernel.stage dft 1 x 2 x 4, 1 -> 0 {twiddles = #linop_kernel.twiddles<2 x 4>}
// CHECK-NEXT: linop_kernel.store 0 -> operand 1
func.func @dft8(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %I2 = linop.identity : !linop.op<2x2, complex<f32>>
  %I4 = linop.identity : !linop.op<4x4, complex<f32>>
  %F2 = linop.dft : !linop.op<2x2, complex<f32>>
  %F4 = linop.dft : !linop.op<4x4, complex<f32>>
  %t = arith.constant dense<[(1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (0.70710678118654757, -0.70710678118654757), (0.0, -1.0), (-0.70710678118654757, -0.70710678118654757)]> : tensor<8xcomplex<f32>>
  %T = linop.diag %t : (tensor<8xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  %A = linop.kron %F2, %I4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %B = linop.kron %I2, %F4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %L = linop.perm stride 2 : !linop.op<8x8, complex<f32>>
  %D = linop.compose %A, %T, %B, %L : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %D, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}

// -----

// Run-time weights: a BPBP butterfly reads its twiddles (argument #1) in
// each of its 2 x 2 stages; a scale folds into the stage next to it.
// CHECK-LABEL: linop_kernel.kernel @linop_k_bpbp
// CHECK-SAME: operands = 4 : i64
// CHECK: linop_kernel.load
// CHECK-NEXT: linop_kernel.butterfly_stage 0 -> 1 {block = 0 : i64, level = 0 : i64, levels = 2 : i64, operand = 1 : i64, stride = 1 : i64}
// CHECK-NEXT: linop_kernel.butterfly_stage 1 -> 0 {block = 0 : i64, level = 1 : i64, levels = 2 : i64, operand = 1 : i64, stride = 2 : i64}
// CHECK-NEXT: linop_kernel.butterfly_stage 0 -> 1 {block = 1 : i64, level = 0 : i64
// CHECK-NEXT: linop_kernel.butterfly_stage 1 -> 0 {block = 1 : i64, level = 1 : i64
// CHECK-NEXT: linop_kernel.dense_stage 0 -> 1 {blocks = 1 : i64, operand = 2 : i64, r = 4 : i64}
// CHECK-NEXT: linop_kernel.stage hadamard 1 x 4 x 1, 1 -> 0 {scale = 5.000000e-01 : f64}
// CHECK-NEXT: linop_kernel.store 0 -> operand 3
func.func @bpbp(%x: tensor<?x4xf32>, %tw: tensor<2x2x2x2x2xf32>, %w: tensor<4x4xf32>) -> tensor<?x4xf32> {
  %B = linop.butterfly %tw : (tensor<2x2x2x2x2xf32>) -> !linop.op<4x4, f32>
  %W = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %S = linop.scale %H by 0.5 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %A = linop.compose %S, %W, %B : (!linop.op<4x4, f32>, !linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %y = linop.apply %A, %x : (!linop.op<4x4, f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// A diagonal with run-time weights (argument #1) is n dense blocks of 1 x 1:
// the complex weights multiply each element.
// CHECK-LABEL: linop_kernel.kernel @linop_k_runtime_diag
// CHECK: linop_kernel.load
// CHECK-NEXT: linop_kernel.dense_stage 0 -> 1 {blocks = 8 : i64, complex_weights, operand = 1 : i64, r = 1 : i64}
// CHECK-NEXT: linop_kernel.store 1 -> operand 2
func.func @runtime_diag(%x: tensor<?x8xcomplex<f32>>, %w: tensor<8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %D = linop.diag %w : (tensor<8xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %D, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}

// -----

// A transform too large for a codelet must be decomposed first: an error,
// never a slow or wrong kernel.
func.func @big(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  // expected-error @+1 {{linop-plan: 'linop.dft' of this size must be decomposed first (run linop-decompose)}}
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}

// -----

// expected-error @+1 {{linop-plan: @static_batch: kernels take a function argument of type tensor<?xNxT> or tensor<?xCx...xNxT> (a batch of rows) so far}}
func.func @static_batch(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Zero padding and truncation, as in Bluestein's algorithm: each direct sum
// of identities and constant blocks is one embed stage. Copies merge, and
// zero rows and columns around a constant block split off (the padding
// [1; 0; 0; 0] is a copy and a fill, the truncation's zero columns are
// dropped). The tile buffers hold the longest vector (8); the load and store
// carry the rows' own lengths.
// CHECK-LABEL: linop_kernel.kernel @linop_k_pad_trunc for "pad_trunc" : 8 x complex<f32>
// CHECK: linop_kernel.load operand 0 -> 0 {n = 5 : i64}
// CHECK-NEXT: linop_kernel.embed 0 -> 1 {blocks = [unit, dense<> : tensor<3x0xcomplex<f64>>], cols = array<i64: 5, 0>, n_in = 5 : i64, n_out = 8 : i64, rows = array<i64: 5, 3>}
// CHECK-NEXT: linop_kernel.stage dft 1 x 8 x 1, 1 -> 0
// CHECK-NEXT: linop_kernel.embed 0 -> 1 {blocks = [unit, dense<{{\[\[}}(2.000000e+00,0.000000e+00), (0.000000e+00,0.000000e+00), (5.000000e-01,0.000000e+00)]]> : tensor<1x3xcomplex<f64>>, dense<> : tensor<0x3xcomplex<f64>>], cols = array<i64: 2, 3, 3>, n_in = 8 : i64, n_out = 3 : i64, rows = array<i64: 2, 1, 0>}
// CHECK-NEXT: linop_kernel.store 1 -> operand 1 {n = 3 : i64}
func.func @pad_trunc(%x: tensor<?x5xcomplex<f32>>) -> tensor<?x3xcomplex<f32>> {
  %I4 = linop.identity : !linop.op<4x4, f32>
  %e0 = arith.constant dense<[[1.0], [0.0], [0.0], [0.0]]> : tensor<4x1xf32>
  %E0 = linop.dense %e0 : (tensor<4x1xf32>) -> !linop.op<4x1, f32>
  %P = linop.direct_sum %I4, %E0 : (!linop.op<4x4, f32>, !linop.op<4x1, f32>) -> !linop.op<8x5, f32>
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %I2 = linop.identity : !linop.op<2x2, f32>
  %t = arith.constant dense<[[2.0, 0.0, 0.5, 0.0, 0.0, 0.0]]> : tensor<1x6xf32>
  %T0 = linop.dense %t : (tensor<1x6xf32>) -> !linop.op<1x6, f32>
  %T = linop.direct_sum %I2, %T0 : (!linop.op<2x2, f32>, !linop.op<1x6, f32>) -> !linop.op<3x8, f32>
  %A = linop.compose %T, %F, %P : (!linop.op<3x8, f32>, !linop.op<8x8, complex<f32>>, !linop.op<8x5, f32>) -> !linop.op<3x5, complex<f32>>
  %y = linop.apply %A, %x : (!linop.op<3x5, complex<f32>>, tensor<?x5xcomplex<f32>>) -> tensor<?x3xcomplex<f32>>
  return %y : tensor<?x3xcomplex<f32>>
}

// -----

// A rectangular constant is an embedding of one block.
// CHECK-LABEL: linop_kernel.kernel @linop_k_rect_dense for "rect_dense" : 3 x f64
// CHECK: linop_kernel.load operand 0 -> 0 {n = 2 : i64}
// CHECK-NEXT: linop_kernel.embed 0 -> 1 {blocks = [dense<{{.*}}> : tensor<3x2xcomplex<f64>>], cols = array<i64: 2>, n_in = 2 : i64, n_out = 3 : i64, rows = array<i64: 3>}
// CHECK-NEXT: linop_kernel.store 1 -> operand 1
func.func @rect_dense(%x: tensor<?x2xf64>) -> tensor<?x3xf64> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf64>
  %W = linop.dense %w : (tensor<3x2xf64>) -> !linop.op<3x2, f64>
  %y = linop.apply %W, %x : (!linop.op<3x2, f64>, tensor<?x2xf64>) -> tensor<?x3xf64>
  return %y : tensor<?x3xf64>
}

// -----

// Blocks with run-time weights are not constants: a clear error.
func.func @runtime_block(%x: tensor<?x5xf32>, %w: tensor<3x1xf32>) -> tensor<?x7xf32> {
  %I4 = linop.identity : !linop.op<4x4, f32>
  %W = linop.dense %w : (tensor<3x1xf32>) -> !linop.op<3x1, f32>
  // expected-error @+1 {{linop-plan: a 3x1 block with run-time weights in a direct sum or rectangular operator is not supported yet (identities and constants are)}}
  %S = linop.direct_sum %I4, %W : (!linop.op<4x4, f32>, !linop.op<3x1, f32>) -> !linop.op<7x5, f32>
  %y = linop.apply %S, %x : (!linop.op<7x5, f32>, tensor<?x5xf32>) -> tensor<?x7xf32>
  return %y : tensor<?x7xf32>
}

// -----

// A rectangular Kronecker factor is a codelet up to 64 on a side.
func.func @rect_kron(%x: tensor<?x80xf32>) -> tensor<?x3xf32> {
  %v = arith.constant dense<1.0> : tensor<3x80xf32>
  // expected-error @+1 {{linop-plan: a Kronecker factor of size 3x80 is not a codelet (at most 64): run linop-decompose first}}
  %W = linop.dense %v : (tensor<3x80xf32>) -> !linop.op<3x80, f32>
  %J = linop.identity : !linop.op<1x1, f32>
  %K = linop.kron %J, %W : (!linop.op<1x1, f32>, !linop.op<3x80, f32>) -> !linop.op<3x80, f32>
  %y = linop.apply %K, %x : (!linop.op<3x80, f32>, tensor<?x80xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// A Toeplitz matrix with run-time weights: linop-decompose leaves it (its
// spectrum is not a constant), and the planner says why it stops.
func.func @toeplitz_runtime(%x: tensor<?x256xf32>, %t: tensor<511xf32>) -> tensor<?x256xf32> {
  // expected-error @+1 {{linop-plan: 'linop.toeplitz' with run-time weights is not supported here: weights given as an arith.constant compile, and so does a function's one conv, toeplitz or circulant whose weights are an argument used by nothing else (it gets a prepare entry point for their spectrum, linop-split-prepare)}}
  %T = linop.toeplitz %t : (tensor<511xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %T, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}


// -----

// f16 and bf16 have no complex type for a convolution's spectrum.
func.func @conv_f16(%x: tensor<?x10xf16>) -> tensor<?x10xf16> {
  %k = arith.constant dense<[0.5, -1.25, 2.0]> : tensor<3xf16>
  // expected-error @+1 {{linop-plan: 'linop.conv' on f16 or bf16 data is not supported yet: its spectrum would need complex<f16>, which the dialect does not have (f32, f64 and their complex types compile)}}
  %K = linop.conv causal %k : (tensor<3xf16>) -> !linop.op<10x10, f16>
  %y = linop.apply %K, %x : (!linop.op<10x10, f16>, tensor<?x10xf16>) -> tensor<?x10xf16>
  return %y : tensor<?x10xf16>
}

// -----

// A family of diagonals with run-time weights, one per channel of
// [batch, 2, 3, n] data: the innermost channel dimension picks the member
// (row b takes member b mod 3).
// CHECK-LABEL: linop_kernel.kernel @linop_k_channels
// CHECK: linop_kernel.load
// CHECK: linop_kernel.dense_stage 0 -> 1 {blocks = 8 : i64, members = 3 : i64, operand = 1 : i64, r = 1 : i64}
// CHECK: linop_kernel.store
func.func @channels(%x: tensor<?x2x3x8xf32>, %w: tensor<3x8xf32>) -> tensor<?x2x3x8xf32> {
  %D = linop.diag %w : (tensor<3x8xf32>) -> !linop.op<[3] 8x8, f32>
  %y = linop.apply %D, %x : (!linop.op<[3] 8x8, f32>, tensor<?x2x3x8xf32>) -> tensor<?x2x3x8xf32>
  return %y : tensor<?x2x3x8xf32>
}

// -----

// A family must be the innermost channels of the data.
func.func @wrong_channels(%x: tensor<?x3x2x8xf32>, %w: tensor<3x1x8xf32>) -> tensor<?x3x2x8xf32> {
  // expected-error @+1 {{linop-plan: a family operator [3, 1] needs data whose dimensions between the batch and the row end in [3, 1] (one member per channel), not [3, 2]; broadcasting inside a family is not supported yet}}
  %D = linop.diag %w : (tensor<3x1x8xf32>) -> !linop.op<[3, 1] 8x8, f32>
  %y = linop.apply %D, %x : (!linop.op<[3, 1] 8x8, f32>, tensor<?x3x2x8xf32>) -> tensor<?x3x2x8xf32>
  return %y : tensor<?x3x2x8xf32>
}

// -----

// Families of other operators, and of constant diagonals, are refused by
// name.
func.func @dense_family(%x: tensor<?x2x4xf32>, %w: tensor<2x4x4xf32>) -> tensor<?x2x4xf32> {
  // expected-error @+1 {{linop-plan: a family of 'linop.dense' operators (one per channel) is not supported by the planner yet; families of diagonals with run-time weights are}}
  %D = linop.dense %w : (tensor<2x4x4xf32>) -> !linop.op<[2] 4x4, f32>
  %y = linop.apply %D, %x : (!linop.op<[2] 4x4, f32>, tensor<?x2x4xf32>) -> tensor<?x2x4xf32>
  return %y : tensor<?x2x4xf32>
}

// -----

func.func @constant_family(%x: tensor<?x2x4xf32>) -> tensor<?x2x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  // expected-error @+1 {{linop-plan: a family of diagonals with constant weights is not supported by the planner yet: pass the weights as a function argument}}
  %D = linop.diag %w : (tensor<2x4xf32>) -> !linop.op<[2] 4x4, f32>
  %y = linop.apply %D, %x : (!linop.op<[2] 4x4, f32>, tensor<?x2x4xf32>) -> tensor<?x2x4xf32>
  return %y : tensor<?x2x4xf32>
}

// -----

// Gates that are data: elementwise products with batched arguments before
// and after the operator become diagonals whose weights are the gate's row.
// CHECK-LABEL: linop_kernel.kernel @linop_k_gated
// CHECK-NEXT: linop_kernel.load operand 0 -> 0
// CHECK-NEXT: linop_kernel.dense_stage 0 -> 1 {batched, blocks = 8 : i64, operand = 1 : i64, r = 1 : i64}
// CHECK-NEXT: linop_kernel.stage hadamard 1 x 8 x 1, 1 -> 0
// CHECK-NEXT: linop_kernel.dense_stage 0 -> 1 {batched, blocks = 8 : i64, operand = 2 : i64, r = 1 : i64}
// CHECK-NEXT: linop_kernel.store 1 -> operand 3
func.func @gated(%x: tensor<?x8xf32>, %pre: tensor<?x8xf32>, %post: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %g = arith.mulf %x, %pre : tensor<?x8xf32>
  %v = linop.apply %H, %g : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = arith.mulf %post, %v : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A gate must be a batched argument of the data's type (here: the result
// itself).
// expected-error @+1 {{linop-plan: @gate_constant: a gate (an elementwise product with the data) must be a function argument of the data's type}}
func.func @gate_constant(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %v = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = arith.mulf %v, %v : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
