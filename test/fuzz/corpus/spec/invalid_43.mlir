func.func @family_broadcast(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) {
  %A = linop.diag %a : (tensor<3x4xf32>) -> !linop.op<[3] 4x4, f32>
  %B = linop.diag %b : (tensor<2x4xf32>) -> !linop.op<[2] 4x4, f32>
  %0 = linop.compose %A, %B : (!linop.op<[3] 4x4, f32>, !linop.op<[2] 4x4, f32>) -> !linop.op<[3] 4x4, f32>
  return
}
