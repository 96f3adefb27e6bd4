func.func @dft64(%x: tensor<5x64xcomplex<f32>>) -> tensor<5x64xcomplex<f32>> {
  %F = linop.dft : !linop.op<64x64, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<64x64, complex<f32>>, tensor<5x64xcomplex<f32>>) -> tensor<5x64xcomplex<f32>>
  return %y : tensor<5x64xcomplex<f32>>
}
func.func @dft97() -> !linop.op<97x97, complex<f32>> {
  %F = linop.dft inverse norm = full : !linop.op<97x97, complex<f32>>
  return %F : !linop.op<97x97, complex<f32>>
}
func.func @dct2() -> !linop.op<32x32, complex<f32>> {
  %F = linop.dct II norm = sqrt : !linop.op<32x32, complex<f32>>
  return %F : !linop.op<32x32, complex<f32>>
}
func.func @hadamard_f16() -> !linop.op<128x128, f16> {
  %H = linop.hadamard norm = sqrt : !linop.op<128x128, f16>
  return %H : !linop.op<128x128, f16>
}
func.func @hadamard_bf16() -> !linop.op<64x64, bf16> {
  %H = linop.hadamard : !linop.op<64x64, bf16>
  return %H : !linop.op<64x64, bf16>
}
func.func @scaled_f16() -> !linop.op<32x32, f16> {
  %H = linop.hadamard : !linop.op<32x32, f16>
  %S = linop.scale %H by 0.5 : (!linop.op<32x32, f16>) -> !linop.op<32x32, f16>
  return %S : !linop.op<32x32, f16>
}
