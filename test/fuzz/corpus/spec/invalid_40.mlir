func.func @kron_sizes() {
  %a = linop.hadamard : !linop.op<2x2, f32>
  %0 = linop.kron %a, %a : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  return
}
