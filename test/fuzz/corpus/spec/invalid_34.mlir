func.func @monarch_sizes(%l: tensor<4x2x2xf32>, %r: tensor<2x4x4xf32>) {
  %0 = linop.monarch %l, %r : (tensor<4x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<16x16, f32>
  return
}
