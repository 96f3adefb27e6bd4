func.func @negative_size() -> !linop.op<-4x4, f32>
