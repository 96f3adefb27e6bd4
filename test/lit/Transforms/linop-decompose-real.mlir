// Real transforms: rdft through a complex DFT of half the size (pack, DFT,
// rfft_split), irdft the other way (rfft_merge, inverse DFT, unpack), and
// real DFT/DCT/DST/Hartley through their complex forms (promote, complex
// transform, real). The reference evaluator checks each against the op.
// RUN: linop-opt %s --linop-decompose | FileCheck %s
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ
// RUN: linop-opt %s --mlir-print-op-on-diagnostic=false --linop-check-equivalence="pipeline=linop-decompose{max-leaf=4},linop-simplify" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EQ

// EQ-COUNT-10: remark: equivalent after 'linop-decompose
// EQ-NOT: {{error:}}

// rDFT_64 = Split (DFT_32) Pack; DFT_32 goes on by Cooley-Tukey.
// CHECK-LABEL: func.func @rdft
// CHECK-DAG: linop.pack : !linop.op<32x64, f64 -> complex<f64>>
// CHECK-DAG: linop.rfft_split : !linop.op<33x32, complex<f64>>
// CHECK-DAG: linop.pack : !linop.op<4x8, f64 -> complex<f64>>
// CHECK-DAG: linop.rfft_split : !linop.op<5x4, complex<f64>>
// CHECK-DAG: linop.scale {{.*}} by 0.35355339059327
// CHECK-DAG: linop.pack : !linop.op<1x2, f64 -> complex<f64>>
// CHECK: return
func.func @rdft() -> (!linop.op<33x64, f64 -> complex<f64>>, !linop.op<5x8, f64 -> complex<f64>>, !linop.op<2x2, f64 -> complex<f64>>) {
  %0 = linop.rdft : !linop.op<33x64, f64 -> complex<f64>>
  %1 = linop.rdft norm = sqrt : !linop.op<5x8, f64 -> complex<f64>>
  %2 = linop.rdft norm = full : !linop.op<2x2, f64 -> complex<f64>>
  return %0, %1, %2 : !linop.op<33x64, f64 -> complex<f64>>, !linop.op<5x8, f64 -> complex<f64>>, !linop.op<2x2, f64 -> complex<f64>>
}

// Odd sizes: the first (N+1)/2 outputs of the complex DFT.
// CHECK-LABEL: func.func @rdft_odd
// CHECK-DAG: linop.promote : !linop.op<63x63, f64 -> complex<f64>>
// CHECK-DAG: linop.direct_sum
// CHECK: return
func.func @rdft_odd() -> (!linop.op<32x63, f64 -> complex<f64>>, !linop.op<501x1001, f64 -> complex<f64>>) {
  %0 = linop.rdft norm = sqrt : !linop.op<32x63, f64 -> complex<f64>>
  %1 = linop.rdft : !linop.op<501x1001, f64 -> complex<f64>>
  return %0, %1 : !linop.op<32x63, f64 -> complex<f64>>, !linop.op<501x1001, f64 -> complex<f64>>
}

// irDFT_64 = Unpack (s iDFT_32) Merge.
// CHECK-LABEL: func.func @irdft
// CHECK-DAG: linop.unpack : !linop.op<64x32, complex<f64> -> f64>
// CHECK-DAG: linop.rfft_merge : !linop.op<32x33, complex<f64>>
// CHECK: return
func.func @irdft() -> (!linop.op<64x33, complex<f64> -> f64>, !linop.op<6x4, complex<f64> -> f64>, !linop.op<2x2, complex<f64> -> f64>) {
  %0 = linop.irdft norm = full : !linop.op<64x33, complex<f64> -> f64>
  %1 = linop.irdft norm = sqrt : !linop.op<6x4, complex<f64> -> f64>
  %2 = linop.irdft : !linop.op<2x2, complex<f64> -> f64>
  return %0, %1, %2 : !linop.op<64x33, complex<f64> -> f64>, !linop.op<6x4, complex<f64> -> f64>, !linop.op<2x2, complex<f64> -> f64>
}

// Odd sizes: Real (s iDFT_N) Pad diag(1, 2, ..., 2); 17 is prime
// (Bluestein inside).
// CHECK-LABEL: func.func @irdft_odd
// CHECK-DAG: linop.real : !linop.op<17x17, complex<f64> -> f64>
// CHECK: return
func.func @irdft_odd() -> (!linop.op<17x9, complex<f64> -> f64>, !linop.op<7x4, complex<f64> -> f64>, !linop.op<1x1, complex<f64> -> f64>) {
  %0 = linop.irdft norm = full : !linop.op<17x9, complex<f64> -> f64>
  %1 = linop.irdft norm = sqrt : !linop.op<7x4, complex<f64> -> f64>
  %2 = linop.irdft : !linop.op<1x1, complex<f64> -> f64>
  return %0, %1, %2 : !linop.op<17x9, complex<f64> -> f64>, !linop.op<7x4, complex<f64> -> f64>, !linop.op<1x1, complex<f64> -> f64>
}

// Real input to the complex DFT: promote first.
// CHECK-LABEL: func.func @dft_of_real
// CHECK: linop.promote : !linop.op<64x64, f64 -> complex<f64>>
// CHECK: return
func.func @dft_of_real() -> !linop.op<64x64, f64 -> complex<f64>> {
  %0 = linop.dft inverse norm = sqrt : !linop.op<64x64, f64 -> complex<f64>>
  return %0 : !linop.op<64x64, f64 -> complex<f64>>
}

