func.func @real_direction() {
  %0 = linop.real : !linop.op<8x8, f32 -> complex<f32>>
  return
}
