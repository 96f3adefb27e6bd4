func.func @split_real() {
  %0 = linop.rfft_split : !linop.op<5x4, f32>
  return
}
