// Values past f32's range: the kernel's output holds infinities.
func.func @overflow(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %H = linop.hadamard : !linop.op<64x64, f32>
  %S = linop.scale %H by 1.0e38 : (!linop.op<64x64, f32>) -> !linop.op<64x64, f32>
  %y = linop.apply %S, %x : (!linop.op<64x64, f32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
