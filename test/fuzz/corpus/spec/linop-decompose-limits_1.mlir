func.func @pow2_40() -> !linop.op<1099511627776x1099511627776, complex<f32>> {
  %F = linop.dft : !linop.op<1099511627776x1099511627776, complex<f32>>
  return %F : !linop.op<1099511627776x1099511627776, complex<f32>>
}
