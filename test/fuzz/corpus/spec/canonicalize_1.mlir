func.func @digitrev_merge() -> !linop.op<16x16, complex<f32>> {
  %P = linop.perm stride 4 : !linop.op<16x16, complex<f32>>
  %Q = linop.perm [0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15] : !linop.op<16x16, complex<f32>>
  %0 = linop.compose %Q, %P : (!linop.op<16x16, complex<f32>>, !linop.op<16x16, complex<f32>>) -> !linop.op<16x16, complex<f32>>
  return %0 : !linop.op<16x16, complex<f32>>
}
func.func @twiddle_adjoint() -> !linop.op<64x64, complex<f32>> {
  %T = linop.twiddle 4 x 8 : !linop.op<64x64, complex<f32>>
  %A = linop.adjoint %T : (!linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  %U = linop.twiddle 4 x 8 inverse : !linop.op<64x64, complex<f32>>
  %B = linop.transpose %U : (!linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  %0 = linop.compose %A, %B : (!linop.op<64x64, complex<f32>>, !linop.op<64x64, complex<f32>>) -> !linop.op<64x64, complex<f32>>
  return %0 : !linop.op<64x64, complex<f32>>
}
func.func @transpose_compose(%a: tensor<4x6xf32>, %b: tensor<6x4xf32>) -> !linop.op<4x4, f32> {
  %A = linop.dense %a : (tensor<4x6xf32>) -> !linop.op<4x6, f32>
  %B = linop.dense %b : (tensor<6x4xf32>) -> !linop.op<6x4, f32>
  %C = linop.compose %A, %B : (!linop.op<4x6, f32>, !linop.op<6x4, f32>) -> !linop.op<4x4, f32>
  %T = linop.transpose %C : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %T : !linop.op<4x4, f32>
}
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
func.func @adjoint_kron(%w: tensor<2x3xcomplex<f32>>) -> !linop.op<12x8, complex<f32>> {
  %F = linop.dft : !linop.op<4x4, complex<f32>>
  %W = linop.dense %w : (tensor<2x3xcomplex<f32>>) -> !linop.op<2x3, complex<f32>>
  %K = linop.kron %F, %W : (!linop.op<4x4, complex<f32>>, !linop.op<2x3, complex<f32>>) -> !linop.op<8x12, complex<f32>>
  %A = linop.adjoint %K : (!linop.op<8x12, complex<f32>>) -> !linop.op<12x8, complex<f32>>
  return %A : !linop.op<12x8, complex<f32>>
}
