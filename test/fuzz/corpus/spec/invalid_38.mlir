func.func @compose_empty() {
  %0 = linop.compose : () -> !linop.op<4x4, f32>
  return
}
