func.func @rdft_complex_input() {
  %0 = linop.rdft : !linop.op<5x8, complex<f32>>
  return
}
