func.func @dense_dtype(%w: tensor<4x4xf64>) {
  %0 = linop.dense %w : (tensor<4x4xf64>) -> !linop.op<4x4, f32>
  return
}
