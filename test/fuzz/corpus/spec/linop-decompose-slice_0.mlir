func.func @butterfly_arg(%tw: tensor<3x2x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>> {
  %B = linop.butterfly %tw {decreasing} : (tensor<3x2x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>>
  return %B : !linop.op<[3] 8x8, complex<f32>>
}
