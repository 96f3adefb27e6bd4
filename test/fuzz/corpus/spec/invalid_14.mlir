func.func @perm_repeat() {
  %0 = linop.perm [0, 0, 1] : !linop.op<3x3, f32>
  return
}
