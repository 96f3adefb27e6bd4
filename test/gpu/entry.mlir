// Specs the entry-point test (entry_points.c) compiles for both targets:
// a complex DFT, a Hadamard transform of f16 data, a Monarch matrix with
// run-time weights.
func.func @dft(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft norm = sqrt : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
func.func @had(%x: tensor<?x4096xf16>) -> tensor<?x4096xf16> {
  %H = linop.hadamard norm = sqrt : !linop.op<4096x4096, f16>
  %y = linop.apply %H, %x : (!linop.op<4096x4096, f16>, tensor<?x4096xf16>) -> tensor<?x4096xf16>
  return %y : tensor<?x4096xf16>
}
func.func @mon(%x: tensor<?x256xf32>, %l: tensor<16x16x16xf32>, %r: tensor<16x16x16xf32>) -> tensor<?x256xf32> {
  %M = linop.monarch %l, %r : (tensor<16x16x16xf32>, tensor<16x16x16xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %M, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
