func.func @bad_element() -> !linop.op<4x4, i32>
