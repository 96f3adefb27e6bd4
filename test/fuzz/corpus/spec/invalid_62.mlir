func.func @pack_odd() {
  %0 = linop.pack : !linop.op<3x7, f32 -> complex<f32>>
  return
}
