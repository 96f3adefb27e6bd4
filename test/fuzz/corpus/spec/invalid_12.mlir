func.func @hadamard_not_pow2() {
  %0 = linop.hadamard : !linop.op<12x12, f32>
  return
}
