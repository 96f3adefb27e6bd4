func.func @rect_dense(%x: tensor<?x2xf64>) -> tensor<?x3xf64> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf64>
  %W = linop.dense %w : (tensor<3x2xf64>) -> !linop.op<3x2, f64>
  %y = linop.apply %W, %x : (!linop.op<3x2, f64>, tensor<?x2xf64>) -> tensor<?x3xf64>
  return %y : tensor<?x3xf64>
}
