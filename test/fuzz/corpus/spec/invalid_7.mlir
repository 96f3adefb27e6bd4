func.func @rdft_size() {
  %0 = linop.rdft : !linop.op<8x8, f32 -> complex<f32>>
  return
}
