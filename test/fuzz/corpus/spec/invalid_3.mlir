func.func @three_sizes() -> !linop.op<4x4x4, f32>
