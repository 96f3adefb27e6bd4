func.func @hadamard_2_25() -> !linop.op<33554432x33554432, f32> {
  %H = linop.hadamard : !linop.op<33554432x33554432, f32>
  return %H : !linop.op<33554432x33554432, f32>
}
