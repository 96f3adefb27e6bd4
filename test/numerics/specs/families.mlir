// Family operators: one operator per channel, for data laid out
// [batch, channels, n] (rows b * C + c). The weights are run-time arguments
// with one row per channel. Each is checked against the reference by
// test/numerics/transforms.sh (group weights), on the CPU and on CUDA.

// A gate per channel; 5 channels, so that a tile of 16 rows starts at
// every channel.
func.func @channel_gate(%x: tensor<?x5x100xf32>, %w: tensor<5x100xf32>) -> tensor<?x5x100xf32> {
  %D = linop.diag %w : (tensor<5x100xf32>) -> !linop.op<[5] 100x100, f32>
  %y = linop.apply %D, %x : (!linop.op<[5] 100x100, f32>, tensor<?x5x100xf32>) -> tensor<?x5x100xf32>
  return %y : tensor<?x5x100xf32>
}

func.func @channel_gate_bf16(%x: tensor<?x3x256xbf16>, %w: tensor<3x256xbf16>) -> tensor<?x3x256xbf16> {
  %D = linop.diag %w : (tensor<3x256xbf16>) -> !linop.op<[3] 256x256, bf16>
  %y = linop.apply %D, %x : (!linop.op<[3] 256x256, bf16>, tensor<?x3x256xbf16>) -> tensor<?x3x256xbf16>
  return %y : tensor<?x3x256xbf16>
}

// Two channel dimensions: the family is the inner one, so row (b, h, c)
// takes member c.
func.func @filter_heads(%x: tensor<?x2x4x512xcomplex<f32>>, %w: tensor<4x512xcomplex<f32>>) -> tensor<?x2x4x512xcomplex<f32>> {
  %F = linop.dft : !linop.op<512x512, complex<f32>>
  %D = linop.diag %w : (tensor<4x512xcomplex<f32>>) -> !linop.op<[4] 512x512, complex<f32>>
  %G = linop.dft inverse norm = full : !linop.op<512x512, complex<f32>>
  %C = linop.compose %G, %D, %F : (!linop.op<512x512, complex<f32>>, !linop.op<[4] 512x512, complex<f32>>, !linop.op<512x512, complex<f32>>) -> !linop.op<[4] 512x512, complex<f32>>
  %y = linop.apply %C, %x : (!linop.op<[4] 512x512, complex<f32>>, tensor<?x2x4x512xcomplex<f32>>) -> tensor<?x2x4x512xcomplex<f32>>
  return %y : tensor<?x2x4x512xcomplex<f32>>
}

// A causal convolution of 64 with one kernel of 64 taps per channel (as in
// Hyena), as a circulant of 128: %s holds each channel's half spectrum
// over 128 (what @conv_prepare of diag.mlir computes, rows of kernels in,
// rows of spectra out). Padding is I_63 (+) e0, truncation its transpose.
func.func @channel_conv(%x: tensor<?x3x64xf32>, %s: tensor<3x65xcomplex<f32>>) -> tensor<?x3x64xf32> {
  %I = linop.identity : !linop.op<63x63, f32>
  %e0 = arith.constant dense<[[1.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0]]> : tensor<65x1xf32>
  %Z = linop.dense %e0 : (tensor<65x1xf32>) -> !linop.op<65x1, f32>
  %Pad = linop.direct_sum %I, %Z : (!linop.op<63x63, f32>, !linop.op<65x1, f32>) -> !linop.op<128x64, f32>
  %Trunc = linop.transpose %Pad : (!linop.op<128x64, f32>) -> !linop.op<64x128, f32>
  %R = linop.rdft : !linop.op<65x128, f32 -> complex<f32>>
  %D = linop.diag %s : (tensor<3x65xcomplex<f32>>) -> !linop.op<[3] 65x65, complex<f32>>
  %G = linop.irdft : !linop.op<128x65, complex<f32> -> f32>
  %C = linop.compose %Trunc, %G, %D, %R, %Pad : (!linop.op<64x128, f32>, !linop.op<128x65, complex<f32> -> f32>, !linop.op<[3] 65x65, complex<f32>>, !linop.op<65x128, f32 -> complex<f32>>, !linop.op<128x64, f32>) -> !linop.op<[3] 64x64, f32>
  %y = linop.apply %C, %x : (!linop.op<[3] 64x64, f32>, tensor<?x3x64xf32>) -> tensor<?x3x64xf32>
  return %y : tensor<?x3x64xf32>
}

