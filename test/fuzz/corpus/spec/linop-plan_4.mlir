func.func @static_batch(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
