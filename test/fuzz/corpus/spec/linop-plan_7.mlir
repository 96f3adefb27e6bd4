func.func @runtime_block(%x: tensor<?x5xf32>, %w: tensor<3x1xf32>) -> tensor<?x7xf32> {
  %I4 = linop.identity : !linop.op<4x4, f32>
  %W = linop.dense %w : (tensor<3x1xf32>) -> !linop.op<3x1, f32>
  %S = linop.direct_sum %I4, %W : (!linop.op<4x4, f32>, !linop.op<3x1, f32>) -> !linop.op<7x5, f32>
  %y = linop.apply %S, %x : (!linop.op<7x5, f32>, tensor<?x5xf32>) -> tensor<?x7xf32>
  return %y : tensor<?x7xf32>
}
