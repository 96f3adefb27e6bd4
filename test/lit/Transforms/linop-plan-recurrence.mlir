// linop-plan turns a function that returns a linop.recurrence's output (and
// its final state) into one chunked_recurrence kernel: the shapes, the gate
// and update, the chunk (the spec's, else the target's choice; at most T),
// the scale in force, and each operand's position (arguments, then
// results). The kernel's numerics against the sequential float64
// reference: test/lit/CPU/recurrence.test.
// RUN: linop-opt %s --linop-plan -split-input-file -verify-diagnostics | FileCheck %s
// Without chunk_size the module's target chooses, and the kernel says so:
// the CPU 16, CUDA 64, and 64 without a target (the flop count alone).
// RUN: linop-opt %s --linop-attach-target=target=cpu --linop-plan -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=CPU
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-plan -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=CUDA

// CHECK-LABEL: linop_kernel.chunked_recurrence @linop_k_gla for "gla" decay = vector update = additive
// CHECK-SAME: chunk = 32 : i64, dk = 32 : i64, dv = 16 : i64, element = bf16
// CPU-LABEL: chunked_recurrence @linop_k_gla
// CPU-SAME: {chunk = 32 : i64, dk =
// CUDA-LABEL: chunked_recurrence @linop_k_gla
// CUDA-SAME: {chunk = 32 : i64, dk =
// CHECK-SAME: g = 3 : i64, h = 3 : i64, h0 = 4 : i64, k = 1 : i64, o = 5 : i64, operands = 7 : i64
// CHECK-SAME: out_element = bf16, q = 0 : i64, scale = 0.17677669529663687 : f64, state = 6 : i64, t = 130 : i64, v = 2 : i64
// CHECK-NOT: func.func @gla
func.func @gla(%q: tensor<?x130x3x32xbf16>, %k: tensor<?x130x3x32xbf16>, %v: tensor<?x130x3x16xbf16>,
               %g: tensor<?x130x3x32xf32>, %h0: tensor<?x3x32x16xf32>) -> (tensor<?x130x3x16xbf16>, tensor<?x3x32x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive init(%h0) {chunk_size = 32 : i64}
      : (tensor<?x130x3x32xbf16>, tensor<?x130x3x32xbf16>, tensor<?x130x3x16xbf16>, tensor<?x130x3x32xf32>, tensor<?x3x32x16xf32>)
      -> (tensor<?x130x3x16xbf16>, tensor<?x3x32x16xf32>)
  return %o, %s : tensor<?x130x3x16xbf16>, tensor<?x3x32x16xf32>
}

// -----

// The delta rule returning only o; a chunk longer than T becomes T.
// CHECK-LABEL: linop_kernel.chunked_recurrence @linop_k_delta for "delta" decay = none update = delta
// CHECK-SAME: beta = 3 : i64, chunk = 7 : i64
// CHECK-SAME: o = 4 : i64, operands = 5 : i64
// CHECK-SAME: scale = 5.000000e-01 : f64, t = 7 : i64
// CHECK-NOT: state =
func.func @delta(%q: tensor<?x7x2x16xf32>, %k: tensor<?x7x2x16xf32>, %v: tensor<?x7x2x16xf32>,
                 %beta: tensor<?x7x2xf32>) -> tensor<?x7x2x16xf32> {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = delta(%beta) {scale = 0.5 : f64}
      : (tensor<?x7x2x16xf32>, tensor<?x7x2x16xf32>, tensor<?x7x2x16xf32>, tensor<?x7x2xf32>)
      -> (tensor<?x7x2x16xf32>, tensor<?x2x16x16xf32>)
  return %o : tensor<?x7x2x16xf32>
}

// -----

// Heads first: T and H read from their places; the kernel says so.
// CHECK-LABEL: linop_kernel.chunked_recurrence @linop_k_bhtd for "bhtd" decay = scalar update = additive
// CHECK-SAME: {chunk = 64 : i64, chunk_chosen, dk =
// CHECK-SAME: h = 4 : i64, heads_first
// CPU-LABEL: chunked_recurrence @linop_k_bhtd
// CPU-SAME: {chunk = 16 : i64, chunk_chosen, dk =
// CUDA-LABEL: chunked_recurrence @linop_k_bhtd
// CUDA-SAME: {chunk = 64 : i64, chunk_chosen, dk =
// CHECK-SAME: t = 200 : i64
func.func @bhtd(%q: tensor<?x4x200x64xf32>, %g: tensor<?x4x200xf32>) -> tensor<?x4x200x64xf32> {
  %o, %s = linop.recurrence %q, %q, %q gate = scalar(%g) update = additive layout = bhtd
      : (tensor<?x4x200x64xf32>, tensor<?x4x200x64xf32>, tensor<?x4x200x64xf32>, tensor<?x4x200xf32>)
      -> (tensor<?x4x200x64xf32>, tensor<?x4x64x64xf32>)
  return %o : tensor<?x4x200x64xf32>
}

