// A gated long convolution, as in Hyena and M2: the convolution family.
// u, pre, post: [B, C, L]; k: [C, L] (one kernel per channel, as long as
// the sequence). y = post * causal_conv(pre * u, k). The families [B, C]
// (gates) and [C] (kernels) broadcast; a compiler fuses the three factors.
func.func @gated_conv(%u: tensor<4x64x1024xf32>, %pre: tensor<4x64x1024xf32>,
                      %post: tensor<4x64x1024xf32>, %k: tensor<64x1024xf32>) -> tensor<4x64x1024xf32> {
  %Pre = linop.diag %pre : (tensor<4x64x1024xf32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %Post = linop.diag %post : (tensor<4x64x1024xf32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %K = linop.conv causal %k : (tensor<64x1024xf32>) -> !linop.op<[64] 1024x1024, f32>
  %G = linop.compose %Post, %K, %Pre : (!linop.op<[4, 64] 1024x1024, f32>, !linop.op<[64] 1024x1024, f32>, !linop.op<[4, 64] 1024x1024, f32>) -> !linop.op<[4, 64] 1024x1024, f32>
  %y = linop.apply %G, %u : (!linop.op<[4, 64] 1024x1024, f32>, tensor<4x64x1024xf32>) -> tensor<4x64x1024xf32>
  return %y : tensor<4x64x1024xf32>
}

// A Toeplitz matrix product: T[i, j] = t[i - j + 255].
func.func @toeplitz(%x: tensor<?x256xf32>, %t: tensor<511xf32>) -> tensor<?x256xf32> {
  %T = linop.toeplitz %t : (tensor<511xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %T, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// A causal low-pass filter with constant taps (a 16-tap windowed sinc, unit
// gain at DC). Constant weights compile today, on both targets:
//   linopc examples/conv.mlir --func=lowpass -o out
// (the two functions above do not compile yet: @gated_conv has a static
// batch and its gates as families of diagonals, @toeplitz run-time Toeplitz
// weights. With a dynamic batch, gates as elementwise products and the
// kernels as an argument, the gated form compiles, the kernels' spectra
// through an entry point of their own: test/numerics/specs/families.mlir,
// @hyena and @gated_channel_conv).
func.func @lowpass(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %k = arith.constant dense<[-0.001296, -0.005406, -0.012387, -0.010745, 0.020421, 0.090370, 0.178421, 0.240624, 0.240624, 0.178421, 0.090370, 0.020421, -0.010745, -0.012387, -0.005406, -0.001296]> : tensor<16xf32>
  %K = linop.conv causal %k : (tensor<16xf32>) -> !linop.op<1024x1024, f32>
  %y = linop.apply %K, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
