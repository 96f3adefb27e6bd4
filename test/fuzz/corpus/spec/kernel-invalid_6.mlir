linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.stage dft 1 x 8 x 1, 0 -> 1
  linop_kernel.store 1 -> operand 1
}
