linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.convert pack 2, 0 -> 1
  linop_kernel.store 1 -> operand 1
}