// Gates that are data (Hyena, M2, H3): y = post * conv(pre * u, k), the
// gates elementwise products with batched arguments of the data's shape,
// one kernel per channel given by its half spectrum over 128.
func.func @gated_channel_conv(%u: tensor<?x3x64xf32>, %pre: tensor<?x3x64xf32>, %post: tensor<?x3x64xf32>, %s: tensor<3x65xcomplex<f32>>) -> tensor<?x3x64xf32> {
  %I = linop.identity : !linop.op<63x63, f32>
  %e0 = arith.constant dense<[[1.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0]]> : tensor<65x1xf32>
  %Z = linop.dense %e0 : (tensor<65x1xf32>) -> !linop.op<65x1, f32>
  %Pad = linop.direct_sum %I, %Z : (!linop.op<63x63, f32>, !linop.op<65x1, f32>) -> !linop.op<128x64, f32>
  %Trunc = linop.transpose %Pad : (!linop.op<128x64, f32>) -> !linop.op<64x128, f32>
  %R = linop.rdft : !linop.op<65x128, f32 -> complex<f32>>
  %D = linop.diag %s : (tensor<3x65xcomplex<f32>>) -> !linop.op<[3] 65x65, complex<f32>>
  %G = linop.irdft : !linop.op<128x65, complex<f32> -> f32>
  %C = linop.compose %Trunc, %G, %D, %R, %Pad : (!linop.op<64x128, f32>, !linop.op<128x65, complex<f32> -> f32>, !linop.op<[3] 65x65, complex<f32>>, !linop.op<65x128, f32 -> complex<f32>>, !linop.op<128x64, f32>) -> !linop.op<[3] 64x64, f32>
  %g = arith.mulf %pre, %u : tensor<?x3x64xf32>
  %v = linop.apply %C, %g : (!linop.op<[3] 64x64, f32>, tensor<?x3x64xf32>) -> tensor<?x3x64xf32>
  %y = arith.mulf %post, %v : tensor<?x3x64xf32>
  return %y : tensor<?x3x64xf32>
}

// Gates around a transform that runs along the row on the CPU, in bf16.
func.func @gated_hadamard_bf16(%x: tensor<?x1024xbf16>, %pre: tensor<?x1024xbf16>, %post: tensor<?x1024xbf16>) -> tensor<?x1024xbf16> {
  %H = linop.hadamard norm = sqrt : !linop.op<1024x1024, bf16>
  %g = arith.mulf %x, %pre : tensor<?x1024xbf16>
  %v = linop.apply %H, %g : (!linop.op<1024x1024, bf16>, tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
  %y = arith.mulf %v, %post : tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}

// A gate before a real DFT alone: the load reads the row unpacked, the
// gate multiplies it, then the packing runs in the tile.
func.func @gated_rdft(%x: tensor<?x256xf32>, %pre: tensor<?x256xf32>) -> tensor<?x129xcomplex<f32>> {
  %R = linop.rdft : !linop.op<129x256, f32 -> complex<f32>>
  %g = arith.mulf %x, %pre : tensor<?x256xf32>
  %y = linop.apply %R, %g : (!linop.op<129x256, f32 -> complex<f32>>, tensor<?x256xf32>) -> tensor<?x129xcomplex<f32>>
  return %y : tensor<?x129xcomplex<f32>>
}

// A kernel per channel given at run time: linop-split-prepare turns this
// into @hyena_prepare (kernels in, half spectra over 128 out) and @hyena
// taking the spectra, the form of @channel_conv.
func.func @hyena(%u: tensor<?x3x64xf32>, %k: tensor<3x64xf32>) -> tensor<?x3x64xf32> {
  %K = linop.conv causal %k : (tensor<3x64xf32>) -> !linop.op<[3] 64x64, f32>
  %y = linop.apply %K, %u : (!linop.op<[3] 64x64, f32>, tensor<?x3x64xf32>) -> tensor<?x3x64xf32>
  return %y : tensor<?x3x64xf32>
}
