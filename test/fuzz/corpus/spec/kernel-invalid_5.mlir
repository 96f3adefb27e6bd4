linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0 {perm = array<i64: 0, 1, 2, 3, 3, 5, 6, 7>}
  linop_kernel.store 0 -> operand 1
}
