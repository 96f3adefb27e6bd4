// A hand-written stand-in for the CPU pipeline's output, to test the
// packaging (linopc, linop-run --target=cpu) on its own: compile it with
// `--prelowered`. It holds the spec-level function, from which the tools
// take the signature (and which the reference evaluator runs: y = x), and
// its kernel in the LLVM dialect, following the kernel ABI of
// compiler/include/linop/Pipeline.h: rows [begin, end) of ptrs[0] (stride
// strides[0] elements) are copied to ptrs[1] (stride strides[1]).

func.func @copy(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  return %x : tensor<?x8xf32>
}

llvm.func @linop_k_copy(%ptrs: !llvm.ptr, %strides: !llvm.ptr, %begin: i64, %end: i64) {
  %one = llvm.mlir.constant(1 : i64) : i64
  %in_slot = llvm.getelementptr %ptrs[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
  %out_slot = llvm.getelementptr %ptrs[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
  %in = llvm.load %in_slot : !llvm.ptr -> !llvm.ptr
  %out = llvm.load %out_slot : !llvm.ptr -> !llvm.ptr
  %in_stride_slot = llvm.getelementptr %strides[0] : (!llvm.ptr) -> !llvm.ptr, i64
  %out_stride_slot = llvm.getelementptr %strides[1] : (!llvm.ptr) -> !llvm.ptr, i64
  %in_stride = llvm.load %in_stride_slot : !llvm.ptr -> i64
  %out_stride = llvm.load %out_stride_slot : !llvm.ptr -> i64
  llvm.br ^loop(%begin : i64)
^loop(%row: i64):
  %done = llvm.icmp "sge" %row, %end : i64
  llvm.cond_br %done, ^exit, ^body
^body:
  %in_off = llvm.mul %row, %in_stride : i64
  %out_off = llvm.mul %row, %out_stride : i64
  %src = llvm.getelementptr %in[%in_off] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %dst = llvm.getelementptr %out[%out_off] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %v = llvm.load %src {alignment = 4 : i64} : !llvm.ptr -> vector<8xf32>
  llvm.store %v, %dst {alignment = 4 : i64} : vector<8xf32>, !llvm.ptr
  %next = llvm.add %row, %one : i64
  llvm.br ^loop(%next : i64)
^exit:
  llvm.return
}
