// linop-cpu-schedule: the CPU cost model picks each kernel's layout, along
// the row (one row per tile, load and store fused into the stages) or
// across rows (tiles of `lanes` rows). See linop/CPU/CpuTarget.h.
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose --linop-plan --linop-cpu-schedule | FileCheck %s
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-decompose --linop-plan --linop-cpu-schedule --linop-cpu-lower-kernels | FileCheck %s --check-prefix=LOWER
// RUN: not linop-opt %s --linop-decompose --linop-plan --linop-cpu-schedule 2>&1 | FileCheck %s --check-prefix=NOTARGET
// NOTARGET: error: linop-cpu-schedule: the module has no CPU target description (run linop-attach-target{target=cpu} first)
// RUN: not linop-opt %S/../Inputs/split-kernel.mlir --linop-cpu-schedule 2>&1 | FileCheck %s --check-prefix=SPLIT
// SPLIT: error: linop-cpu-schedule: @s: a kernel split into 4 sub-rows per row runs on the CPU in tiles of 16 whole sub-rows; 4 is not a multiple of 16

// Hadamard-256: H_16 (x) I_16 is plain SIMD along the row, I_16 (x) H_16
// regroups 16 vectors with shuffles: along the row.
// CHECK-LABEL: linop_kernel.kernel @linop_k_hadamard256
// CHECK-SAME: schedule = #linop_kernel.cpu<along_row, lanes = 16>
// LOWER-LABEL: func.func @linop_k_hadamard256
// One allocation holds the row buffers, 4 KiB + 576 B apart.
// LOWER: memref.alloc() {alignment = 64 : i64} : memref<3504xf32>
// LOWER: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} : i64
// The first stage reads the global row, the second regroups and writes it.
// LOWER: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// LOWER: vector.shuffle
// LOWER: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr
func.func @hadamard256(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %F = linop.hadamard : !linop.op<256x256, f32>
  %y = linop.apply %F, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// DFT-256: the load's stride permutation splits (CpuTarget.h:
// permutationSplits): the first stage reads contiguous global vectors, one
// codelet per lane, and the second reads its output through a table of 16
// whole vectors; no copy, no gathers. Cheaper along the row.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft256
// CHECK-SAME: schedule = #linop_kernel.cpu<along_row, lanes = 16>
// LOWER-LABEL: func.func @linop_k_dft256
// LOWER-NOT: vector.gather
// LOWER: memref.get_global @__linop_table_{{[0-9]+}} : memref<16xi32>
// LOWER-NOT: vector.gather
// LOWER: memref.load %{{.*}} : memref<16xi32>
// LOWER-NOT: vector.gather
// LOWER-LABEL: func.func @linop_k_dft1024
func.func @dft256(%x: tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>> {
  %F = linop.dft : !linop.op<256x256, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<256x256, complex<f32>>, tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>>
  return %y : tensor<?x256xcomplex<f32>>
}

// DFT-1024: along the row its rows fill L1 (the model's fitted 2x); the
// transposes across rows cost less.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft1024
// CHECK-SAME: schedule = #linop_kernel.cpu<across_rows, lanes = 16>
func.func @dft1024(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}

// DFT-6 (radix 3 and 2, 6 not a multiple of the lanes): no in-row form.
// CHECK-LABEL: linop_kernel.kernel @linop_k_dft6
// CHECK-SAME: schedule = #linop_kernel.cpu<across_rows, lanes = 16>
func.func @dft6(%x: tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>> {
  %F = linop.dft : !linop.op<6x6, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<6x6, complex<f32>>, tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>>
  return %y : tensor<?x6xcomplex<f32>>
}
