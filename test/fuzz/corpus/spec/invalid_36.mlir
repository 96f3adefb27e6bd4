func.func @compose_chain() {
  %a = linop.identity : !linop.op<4x4, f32>
  %b = linop.identity : !linop.op<8x8, f32>
  %0 = linop.compose %a, %b : (!linop.op<4x4, f32>, !linop.op<8x8, f32>) -> !linop.op<4x8, f32>
  return
}
