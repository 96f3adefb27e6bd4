func.func @butterfly_not_pow2(%tw: tensor<1x3x3x2x2xf32>) {
  %0 = linop.butterfly %tw : (tensor<1x3x3x2x2xf32>) -> !linop.op<6x6, f32>
  return
}
