// 128 stacked BP factors at N = 1024: 1280 butterfly stages.
func.func @stacked(%x: tensor<?x1024xf32>, %tw: tensor<128x10x512x2x2xf32>) -> tensor<?x1024xf32> {
  %B = linop.butterfly %tw : (tensor<128x10x512x2x2xf32>) -> !linop.op<1024x1024, f32>
  %y = linop.apply %B, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
