func.func @perm_range() {
  %0 = linop.perm [0, 3, 1] : !linop.op<3x3, f32>
  return
}
