linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.stage matrix 1 x 4 x 1, 0 -> 1
  linop_kernel.store 1 -> operand 1
}
