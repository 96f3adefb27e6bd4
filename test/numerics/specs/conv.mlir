func.func @fftconv(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %h = arith.constant dense<[(1.0, 0.0), (0.5, -1.0), (2.0, 0.25), (-1.0, 0.5), (0.25, 1.5), (1.5, -0.5), (-0.5, 1.0), (2.0, 0.75), (1.0, 0.0)]> : tensor<9xcomplex<f32>>
  %F = linop.rdft : !linop.op<9x16, f32 -> complex<f32>>
  %D = linop.diag %h : (tensor<9xcomplex<f32>>) -> !linop.op<9x9, complex<f32>>
  %G = linop.irdft norm = full : !linop.op<16x9, complex<f32> -> f32>
  %C = linop.compose %G, %D, %F : (!linop.op<16x9, complex<f32> -> f32>, !linop.op<9x9, complex<f32>>, !linop.op<9x16, f32 -> complex<f32>>) -> !linop.op<16x16, f32>
  %y = linop.apply %C, %x : (!linop.op<16x16, f32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
