func.func @perms_cancel(%a: tensor<16x16xf64>) -> !linop.op<16x16, f64> {
  %P = linop.perm stride 4 : !linop.op<16x16, f64>
  %A = linop.dense %a : (tensor<16x16xf64>) -> !linop.op<16x16, f64>
  %0 = linop.compose %A, %P, %P : (!linop.op<16x16, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) -> !linop.op<16x16, f64>
  return %0 : !linop.op<16x16, f64>
}
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
func.func @unit_diag_identity(%a: tensor<4x4xf64>) -> !linop.op<4x4, f64> {
  %one = arith.constant dense<1.0> : tensor<4xf64>
  %A = linop.dense %a : (tensor<4x4xf64>) -> !linop.op<4x4, f64>
  %D = linop.diag %one : (tensor<4xf64>) -> !linop.op<4x4, f64>
  %I = linop.identity : !linop.op<4x4, f64>
  %0 = linop.compose %A, %I, %D : (!linop.op<4x4, f64>, !linop.op<4x4, f64>, !linop.op<4x4, f64>) -> !linop.op<4x4, f64>
  return %0 : !linop.op<4x4, f64>
}
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
func.func @commute(%a: tensor<4x4xf64>) -> !linop.op<16x16, f64> {
  %P = linop.perm stride 4 : !linop.op<16x16, f64>
  %A = linop.dense %a : (tensor<4x4xf64>) -> !linop.op<4x4, f64>
  %I = linop.identity : !linop.op<4x4, f64>
  %K = linop.kron %A, %I : (!linop.op<4x4, f64>, !linop.op<4x4, f64>) -> !linop.op<16x16, f64>
  %0 = linop.compose %P, %K, %P : (!linop.op<16x16, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) -> !linop.op<16x16, f64>
  return %0 : !linop.op<16x16, f64>
}
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
func.func @kron_perm() -> !linop.op<8x8, complex<f64>> {
  %P = linop.perm stride 2 : !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %0 = linop.kron %I, %P : (!linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %0 : !linop.op<8x8, complex<f64>>
}
func.func @family(%w: tensor<2x8xf64>) -> !linop.op<[2] 8x8, f64> {
  %D = linop.diag %w : (tensor<2x8xf64>) -> !linop.op<[2] 8x8, f64>
  %P = linop.perm stride 2 : !linop.op<8x8, f64>
  %0 = linop.compose %P, %D, %P : (!linop.op<8x8, f64>, !linop.op<[2] 8x8, f64>, !linop.op<8x8, f64>) -> !linop.op<[2] 8x8, f64>
  return %0 : !linop.op<[2] 8x8, f64>
}
func.func @dft512() -> !linop.op<512x512, complex<f64>> {
  %0 = linop.dft : !linop.op<512x512, complex<f64>>
  return %0 : !linop.op<512x512, complex<f64>>
}
func.func @dct2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct II norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @kron_dft_hadamard() -> !linop.op<128x128, complex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %0 = linop.kron %F, %H : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>) -> !linop.op<128x128, complex<f64>>
  return %0 : !linop.op<128x128, complex<f64>>
}
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
