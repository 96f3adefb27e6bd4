// linop-cuda-schedule on chunked recurrences (CudaTarget.cpp,
// chooseRecurrenceSchedule): one block of 128 threads per (batch entry,
// head, tile of value columns); chunks of the spec's size rounded up to 16
// (the tensor cores' k), at most 64; value tiles of 64 columns, fewer where
// the state's registers or the shared memory run short. Past 256 key
// channels the state does not fit the registers: refused at the op.
// RUN: linop-opt %s --linop-attach-target=target=cuda --linop-plan --linop-cuda-schedule -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linop-opt %s --linop-attach-target="target=cuda description=smem=100K" --linop-plan --linop-cuda-schedule -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SMALL

// GLA at D = 128: 133 KiB, 64 of them a vector gate's log-decays in double;
// a quarter of the value columns and half the chunk in 100 KiB.
// CHECK-LABEL: chunked_recurrence @linop_k_gla
// CHECK-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 64, block_v = 64, shared = {{[0-9]+}}>
// SMALL-LABEL: chunked_recurrence @linop_k_gla
// SMALL-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 32, block_v = 16, shared = {{[0-9]+}}>
func.func @gla(%q: tensor<?x200x2x128xbf16>, %k: tensor<?x200x2x128xbf16>, %v: tensor<?x200x2x128xbf16>,
               %g: tensor<?x200x2x128xf32>) -> tensor<?x200x2x128xbf16> {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive
      : (tensor<?x200x2x128xbf16>, tensor<?x200x2x128xbf16>, tensor<?x200x2x128xbf16>, tensor<?x200x2x128xf32>)
      -> (tensor<?x200x2x128xbf16>, tensor<?x2x128x128xf32>)
  return %o : tensor<?x200x2x128xbf16>
}

// -----

// Seven steps: one chunk of 16; 8 value columns: one tile of 16.
// CHECK-LABEL: chunked_recurrence @linop_k_delta
// CHECK-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 16, block_v = 16, shared = {{[0-9]+}}>
func.func @delta(%q: tensor<?x7x2x16xf16>, %k: tensor<?x7x2x16xf16>, %v: tensor<?x7x2x8xf16>,
                 %beta: tensor<?x7x2xf32>) -> tensor<?x7x2x8xf16> {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = delta(%beta)
      : (tensor<?x7x2x16xf16>, tensor<?x7x2x16xf16>, tensor<?x7x2x8xf16>, tensor<?x7x2xf32>)
      -> (tensor<?x7x2x8xf16>, tensor<?x2x16x8xf32>)
  return %o : tensor<?x7x2x8xf16>
}

// -----

// 256 key channels: 4 row tiles of the state per warp, so 32 value
// columns keep it in 64 registers a thread.
// CHECK-LABEL: chunked_recurrence @linop_k_wide_k
// CHECK-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 64, block_v = 32, shared = {{[0-9]+}}>
func.func @wide_k(%q: tensor<?x64x1x256xbf16>, %k: tensor<?x64x1x256xbf16>, %v: tensor<?x64x1x64xbf16>,
                  %g: tensor<?x64x1xf32>) -> tensor<?x64x1x64xbf16> {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive
      : (tensor<?x64x1x256xbf16>, tensor<?x64x1x256xbf16>, tensor<?x64x1x64xbf16>, tensor<?x64x1xf32>)
      -> (tensor<?x64x1x64xbf16>, tensor<?x1x256x64xf32>)
  return %o : tensor<?x64x1x64xbf16>
}

// -----

func.func @too_wide(%q: tensor<?x64x1x512xbf16>, %k: tensor<?x64x1x512xbf16>, %v: tensor<?x64x1x64xbf16>)
    -> tensor<?x64x1x64xbf16> {
  // expected-error @+1 {{linop-cuda-schedule: @too_wide: the CUDA recurrence kernel keeps the state in registers, which holds Dk <= 256 key channels; this one has 512 (--target=cpu takes up to 1024)}}
  %o, %s = linop.recurrence %q, %k, %v gate = none update = additive
      : (tensor<?x64x1x512xbf16>, tensor<?x64x1x512xbf16>, tensor<?x64x1x64xbf16>)
      -> (tensor<?x64x1x64xbf16>, tensor<?x1x512x64xf32>)
  return %o : tensor<?x64x1x64xbf16>
}

// -----

// Dk = 256 and Dv = 48: the state's registers halve the value tile of 48
// to 16, a multiple of 16 (not 24).
// CHECK-LABEL: chunked_recurrence @linop_k_dv48
// CHECK-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 64, block_v = 16, shared = {{[0-9]+}}>
func.func @dv48(%q: tensor<?x64x1x256xbf16>, %k: tensor<?x64x1x256xbf16>, %v: tensor<?x64x1x48xbf16>)
    -> tensor<?x64x1x48xbf16> {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = additive
      : (tensor<?x64x1x256xbf16>, tensor<?x64x1x256xbf16>, tensor<?x64x1x48xbf16>)
      -> (tensor<?x64x1x48xbf16>, tensor<?x1x256x48xf32>)
  return %o : tensor<?x64x1x48xbf16>
}

// -----

// A chunk of 48 halved for shared memory becomes 16, not 24.
// CHECK-LABEL: chunked_recurrence @linop_k_chunk48
// CHECK-SAME: chunk = 48
// SMALL-LABEL: chunked_recurrence @linop_k_chunk48
// SMALL-SAME: schedule = #linop_kernel.cuda_recurrence<threads = 128, chunk = 16, block_v = 16, shared = {{[0-9]+}}>
func.func @chunk48(%q: tensor<?x96x1x256xf32>, %k: tensor<?x96x1x256xf32>, %v: tensor<?x96x1x16xf32>,
                   %g: tensor<?x96x1x256xf32>) -> tensor<?x96x1x16xf32> {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive {chunk_size = 48 : i64}
      : (tensor<?x96x1x256xf32>, tensor<?x96x1x256xf32>, tensor<?x96x1x16xf32>, tensor<?x96x1x256xf32>)
      -> (tensor<?x96x1x16xf32>, tensor<?x1x256x16xf32>)
  return %o : tensor<?x96x1x16xf32>
}
