// linop-cpu-lower-kernels lowers consecutive butterfly levels together:
// each group of 2^k elements is loaded once, goes through k levels in
// registers and is stored once, instead of a pass over the tile per level.
// k is the most whose group and weights fit half the vector registers: 2
// real levels with AVX2's 16, 3 with AVX-512's 32. The numerics of fused
// levels (every butterfly case, stacked blocks included) are checked in
// test/numerics; the hidden --linop-cpu-fuse-butterfly=1 turns it off.
// RUN: linop-opt %s --linop-attach-target="target=cpu description=lanes=8" --linop-decompose --linop-plan --linop-cpu-schedule --linop-cpu-lower-kernels | FileCheck %s --check-prefix=AVX2
// RUN: linop-opt %s --linop-attach-target="target=cpu description=lanes=16" --linop-decompose --linop-plan --linop-cpu-schedule --linop-cpu-lower-kernels | FileCheck %s --check-prefix=AVX512
// RUN: linop-opt %s --linop-attach-target="target=cpu description=lanes=8" --linop-decompose --linop-plan --linop-cpu-schedule --linop-cpu-lower-kernels --linop-cpu-fuse-butterfly=1 | FileCheck %s --check-prefix=ONE

// Levels 0 and 1 (strides 1 and 2): 2 groups of four elements, read from
// and written back to the first buffer; level 2 alone: 4 pairs into the
// second.
// AVX2-LABEL: func.func @linop_k_bf8
// AVX2: scf.for %{{.*}} = %{{.*}} to %c2{{(_[0-9]+)?}} step
// AVX2-COUNT-4: vector.load %alloc[
// AVX2-COUNT-4: vector.store %{{.*}}, %alloc[
// AVX2: scf.for %{{.*}} = %{{.*}} to %c4{{(_[0-9]+)?}} step
// AVX2-COUNT-2: vector.load %alloc[
// AVX2-COUNT-2: vector.store %{{.*}}, %alloc_0[

// All three levels: one group of eight, into the second buffer.
// AVX512-LABEL: func.func @linop_k_bf8
// AVX512: scf.for %{{.*}} = %{{.*}} to %c1{{(_[0-9]+)?}} step
// AVX512-COUNT-8: vector.load %alloc[
// AVX512-COUNT-8: vector.store %{{.*}}, %alloc_0[

// ONE-LABEL: func.func @linop_k_bf8
// ONE-COUNT-3: scf.for %{{.*}} = %{{.*}} to %c4{{(_[0-9]+)?}} step
func.func @bf8(%x: tensor<?x8xf32>, %tw: tensor<1x3x4x2x2xf32>) -> tensor<?x8xf32> {
  %B = linop.butterfly %tw : (tensor<1x3x4x2x2xf32>) -> !linop.op<8x8, f32>
  %y = linop.apply %B, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
