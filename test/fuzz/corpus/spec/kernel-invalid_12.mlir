linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 3 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.butterfly_stage 0 -> 1 {block = 0 : i64, level = 0 : i64, levels = 3 : i64, stride = 1 : i64}
  linop_kernel.store 1 -> operand 2
}
