func.func @simple_gla(%q: tensor<2x256x4x64xbf16>, %k: tensor<2x256x4x64xbf16>, %v: tensor<2x256x4x64xbf16>,
                      %g: tensor<2x256x4xf32>) -> (tensor<2x256x4x64xbf16>, tensor<2x4x64x64xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive {chunk_size = 64 : i64}
      : (tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>, tensor<2x256x4xf32>)
      -> (tensor<2x256x4x64xbf16>, tensor<2x4x64x64xf32>)
  return %o, %s : tensor<2x256x4x64xbf16>, tensor<2x4x64x64xf32>
}
func.func @gla(%q: tensor<1x128x2x16xf32>, %k: tensor<1x128x2x16xf32>, %v: tensor<1x128x2x32xf32>,
               %g: tensor<1x128x2x16xf32>, %h0: tensor<1x2x16x32xf32>) -> (tensor<1x128x2x32xf32>, tensor<1x2x16x32xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive init(%h0)
      : (tensor<1x128x2x16xf32>, tensor<1x128x2x16xf32>, tensor<1x128x2x32xf32>, tensor<1x128x2x16xf32>, tensor<1x2x16x32xf32>)
      -> (tensor<1x128x2x32xf32>, tensor<1x2x16x32xf32>)
  return %o, %s : tensor<1x128x2x32xf32>, tensor<1x2x16x32xf32>
}
func.func @gated_delta(%q: tensor<1x64x2x16xf32>, %k: tensor<1x64x2x16xf32>, %v: tensor<1x64x2x16xf32>,
                       %g: tensor<1x64x2xf32>, %beta: tensor<1x64x2xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x16x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = delta(%beta)
      : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2xf32>, tensor<1x64x2xf32>)
      -> (tensor<1x64x2x16xf32>, tensor<1x2x16x16xf32>)
  return %o, %s : tensor<1x64x2x16xf32>, tensor<1x2x16x16xf32>
}
