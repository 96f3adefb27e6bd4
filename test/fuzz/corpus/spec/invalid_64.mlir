func.func @unpack_size() {
  %0 = linop.unpack : !linop.op<4x4, complex<f32> -> f32>
  return
}