// -----

// What the kernel does not cover says so at the recurrence.
func.func @static_batch(%q: tensor<2x8x1x4xf32>) -> (tensor<2x8x1x4xf32>, tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{linop-plan: @static_batch: q has type tensor<2x8x1x4xf32>: a recurrence's kernel takes a batch (a dynamic first dimension) of static shapes}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<2x8x1x4xf32>, tensor<2x8x1x4xf32>, tensor<2x8x1x4xf32>) -> (tensor<2x8x1x4xf32>, tensor<2x1x4x4xf32>)
  return %o, %s : tensor<2x8x1x4xf32>, tensor<2x1x4x4xf32>
}

// -----

func.func @bf16_gates(%q: tensor<?x8x1x4xf32>, %g: tensor<?x8x1xbf16>) -> tensor<?x8x1x4xf32> {
  // expected-error @+1 {{linop-plan: @bf16_gates: the log-decays g must be f32 so far, got bf16}}
  %o, %s = linop.recurrence %q, %q, %q gate = scalar(%g) update = additive
      : (tensor<?x8x1x4xf32>, tensor<?x8x1x4xf32>, tensor<?x8x1x4xf32>, tensor<?x8x1xbf16>) -> (tensor<?x8x1x4xf32>, tensor<?x1x4x4xf32>)
  return %o : tensor<?x8x1x4xf32>
}

// -----

func.func @state_only(%q: tensor<?x8x1x4xf32>) -> tensor<?x1x4x4xf32> {
  // expected-error @+1 {{linop-plan: @state_only: a recurrence's kernel returns its output o, or o and the final state, in that order}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<?x8x1x4xf32>, tensor<?x8x1x4xf32>, tensor<?x8x1x4xf32>) -> (tensor<?x8x1x4xf32>, tensor<?x1x4x4xf32>)
  return %s : tensor<?x1x4x4xf32>
}

// -----

func.func @f64_data(%q: tensor<?x8x1x4xf64>) -> tensor<?x8x1x4xf64> {
  // expected-error @+1 {{linop-plan: @f64_data: q, k, v and o are stored as f32, f16 or bf16 so far, got f64 and f64}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<?x8x1x4xf64>, tensor<?x8x1x4xf64>, tensor<?x8x1x4xf64>) -> (tensor<?x8x1x4xf64>, tensor<?x1x4x4xf64>)
  return %o : tensor<?x8x1x4xf64>
}

// -----

func.func @huge_chunk(%q: tensor<?x4096x1x4xf32>) -> tensor<?x4096x1x4xf32> {
  // expected-error @+1 {{linop-plan: @huge_chunk: chunk_size 4096 is too large: a chunk's products take chunk^2 values, so kernels take chunks of at most 1024 steps}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive {chunk_size = 4096 : i64}
      : (tensor<?x4096x1x4xf32>, tensor<?x4096x1x4xf32>, tensor<?x4096x1x4xf32>) -> (tensor<?x4096x1x4xf32>, tensor<?x1x4x4xf32>)
  return %o : tensor<?x4096x1x4xf32>
}

// -----

func.func @huge_state(%q: tensor<?x8x1x2048xf32>) -> tensor<?x8x1x2048xf32> {
  // expected-error @+1 {{linop-plan: @huge_state: Dk = 2048 and Dv = 2048: a recurrence's kernel keeps a Dk x Dv state per head, with Dk and Dv at most 1024 so far}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<?x8x1x2048xf32>, tensor<?x8x1x2048xf32>, tensor<?x8x1x2048xf32>) -> (tensor<?x8x1x2048xf32>, tensor<?x1x2048x2048xf32>)
  return %o : tensor<?x8x1x2048xf32>
}
