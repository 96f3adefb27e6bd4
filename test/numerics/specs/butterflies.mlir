// Butterfly variants: decreasing strides with an input permutation,
// complex weights, and constant weights baked into the kernel, at 4, 5 and
// 6 levels.
func.func @decreasing_perm(%x: tensor<?x64xf32>, %tw: tensor<1x6x32x2x2xf32>) -> tensor<?x64xf32> {
  %B = linop.butterfly %tw {decreasing, input_perm = array<i64: 0, 32, 16, 48, 8, 40, 24, 56, 4, 36, 20, 52, 12, 44, 28, 60, 2, 34, 18, 50, 10, 42, 26, 58, 6, 38, 22, 54, 14, 46, 30, 62, 1, 33, 17, 49, 9, 41, 25, 57, 5, 37, 21, 53, 13, 45, 29, 61, 3, 35, 19, 51, 11, 43, 27, 59, 7, 39, 23, 55, 15, 47, 31, 63>} : (tensor<1x6x32x2x2xf32>) -> !linop.op<64x64, f32>
  %y = linop.apply %B, %x : (!linop.op<64x64, f32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @complex_weights(%x: tensor<?x32xcomplex<f32>>, %tw: tensor<2x5x16x2x2xcomplex<f32>>) -> tensor<?x32xcomplex<f32>> {
  %B = linop.butterfly %tw : (tensor<2x5x16x2x2xcomplex<f32>>) -> !linop.op<32x32, complex<f32>>
  %y = linop.apply %B, %x : (!linop.op<32x32, complex<f32>>, tensor<?x32xcomplex<f32>>) -> tensor<?x32xcomplex<f32>>
  return %y : tensor<?x32xcomplex<f32>>
}

func.func @constant_weights(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %tw = arith.constant dense<[[[[[1.0, 0.5], [-0.25, 2.0]], [[0.75, -1.0], [1.5, 0.125]], [[-0.5, 1.0], [1.0, 0.5]], [[2.0, -0.75], [0.25, 1.0]], [[1.0, 1.0], [-1.0, 1.0]], [[0.5, 0.25], [0.125, -2.0]], [[1.25, -0.5], [0.5, 0.75]], [[-1.0, 0.5], [2.0, 1.0]]], [[[0.5, 1.0], [1.0, -0.5]], [[1.0, 0.25], [-0.75, 1.5]], [[2.0, 0.5], [0.5, -1.0]], [[-0.25, 1.0], [1.0, 0.5]], [[1.0, -2.0], [0.5, 0.25]], [[0.75, 0.75], [-0.5, 1.0]], [[1.5, 0.5], [0.25, -1.25]], [[1.0, 0.125], [-1.0, 2.0]]], [[[1.0, -0.5], [0.5, 1.0]], [[0.25, 1.0], [1.0, 0.75]], [[-1.0, 2.0], [0.5, 0.5]], [[1.5, 0.25], [-0.25, 1.0]], [[0.5, 1.0], [2.0, -0.5]], [[1.0, 0.5], [0.75, 1.0]], [[-0.5, 0.25], [1.0, 1.5]], [[2.0, 1.0], [-1.0, 0.5]]], [[[0.25, 0.5], [1.0, 1.0]], [[1.0, -1.0], [0.5, 2.0]], [[0.5, 0.75], [-1.5, 1.0]], [[1.0, 1.0], [0.25, -0.5]], [[-2.0, 0.5], [1.0, 0.25]], [[1.0, 0.25], [0.5, 1.0]], [[0.75, -1.0], [1.0, 0.5]], [[1.0, 2.0], [0.5, -0.25]]]]]> : tensor<1x4x8x2x2xf32>
  %B = linop.butterfly %tw : (tensor<1x4x8x2x2xf32>) -> !linop.op<16x16, f32>
  %y = linop.apply %B, %x : (!linop.op<16x16, f32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// Stacked factors past the cost model's unrolling limit (32 steps) compile
// as a loop over blocks: 8 blocks of 6 levels, and 8 of 5 with complex
// weights (the buffers alternate between blocks, so a period is two).
func.func @stacked_even(%x: tensor<?x64xf32>, %tw: tensor<8x6x32x2x2xf32>) -> tensor<?x64xf32> {
  %B = linop.butterfly %tw : (tensor<8x6x32x2x2xf32>) -> !linop.op<64x64, f32>
  %y = linop.apply %B, %x : (!linop.op<64x64, f32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @stacked_odd(%x: tensor<?x32xcomplex<f32>>, %tw: tensor<8x5x16x2x2xcomplex<f32>>) -> tensor<?x32xcomplex<f32>> {
  %B = linop.butterfly %tw : (tensor<8x5x16x2x2xcomplex<f32>>) -> !linop.op<32x32, complex<f32>>
  %y = linop.apply %B, %x : (!linop.op<32x32, complex<f32>>, tensor<?x32xcomplex<f32>>) -> tensor<?x32xcomplex<f32>>
  return %y : tensor<?x32xcomplex<f32>>
}
