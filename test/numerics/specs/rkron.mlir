func.func @rkron(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]]> : tensor<3x2xf32>
  %W = linop.dense %w : (tensor<3x2xf32>) -> !linop.op<3x2, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %A = linop.kron %W, %H : (!linop.op<3x2, f32>, !linop.op<4x4, f32>) -> !linop.op<12x8, f32>
  %v = arith.constant dense<[[2.0, 0.0, -1.0], [0.5, 1.0, 1.5]]> : tensor<2x3xf32>
  %V = linop.dense %v : (tensor<2x3xf32>) -> !linop.op<2x3, f32>
  %I = linop.identity : !linop.op<4x4, f32>
  %B = linop.kron %I, %V : (!linop.op<4x4, f32>, !linop.op<2x3, f32>) -> !linop.op<8x12, f32>
  %C = linop.compose %B, %A : (!linop.op<8x12, f32>, !linop.op<12x8, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %C, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
