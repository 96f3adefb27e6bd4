func.func @diag_family(%d: tensor<3x8xf32>) {
  %0 = linop.diag %d : (tensor<3x8xf32>) -> !linop.op<8x8, f32>
  return
}
