linop_kernel.kernel @k for "f" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.permute 0 -> 1 {perm = #linop_kernel.perm<digit_reversal [4]>}
  linop_kernel.store 1 -> operand 1
}
