// One stage whose inputs and outputs both sit at a stride of 64 or 128: on
// the GPU it reads its inputs from global memory and writes its outputs
// there itself, with no load or store step of its own.
func.func @dft_outer(%x: tensor<?x512xcomplex<f32>>) -> tensor<?x512xcomplex<f32>> {
  %F = linop.dft : !linop.op<8x8, complex<f32>>
  %I = linop.identity : !linop.op<64x64, complex<f32>>
  %K = linop.kron %F, %I : (!linop.op<8x8, complex<f32>>, !linop.op<64x64, complex<f32>>) -> !linop.op<512x512, complex<f32>>
  %y = linop.apply %K, %x : (!linop.op<512x512, complex<f32>>, tensor<?x512xcomplex<f32>>) -> tensor<?x512xcomplex<f32>>
  return %y : tensor<?x512xcomplex<f32>>
}

func.func @had_outer_f16(%x: tensor<?x1024xf16>) -> tensor<?x1024xf16> {
  %H = linop.hadamard norm = sqrt : !linop.op<16x16, f16>
  %I = linop.identity : !linop.op<64x64, f16>
  %K = linop.kron %H, %I : (!linop.op<16x16, f16>, !linop.op<64x64, f16>) -> !linop.op<1024x1024, f16>
  %y = linop.apply %K, %x : (!linop.op<1024x1024, f16>, tensor<?x1024xf16>) -> tensor<?x1024xf16>
  return %y : tensor<?x1024xf16>
}

func.func @had_outer_bf16(%x: tensor<?x1024xbf16>) -> tensor<?x1024xbf16> {
  %H = linop.hadamard norm = sqrt : !linop.op<8x8, bf16>
  %I = linop.identity : !linop.op<128x128, bf16>
  %K = linop.kron %H, %I : (!linop.op<8x8, bf16>, !linop.op<128x128, bf16>) -> !linop.op<1024x1024, bf16>
  %y = linop.apply %K, %x : (!linop.op<1024x1024, bf16>, tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}
