// The kernel IR round-trips: every op, both schedules, structured and
// explicit twiddles and permutations.
// RUN: linop-opt %s | linop-opt | FileCheck %s

// CHECK-LABEL: linop_kernel.kernel @linop_k_f for "f" : 16 x complex<f32>
// CHECK-SAME: schedule = #linop_kernel.cpu<along_row, lanes = 16>
// CHECK-NEXT: linop_kernel.load operand 0 -> 0 {perm = #linop_kernel.perm<digit_reversal [4, 4]>}
// CHECK-NEXT: linop_kernel.stage dft 4 x 4 x 1, 0 -> 1
// CHECK-NEXT: linop_kernel.stage dft 1 x 4 x 4, 1 -> 0 {inverse, twiddles = #linop_kernel.twiddles<4 x 4 inverse, scale = 0.0625>}
// CHECK-NEXT: linop_kernel.permute 0 -> 1 {perm = #linop_kernel.perm<stride 16, 4>}
// CHECK-NEXT: linop_kernel.permute 1 -> 0 {perm = array<i64: 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>}
// CHECK-NEXT: linop_kernel.convert real 16, 0 -> 1
// CHECK-NEXT: linop_kernel.store 1 -> operand 1
linop_kernel.kernel @linop_k_f for "f" : 16 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64, schedule = #linop_kernel.cpu<along_row, lanes = 16>} {
  linop_kernel.load operand 0 -> 0 {perm = #linop_kernel.perm<digit_reversal [4, 4]>}
  linop_kernel.stage dft 4 x 4 x 1, 0 -> 1
  linop_kernel.stage dft 1 x 4 x 4, 1 -> 0 {inverse, twiddles = #linop_kernel.twiddles<4 x 4 inverse, scale = 0.0625>}
  linop_kernel.permute 0 -> 1 {perm = #linop_kernel.perm<stride 16, 4>}
  linop_kernel.permute 1 -> 0 {perm = array<i64: 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>}
  linop_kernel.convert real 16, 0 -> 1
  linop_kernel.store 1 -> operand 1
}

// CHECK-LABEL: linop_kernel.kernel @linop_k_g for "g" : 8 x f32
// CHECK-SAME: schedule = #linop_kernel.cuda<threads = 64, rows = 4, level = shared, cluster = 1, shared = 1056, workspace = 0>
// CHECK: linop_kernel.load operand 0 -> 0 {global = f16}
// CHECK: linop_kernel.butterfly_stage 0 -> 1
// CHECK: linop_kernel.dense_stage 1 -> 0
// CHECK: linop_kernel.embed 0 -> 1
// CHECK: linop_kernel.store 1 -> operand 3 {global = bf16}
linop_kernel.kernel @linop_k_g for "g" : 8 x f32 attributes {buffers = 2 : i64, operands = 4 : i64, schedule = #linop_kernel.cuda<threads = 64, rows = 4, level = shared, cluster = 1, shared = 1056, workspace = 0>} {
  linop_kernel.load operand 0 -> 0 {global = f16}
  linop_kernel.butterfly_stage 0 -> 1 {block = 0 : i64, level = 0 : i64, levels = 3 : i64, operand = 1 : i64, stride = 1 : i64}
  linop_kernel.dense_stage 1 -> 0 {blocks = 2 : i64, operand = 2 : i64, r = 4 : i64}
  linop_kernel.embed 0 -> 1 {blocks = [unit], cols = array<i64: 8>, n_in = 8 : i64, n_out = 8 : i64, rows = array<i64: 8>}
  linop_kernel.store 1 -> operand 3 {global = bf16}
}

// A pass of a split kernel (linop-split-kernels): sub-rows, interleaved
// loads and stores, twiddles of the whole row.
// CHECK-LABEL: linop_kernel.kernel @linop_k_s_pass2 for "s" : 4 x complex<f32>
// CHECK-SAME: subrows = 4
// CHECK-NEXT: linop_kernel.load operand 1 -> 0 {interleaved}
// CHECK-NEXT: linop_kernel.stage dft 1 x 4 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<4 x 1, scale = 0.5, subrows = 4>}
// CHECK-NEXT: linop_kernel.store 1 -> operand 1 {interleaved}
linop_kernel.kernel @linop_k_s_pass2 for "s" : 4 x complex<f32> attributes {buffers = 2 : i64, operands = 2 : i64, subrows = 4 : i64} {
  linop_kernel.load operand 1 -> 0 {interleaved}
  linop_kernel.stage dft 1 x 4 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<4 x 1, scale = 0.5, subrows = 4>}
  linop_kernel.store 1 -> operand 1 {interleaved}
}
