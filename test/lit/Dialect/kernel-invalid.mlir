// Every kernel-IR op verifies itself, so that no backend checks again.
// RUN: linop-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{tile element type must be f32, f64, complex<f32> or complex<f64>, got 'f16'}}
linop_kernel.kernel @k for "f" : 8 x f16 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.store 0 -> operand 1
}

// -----

// expected-error @+1 {{body must start with a load and end with a store}}
linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  // expected-error @+1 {{operand #2 does not exist (@f has 2 arguments and results)}}
  linop_kernel.load operand 2 -> 0
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{tile buffer #2 does not exist (the kernel has 2)}}
  linop_kernel.stage hadamard 1 x 8 x 1, 0 -> 2
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{16 elements do not fit the tile buffers (n = 8)}}
  linop_kernel.stage hadamard 2 x 8 x 1, 0 -> 1
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  // expected-error @+1 {{is not a permutation of [0, 8): entry 3}}
  linop_kernel.load operand 0 -> 0 {perm = array<i64: 0, 1, 2, 3, 3, 5, 6, 7>}
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{a DFT codelet needs a complex kernel}}
  linop_kernel.stage dft 1 x 8 x 1, 0 -> 1
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{twiddles for 4 x 2 on a stage 2 x 4}}
  linop_kernel.stage dft 1 x 2 x 4, 0 -> 1 {twiddles = #linop_kernel.twiddles<4 x 2>}
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{twiddles need 4 entries, got 3}}
  linop_kernel.stage dft 1 x 2 x 2, 0 -> 1 {twiddles = dense<[(1.0, 0.0), (1.0, 0.0), (2.0, 0.0)]> : tensor<3xcomplex<f64>>}
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{a matrix codelet needs its matrix}}
  linop_kernel.stage matrix 1 x 4 x 1, 0 -> 1
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 2 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{a real kernel cannot apply complex codelet matrix entries}}
  linop_kernel.stage matrix 1 x 2 x 1, 0 -> 1 {matrix = dense<[[(1.0, 0.0), (0.0, 1.0)], [(1.0, 0.0), (1.0, 0.0)]]> : tensor<2x2xcomplex<f64>>}
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{cannot work in place (src = dst)}}
  linop_kernel.permute 0 -> 0 {perm = #linop_kernel.perm<stride 8, 2>}
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x f32 attributes {buffers = 2 : i64, operands = 3 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{takes its weights from an operand or a constant, not both or neither}}
  linop_kernel.butterfly_stage 0 -> 1 {block = 0 : i64, level = 0 : i64, levels = 3 : i64, stride = 1 : i64}
  linop_kernel.store 1 -> operand 2
}

// -----

linop_kernel.kernel @k for "f" : 8 x f64 attributes {buffers = 2 : i64, operands = 2 : i64} {
  // expected-error @+1 {{global element type 'f16' does not fit a tile of 'f64'}}
  linop_kernel.load operand 0 -> 0 {global = f16}
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{needs a complex kernel}}
  linop_kernel.convert pack 2, 0 -> 1
  linop_kernel.store 1 -> operand 1
}

// -----

// expected-error @+1 {{a CUDA schedule has a workspace exactly when its buffers live in global memory}}
linop_kernel.kernel @k for "f" : 4 x f32 attributes {buffers = 2 : i64, operands = 2 : i64, schedule = #linop_kernel.cuda<threads = 64, rows = 1, level = shared, cluster = 1, shared = 64, workspace = 128>} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{a digit reversal needs two or more radices whose product is n}}
  linop_kernel.permute 0 -> 1 {perm = #linop_kernel.perm<digit_reversal [4]>}
  linop_kernel.store 1 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  // expected-error @+1 {{'linop_kernel.load' op is interleaved in a kernel without subrows}}
  linop_kernel.load operand 0 -> 0 {interleaved}
  linop_kernel.store 0 -> operand 1
}

// -----

// expected-error @+1 {{subrows must be at least 2 where given, got 1}}
linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64, subrows = 1 : i64} {
  linop_kernel.load operand 0 -> 0
  linop_kernel.store 0 -> operand 1
}

// -----

linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64, subrows = 2 : i64} {
  linop_kernel.load operand 0 -> 0 {interleaved}
  // expected-error @+1 {{twiddles of 4 interleaved sub-rows in a kernel of 2}}
  linop_kernel.stage dft 1 x 8 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<8 x 1, subrows = 4>}
  linop_kernel.store 1 -> operand 1 {interleaved}
}

// -----

linop_kernel.kernel @k for "f" : 8 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64} {
  linop_kernel.load operand 0 -> 0
  // expected-error @+1 {{twiddles take `scale` and `subrows`, not `rows`}}
  linop_kernel.stage dft 1 x 8 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<8 x 1, rows = 4>}
  linop_kernel.store 1 -> operand 1
}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op has beta exactly when the update is the delta rule}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = delta {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op has log-decays g exactly when decay is not none}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = scalar update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op output operand #2 is also another operand}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 0 : i64, o = 2 : i64, operands = 3 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op operand #5 does not exist (@f has 4 arguments and results)}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, state = 5 : i64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op q, k, v and o are stored as f32, f16 or bf16, got 'f64' and 'f32'}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f64, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op t, h, dk, dv and chunk must be >= 1}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 0 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op chunk must be at most min(t, 1024), and dk and dv at most 1024}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 16 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op schedule: chunk must be a multiple of 16 in [16, 256], got 24}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64, schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 24, block_v = 16, shared = 1000>}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op schedule: threads must be a multiple of 32 in [32, 1024], got 100}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64, schedule = #linop_kernel.cuda_recurrence<threads = 100, chunk = 16, block_v = 16, shared = 1000>}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op schedule: block_v must be a multiple of 16 in [16, 256], got 8}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0 : f64, t = 8 : i64, v = 2 : i64, schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 16, block_v = 8, shared = 1000>}

// -----

// expected-error @+1 {{'linop_kernel.chunked_recurrence' op scale must be a number within f32's range, got 1.000000e+39}}
linop_kernel.chunked_recurrence @linop_k_f for "f" decay = none update = additive {chunk = 4 : i64, dk = 4 : i64, dv = 4 : i64, element = f32, h = 1 : i64, k = 1 : i64, o = 3 : i64, operands = 4 : i64, out_element = f32, q = 0 : i64, scale = 1.0e39 : f64, t = 8 : i64, v = 2 : i64}
