// f16 and bf16 storage with f32 arithmetic: run-time weights in the same
// storage format as the data (test/numerics/transforms.sh, group narrow).
func.func @butterfly_bf16(%x: tensor<?x256xbf16>, %tw: tensor<2x8x128x2x2xbf16>) -> tensor<?x256xbf16> {
  %B = linop.butterfly %tw : (tensor<2x8x128x2x2xbf16>) -> !linop.op<256x256, bf16>
  %y = linop.apply %B, %x : (!linop.op<256x256, bf16>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}
func.func @monarch_f16(%x: tensor<?x256xf16>, %l: tensor<16x16x16xf16>, %r: tensor<16x16x16xf16>) -> tensor<?x256xf16> {
  %M = linop.monarch %l, %r : (tensor<16x16x16xf16>, tensor<16x16x16xf16>) -> !linop.op<256x256, f16>
  %y = linop.apply %M, %x : (!linop.op<256x256, f16>, tensor<?x256xf16>) -> tensor<?x256xf16>
  return %y : tensor<?x256xf16>
}
