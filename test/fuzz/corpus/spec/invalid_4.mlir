func.func @bad_family() -> !linop.op<[0] 4x4, f32>
