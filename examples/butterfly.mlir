// A learned butterfly layer: the structured family. The twiddles are a
// function argument, so the compiled kernel takes them at run time (a layer
// still being trained). Two blocks (BPBP-style), real twiddles, N = 256:
// 2 x 8 stages of 128 2x2 blocks, 4096 parameters instead of 65536.
func.func @butterfly256(%x: tensor<?x256xf32>, %tw: tensor<2x8x128x2x2xf32>) -> tensor<?x256xf32> {
  %B = linop.butterfly %tw : (tensor<2x8x128x2x2xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %B, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// A Monarch matrix with its block-diagonal factors as arguments: b = n = 16.
func.func @monarch256(%x: tensor<?x256xf32>, %l: tensor<16x16x16xf32>, %r: tensor<16x16x16xf32>) -> tensor<?x256xf32> {
  %M = linop.monarch %l, %r : (tensor<16x16x16xf32>, tensor<16x16x16xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %M, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
