func.func @twiddle_divides() {
  %0 = linop.twiddle 4 x 8 : !linop.op<48x48, complex<f32>>
  return
}
