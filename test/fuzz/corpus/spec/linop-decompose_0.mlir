func.func @leaves() -> (!linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<16x16, complex<f64>>, !linop.op<6x6, complex<f64>>, !linop.op<12x12, complex<f64>>, !linop.op<13x13, complex<f64>>) {
  %0 = linop.dft : !linop.op<2x2, complex<f64>>
  %1 = linop.dft inverse : !linop.op<4x4, complex<f64>>
  %2 = linop.dft norm = sqrt : !linop.op<8x8, complex<f64>>
  %3 = linop.dft : !linop.op<16x16, complex<f64>>
  %4 = linop.dft : !linop.op<6x6, complex<f64>>
  %5 = linop.dft norm = full : !linop.op<12x12, complex<f64>>
  %6 = linop.dft : !linop.op<13x13, complex<f64>>
  return %0, %1, %2, %3, %4, %5, %6 : !linop.op<2x2, complex<f64>>, !linop.op<4x4, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<16x16, complex<f64>>, !linop.op<6x6, complex<f64>>, !linop.op<12x12, complex<f64>>, !linop.op<13x13, complex<f64>>
}
func.func @dft64() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dft : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dft256_inverse_sqrt() -> !linop.op<256x256, complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<256x256, complex<f64>>
  return %0 : !linop.op<256x256, complex<f64>>
}
func.func @dft48_full() -> !linop.op<48x48, complex<f64>> {
  %0 = linop.dft norm = full : !linop.op<48x48, complex<f64>>
  return %0 : !linop.op<48x48, complex<f64>>
}
func.func @dft96_inverse_full() -> !linop.op<96x96, complex<f64>> {
  %0 = linop.dft inverse norm = full : !linop.op<96x96, complex<f64>>
  return %0 : !linop.op<96x96, complex<f64>>
}
func.func @dft35() -> !linop.op<35x35, complex<f64>> {
  %0 = linop.dft : !linop.op<35x35, complex<f64>>
  return %0 : !linop.op<35x35, complex<f64>>
}
func.func @dft17() -> !linop.op<17x17, complex<f64>> {
  %0 = linop.dft : !linop.op<17x17, complex<f64>>
  return %0 : !linop.op<17x17, complex<f64>>
}
func.func @dft97_inverse_sqrt() -> !linop.op<97x97, complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<97x97, complex<f64>>
  return %0 : !linop.op<97x97, complex<f64>>
}
func.func @hadamard_leaves() -> (!linop.op<2x2, f64>, !linop.op<16x16, f64>) {
  %0 = linop.hadamard : !linop.op<2x2, f64>
  %1 = linop.hadamard norm = sqrt : !linop.op<16x16, f64>
  return %0, %1 : !linop.op<2x2, f64>, !linop.op<16x16, f64>
}
func.func @hadamard32() -> !linop.op<32x32, f64> {
  %0 = linop.hadamard norm = full : !linop.op<32x32, f64>
  return %0 : !linop.op<32x32, f64>
}
func.func @hadamard256() -> !linop.op<256x256, f64> {
  %0 = linop.hadamard norm = sqrt : !linop.op<256x256, f64>
  return %0 : !linop.op<256x256, f64>
}
func.func @trig_leaves() -> (!linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>) {
  %0 = linop.dct II norm = sqrt : !linop.op<8x8, f64>
  %1 = linop.dct IV : !linop.op<16x16, f64>
  %2 = linop.dst III : !linop.op<8x8, f64>
  %3 = linop.dst II norm = sqrt : !linop.op<16x16, f64>
  %4 = linop.hartley : !linop.op<16x16, f64>
  return %0, %1, %2, %3, %4 : !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<8x8, f64>, !linop.op<16x16, f64>, !linop.op<16x16, f64>
}
func.func @dct2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct II norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dct3() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct III norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dct4() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dct IV : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dst2() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst II : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dst3() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst III norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @dst4() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.dst IV norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @hartley64() -> !linop.op<64x64, complex<f64>> {
  %0 = linop.hartley norm = sqrt : !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @kron_dft_hadamard() -> !linop.op<128x128, complex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %0 = linop.kron %F, %H : (!linop.op<32x32, complex<f64>>, !linop.op<4x4, f64>) -> !linop.op<128x128, complex<f64>>
  return %0 : !linop.op<128x128, complex<f64>>
}
func.func @kron_hadamard_dft() -> !linop.op<192x192, complex<f64>> {
  %H = linop.hadamard norm = sqrt : !linop.op<64x64, f64>
  %F = linop.dft : !linop.op<3x3, complex<f64>>
  %0 = linop.kron %H, %F : (!linop.op<64x64, f64>, !linop.op<3x3, complex<f64>>) -> !linop.op<192x192, complex<f64>>
  return %0 : !linop.op<192x192, complex<f64>>
}
func.func @scaled() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft : !linop.op<64x64, complex<f64>>
  %0 = linop.scale %F by (0.0, 2.0) : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @adjoint() -> !linop.op<64x64, complex<f64>> {
  %F = linop.dft norm = sqrt : !linop.op<64x64, complex<f64>>
  %0 = linop.adjoint %F : (!linop.op<64x64, complex<f64>>) -> !linop.op<64x64, complex<f64>>
  return %0 : !linop.op<64x64, complex<f64>>
}
func.func @circular(%h: tensor<32xcomplex<f64>>, %x: tensor<3x32xcomplex<f64>>) -> tensor<3x32xcomplex<f64>> {
  %F = linop.dft : !linop.op<32x32, complex<f64>>
  %G = linop.dft inverse norm = full : !linop.op<32x32, complex<f64>>
  %D = linop.diag %h : (tensor<32xcomplex<f64>>) -> !linop.op<32x32, complex<f64>>
  %C = linop.compose %G, %D, %F : (!linop.op<32x32, complex<f64>>, !linop.op<32x32, complex<f64>>, !linop.op<32x32, complex<f64>>) -> !linop.op<32x32, complex<f64>>
  %y = linop.apply %C, %x : (!linop.op<32x32, complex<f64>>, tensor<3x32xcomplex<f64>>) -> tensor<3x32xcomplex<f64>>
  return %y : tensor<3x32xcomplex<f64>>
}
func.func @butterfly_blocks() -> !linop.op<4x4, f64> {
  %tw = arith.constant dense<[[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], [[[9.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]], [[[[8.0, 9.0], [1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]]], [[[7.0, 8.0], [9.0, 1.0]], [[2.0, 3.0], [4.0, 5.0]]]]]> : tensor<2x2x2x2x2xf64>
  %0 = linop.butterfly %tw {input_perm = array<i64: 0, 2, 1, 3>} : (tensor<2x2x2x2x2xf64>) -> !linop.op<4x4, f64>
  return %0 : !linop.op<4x4, f64>
}
func.func @family(%k: tensor<4x3xf64>, %w: tensor<2x8x8xf64>) -> (!linop.op<[4] 32x32, f64>, !linop.op<[2] 8x8, f64>) {
  %0 = linop.conv causal %k : (tensor<4x3xf64>) -> !linop.op<[4] 32x32, f64>
  %1 = linop.dense %w : (tensor<2x8x8xf64>) -> !linop.op<[2] 8x8, f64>
  return %0, %1 : !linop.op<[4] 32x32, f64>, !linop.op<[2] 8x8, f64>
}
func.func @irdft_odd() -> !linop.op<63x32, complex<f64> -> f64> {
  %0 = linop.irdft norm = full : !linop.op<63x32, complex<f64> -> f64>
  return %0 : !linop.op<63x32, complex<f64> -> f64>
}
