// A butterfly of several blocks whose twiddles are not a constant splits
// into single-block butterflies over tensor.extract_slice of the twiddles
// (the reference evaluator has no tensor ops, so only the shape is checked).
// RUN: linop-opt %s --linop-decompose | FileCheck %s

// CHECK-LABEL: func.func @butterfly_arg
// CHECK-DAG: %[[S0:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0, 0, 0] [3, 1, 3, 4, 2, 2] [1, 1, 1, 1, 1, 1] : tensor<3x2x3x4x2x2xcomplex<f32>> to tensor<3x1x3x4x2x2xcomplex<f32>>
// CHECK-DAG: %[[S1:.*]] = tensor.extract_slice %arg0[0, 1, 0, 0, 0, 0] [3, 1, 3, 4, 2, 2] [1, 1, 1, 1, 1, 1]
// CHECK-DAG: %[[B0:.*]] = linop.butterfly %[[S0]] {decreasing} : (tensor<3x1x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>>
// CHECK-DAG: %[[B1:.*]] = linop.butterfly %[[S1]] {decreasing} : (tensor<3x1x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>>
// CHECK: linop.compose %[[B1]], %[[B0]] : {{.*}} -> !linop.op<[3] 8x8, complex<f32>>
func.func @butterfly_arg(%tw: tensor<3x2x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>> {
  %B = linop.butterfly %tw {decreasing} : (tensor<3x2x3x4x2x2xcomplex<f32>>) -> !linop.op<[3] 8x8, complex<f32>>
  return %B : !linop.op<[3] 8x8, complex<f32>>
}
