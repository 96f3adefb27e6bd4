func.func @apply_family(%x: tensor<2x5x8xf32>, %d: tensor<4x8xf32>) {
  %a = linop.diag %d : (tensor<4x8xf32>) -> !linop.op<[4] 8x8, f32>
  %0 = linop.apply %a, %x : (!linop.op<[4] 8x8, f32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return
}
