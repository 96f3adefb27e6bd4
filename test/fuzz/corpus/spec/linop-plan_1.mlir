func.func @dft8(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %I2 = linop.identity : !linop.op<2x2, complex<f32>>
  %I4 = linop.identity : !linop.op<4x4, complex<f32>>
  %F2 = linop.dft : !linop.op<2x2, complex<f32>>
  %F4 = linop.dft : !linop.op<4x4, complex<f32>>
  %t = arith.constant dense<[(1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0), (0.70710678118654757, -0.70710678118654757), (0.0, -1.0), (-0.70710678118654757, -0.70710678118654757)]> : tensor<8xcomplex<f32>>
  %T = linop.diag %t : (tensor<8xcomplex<f32>>) -> !linop.op<8x8, complex<f32>>
  %A = linop.kron %F2, %I4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %B = linop.kron %I2, %F4 : (!linop.op<2x2, complex<f32>>, !linop.op<4x4, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %L = linop.perm stride 2 : !linop.op<8x8, complex<f32>>
  %D = linop.compose %A, %T, %B, %L : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %D, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}
