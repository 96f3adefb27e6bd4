func.func @rfft4096(%x: tensor<?x4096xf32>) -> tensor<?x2049xcomplex<f32>> {
  %F = linop.rdft : !linop.op<2049x4096, f32 -> complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<2049x4096, f32 -> complex<f32>>, tensor<?x4096xf32>) -> tensor<?x2049xcomplex<f32>>
  return %y : tensor<?x2049xcomplex<f32>>
}
func.func @irfft4096(%X: tensor<?x2049xcomplex<f32>>) -> tensor<?x4096xf32> {
  %G = linop.irdft norm = full : !linop.op<4096x2049, complex<f32> -> f32>
  %y = linop.apply %G, %X : (!linop.op<4096x2049, complex<f32> -> f32>, tensor<?x2049xcomplex<f32>>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @dct_ortho512(%x: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %C = linop.dct II norm = sqrt : !linop.op<512x512, f32>
  %y = linop.apply %C, %x : (!linop.op<512x512, f32>, tensor<?x512xf32>) -> tensor<?x512xf32>
  return %y : tensor<?x512xf32>
}
func.func @fftconv16(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %h = arith.constant dense<[(1.0, 0.0), (0.9619398, 0.0), (0.8535534, 0.0), (0.6913417, 0.0), (0.5, 0.0), (0.3086583, 0.0), (0.1464466, 0.0), (0.0380602, 0.0), (0.0, 0.0)]> : tensor<9xcomplex<f32>>
  %F = linop.rdft : !linop.op<9x16, f32 -> complex<f32>>
  %D = linop.diag %h : (tensor<9xcomplex<f32>>) -> !linop.op<9x9, complex<f32>>
  %G = linop.irdft norm = full : !linop.op<16x9, complex<f32> -> f32>
  %C = linop.compose %G, %D, %F : (!linop.op<16x9, complex<f32> -> f32>, !linop.op<9x9, complex<f32>>, !linop.op<9x16, f32 -> complex<f32>>) -> !linop.op<16x16, f32>
  %y = linop.apply %C, %x : (!linop.op<16x16, f32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
