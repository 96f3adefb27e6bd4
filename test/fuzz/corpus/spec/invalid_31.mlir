func.func @butterfly_twiddles(%tw: tensor<1x2x4x2x2xf32>) {
  %0 = linop.butterfly %tw : (tensor<1x2x4x2x2xf32>) -> !linop.op<8x8, f32>
  return
}
