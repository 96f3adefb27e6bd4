// Chunked linear recurrences (linop.recurrence) for the numerics cases of
// transforms.sh (group recurrence): every gate kind and both updates, with
// and without an initial state, chunks that do and do not divide T, f32 and
// 16-bit storage, T from 1 to 4096, D = 64 and 128, H = 1 and 12. linop-run
// --random gives log-decays log(sigmoid(x)), betas sigmoid(x) and unit keys
// for the delta rule.

// Linear attention: no gate.
func.func @linear_attention(%q: tensor<?x64x2x16xf32>, %k: tensor<?x64x2x16xf32>, %v: tensor<?x64x2x16xf32>)
    -> (tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = additive {chunk_size = 16 : i64}
      : (tensor<?x64x2x16xf32>, tensor<?x64x2x16xf32>, tensor<?x64x2x16xf32>)
      -> (tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>)
  return %o, %s : tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>
}

// RetNet / Mamba-2 / simple GLA: a scalar gate per head and step; T not a
// multiple of the chunk; only the output returned.
func.func @retention(%q: tensor<?x1000x12x64xf32>, %k: tensor<?x1000x12x64xf32>, %v: tensor<?x1000x12x64xf32>,
                     %g: tensor<?x1000x12xf32>) -> tensor<?x1000x12x64xf32> {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive
      : (tensor<?x1000x12x64xf32>, tensor<?x1000x12x64xf32>, tensor<?x1000x12x64xf32>, tensor<?x1000x12xf32>)
      -> (tensor<?x1000x12x64xf32>, tensor<?x12x64x64xf32>)
  return %o : tensor<?x1000x12x64xf32>
}

// GLA: a gate per key channel, an initial state, Dk != Dv.
func.func @gla(%q: tensor<?x130x3x32xf32>, %k: tensor<?x130x3x32xf32>, %v: tensor<?x130x3x16xf32>,
               %g: tensor<?x130x3x32xf32>, %h0: tensor<?x3x32x16xf32>) -> (tensor<?x130x3x16xf32>, tensor<?x3x32x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive init(%h0) {chunk_size = 32 : i64}
      : (tensor<?x130x3x32xf32>, tensor<?x130x3x32xf32>, tensor<?x130x3x16xf32>, tensor<?x130x3x32xf32>, tensor<?x3x32x16xf32>)
      -> (tensor<?x130x3x16xf32>, tensor<?x3x32x16xf32>)
  return %o, %s : tensor<?x130x3x16xf32>, tensor<?x3x32x16xf32>
}

// The delta rule (DeltaNet), a scale of its own.
func.func @delta(%q: tensor<?x7x2x16xf32>, %k: tensor<?x7x2x16xf32>, %v: tensor<?x7x2x16xf32>,
                 %beta: tensor<?x7x2xf32>, %h0: tensor<?x2x16x16xf32>) -> (tensor<?x7x2x16xf32>, tensor<?x2x16x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = delta(%beta) init(%h0) {scale = 0.5 : f64}
      : (tensor<?x7x2x16xf32>, tensor<?x7x2x16xf32>, tensor<?x7x2x16xf32>, tensor<?x7x2xf32>, tensor<?x2x16x16xf32>)
      -> (tensor<?x7x2x16xf32>, tensor<?x2x16x16xf32>)
  return %o, %s : tensor<?x7x2x16xf32>, tensor<?x2x16x16xf32>
}

// The gated delta rule (Gated DeltaNet) on bf16 data, D = 128.
func.func @gated_delta(%q: tensor<?x256x2x128xbf16>, %k: tensor<?x256x2x128xbf16>, %v: tensor<?x256x2x128xbf16>,
                       %g: tensor<?x256x2xf32>, %beta: tensor<?x256x2xf32>) -> (tensor<?x256x2x128xbf16>, tensor<?x2x128x128xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = delta(%beta)
      : (tensor<?x256x2x128xbf16>, tensor<?x256x2x128xbf16>, tensor<?x256x2x128xbf16>, tensor<?x256x2xf32>, tensor<?x256x2xf32>)
      -> (tensor<?x256x2x128xbf16>, tensor<?x2x128x128xf32>)
  return %o, %s : tensor<?x256x2x128xbf16>, tensor<?x2x128x128xf32>
}

