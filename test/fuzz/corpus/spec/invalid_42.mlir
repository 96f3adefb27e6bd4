func.func @direct_sum_sizes() {
  %a = linop.hadamard : !linop.op<2x2, f32>
  %0 = linop.direct_sum %a, %a : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<5x5, f32>
  return
}
