linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
}
