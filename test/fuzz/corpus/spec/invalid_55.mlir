func.func @recurrence_vector_gate(%q: tensor<2x8x4x16xf32>, %g: tensor<2x8x4xf32>) {
  %o, %s = linop.recurrence %q, %q, %q gate = vector(%g) update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}