// A vector gate with the delta rule, f16 storage.
func.func @gla_delta(%q: tensor<?x100x1x16xf16>, %k: tensor<?x100x1x16xf16>, %v: tensor<?x100x1x8xf16>,
                     %g: tensor<?x100x1x16xf32>, %beta: tensor<?x100x1xf32>, %h0: tensor<?x1x16x8xf32>)
    -> (tensor<?x100x1x8xf16>, tensor<?x1x16x8xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = delta(%beta) init(%h0) {chunk_size = 8 : i64}
      : (tensor<?x100x1x16xf16>, tensor<?x100x1x16xf16>, tensor<?x100x1x8xf16>, tensor<?x100x1x16xf32>, tensor<?x100x1xf32>, tensor<?x1x16x8xf32>)
      -> (tensor<?x100x1x8xf16>, tensor<?x1x16x8xf32>)
  return %o, %s : tensor<?x100x1x8xf16>, tensor<?x1x16x8xf32>
}

// A vector gate with the delta rule in chunks of 64 (bf16 storage): a chunk
// spans several 16-row blocks, so the GPU factors the products through each
// block's first step and solves the delta rule's triangle on 16-bit data;
// T is not a multiple of the chunk.
func.func @gla_delta_wide(%q: tensor<?x150x2x64xbf16>, %k: tensor<?x150x2x64xbf16>, %v: tensor<?x150x2x32xbf16>,
                          %g: tensor<?x150x2x64xf32>, %beta: tensor<?x150x2xf32>, %h0: tensor<?x2x64x32xf32>)
    -> (tensor<?x150x2x32xbf16>, tensor<?x2x64x32xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = delta(%beta) init(%h0) {chunk_size = 64 : i64}
      : (tensor<?x150x2x64xbf16>, tensor<?x150x2x64xbf16>, tensor<?x150x2x32xbf16>, tensor<?x150x2x64xf32>, tensor<?x150x2xf32>, tensor<?x2x64x32xf32>)
      -> (tensor<?x150x2x32xbf16>, tensor<?x2x64x32xf32>)
  return %o, %s : tensor<?x150x2x32xbf16>, tensor<?x2x64x32xf32>
}

// One step.
func.func @one_step(%q: tensor<?x1x4x64xf32>, %k: tensor<?x1x4x64xf32>, %v: tensor<?x1x4x64xf32>,
                    %g: tensor<?x1x4xf32>, %h0: tensor<?x4x64x64xf32>) -> (tensor<?x1x4x64xf32>, tensor<?x4x64x64xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive init(%h0)
      : (tensor<?x1x4x64xf32>, tensor<?x1x4x64xf32>, tensor<?x1x4x64xf32>, tensor<?x1x4xf32>, tensor<?x4x64x64xf32>)
      -> (tensor<?x1x4x64xf32>, tensor<?x4x64x64xf32>)
  return %o, %s : tensor<?x1x4x64xf32>, tensor<?x4x64x64xf32>
}

// A long sequence: T = 4096, D = 128.
func.func @long_sequence(%q: tensor<?x4096x1x128xf32>, %k: tensor<?x4096x1x128xf32>, %v: tensor<?x4096x1x128xf32>,
                %g: tensor<?x4096x1xf32>) -> (tensor<?x4096x1x128xf32>, tensor<?x1x128x128xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive
      : (tensor<?x4096x1x128xf32>, tensor<?x4096x1x128xf32>, tensor<?x4096x1x128xf32>, tensor<?x4096x1xf32>)
      -> (tensor<?x4096x1x128xf32>, tensor<?x1x128x128xf32>)
  return %o, %s : tensor<?x4096x1x128xf32>, tensor<?x1x128x128xf32>
}

