func.func @transform_family() {
  %0 = linop.hartley : !linop.op<[2] 4x4, f32>
  return
}
