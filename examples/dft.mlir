// A batched complex DFT of size 1024, unitary scaling: the fast-transform
// family. `?` is the batch: the compiled kernel takes any number of rows.
//
//   linop-run examples/dft.mlir --target=cpu --random --batch 64 --check
//
// computes y[b, k] = 1/sqrt(1024) * sum_j x[b, j] exp(-2 pi i j k / 1024),
// numpy's fft(x, norm="ortho").
func.func @dft1024(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft norm = sqrt : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
