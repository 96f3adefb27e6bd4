// Operators scaled by zero: every codelet product folds away, and each
// output must still be written (as 0), on every target.
func.func @dft_zero(%x: tensor<?x2xcomplex<f32>>) -> tensor<?x2xcomplex<f32>> {
  %F = linop.dft : !linop.op<2x2, complex<f32>>
  %S = linop.scale %F by 0.0 : (!linop.op<2x2, complex<f32>>) -> !linop.op<2x2, complex<f32>>
  %y = linop.apply %S, %x : (!linop.op<2x2, complex<f32>>, tensor<?x2xcomplex<f32>>) -> tensor<?x2xcomplex<f32>>
  return %y : tensor<?x2xcomplex<f32>>
}

func.func @hadamard_zero(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %H = linop.hadamard : !linop.op<64x64, f32>
  %S = linop.scale %H by -0.0 : (!linop.op<64x64, f32>) -> !linop.op<64x64, f32>
  %y = linop.apply %S, %x : (!linop.op<64x64, f32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @perm_zero(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %P = linop.perm stride 2 : !linop.op<8x8, complex<f32>>
  %S = linop.scale %P by (0.0, 0.0) : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %S, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}

func.func @dft1024_zero(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %S = linop.scale %F by 0.0 : (!linop.op<1024x1024, complex<f32>>) -> !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %S, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
