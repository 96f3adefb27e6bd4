func.func @recurrence_state(%q: tensor<2x8x4x16xf32>) {
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16xf32>)
  return
}
