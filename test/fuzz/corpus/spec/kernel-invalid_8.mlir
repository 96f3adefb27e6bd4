linop_kernel.kernel @k for "f" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.stage dft 1 x 2 x 2, 0 -> 1 {twiddles = dense<[(1.0, 0.0), (1.0, 0.0), (2.0, 0.0)]> : tensor<3xcomplex<f64>>}
  linop_kernel.store 1 -> operand 1
}
