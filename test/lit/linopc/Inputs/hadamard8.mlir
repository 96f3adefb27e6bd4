// A small spec the CPU pipeline compiles, for the --emit and --explain tests.
func.func @had(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %H = linop.hadamard : !linop.op<8x8, f32>
  %y = linop.apply %H, %x : (!linop.op<8x8, f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
