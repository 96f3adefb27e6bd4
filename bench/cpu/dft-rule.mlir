// The DFTs of specs.mlir under the fixed radix rule (linopc
// --radix-choice=largest), so that bench-cpu compares the cost model's
// radix search with the rule in the same run.
func.func @dft256_rule(%x: tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>> {
  %F = linop.dft : !linop.op<256x256, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<256x256, complex<f32>>, tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>>
  return %y : tensor<?x256xcomplex<f32>>
}
func.func @dft1024_rule(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
func.func @dft4096_rule(%x: tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>> {
  %F = linop.dft : !linop.op<4096x4096, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, complex<f32>>, tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>>
  return %y : tensor<?x4096xcomplex<f32>>
}
func.func @dft16384_rule(%x: tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>> {
  %F = linop.dft : !linop.op<16384x16384, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<16384x16384, complex<f32>>, tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>>
  return %y : tensor<?x16384xcomplex<f32>>
}
func.func @dft65536_rule(%x: tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>> {
  %F = linop.dft : !linop.op<65536x65536, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, complex<f32>>, tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>>
  return %y : tensor<?x65536xcomplex<f32>>
}
