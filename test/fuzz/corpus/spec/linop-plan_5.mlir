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
