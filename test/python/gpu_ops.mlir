// The spec behind test/python/test_cuda.py: compiled here for both targets
// by scripts/gpu-bundle.sh, loaded there with linop.load.
func.func @dft1024(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
func.func @hadamard_bf16(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %H = linop.hadamard norm = sqrt : !linop.op<4096x4096, bf16>
  %y = linop.apply %H, %x : (!linop.op<4096x4096, bf16>, tensor<?x4096xbf16>) -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
func.func @gate(%x: tensor<?x256xf32>, %w: tensor<256xf32>) -> tensor<?x256xf32> {
  %D = linop.diag %w : (tensor<256xf32>) -> !linop.op<256x256, f32>
  %y = linop.apply %D, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
func.func @retention(%q: tensor<?x100x2x32xbf16>, %k: tensor<?x100x2x32xbf16>, %v: tensor<?x100x2x32xbf16>,
                     %g: tensor<?x100x2xf32>) -> (tensor<?x100x2x32xbf16>, tensor<?x2x32x32xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive
      : (tensor<?x100x2x32xbf16>, tensor<?x100x2x32xbf16>, tensor<?x100x2x32xbf16>, tensor<?x100x2xf32>)
      -> (tensor<?x100x2x32xbf16>, tensor<?x2x32x32xf32>)
  return %o, %s : tensor<?x100x2x32xbf16>, tensor<?x2x32x32xf32>
}
