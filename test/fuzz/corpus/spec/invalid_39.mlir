func.func @kron_empty() {
  %0 = linop.kron : () -> !linop.op<4x4, f32>
  return
}
