// A kernel split into 4 sub-rows (what linop-split-kernels makes for the
// CUDA target), given to the CPU schedule, which runs tiles of 16 whole
// sub-rows and so refuses it.
module attributes {linop.target = #linop.target<"cpu", {}>} {
  linop_kernel.kernel @linop_k_s_pass2 for "s" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64, subrows = 4 : i64} {
    linop_kernel.load operand 1 -> 0 {interleaved}
    linop_kernel.stage dft 1 x 4 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<4 x 1, subrows = 4>}
    linop_kernel.store 1 -> operand 1 {interleaved}
  }
}
