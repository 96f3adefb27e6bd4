func.func @perm_stride() {
  %0 = linop.perm stride 4 : !linop.op<6x6, f32>
  return
}
