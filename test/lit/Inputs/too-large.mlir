// A Kronecker product of a 128- and a 256-point DFT: its dense matrix has
// 2^30 complex entries, past what the reference evaluator materializes.
func.func @kron32k(%x: tensor<?x32768xcomplex<f32>>) -> tensor<?x32768xcomplex<f32>> {
  %A = linop.dft : !linop.op<128x128, complex<f32>>
  %B = linop.dft : !linop.op<256x256, complex<f32>>
  %K = linop.kron %A, %B : (!linop.op<128x128, complex<f32>>, !linop.op<256x256, complex<f32>>) -> !linop.op<32768x32768, complex<f32>>
  %y = linop.apply %K, %x : (!linop.op<32768x32768, complex<f32>>, tensor<?x32768xcomplex<f32>>) -> tensor<?x32768xcomplex<f32>>
  return %y : tensor<?x32768xcomplex<f32>>
}
