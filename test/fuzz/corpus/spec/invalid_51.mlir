func.func @apply_result(%x: tensor<2x8xf32>) {
  %a = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  %0 = linop.apply %a, %x : (!linop.op<5x8, f32 -> complex<f32>>, tensor<2x8xf32>) -> tensor<2x8xcomplex<f32>>
  return
}
