// linop-lower-kernels: tile buffers become memrefs of rows x lanes, stages
// become loops over vector<width> values with unrolled codelets, and global
// memory is reached through the ABI's pointer arrays.
// RUN: linop-opt %s --linop-plan="vector-width=16" --linop-lower-kernels | FileCheck %s
// RUN: linop-opt %s --linop-plan --linop-lower-kernels --canonicalize --cse --convert-scf-to-cf --convert-vector-to-llvm --expand-strided-metadata --finalize-memref-to-llvm --convert-arith-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @linop_k_dft4
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
