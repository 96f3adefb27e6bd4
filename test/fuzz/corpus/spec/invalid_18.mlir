func.func @perm_bitrev() {
  %0 = linop.perm bitrev : !linop.op<6x6, f32>
  return
}
