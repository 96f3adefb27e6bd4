func.func @rdft() -> (!linop.op<33x64, f64 -> complex<f64>>, !linop.op<5x8, f64 -> complex<f64>>, !linop.op<2x2, f64 -> complex<f64>>) {
  %0 = linop.rdft : !linop.op<33x64, f64 -> complex<f64>>
  %1 = linop.rdft norm = sqrt : !linop.op<5x8, f64 -> complex<f64>>
  %2 = linop.rdft norm = full : !linop.op<2x2, f64 -> complex<f64>>
  return %0, %1, %2 : !linop.op<33x64, f64 -> complex<f64>>, !linop.op<5x8, f64 -> complex<f64>>, !linop.op<2x2, f64 -> complex<f64>>
}
func.func @rdft_odd() -> (!linop.op<32x63, f64 -> complex<f64>>, !linop.op<501x1001, f64 -> complex<f64>>) {
  %0 = linop.rdft norm = sqrt : !linop.op<32x63, f64 -> complex<f64>>
  %1 = linop.rdft : !linop.op<501x1001, f64 -> complex<f64>>
  return %0, %1 : !linop.op<32x63, f64 -> complex<f64>>, !linop.op<501x1001, f64 -> complex<f64>>
}
func.func @irdft() -> (!linop.op<64x33, complex<f64> -> f64>, !linop.op<6x4, complex<f64> -> f64>, !linop.op<2x2, complex<f64> -> f64>) {
  %0 = linop.irdft norm = full : !linop.op<64x33, complex<f64> -> f64>
  %1 = linop.irdft norm = sqrt : !linop.op<6x4, complex<f64> -> f64>
  %2 = linop.irdft : !linop.op<2x2, complex<f64> -> f64>
  return %0, %1, %2 : !linop.op<64x33, complex<f64> -> f64>, !linop.op<6x4, complex<f64> -> f64>, !linop.op<2x2, complex<f64> -> f64>
}
func.func @irdft_odd() -> (!linop.op<17x9, complex<f64> -> f64>, !linop.op<7x4, complex<f64> -> f64>, !linop.op<1x1, complex<f64> -> f64>) {
  %0 = linop.irdft norm = full : !linop.op<17x9, complex<f64> -> f64>
  %1 = linop.irdft norm = sqrt : !linop.op<7x4, complex<f64> -> f64>
  %2 = linop.irdft : !linop.op<1x1, complex<f64> -> f64>
  return %0, %1, %2 : !linop.op<17x9, complex<f64> -> f64>, !linop.op<7x4, complex<f64> -> f64>, !linop.op<1x1, complex<f64> -> f64>
}
func.func @dft_of_real() -> !linop.op<64x64, f64 -> complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<64x64, f64 -> complex<f64>>
  return %0 : !linop.op<64x64, f64 -> complex<f64>>
}
func.func @trig_real() -> (!linop.op<64x64, f64>, !linop.op<64x64, f64>, !linop.op<48x48, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dct II : !linop.op<64x64, f64>
  %1 = linop.dst IV norm = sqrt : !linop.op<64x64, f64>
  %2 = linop.dct III norm = sqrt : !linop.op<48x48, f64>
  %3 = linop.hartley norm = full : !linop.op<64x64, f64>
  return %0, %1, %2, %3 : !linop.op<64x64, f64>, !linop.op<64x64, f64>, !linop.op<48x48, f64>, !linop.op<64x64, f64>
}
func.func @dct_makhoul() -> (!linop.op<64x64, f64>, !linop.op<33x33, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dct II : !linop.op<64x64, f64>
  %1 = linop.dct II norm = sqrt : !linop.op<33x33, f64>
  %2 = linop.dct III norm = sqrt : !linop.op<64x64, f64>
  return %0, %1, %2 : !linop.op<64x64, f64>, !linop.op<33x33, f64>, !linop.op<64x64, f64>
}
func.func @dst_via_dct() -> (!linop.op<64x64, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dst II norm = sqrt : !linop.op<64x64, f64>
  %1 = linop.dst III : !linop.op<64x64, f64>
  return %0, %1 : !linop.op<64x64, f64>, !linop.op<64x64, f64>
}
func.func @fft_conv() -> !linop.op<32x32, f64> {
  %h = arith.constant dense<[(1.0, 0.5), (2.0, -1.0), (0.5, 0.25), (-1.0, 2.0), (0.25, 0.0), (1.5, -0.5), (-0.5, 1.0), (2.0, 0.0), (1.0, 1.0), (0.0, -1.0), (3.0, 0.5), (-2.0, 0.25), (0.5, 0.5), (1.0, -2.0), (0.75, 0.0), (-1.0, 1.0), (2.0, 0.0)]> : tensor<17xcomplex<f64>>
  %F = linop.rdft : !linop.op<17x32, f64 -> complex<f64>>
  %D = linop.diag %h : (tensor<17xcomplex<f64>>) -> !linop.op<17x17, complex<f64>>
  %G = linop.irdft norm = full : !linop.op<32x17, complex<f64> -> f64>
  %C = linop.compose %G, %D, %F : (!linop.op<32x17, complex<f64> -> f64>, !linop.op<17x17, complex<f64>>, !linop.op<17x32, f64 -> complex<f64>>) -> !linop.op<32x32, f64>
  return %C : !linop.op<32x32, f64>
}
func.func @kron_real_dct() -> !linop.op<128x128, f64> {
  %C = linop.dct II norm = sqrt : !linop.op<32x32, f64>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %K = linop.kron %C, %H : (!linop.op<32x32, f64>, !linop.op<4x4, f64>) -> !linop.op<128x128, f64>
  return %K : !linop.op<128x128, f64>
}
