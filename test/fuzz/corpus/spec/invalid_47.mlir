func.func @toeplitz_length(%t: tensor<6xf32>) {
  %0 = linop.toeplitz %t : (tensor<6xf32>) -> !linop.op<4x4, f32>
  return
}