// Heads first ([B, H, T, D]): the gated delta rule with a vector gate.
func.func @heads_first(%q: tensor<?x3x70x32xf32>, %k: tensor<?x3x70x32xf32>, %v: tensor<?x3x70x16xf32>,
                       %g: tensor<?x3x70x32xf32>, %beta: tensor<?x3x70xf32>, %h0: tensor<?x3x32x16xf32>)
    -> (tensor<?x3x70x16xf32>, tensor<?x3x32x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = delta(%beta) init(%h0) layout = bhtd {chunk_size = 16 : i64}
      : (tensor<?x3x70x32xf32>, tensor<?x3x70x32xf32>, tensor<?x3x70x16xf32>, tensor<?x3x70x32xf32>, tensor<?x3x70xf32>, tensor<?x3x32x16xf32>)
      -> (tensor<?x3x70x16xf32>, tensor<?x3x32x16xf32>)
  return %o, %s : tensor<?x3x70x16xf32>, tensor<?x3x32x16xf32>
}

// Heads first, a scalar gate, bf16.
func.func @heads_first_retention(%q: tensor<?x4x200x64xbf16>, %k: tensor<?x4x200x64xbf16>, %v: tensor<?x4x200x64xbf16>,
                                 %g: tensor<?x4x200xf32>) -> tensor<?x4x200x64xbf16> {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive layout = bhtd
      : (tensor<?x4x200x64xbf16>, tensor<?x4x200x64xbf16>, tensor<?x4x200x64xbf16>, tensor<?x4x200xf32>)
      -> (tensor<?x4x200x64xbf16>, tensor<?x4x64x64xf32>)
  return %o : tensor<?x4x200x64xbf16>
}

// 16-bit storage at the sizes of models, for the CUDA kernel's tensor-core
// products: a scalar gate with an initial state (bf16, D = 128, H = 12);
// a vector gate (bf16, D = 128); the delta rule (f16, D = 64); value
// columns in several tiles of the CUDA kernel (Dv = 192, and 100, not a
// multiple of 16).
func.func @retention_bf16(%q: tensor<?x300x12x128xbf16>, %k: tensor<?x300x12x128xbf16>, %v: tensor<?x300x12x128xbf16>,
                          %g: tensor<?x300x12xf32>, %h0: tensor<?x12x128x128xf32>)
    -> (tensor<?x300x12x128xbf16>, tensor<?x12x128x128xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive init(%h0)
      : (tensor<?x300x12x128xbf16>, tensor<?x300x12x128xbf16>, tensor<?x300x12x128xbf16>, tensor<?x300x12xf32>, tensor<?x12x128x128xf32>)
      -> (tensor<?x300x12x128xbf16>, tensor<?x12x128x128xf32>)
  return %o, %s : tensor<?x300x12x128xbf16>, tensor<?x12x128x128xf32>
}

func.func @gla_bf16(%q: tensor<?x200x2x128xbf16>, %k: tensor<?x200x2x128xbf16>, %v: tensor<?x200x2x128xbf16>,
                    %g: tensor<?x200x2x128xf32>) -> (tensor<?x200x2x128xbf16>, tensor<?x2x128x128xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive
      : (tensor<?x200x2x128xbf16>, tensor<?x200x2x128xbf16>, tensor<?x200x2x128xbf16>, tensor<?x200x2x128xf32>)
      -> (tensor<?x200x2x128xbf16>, tensor<?x2x128x128xf32>)
  return %o, %s : tensor<?x200x2x128xbf16>, tensor<?x2x128x128xf32>
}

func.func @delta_f16(%q: tensor<?x1000x2x64xf16>, %k: tensor<?x1000x2x64xf16>, %v: tensor<?x1000x2x64xf16>,
                     %beta: tensor<?x1000x2xf32>) -> (tensor<?x1000x2x64xf16>, tensor<?x2x64x64xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = delta(%beta)
      : (tensor<?x1000x2x64xf16>, tensor<?x1000x2x64xf16>, tensor<?x1000x2x64xf16>, tensor<?x1000x2xf32>)
      -> (tensor<?x1000x2x64xf16>, tensor<?x2x64x64xf32>)
  return %o, %s : tensor<?x1000x2x64xf16>, tensor<?x2x64x64xf32>
}

