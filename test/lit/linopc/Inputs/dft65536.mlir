// A DFT whose row fits the chip, which split-rows.test compiles for a CPU
// with 256 KiB of L2: the whole kernel, and two passes beside it for
// batches with fewer rows than threads.
func.func @dft(%x: tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>> {
  %F = linop.dft : !linop.op<65536x65536, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, complex<f32>>, tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>>
  return %y : tensor<?x65536xcomplex<f32>>
}
