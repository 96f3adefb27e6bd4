func.func @tiny_scale() -> !linop.op<8x8, complex<f32>> {
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %S = linop.scale %F by 1.0e-50 : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %S : !linop.op<8x8, complex<f32>>
}
