func.func @gated_conv(%u: tensor<4x64x1024xf32>, %pre: tensor<4x64x1024xf32>,
                      %post: tensor<4x64x1024xf32>, %k: tensor<64x1024xf32>) -> tensor<4x64x1024xf32> {
  %Pre = linop.diag %pre : (tensor<4x64x1024xf32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %Post = linop.diag %post : (tensor<4x64x1024xf32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %K = linop.conv causal %k : (tensor<64x1024xf32>) -> !linop.op<[64] 1024x1024, f32>
  %G = linop.compose %Post, %K, %Pre : (!linop.op<[4, 64] 1024x1024, f32>, !linop.op<[64] 1024x1024, f32>, !linop.op<[4, 64] 1024x1024, f32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %y = linop.apply %G, %u : (!linop.op<[4, 64] 1024x1024, f32>, tensor<4x64x1024xf32>) -> tensor<4x64x1024xf32>
  return %y : tensor<4x64x1024xf32>
}
func.func @toeplitz(%x: tensor<?x256xf32>, %t: tensor<511xf32>) -> tensor<?x256xf32> {
  %T = linop.toeplitz %t : (tensor<511xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %T, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
