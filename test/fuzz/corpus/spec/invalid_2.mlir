func.func @mixed_precision() -> !linop.op<4x4, f32 -> complex<f64>>
