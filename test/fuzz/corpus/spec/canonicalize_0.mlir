func.func @compose_identity() -> !linop.op<8x8, complex<f32>> {
  %I = linop.identity : !linop.op<8x8, complex<f32>>
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %0 = linop.compose %I, %F, %I : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %0 : !linop.op<8x8, complex<f32>>
}
func.func @compose_real_identity() -> !linop.op<8x8, complex<f32>> {
  %I = linop.identity : !linop.op<8x8, f32>
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %0 = linop.compose %F, %I, %F : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, f32>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  return %0 : !linop.op<8x8, complex<f32>>
}
func.func @compose_flatten(%a: tensor<4x4xf32>, %b: tensor<4xf32>) -> !linop.op<4x4, f32> {
  %A = linop.dense %a : (tensor<4x4xf32>) -> !linop.op<4x4, f32>
  %D = linop.diag %b : (tensor<4xf32>) -> !linop.op<4x4, f32>
  %0 = linop.compose %A, %D : (!linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %1 = linop.compose %0, %A : (!linop.op<4x4, f32>, !linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %1 : !linop.op<4x4, f32>
}
func.func @compose_single() -> !linop.op<4x4, f32> {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.compose %H : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}
func.func @bitrev_twice(%a: tensor<8x8xf32>) -> !linop.op<8x8, f32> {
  %P = linop.perm bitrev : !linop.op<8x8, f32>
  %A = linop.dense %a : (tensor<8x8xf32>) -> !linop.op<8x8, f32>
  %0 = linop.compose %A, %P, %P : (!linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0 : !linop.op<8x8, f32>
}
func.func @adjacent_perms(%a: tensor<8x8xf32>) -> !linop.op<8x8, f32> {
  %P = linop.perm stride 2 : !linop.op<8x8, f32>
  %A = linop.dense %a : (tensor<8x8xf32>) -> !linop.op<8x8, f32>
  %0 = linop.compose %A, %P, %P : (!linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0 : !linop.op<8x8, f32>
}
func.func @double_transpose(%a: tensor<4x8xf32>) -> !linop.op<4x8, f32> {
  %A = linop.dense %a : (tensor<4x8xf32>) -> !linop.op<4x8, f32>
  %0 = linop.transpose %A : (!linop.op<4x8, f32>) -> !linop.op<8x4, f32>
  %1 = linop.transpose %0 : (!linop.op<8x4, f32>) -> !linop.op<4x8, f32>
  return %1 : !linop.op<4x8, f32>
}
func.func @double_adjoint(%a: tensor<4x4xcomplex<f64>>) -> !linop.op<4x4, complex<f64>> {
  %A = linop.dense %a : (tensor<4x4xcomplex<f64>>) -> !linop.op<4x4, complex<f64>>
  %0 = linop.adjoint %A : (!linop.op<4x4, complex<f64>>) -> !linop.op<4x4, complex<f64>>
  %1 = linop.adjoint %0 : (!linop.op<4x4, complex<f64>>) -> !linop.op<4x4, complex<f64>>
  return %1 : !linop.op<4x4, complex<f64>>
}
func.func @adjoint_dft() -> !linop.op<6x6, complex<f32>> {
  %F = linop.dft norm = sqrt : !linop.op<6x6, complex<f32>>
  %0 = linop.adjoint %F : (!linop.op<6x6, complex<f32>>) -> !linop.op<6x6, complex<f32>>
  return %0 : !linop.op<6x6, complex<f32>>
}
func.func @transpose_symmetric() -> (!linop.op<8x8, f32>, !linop.op<8x8, f32>) {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %C = linop.dct II norm = sqrt : !linop.op<8x8, f32>
  %0 = linop.transpose %H : (!linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  %1 = linop.transpose %C : (!linop.op<8x8, f32>) -> !linop.op<8x8, f32>
  return %0, %1 : !linop.op<8x8, f32>, !linop.op<8x8, f32>
}
func.func @transpose_perm() -> !linop.op<3x3, f32> {
  %P = linop.perm [2, 0, 1] : !linop.op<3x3, f32>
  %0 = linop.transpose %P : (!linop.op<3x3, f32>) -> !linop.op<3x3, f32>
  return %0 : !linop.op<3x3, f32>
}
func.func @kron_unit() -> !linop.op<4x4, f32> {
  %U = linop.identity : !linop.op<1x1, f32>
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.kron %U, %H, %U : (!linop.op<1x1, f32>, !linop.op<4x4, f32>, !linop.op<1x1, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}
func.func @kron_flatten() -> !linop.op<8x8, f32> {
  %H = linop.hadamard : !linop.op<2x2, f32>
  %0 = linop.kron %H, %H : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<4x4, f32>
  %1 = linop.kron %0, %H : (!linop.op<4x4, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  return %1 : !linop.op<8x8, f32>
}
func.func @scale_fold() -> (!linop.op<4x4, f32>, !linop.op<4x4, f32>) {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.scale %H by 1.0 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %1 = linop.scale %H by 0.5 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  %2 = linop.scale %1 by 3.0 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0, %2 : !linop.op<4x4, f32>, !linop.op<4x4, f32>
}
func.func @direct_sum_single() -> !linop.op<4x4, f32> {
  %H = linop.hadamard : !linop.op<4x4, f32>
  %0 = linop.direct_sum %H : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return %0 : !linop.op<4x4, f32>
}
func.func @applied(%x: tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>> {
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %G = linop.adjoint %F : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %P = linop.perm bitrev : !linop.op<8x8, f32>
  %0 = linop.compose %G, %P, %P, %F : (!linop.op<8x8, complex<f32>>, !linop.op<8x8, f32>, !linop.op<8x8, f32>, !linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
  %y = linop.apply %0, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
  return %y : tensor<?x8xcomplex<f32>>
}
