func.func @dft64() -> !linop.op<64x64, complex<f32>> {
  %F = linop.dft : !linop.op<64x64, complex<f32>>
  return %F : !linop.op<64x64, complex<f32>>
}
func.func @dft256() -> !linop.op<256x256, complex<f32>> {
  %F = linop.dft : !linop.op<256x256, complex<f32>>
  return %F : !linop.op<256x256, complex<f32>>
}
func.func @dft6144() -> !linop.op<6144x6144, complex<f32>> {
  %F = linop.dft : !linop.op<6144x6144, complex<f32>>
  return %F : !linop.op<6144x6144, complex<f32>>
}
func.func @dft1001() -> !linop.op<1001x1001, complex<f64>> {
  %F = linop.dft : !linop.op<1001x1001, complex<f64>>
  return %F : !linop.op<1001x1001, complex<f64>>
}
func.func @dft97() -> !linop.op<97x97, complex<f32>> {
  %F = linop.dft : !linop.op<97x97, complex<f32>>
  return %F : !linop.op<97x97, complex<f32>>
}
