linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.stage dft 1 x 2 x 4, 0 -> 1 {twiddles = #linop_kernel.twiddles<4 x 2>}
  linop_kernel.store 1 -> operand 1
}
