func.func @prime() -> !linop.op<2147483647x2147483647, complex<f32>> {
  %F = linop.dft : !linop.op<2147483647x2147483647, complex<f32>>
  return %F : !linop.op<2147483647x2147483647, complex<f32>>
}
