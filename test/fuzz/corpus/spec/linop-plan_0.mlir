func.func @hadamard8(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %F = linop.hadamard : !linop.op<2x2, f32>
  %H = linop.kron %F, %F, %F : (!linop.op<2x2, f32>, !linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
