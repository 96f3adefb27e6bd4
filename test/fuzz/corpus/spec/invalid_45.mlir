func.func @adjoint_rdft() {
  %a = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  %0 = linop.adjoint %a : (!linop.op<5x8, f32 -> complex<f32>>) -> !linop.op<8x5, f32 -> complex<f32>>
  return
}
