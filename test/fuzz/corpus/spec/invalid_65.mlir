func.func @split_size() {
  %0 = linop.rfft_split : !linop.op<4x4, complex<f32>>
  return
}
