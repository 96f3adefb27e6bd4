func.func @apply_dtype(%x: tensor<2x8xf64>) {
  %a = linop.identity : !linop.op<8x8, f32>
  %0 = linop.apply %a, %x : (!linop.op<8x8, f32>, tensor<2x8xf64>) -> tensor<2x8xf64>
  return
}
