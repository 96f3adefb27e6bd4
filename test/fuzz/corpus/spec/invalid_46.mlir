func.func @scale_complex_on_real() {
  %a = linop.identity : !linop.op<4x4, f32>
  %0 = linop.scale %a by (0.0, 1.0) : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return
}
