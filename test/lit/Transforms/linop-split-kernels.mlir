// linop-split-kernels: a kernel whose row is longer than the target keeps
// on chip becomes two passes through memory, the four-step FFT (the CUDA
// target: one block's shared memory, 16K complex<f32> elements). The GPU
// numerics (test/numerics/transforms.sh, group dft) run the split kernels
// against the reference evaluator.
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-decompose --linop-plan --linop-split-kernels -split-input-file | FileCheck %s
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-decompose --linop-plan "--linop-split-kernels=max-row=64" -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-decompose --linop-plan "--linop-split-kernels=max-row=32768" -split-input-file | FileCheck %s --check-prefix=HALF
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose --linop-plan --linop-split-kernels -split-input-file | FileCheck %s --check-prefix=CPU

// DFT-64K = 16^4. Pass 1: 256 sub-rows of 256, sub-row u holding input
// elements u + 256 j in digit-reversed order, through the two low-digit
// stages, written whole to the result. Pass 2: 256 sub-rows of every 256th
// element of the result (the outer digit reversal as they load), the
// high-digit stages with the whole row's twiddles, in place.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft64k_pass1 for "dft64k" : 256 x complex<f32>
// CHECK-SAME: subrows = 256
// CHECK-NEXT: linop_kernel.load operand 0 -> 0 {interleaved, perm = #linop_kernel.perm<digit_reversal [16, 16]>}
// CHECK-NEXT: linop_kernel.stage dft 16 x 16 x 1, 0 -> 1
// CHECK-NEXT: linop_kernel.stage dft 1 x 16 x 16, 1 -> 0 {twiddles = #linop_kernel.twiddles<16 x 16>}
// CHECK-NEXT: linop_kernel.store 0 -> operand 1
// CHECK-NEXT: }
// CHECK-NEXT: linop_kernel.kernel @linop_k_dft64k_pass2 for "dft64k" : 256 x complex<f32>
// CHECK-SAME: subrows = 256
// CHECK-NEXT: linop_kernel.load operand 1 -> 0 {interleaved, perm = #linop_kernel.perm<digit_reversal [16, 16]>}
// CHECK-NEXT: linop_kernel.stage dft 16 x 16 x 1, 0 -> 1 {twiddles = #linop_kernel.twiddles<16 x 1, subrows = 256>}
// CHECK-NEXT: linop_kernel.stage dft 1 x 16 x 16, 1 -> 0 {twiddles = #linop_kernel.twiddles<16 x 16, subrows = 256>}
// CHECK-NEXT: linop_kernel.store 0 -> operand 1 {interleaved}
// CPU-LABEL: linop_kernel.kernel @linop_k_dft64k for "dft64k" : 65536 x complex<f32>
// CPU-NOT: subrows
func.func @dft64k(%x: tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>> {
  %F = linop.dft : !linop.op<65536x65536, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, complex<f32>>, tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>>
  return %y : tensor<?x65536xcomplex<f32>>
}

// -----

// A row that fits stays one kernel.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft1k for "dft1k" : 1024 x complex<f32>
// CHECK-NOT: subrows
// SMALL-LABEL: linop_kernel.kernel @linop_k_dft1k_pass1 for "dft1k" : 16 x complex<f32>
// SMALL-SAME: subrows = 64
// SMALL: linop_kernel.kernel @linop_k_dft1k_pass2 for "dft1k" : 64 x complex<f32>
// SMALL-SAME: subrows = 16
func.func @dft1k(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft inverse : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}

// -----

// A real row on CUDA stays on chip up to a cluster's shared memory (one
// pass over a cluster measured faster than two for Hadamard-64K).
// CHECK-LABEL: linop_kernel.kernel @linop_k_had64k for "had64k" : 65536 x f32
// CHECK-NOT: subrows
// Split, the Walsh-Hadamard transform's stages commute: low digits first,
// so that the split is even (256 x 256), and no load permutation, so pass
// 1 reads its sub-rows whole.
// HALF-LABEL: linop_kernel.kernel @linop_k_had64k_pass1 for "had64k" : 256 x f32
// HALF-NEXT: linop_kernel.load operand 0 -> 0
// HALF-NOT: interleaved
// HALF: linop_kernel.kernel @linop_k_had64k_pass2 for "had64k" : 256 x f32
// HALF-NEXT: linop_kernel.load operand 1 -> 0 {interleaved}
func.func @had64k(%x: tensor<?x65536xf32>) -> tensor<?x65536xf32> {
  %F = linop.hadamard : !linop.op<65536x65536, f32>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, f32>, tensor<?x65536xf32>) -> tensor<?x65536xf32>
  return %y : tensor<?x65536xf32>
}

// -----

// What it cannot split stays one kernel (the schedule then spreads the row
// over a cluster): a result stored as f16 cannot hold the row between the
// passes.
// HALF-LABEL: linop_kernel.kernel @linop_k_narrow for "narrow" : 65536 x f32
// HALF-NOT: subrows
func.func @narrow(%x: tensor<?x65536xf16>) -> tensor<?x65536xf16> {
  %F = linop.hadamard : !linop.op<65536x65536, f16>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, f16>, tensor<?x65536xf16>) -> tensor<?x65536xf16>
  return %y : tensor<?x65536xf16>
}
