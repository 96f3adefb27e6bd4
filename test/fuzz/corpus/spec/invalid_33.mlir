func.func @butterfly_perm(%tw: tensor<1x2x2x2x2xf32>) {
  %0 = linop.butterfly %tw {input_perm = array<i64: 0, 1, 2>} : (tensor<1x2x2x2x2xf32>) -> !linop.op<4x4, f32>
  return
}
