func.func @perm_syntax() {
  %0 = linop.perm reversed : !linop.op<6x6, f32>
  return
}
