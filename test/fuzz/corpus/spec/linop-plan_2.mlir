func.func @bpbp(%x: tensor<?x4xf32>, %tw: tensor<2x2x2x2x2xf32>, %w: tensor<4x4xf32>) -> tensor<?x4xf32> {
  %B = linop.butterfly %tw : (tensor<2x2x2x2x2xf32>) -> !linop.op<4x4, f32>
  %W = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %S = linop.scale %H by 0.5 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %A = linop.compose %S, %W, %B : (!linop.op<4x4, f32>, !linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %y = linop.apply %A, %x : (!linop.op<4x4, f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
