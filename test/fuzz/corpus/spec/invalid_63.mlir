func.func @pack_size() {
  %0 = linop.pack : !linop.op<8x8, f32 -> complex<f32>>
  return
}
