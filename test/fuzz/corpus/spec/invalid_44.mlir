func.func @transpose_type() {
  %a = linop.identity : !linop.op<4x4, f32>
  %0 = linop.transpose %a : (!linop.op<4x4, f32>) -> !linop.op<4x4, f64>
  return
}
