func.func @dct_hadamard(%x: tensor<?x2048xf32>) -> tensor<?x2048xf32> {
  %C = linop.dct II norm = sqrt : !linop.op<32x32, f32>
  %H = linop.hadamard norm = sqrt : !linop.op<64x64, f32>
  %K = linop.kron %C, %H : (!linop.op<32x32, f32>, !linop.op<64x64, f32>) -> !linop.op<2048x2048, f32>
  %y = linop.apply %K, %x : (!linop.op<2048x2048, f32>, tensor<?x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
func.func @kron3(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<[[1.0, 0.5, 0.0, 0.0], [0.0, 1.0, 0.5, 0.0], [0.0, 0.0, 1.0, 0.5], [0.5, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>
  %A = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %K = linop.kron %A, %A, %A : (!linop.op<4x4, f32>, !linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<64x64, f32>
  %y = linop.apply %K, %x : (!linop.op<64x64, f32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
