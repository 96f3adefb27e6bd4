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
