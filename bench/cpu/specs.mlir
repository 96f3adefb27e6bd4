// Specs benchmarked by bench-cpu: one function per transform and size,
// written as a user would write them.
func.func @dft256(%x: tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>> {
  %F = linop.dft : !linop.op<256x256, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<256x256, complex<f32>>, tensor<?x256xcomplex<f32>>) -> tensor<?x256xcomplex<f32>>
  return %y : tensor<?x256xcomplex<f32>>
}
func.func @dft1024(%x: tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %F = linop.dft : !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
func.func @dft4096(%x: tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>> {
  %F = linop.dft : !linop.op<4096x4096, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, complex<f32>>, tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>>
  return %y : tensor<?x4096xcomplex<f32>>
}
func.func @dft16384(%x: tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>> {
  %F = linop.dft : !linop.op<16384x16384, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<16384x16384, complex<f32>>, tensor<?x16384xcomplex<f32>>) -> tensor<?x16384xcomplex<f32>>
  return %y : tensor<?x16384xcomplex<f32>>
}
func.func @dft65536(%x: tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>> {
  %F = linop.dft : !linop.op<65536x65536, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, complex<f32>>, tensor<?x65536xcomplex<f32>>) -> tensor<?x65536xcomplex<f32>>
  return %y : tensor<?x65536xcomplex<f32>>
}
func.func @dft1048576(%x: tensor<?x1048576xcomplex<f32>>) -> tensor<?x1048576xcomplex<f32>> {
  %F = linop.dft : !linop.op<1048576x1048576, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<1048576x1048576, complex<f32>>, tensor<?x1048576xcomplex<f32>>) -> tensor<?x1048576xcomplex<f32>>
  return %y : tensor<?x1048576xcomplex<f32>>
}
func.func @hadamard65536(%x: tensor<?x65536xf32>) -> tensor<?x65536xf32> {
  %F = linop.hadamard : !linop.op<65536x65536, f32>
  %y = linop.apply %F, %x : (!linop.op<65536x65536, f32>, tensor<?x65536xf32>) -> tensor<?x65536xf32>
  return %y : tensor<?x65536xf32>
}
func.func @hadamard256(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %F = linop.hadamard : !linop.op<256x256, f32>
  %y = linop.apply %F, %x : (!linop.op<256x256, f32>, tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
func.func @hadamard1024(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %F = linop.hadamard : !linop.op<1024x1024, f32>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
func.func @hadamard4096(%x: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %F = linop.hadamard : !linop.op<4096x4096, f32>
  %y = linop.apply %F, %x : (!linop.op<4096x4096, f32>, tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @hadamard16384(%x: tensor<?x16384xf32>) -> tensor<?x16384xf32> {
  %F = linop.hadamard : !linop.op<16384x16384, f32>
  %y = linop.apply %F, %x : (!linop.op<16384x16384, f32>, tensor<?x16384xf32>) -> tensor<?x16384xf32>
  return %y : tensor<?x16384xf32>
}
func.func @butterfly1024_real(%x: tensor<?x1024xf32>, %tw: tensor<1x10x512x2x2xf32>) -> tensor<?x1024xf32> {
  %B = linop.butterfly %tw : (tensor<1x10x512x2x2xf32>) -> !linop.op<1024x1024, f32>
  %y = linop.apply %B, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
func.func @butterfly1024_complex(%x: tensor<?x1024xcomplex<f32>>, %tw: tensor<1x10x512x2x2xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>> {
  %B = linop.butterfly %tw : (tensor<1x10x512x2x2xcomplex<f32>>) -> !linop.op<1024x1024, complex<f32>>
  %y = linop.apply %B, %x : (!linop.op<1024x1024, complex<f32>>, tensor<?x1024xcomplex<f32>>) -> tensor<?x1024xcomplex<f32>>
  return %y : tensor<?x1024xcomplex<f32>>
}
func.func @butterfly4096_real(%x: tensor<?x4096xf32>, %tw: tensor<1x12x2048x2x2xf32>) -> tensor<?x4096xf32> {
  %B = linop.butterfly %tw : (tensor<1x12x2048x2x2xf32>) -> !linop.op<4096x4096, f32>
  %y = linop.apply %B, %x : (!linop.op<4096x4096, f32>, tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @butterfly4096_complex(%x: tensor<?x4096xcomplex<f32>>, %tw: tensor<1x12x2048x2x2xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>> {
  %B = linop.butterfly %tw : (tensor<1x12x2048x2x2xcomplex<f32>>) -> !linop.op<4096x4096, complex<f32>>
  %y = linop.apply %B, %x : (!linop.op<4096x4096, complex<f32>>, tensor<?x4096xcomplex<f32>>) -> tensor<?x4096xcomplex<f32>>
  return %y : tensor<?x4096xcomplex<f32>>
}

func.func @rdft1024(%x: tensor<?x1024xf32>) -> tensor<?x513xcomplex<f32>> {
  %F = linop.rdft : !linop.op<513x1024, f32 -> complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<513x1024, f32 -> complex<f32>>, tensor<?x1024xf32>) -> tensor<?x513xcomplex<f32>>
  return %y : tensor<?x513xcomplex<f32>>
}
func.func @rdft4096(%x: tensor<?x4096xf32>) -> tensor<?x2049xcomplex<f32>> {
  %F = linop.rdft : !linop.op<2049x4096, f32 -> complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<2049x4096, f32 -> complex<f32>>, tensor<?x4096xf32>) -> tensor<?x2049xcomplex<f32>>
  return %y : tensor<?x2049xcomplex<f32>>
}
func.func @dct1024(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %F = linop.dct II : !linop.op<1024x1024, f32>
  %y = linop.apply %F, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
