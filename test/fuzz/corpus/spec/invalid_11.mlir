func.func @dct_type() {
  %0 = linop.dct V : !linop.op<8x8, f32>
  return
}
