func.func @rect(%x: tensor<?x5xf32>) -> tensor<?x3xf32> {
  %I3 = linop.identity : !linop.op<3x3, f32>
  %p = arith.constant dense<[[1.0, 0.5], [0.0, 2.0], [0.0, 0.0], [-1.0, 0.25], [0.0, 0.0]]> : tensor<5x2xf32>
  %P = linop.dense %p : (tensor<5x2xf32>) -> !linop.op<5x2, f32>
  %E = linop.direct_sum %I3, %P : (!linop.op<3x3, f32>, !linop.op<5x2, f32>) -> !linop.op<8x5, f32>
  %H = linop.hadamard : !linop.op<8x8, f32>
  %t = arith.constant dense<[[1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -0.5], [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0]]> : tensor<3x8xf32>
  %T = linop.dense %t : (tensor<3x8xf32>) -> !linop.op<3x8, f32>
  %A = linop.compose %T, %H, %E : (!linop.op<3x8, f32>, !linop.op<8x8, f32>, !linop.op<8x5, f32>) -> !linop.op<3x5, f32>
  %y = linop.apply %A, %x : (!linop.op<3x5, f32>, tensor<?x5xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
