// linop-cpu-lower-kernels: each kernel becomes a function with the CPU ABI,
// tile buffers memrefs of rows x lanes, stages loops over vector<lanes>
// values with unrolled codelets, and global memory is reached through the
// ABI's pointer arrays. The registered pipeline runs the same passes down
// to the LLVM dialect.
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-plan --linop-cpu-schedule --linop-cpu-lower-kernels | FileCheck %s
// RUN: linop-opt %s --linop-cpu-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: linop-opt %s --linop-cpu-pipeline="description=lanes=8 stop=kernel" | FileCheck %s --check-prefix=KERNEL
// RUN: not linop-opt %s --linop-attach-target=target=cpu --linop-plan --linop-cpu-lower-kernels 2>&1 | FileCheck %s --check-prefix=UNSCHEDULED
// KERNEL: linop_kernel.kernel @linop_k_dft4 {{.*}}schedule = #linop_kernel.cpu<across_rows, lanes = 8>
// UNSCHEDULED: error: linop-cpu-lower-kernels: the kernel has no CPU schedule (run linop-cpu-schedule first)

// CHECK-LABEL: func.func @linop_k_dft4(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-SAME: linop.function = "dft4"
// Real and imaginary planes, ping and pong: four buffers of 4 x 16 lanes.
// CHECK-COUNT-4: memref.alloc() {alignment = 64 : i64} : memref<4x16xf32>
// The tile loop steps by the vector width.
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} : i64
// The load transposes rows into lanes; the last tile repeats its last row.
// CHECK: arith.minsi
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> f32
// The FFT codelet of size 4: only additions, subtractions and negations
// (the twiddles are exactly +-1, +-i), no multiplications.
// CHECK: vector.load %{{.*}} : memref<4x16xf32>, vector<16xf32>
// CHECK-NOT: arith.mulf
// CHECK: vector.store %{{.*}} : memref<4x16xf32>, vector<16xf32>
// The store skips rows past the end.
// CHECK: arith.cmpi slt
// CHECK: scf.if
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr
// CHECK: memref.dealloc
// LLVM: llvm.func @linop_k_dft4(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-NOT: linop_kernel
// LLVM-NOT: scf.
func.func @dft4(%x: tensor<?x4xcomplex<f32>>) -> tensor<?x4xcomplex<f32>> {
  %F = linop.dft : !linop.op<4x4, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<4x4, complex<f32>>, tensor<?x4xcomplex<f32>>) -> tensor<?x4xcomplex<f32>>
  return %y : tensor<?x4xcomplex<f32>>
}
