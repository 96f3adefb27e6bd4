func.func @recurrence_delta(%q: tensor<2x8x4x16xf32>) {
  %o, %s = linop.recurrence %q, %q, %q gate = none update = delta
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}
