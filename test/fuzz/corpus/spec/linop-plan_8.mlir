func.func @rect_kron(%x: tensor<?x80xf32>) -> tensor<?x3xf32> {
  %v = arith.constant dense<1.0> : tensor<3x80xf32>
  %W = linop.dense %v : (tensor<3x80xf32>) -> !linop.op<3x80, f32>
  %J = linop.identity : !linop.op<1x1, f32>
  %K = linop.kron %J, %W : (!linop.op<1x1, f32>, !linop.op<3x80, f32>) -> !linop.op<3x80, f32>
  %y = linop.apply %K, %x : (!linop.op<3x80, f32>, tensor<?x80xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
