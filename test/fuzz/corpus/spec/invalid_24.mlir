func.func @twiddle_overflow() {
  %0 = linop.twiddle 4 x 4611686018427387904 : !linop.op<64x64, complex<f32>>
  return
}
