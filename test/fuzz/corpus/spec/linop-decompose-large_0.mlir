func.func @dft1024() -> !linop.op<1024x1024, complex<f64>> {
  %F = linop.dft inverse norm = sqrt : !linop.op<1024x1024, complex<f64>>
  return %F : !linop.op<1024x1024, complex<f64>>
}
func.func @dft1000() -> !linop.op<1000x1000, complex<f64>> {
  %F = linop.dft : !linop.op<1000x1000, complex<f64>>
  return %F : !linop.op<1000x1000, complex<f64>>
}
func.func @hadamard1024() -> !linop.op<1024x1024, f32> {
  %H = linop.hadamard norm = sqrt : !linop.op<1024x1024, f32>
  return %H : !linop.op<1024x1024, f32>
}
