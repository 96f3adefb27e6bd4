func.func @promote_complex() {
  %0 = linop.promote : !linop.op<8x8, complex<f32>>
  return
}
