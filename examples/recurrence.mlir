// Chunked linear recurrences: linear attention with a scalar gate per head
// and step (RetNet, Mamba-2, simple GLA) and with a vector gate (GLA), and
// the gated delta rule. Per (b, h), with state S: [Dk, Dv]:
//   S_t = exp(g_t) S_{t-1} + k_t v_t^T,   o_t = scale * S_t^T q_t.
// The chunk size changes how a kernel computes, never what: the first
// function asks for 64, the others leave it to the target's cost model
// (linopc --explain says what it chose and why). The first dimension is the
// batch: linopc --target=cpu or --target=cuda compiles each function into a
// kernel.
func.func @simple_gla(%q: tensor<?x256x4x64xbf16>, %k: tensor<?x256x4x64xbf16>, %v: tensor<?x256x4x64xbf16>,
                      %g: tensor<?x256x4xf32>) -> (tensor<?x256x4x64xbf16>, tensor<?x4x64x64xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive {chunk_size = 64 : i64}
      : (tensor<?x256x4x64xbf16>, tensor<?x256x4x64xbf16>, tensor<?x256x4x64xbf16>, tensor<?x256x4xf32>)
      -> (tensor<?x256x4x64xbf16>, tensor<?x4x64x64xf32>)
  return %o, %s : tensor<?x256x4x64xbf16>, tensor<?x4x64x64xf32>
}

func.func @gla(%q: tensor<?x128x2x16xf32>, %k: tensor<?x128x2x16xf32>, %v: tensor<?x128x2x32xf32>,
               %g: tensor<?x128x2x16xf32>, %h0: tensor<?x2x16x32xf32>) -> (tensor<?x128x2x32xf32>, tensor<?x2x16x32xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = vector(%g) update = additive init(%h0)
      : (tensor<?x128x2x16xf32>, tensor<?x128x2x16xf32>, tensor<?x128x2x32xf32>, tensor<?x128x2x16xf32>, tensor<?x2x16x32xf32>)
      -> (tensor<?x128x2x32xf32>, tensor<?x2x16x32xf32>)
  return %o, %s : tensor<?x128x2x32xf32>, tensor<?x2x16x32xf32>
}

func.func @gated_delta(%q: tensor<?x64x2x16xf32>, %k: tensor<?x64x2x16xf32>, %v: tensor<?x64x2x16xf32>,
                       %g: tensor<?x64x2xf32>, %beta: tensor<?x64x2xf32>) -> (tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = delta(%beta)
      : (tensor<?x64x2x16xf32>, tensor<?x64x2x16xf32>, tensor<?x64x2x16xf32>, tensor<?x64x2xf32>, tensor<?x64x2xf32>)
      -> (tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>)
  return %o, %s : tensor<?x64x2x16xf32>, tensor<?x2x16x16xf32>
}
