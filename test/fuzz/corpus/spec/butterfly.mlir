func.func @butterfly256(%x: tensor<?x256xf32>, %tw: tensor<2x8x128x2x2xf32>) -> tensor<?x256xf32> {
  %B = linop.butterfly %tw : (tensor<2x8x128x2x2xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %B, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
func.func @monarch256(%x: tensor<?x256xf32>, %l: tensor<16x16x16xf32>, %r: tensor<16x16x16xf32>) -> tensor<?x256xf32> {
  %M = linop.monarch %l, %r : (tensor<16x16x16xf32>, tensor<16x16x16xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %M, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
