func.func @perm_digitrev_radix() {
  %0 = linop.perm digitrev [8, 1] : !linop.op<8x8, f32>
  return
}
