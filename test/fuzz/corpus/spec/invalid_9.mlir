func.func @irdft_size() {
  %0 = linop.irdft : !linop.op<8x4, complex<f32> -> f32>
  return
}