// Real DCT/DST/Hartley: real(X') promote, X' on complex values.
// CHECK-LABEL: func.func @trig_real
// CHECK-DAG: linop.real : !linop.op<64x64, complex<f64> -> f64>
// CHECK-DAG: linop.promote : !linop.op<64x64, f64 -> complex<f64>>
// CHECK-NOT: linop.dct
// CHECK-NOT: linop.dst
// CHECK-NOT: linop.hartley
// CHECK: return
func.func @trig_real() -> (!linop.op<64x64, f64>, !linop.op<64x64, f64>, !linop.op<48x48, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dct II : !linop.op<64x64, f64>
  %1 = linop.dst IV norm = sqrt : !linop.op<64x64, f64>
  %2 = linop.dct III norm = sqrt : !linop.op<48x48, f64>
  %3 = linop.hartley norm = full : !linop.op<64x64, f64>
  return %0, %1, %2, %3 : !linop.op<64x64, f64>, !linop.op<64x64, f64>, !linop.op<48x48, f64>, !linop.op<64x64, f64>
}

// Real DCT-II by Makhoul: real diag(s_k w^k) DFT_N promote P, with P the
// even samples up and the odd ones down (N = 64 and an odd N = 33).
// DCT-III is its transpose: P^T real iDFT_N diag(s_k conj(w^k)) promote.
// CHECK-LABEL: func.func @dct_makhoul
// CHECK-DAG: linop.perm [0, 2, 4, {{.*}}, 60, 62, 63, 61, {{.*}}, 3, 1] : !linop.op<64x64, f64>
// CHECK-DAG: linop.promote : !linop.op<64x64, f64 -> complex<f64>>
// CHECK-DAG: linop.diag %{{.*}} : (tensor<64xcomplex<f64>>) -> !linop.op<64x64, complex<f64>>
// CHECK-DAG: linop.real : !linop.op<64x64, complex<f64> -> f64>
// CHECK-DAG: linop.perm [0, 2, 4, {{.*}}, 30, 32, 31, 29, {{.*}}, 3, 1] : !linop.op<33x33, f64>
// CHECK-DAG: linop.perm [0, 63, 1, 62, 2, 61, {{.*}}] : !linop.op<64x64, f64>
// CHECK-NOT: linop.op<128x128
// CHECK: return
func.func @dct_makhoul() -> (!linop.op<64x64, f64>, !linop.op<33x33, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dct II : !linop.op<64x64, f64>
  %1 = linop.dct II norm = sqrt : !linop.op<33x33, f64>
  %2 = linop.dct III norm = sqrt : !linop.op<64x64, f64>
  return %0, %1, %2 : !linop.op<64x64, f64>, !linop.op<33x33, f64>, !linop.op<64x64, f64>
}

// Real DST-II = J DCT-II diag((-1)^j), DST-III its transpose: Makhoul too.
// CHECK-LABEL: func.func @dst_via_dct
// CHECK-DAG: linop.diag %{{.*}} : (tensor<64xf64>) -> !linop.op<64x64, f64>
// CHECK-DAG: linop.perm [63, 62, 61, {{.*}}, 1, 0] : !linop.op<64x64, f64>
// CHECK-NOT: linop.op<128x128
// CHECK: return
func.func @dst_via_dct() -> (!linop.op<64x64, f64>, !linop.op<64x64, f64>) {
  %0 = linop.dst II norm = sqrt : !linop.op<64x64, f64>
  %1 = linop.dst III : !linop.op<64x64, f64>
  return %0, %1 : !linop.op<64x64, f64>, !linop.op<64x64, f64>
}

// A real FFT convolution: irdft diag rdft, one kernel's worth of factors.
// CHECK-LABEL: func.func @fft_conv
// CHECK-DAG: linop.pack
// CHECK-DAG: linop.unpack
// CHECK: return
func.func @fft_conv() -> !linop.op<32x32, f64> {
  %h = arith.constant dense<[(1.0, 0.5), (2.0, -1.0), (0.5, 0.25), (-1.0, 2.0), (0.25, 0.0), (1.5, -0.5), (-0.5, 1.0), (2.0, 0.0), (1.0, 1.0), (0.0, -1.0), (3.0, 0.5), (-2.0, 0.25), (0.5, 0.5), (1.0, -2.0), (0.75, 0.0), (-1.0, 1.0), (2.0, 0.0)]> : tensor<17xcomplex<f64>>
  %F = linop.rdft : !linop.op<17x32, f64 -> complex<f64>>
  %D = linop.diag %h : (tensor<17xcomplex<f64>>) -> !linop.op<17x17, complex<f64>>
  %G = linop.irdft norm = full : !linop.op<32x17, complex<f64> -> f64>
  %C = linop.compose %G, %D, %F : (!linop.op<32x17, complex<f64> -> f64>, !linop.op<17x17, complex<f64>>, !linop.op<17x32, f64 -> complex<f64>>) -> !linop.op<32x32, f64>
  return %C : !linop.op<32x32, f64>
}

// A real DCT inside a Kronecker product: the elementwise real and promote
// steps cover the whole vector rather than sitting in a kron.
// CHECK-LABEL: func.func @kron_real_dct
// CHECK-DAG: linop.real : !linop.op<128x128, complex<f64> -> f64>
// CHECK-DAG: linop.promote : !linop.op<128x128, f64 -> complex<f64>>
// CHECK: return
func.func @kron_real_dct() -> !linop.op<128x128, f64> {
  %C = linop.dct II norm = sqrt : !linop.op<32x32, f64>
  %H = linop.hadamard : !linop.op<4x4, f64>
  %K = linop.kron %C, %H : (!linop.op<32x32, f64>, !linop.op<4x4, f64>) -> !linop.op<128x128, f64>
  return %K : !linop.op<128x128, f64>
}
