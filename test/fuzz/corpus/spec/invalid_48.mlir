func.func @conv_full_size(%k: tensor<3xf32>) {
  %0 = linop.conv full %k : (tensor<3xf32>) -> !linop.op<8x8, f32>
  return
}
