func.func @recurrence_chunk(%q: tensor<2x8x4x16xf32>) {
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive {chunk_size = 0 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}
