func.func @recurrence_shapes(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x8xf32>, %v: tensor<2x8x4x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x8xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}
