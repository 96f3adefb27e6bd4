func.func @dense_shape(%w: tensor<4x4xf32>) {
  %0 = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x8, f32>
  return
}
