func.func @hadamard8(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %F = linop.hadamard : !linop.op<8x8, f32>
  %y = linop.apply %F, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
