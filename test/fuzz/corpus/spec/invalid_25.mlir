func.func @twiddle_real() {
  %0 = linop.twiddle 2 x 2 : !linop.op<8x8, f32>
  return
}
