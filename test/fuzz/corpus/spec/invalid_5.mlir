func.func @dft_real_codomain() {
  %0 = linop.dft : !linop.op<8x8, f32>
  return
}
