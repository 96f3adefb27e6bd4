func.func @perm_digitrev_overflow() {
  %0 = linop.perm digitrev [4294967296, 4294967296, 16] : !linop.op<16x16, f32>
  return
}
