func.func @apply_size(%x: tensor<2x7xf32>) {
  %a = linop.identity : !linop.op<8x8, f32>
  %0 = linop.apply %a, %x : (!linop.op<8x8, f32>, tensor<2x7xf32>) -> tensor<2x7xf32>
  return
}
