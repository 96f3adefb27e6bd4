// A Hadamard transform that split-rows.test compiles as two passes: 16
// sub-rows of 64, then 64 sub-rows of 16 (--linop-split-max-row=64).
func.func @had(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %H = linop.hadamard : !linop.op<1024x1024, f32>
  %y = linop.apply %H, %x : (!linop.op<1024x1024, f32>, tensor<?x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
