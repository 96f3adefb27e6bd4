func.func @huge_scale_f16() -> !linop.op<8x8, f16> {
  %H = linop.hadamard : !linop.op<8x8, f16>
  %S = linop.scale %H by 1.0e5 : (!linop.op<8x8, f16>) -> !linop.op<8x8, f16>
  return %S : !linop.op<8x8, f16>
}
