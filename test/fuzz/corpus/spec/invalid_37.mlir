func.func @compose_field() {
  %a = linop.dft : !linop.op<4x4, complex<f32>>
  %0 = linop.compose %a : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32> -> f32>
  return
}
