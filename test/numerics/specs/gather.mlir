func.func @ph(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %H = linop.hadamard : !linop.op<256x256, f32>
  %P = linop.perm bitrev : !linop.op<256x256, f32>
  %C = linop.compose %H, %P : (!linop.op<256x256, f32>, !linop.op<256x256, f32>) -> !linop.op<256x256, f32>
  %y = linop.apply %C, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
func.func @pc(%x: tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>> {
  %F = linop.perm stride 16 : !linop.op<4096x4096, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, complex<f32>>, tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>>
  return %y : tensor<?x4096xcomplex<f32>>
}
func.func @d2(%x: tensor<?x2048xcomplex<f32>>) -> tensor<?x2048xcomplex<f32>> {
  %F = linop.dft : !linop.op<2048x2048, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<2048x2048, complex<f32>>, tensor<?x2048xcomplex<f32>>) -> tensor<?x2048xcomplex<f32>>
  return %y : tensor<?x2048xcomplex<f32>>
}
