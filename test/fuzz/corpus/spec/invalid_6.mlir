func.func @dft_rectangular() {
  %0 = linop.dft : !linop.op<4x8, complex<f32>>
  return
}
