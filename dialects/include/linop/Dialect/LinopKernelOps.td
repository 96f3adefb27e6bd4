//===- LinopKernelOps.td - the kernel IR: kernels, stages, tiles --------===//
//
// The planner's output and the backends' input. A kernel is a function with
// the kernel ABI (compiler/include/linop/Pipeline.h). Its body is a tile
// loop over the batch: each tile of `width` rows is loaded from global
// memory into tile buffers (the cache level, laid out [n][width] so that
// every stage vectorizes across rows), transformed by stages that read one
// buffer and write another, and stored back. Registers hold one
// `vector<width>` per codelet input or output.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_KERNEL_OPS_TD
#define LINOP_KERNEL_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def LinopKernel_Dialect : Dialect {
  let name = "linop_kernel";
  let cppNamespace = "::linop::kernel";
  let summary = "Kernels, their stages, tiles and memory levels";
}

class LK_Op<string mnemonic, list<Trait> traits = []>
    : Op<LinopKernel_Dialect, mnemonic, traits>;

def LK_TileLoopOp : LK_Op<"tile_loop", [SingleBlock, NoTerminator]> {
  let summary = "loop over the batch in tiles of `width` rows";
  let description = [{
    Rows [begin, end) in tiles of `width`; the last tile repeats its final
    row on load and stores only real rows. `buffers` tile buffers of `n`
    elements x `width` rows each (split real and imaginary planes when
    `element` is complex) live for the whole loop. `n` is the longest
    vector any stage touches: a rectangular kernel (an `embed` changes the
    length) uses a prefix of the buffers elsewhere.
  }];
  let arguments = (ins I64:$begin, I64:$end, I64Attr:$width, I64Attr:$n,
                       I64Attr:$buffers, TypeAttr:$element);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$begin `to` $end attr-dict-with-keyword $body";
}