func.func @wide_v(%q: tensor<?x100x3x64xbf16>, %k: tensor<?x100x3x64xbf16>, %v: tensor<?x100x3x192xbf16>,
                  %g: tensor<?x100x3xf32>, %h0: tensor<?x3x64x192xf32>)
    -> (tensor<?x100x3x192xbf16>, tensor<?x3x64x192xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive init(%h0)
      : (tensor<?x100x3x64xbf16>, tensor<?x100x3x64xbf16>, tensor<?x100x3x192xbf16>, tensor<?x100x3xf32>, tensor<?x3x64x192xf32>)
      -> (tensor<?x100x3x192xbf16>, tensor<?x3x64x192xf32>)
  return %o, %s : tensor<?x100x3x192xbf16>, tensor<?x3x64x192xf32>
}

func.func @odd_v(%q: tensor<?x90x2x40xf32>, %k: tensor<?x90x2x40xf32>, %v: tensor<?x90x2x100xf32>,
                 %beta: tensor<?x90x2xf32>) -> (tensor<?x90x2x100xf32>, tensor<?x2x40x100xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = none update = delta(%beta) {chunk_size = 20 : i64}
      : (tensor<?x90x2x40xf32>, tensor<?x90x2x40xf32>, tensor<?x90x2x100xf32>, tensor<?x90x2xf32>)
      -> (tensor<?x90x2x100xf32>, tensor<?x2x40x100xf32>)
  return %o, %s : tensor<?x90x2x100xf32>, tensor<?x2x40x100xf32>
}

// Variable-length sequences (FLA's cu_seqlens): each batch entry packs 5
// sequences along T, cut at random points (some empty), each a recurrence
// of its own with its own initial and final state. int64 offsets, a
// scalar gate, bf16 (the CUDA kernel's tensor cores).
func.func @varlen_retention(%q: tensor<?x300x2x64xbf16>, %k: tensor<?x300x2x64xbf16>, %v: tensor<?x300x2x64xbf16>,
                            %g: tensor<?x300x2xf32>, %h0: tensor<?x5x2x64x64xf32>, %cu: tensor<?x6xi64>)
    -> (tensor<?x300x2x64xbf16>, tensor<?x5x2x64x64xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive init(%h0) offsets(%cu)
      : (tensor<?x300x2x64xbf16>, tensor<?x300x2x64xbf16>, tensor<?x300x2x64xbf16>, tensor<?x300x2xf32>,
         tensor<?x5x2x64x64xf32>, tensor<?x6xi64>)
      -> (tensor<?x300x2x64xbf16>, tensor<?x5x2x64x64xf32>)
  return %o, %s : tensor<?x300x2x64xbf16>, tensor<?x5x2x64x64xf32>
}

// int32 offsets with a vector gate and the delta rule, heads first, f32.
func.func @varlen_gla_delta(%q: tensor<?x2x130x32xf32>, %k: tensor<?x2x130x32xf32>, %v: tensor<?x2x130x16xf32>,
                            %g: tensor<?x2x130x32xf32>, %beta: tensor<?x2x130xf32>, %cu: tensor<?x4xi32>)
    -> (tensor<?x2x130x16xf32>, tensor<?x3x2x32x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = delta(%beta) offsets(%cu) layout = bhtd
      {chunk_size = 32 : i64}
      : (tensor<?x2x130x32xf32>, tensor<?x2x130x32xf32>, tensor<?x2x130x16xf32>, tensor<?x2x130x32xf32>,
         tensor<?x2x130xf32>, tensor<?x4xi32>)
      -> (tensor<?x2x130x16xf32>, tensor<?x3x2x32x16xf32>)
  return %o, %s : tensor<?x2x130x16xf32>, tensor<?x3x2x32x16xf32>
}
