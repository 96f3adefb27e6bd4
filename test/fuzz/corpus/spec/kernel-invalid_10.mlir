linop_kernel.kernel @k for "f" : 2 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.stage matrix 1 x 2 x 1, 0 -> 1 {matrix = dense<[[(1.0, 0.0), (0.0, 1.0)], [(1.0, 0.0), (1.0, 0.0)]]> : tensor<2x2xcomplex<f64>>}
  linop_kernel.store 1 -> operand 1
}
