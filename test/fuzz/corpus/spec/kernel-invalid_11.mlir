linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.permute 0 -> 0 {perm = #linop_kernel.perm<stride 8, 2>}
  linop_kernel.store 0 -> operand 1
}
