func.func @dense_dynamic(%w: tensor<?x4xf32>) {
  %0 = linop.dense %w : (tensor<?x4xf32>) -> !linop.op<4x4, f32>
  return
}
