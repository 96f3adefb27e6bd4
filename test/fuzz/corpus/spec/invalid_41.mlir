func.func @kron_field() {
  %a = linop.dft : !linop.op<2x2, complex<f32>>
  %0 = linop.kron %a, %a : (!linop.op<2x2, complex<f32>>, !linop.op<2x2, complex<f32>>) -> !linop.op<4x4, f32>
  return
}
