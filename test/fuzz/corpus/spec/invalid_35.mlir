func.func @monarch_left(%l: tensor<2x2x2xf32>, %r: tensor<2x4x4xf32>) {
  %0 = linop.monarch %l, %r : (tensor<2x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<8x8, f32>
  return
}