def LK_LoadOp : LK_Op<"load"> {
  let summary = "global rows of operand #operand into tile buffer #dst";
  let description = [{
    `dst[i][w] = operand[row w][perm[i]]` for i < n (perm optional: a
    permutation absorbed into the load's index map). `n`, the row length
    in global memory, defaults to the tile loop's `n`.

    `global` names the element type in global memory when it is real and
    the tile complex: each real value then loads with imaginary part 0
    (`linop.promote`), or, with `packed`, the row holds 2n reals read as n
    complex values (`linop.pack`). Strides count global elements.
  }];
  let arguments = (ins AnyType:$ptrs, AnyType:$strides, I64:$tile,
                       I64Attr:$operand, I64Attr:$dst,
                       OptionalAttr<DenseI64ArrayAttr>:$perm,
                       OptionalAttr<I64Attr>:$n,
                       OptionalAttr<TypeAttr>:$global, UnitAttr:$packed);
  let assemblyFormat = "$ptrs `,` $strides `[` $tile `]` attr-dict `:` type($ptrs) `,` type($strides)";
}

def LK_StoreOp : LK_Op<"store"> {
  let summary = "tile buffer #src into global rows of operand #operand";
  let description = [{
    The first `n` elements of the buffer, `n` defaulting to the tile loop's
    `n`, to the rows of the tile below `end`. A real `global` element type
    under a complex tile stores the real parts (`linop.real`), or, with
    `packed`, each complex value as two reals (`linop.unpack`).
  }];
  let arguments = (ins AnyType:$ptrs, AnyType:$strides, I64:$tile, I64:$end,
                       I64Attr:$operand, I64Attr:$src,
                       OptionalAttr<I64Attr>:$n,
                       OptionalAttr<TypeAttr>:$global, UnitAttr:$packed);
  let assemblyFormat = "$ptrs `,` $strides `[` $tile `,` $end `]` attr-dict `:` type($ptrs) `,` type($strides)";
}

def LK_StageOp : LK_Op<"stage"> {
  let summary = "I_a (x) A (x) I_b with a constant r x r codelet A";
  let description = [{
    For i < a, j < b: the r inputs `src[(i r + l) b + j]`, each first
    multiplied by `twiddles[(i r + l) b + j]` when present, go through the
    codelet, and its r outputs go to `dst[(i r + k) b + j]`. `codelet` names
    the algorithm the backend uses (`dft`: an unrolled FFT of size r with
    the given `inverse`; `matrix`: the dense product with `matrix`, zeros
    and ones folded). `matrix` holds A as complex<f64> r x r constants
    (it already includes any scaling); other codelets need none.

    With `r_out`, A is a rectangular r_out x r matrix (codelet `matrix`):
    r inputs `src[(i r + l) b + j]` give r_out outputs
    `dst[(i r_out + k) b + j]`, so the stage changes the length.
  }];
  let arguments = (ins I64Attr:$a, I64Attr:$r, I64Attr:$b, I64Attr:$src,
                       I64Attr:$dst, StrAttr:$codelet, UnitAttr:$inverse,
                       OptionalAttr<ElementsAttr>:$matrix,
                       OptionalAttr<ElementsAttr>:$twiddles,
                       OptionalAttr<F64Attr>:$scale,
                       OptionalAttr<I64Attr>:$r_out);
  let assemblyFormat = "attr-dict";
}

def LK_ButterflyStageOp : LK_Op<"butterfly_stage"> {
  let summary = "one butterfly factor with 2x2 weights";
  let description = [{
    Pairs (x, x + stride) of the first 2^levels elements as in
    `linop.butterfly`, weights `operand[block, level, pair, 2, 2]` read from
    global memory at run time (broadcast across the tile's rows), or, for
    constant twiddles, `weights[pair, 2, 2]` (complex<f64>) baked into the
    kernel (then `operand` is absent).
  }];
  let arguments = (ins AnyType:$ptrs, OptionalAttr<I64Attr>:$operand,
                       I64Attr:$block, I64Attr:$level, I64Attr:$levels,
                       I64Attr:$stride, I64Attr:$src, I64Attr:$dst,
                       UnitAttr:$complex_weights,
                       OptionalAttr<ElementsAttr>:$weights);
  let assemblyFormat = "$ptrs attr-dict `:` type($ptrs)";
}

def LK_DenseStageOp : LK_Op<"dense_stage"> {
  let summary = "block-diagonal product with run-time weights";
  let description = [{
    `blocks` dense r x r blocks (blocks r = n) read from
    `operand[blocks, r, r]`: `dst[i r + k] = sum_l W[i, k, l] src[i r + l]`.
    One block is a dense layer; Monarch factors are several.
  }];
  let arguments = (ins AnyType:$ptrs, I64Attr:$operand, I64Attr:$blocks,
                       I64Attr:$r, I64Attr:$src, I64Attr:$dst,
                       UnitAttr:$complex_weights);
  let assemblyFormat = "$ptrs attr-dict `:` type($ptrs)";
}

def LK_EmbedOp : LK_Op<"embed"> {
  let summary = "block-diagonal map between lengths: copies and constant blocks";
  let description = [{
    A direct sum that may change the length (zero padding, truncation,
    rectangular constants): `src` holds `n_in` elements, `dst` receives
    `n_out`. Block k is `rows[k] x cols[k]` at row offset `rows[0] + ... +
    rows[k-1]` and column offset `cols[0] + ... + cols[k-1]` (the offsets
    run over all of `n_out` and `n_in`). `blocks[k]` is `unit` for an
    identity block (rows = cols: a copy) or the block's constants as a
    `rows x cols` complex<f64> dense attribute: `dst[rowOff + i] = sum_j
    A[i, j] src[colOff + j]`; rows of zeros store zeros.
  }];
  let arguments = (ins I64Attr:$n_in, I64Attr:$n_out,
                       DenseI64ArrayAttr:$rows, DenseI64ArrayAttr:$cols,
                       ArrayAttr:$blocks, I64Attr:$src, I64Attr:$dst);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
  // The verifier lives here so that the dialect's C++ need not change.
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::verify() {
      ::llvm::ArrayRef<int64_t> rows = getRows(), cols = getCols();
      if (rows.size() != cols.size() || rows.size() != getBlocks().size())
        return emitOpError("needs one rows, cols and blocks entry per block");
      if (getSrc() == getDst())
        return emitOpError("cannot work in place (src = dst)");
      int64_t m = 0, n = 0;
      for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k] < 0 || cols[k] < 0)
          return emitOpError("block ") << k << " has a negative size";
        m += rows[k];
        n += cols[k];
        ::mlir::Attribute blk = getBlocks()[k];
        if (::llvm::isa<::mlir::UnitAttr>(blk)) {
          if (rows[k] != cols[k])
            return emitOpError("identity block ") << k << " must be square";
          continue;
        }
        auto dense = ::llvm::dyn_cast<::mlir::DenseElementsAttr>(blk);
        auto type = dense ? ::llvm::dyn_cast<::mlir::RankedTensorType>(dense.getType())
                          : ::mlir::RankedTensorType();
        auto elem = type ? ::llvm::dyn_cast<::mlir::ComplexType>(type.getElementType())
                         : ::mlir::ComplexType();
        if (!elem || !elem.getElementType().isF64() || type.getRank() != 2 ||
            type.getDimSize(0) != rows[k] || type.getDimSize(1) != cols[k])
          return emitOpError("block ") << k << " must be `unit` or a dense "
                 << rows[k] << "x" << cols[k] << " complex<f64> attribute";
      }
      if (m != getNOut() || n != getNIn())
        return emitOpError("blocks cover ") << m << "x" << n
               << " but the map is " << getNOut() << "x" << getNIn();
      return ::mlir::success();
    }
  }];
}

def LK_ConvertOp : LK_Op<"convert"> {
  let summary = "a real <-> complex step between complex tile buffers";
  let description = [{
    Inside a complex kernel, where real values are kept with imaginary part
    0: `real` zeroes the imaginary parts of `n` elements; `pack` turns 2n
    real values into n complex ones (`dst[i] = src[2i] + i src[2i+1]`);
    `unpack` does the reverse (`dst[2i] = Re src[i]`, `dst[2i+1] = Im
    src[i]`). `n` counts the complex elements.
  }];
  let arguments = (ins StrAttr:$kind, I64Attr:$n, I64Attr:$src, I64Attr:$dst);
  let assemblyFormat = "attr-dict";
}

def LK_RfftStageOp : LK_Op<"rfft_stage"> {
  let summary = "linop.rfft_split (m -> m+1) or, inverse, rfft_merge (m+1 -> m)";
  let description = [{
    Pairs element k with element m - k of a complex buffer and combines
    them with the twiddle exp(-+2 pi i k / 2m), as `linop.rfft_split` and
    `linop.rfft_merge` define (docs/semantics.md).
  }];
  let arguments = (ins I64Attr:$m, UnitAttr:$inverse, I64Attr:$src,
                       I64Attr:$dst);
  let assemblyFormat = "attr-dict";
}

def LK_PermuteOp : LK_Op<"permute"> {
  let summary = "dst[i] = src[perm[i]] between tile buffers, i < size(perm)";
  let arguments = (ins DenseI64ArrayAttr:$perm, I64Attr:$src, I64Attr:$dst);
  let assemblyFormat = "attr-dict";
}

#endif
