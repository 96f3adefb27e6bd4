func.func @butterfly_rank(%tw: tensor<3x4x2x2xf32>) {
  %0 = linop.butterfly %tw : (tensor<3x4x2x2xf32>) -> !linop.op<8x8, f32>
  return
}
