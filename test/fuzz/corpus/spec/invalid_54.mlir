func.func @recurrence_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x16xf32>) {
  %o, %s = linop.recurrence %q, %q, %v gate = scalar update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}
