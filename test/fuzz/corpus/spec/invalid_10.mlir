func.func @dct_full() {
  %0 = linop.dct II norm = full : !linop.op<8x8, f32>
  return
}
