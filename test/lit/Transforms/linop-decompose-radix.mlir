// The radix search of linop-decompose (compiler/lib/RadixSearch.cpp): each
// DFT's Cooley-Tukey radices are the cheapest the module's target's cost
// model prices, and the choice with the next best goes on the function for
// --explain. The numbers are the models', so this test pins their
// behaviour; the rewrites, and their equivalence under these options, are
// tested by linop-decompose.mlir.
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose | FileCheck %s
// RUN: linop-opt %s --linop-attach-target="target=cpu description=lanes=8" --linop-decompose | FileCheck %s --check-prefix=AVX2
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose=radices=4 | FileCheck %s --check-prefix=FOUR
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose=radix-choice=largest | FileCheck %s --check-prefix=RULE
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-decompose | FileCheck %s --check-prefix=CUDA
// RUN: linop-opt %s --linop-decompose | FileCheck %s --check-prefix=FLOPS
// RUN: not linop-opt %s --linop-decompose=radix-choice=fastest 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not linop-opt %s --linop-attach-target="target=cpu description=lanes=0" 2>&1 | FileCheck %s --check-prefix=WIDTH
// RUN: not linop-opt %s --linop-attach-target="target=cpu description=width=8" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not linop-opt %s --linop-attach-target=target=tpu 2>&1 | FileCheck %s --check-prefix=TPU

// BAD: error: linop-decompose: radix-choice must be 'cost' or 'largest', got 'fastest'
// WIDTH: error: linop-attach-target: 'lanes=0': lanes must be an integer in [1, 64]
// KEY: error: linop-attach-target: the cpu target has no description key 'width'; its keys: lanes (f32 SIMD lanes), l1
// TPU: error: linop-attach-target: unknown target 'tpu' (targets: cpu, cuda)
// RULE-NOT: linop.radix_choices

// The GPU's model counts time on the whole GPU; without a target, the
// search prices flops alone.
// CUDA-LABEL: func.func @dft64
// CUDA-SAME: ns/row on the whole GPU
// FLOPS-LABEL: func.func @dft64
// FLOPS-SAME: "DFT_64 = 8 x 8 (1344 flops/row, 1344 flops)

// Radix 8 twice costs fewer flops than 16 x 4 (a radix-4 stage still
// pays its twiddles), and the model ranks the runner-up.
// CHECK-LABEL: func.func @dft64
// CHECK-SAME: linop.radix_choices = ["DFT_64 = 8 x 8 ({{[0-9]+}} vector ops/row across rows, 1344 flops); next best 4 x 16 ({{[0-9]+}} vector ops/row across rows, 1392 flops)
// AVX2-LABEL: func.func @dft64
// AVX2-SAME: "DFT_64 = 8 x 8 ({{[0-9]+}} vector ops/row along the row
// FOUR-LABEL: func.func @dft64
// FOUR-SAME: "DFT_64 = 4 x 4 x 4 (
func.func @dft64() -> !linop.op<64x64, complex<f32>> {
  %F = linop.dft : !linop.op<64x64, complex<f32>>
  return %F : !linop.op<64x64, complex<f32>>
}

// CHECK-LABEL: func.func @dft256
// CHECK-SAME: "DFT_256 = 16 x 16 ({{[0-9]+}} vector ops/row along the row, 7552 flops)
func.func @dft256() -> !linop.op<256x256, complex<f32>> {
  %F = linop.dft : !linop.op<256x256, complex<f32>>
  return %F : !linop.op<256x256, complex<f32>>
}

// Mixed radix: the 3 goes where the model says (its b is a multiple of the
// lanes, so the row layout can take it). With radices=4 only, 2 and 3 are
// added: 4 covers N's factor 2 but cannot factor 6144 = 4^5 x 2 x 3 alone.
// CHECK-LABEL: func.func @dft6144
// CHECK-SAME: "DFT_6144 = 3 x 8 x 16 x 16 (
// FOUR-LABEL: func.func @dft6144
// FOUR-SAME: "DFT_6144 = {{[0-9 x]*}} 3 x 2 {{[0-9 x]*}}4 (
func.func @dft6144() -> !linop.op<6144x6144, complex<f32>> {
  %F = linop.dft : !linop.op<6144x6144, complex<f32>>
  return %F : !linop.op<6144x6144, complex<f32>>
}

// Primes that are not in the allowed radices but fit a codelet (11, 13).
// CHECK-LABEL: func.func @dft1001
// CHECK-SAME: "DFT_1001 = 7 x 11 x 13 (
func.func @dft1001() -> !linop.op<1001x1001, complex<f64>> {
  %F = linop.dft : !linop.op<1001x1001, complex<f64>>
  return %F : !linop.op<1001x1001, complex<f64>>
}

// Bluestein has no radices of its own; its power-of-two DFTs do.
// CHECK-LABEL: func.func @dft97
// CHECK-SAME: linop.radix_choices = ["DFT_256 = 16 x 16 (
// CHECK: linop.direct_sum {{.*}} -> !linop.op<256x97, f32>
func.func @dft97() -> !linop.op<97x97, complex<f32>> {
  %F = linop.dft : !linop.op<97x97, complex<f32>>
  return %F : !linop.op<97x97, complex<f32>>
}
