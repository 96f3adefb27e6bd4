linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64, schedule = #linop_kernel.cuda<threads = 64, rows = 1, level = shared, cluster = 1, shared = 64, workspace = 128>} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.store 0 -> operand 1
}
