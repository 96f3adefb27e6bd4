//===- LinopKernelOps.td - the kernel IR: kernels, stages, schedules -----===//
//
// The planner's output and the backends' input. A kernel computes one spec
// function row by row: a load from global memory into tile buffers, stages
// that read one buffer and write another, a store. It holds no ABI: loads,
// stores and weight stages name operands by position (the function's
// arguments, then its results) and each target maps them onto its own
// calling convention. A target's scheduling pass attaches a schedule
// (layout, tile shape, memory levels); until then the kernel is
// target-neutral. Every op verifies itself, so backends need not.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_KERNEL_OPS_TD
#define LINOP_KERNEL_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def LinopKernel_Dialect : Dialect {
  let name = "linop_kernel";
  let cppNamespace = "::linop::kernel";
  let summary = "Kernels, their stages, tiles and memory levels";
  let useDefaultAttributePrinterParser = 1;
}

class LK_Op<string mnemonic, list<Trait> traits = []>
    : Op<LinopKernel_Dialect, mnemonic, traits> {
  let hasVerifier = 1;
}
// A step of a kernel's body.
class LK_Step<string mnemonic>
    : LK_Op<mnemonic, [HasParent<"::linop::kernel::KernelOp">]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def LK_CodeletKind : I32EnumAttr<"CodeletKind", "the algorithm of a stage", [
    I32EnumAttrCase<"dft", 0>, I32EnumAttrCase<"hadamard", 1>,
    I32EnumAttrCase<"matrix", 2>]> {
  let cppNamespace = "::linop::kernel";
}

def LK_ConvertKind : I32EnumAttr<"ConvertKind", "a real <-> complex step", [
    I32EnumAttrCase<"real", 0>, I32EnumAttrCase<"pack", 1>,
    I32EnumAttrCase<"unpack", 2>]> {
  let cppNamespace = "::linop::kernel";
}

def LK_CpuLayout : I32EnumAttr<"CpuLayout", "how a CPU kernel vectorizes", [
    I32EnumAttrCase<"across_rows", 0>, I32EnumAttrCase<"along_row", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop::kernel";
}

def LK_CudaLevel : I32EnumAttr<"CudaLevel", "where a CUDA kernel's tile buffers live", [
    I32EnumAttrCase<"shared", 0>, I32EnumAttrCase<"cluster", 1>,
    I32EnumAttrCase<"global", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop::kernel";
}

def LK_Decay : I32EnumAttr<"Decay", "a recurrence's gate", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"scalar", 1>,
    I32EnumAttrCase<"vector", 2>]> {
  let cppNamespace = "::linop::kernel";
}

def LK_StateUpdate : I32EnumAttr<"StateUpdate", "a recurrence's state update", [
    I32EnumAttrCase<"additive", 0>, I32EnumAttrCase<"delta", 1>]> {
  let cppNamespace = "::linop::kernel";
}

//===----------------------------------------------------------------------===//
// Attributes: structured twiddles and permutations, schedules
//===----------------------------------------------------------------------===//

class LK_Attr<string name, string mnemonic_> : AttrDef<LinopKernel_Dialect, name> {
  let mnemonic = mnemonic_;
}

def LK_TwiddlesAttr : LK_Attr<"Twiddles", "twiddles"> {
  let summary = "Cooley-Tukey twiddle factors of a stage, as a formula";
  let description = [{
    `#linop_kernel.twiddles<r x b, scale = s>` (forward) or
    `<r x b inverse, ...>`: the factor of element `(i r + l) b + j` of a
    stage `I_a (x) A_r (x) I_b` is `s exp(-+2 pi i l j / (r b))`, the
    diagonal T^(rb)_b of the Cooley-Tukey rule repeated a times. Backends
    compute or tabulate it; nothing of size n travels through the IR.

    `<r x b, subrows = m>`: the stage runs on sub-row u of m interleaved
    sub-rows of a longer row (a kernel with `subrows = m` whose load is
    `interleaved`), and its twiddles are the longer row's, whose digit j
    is u + m j: `s exp(-+2 pi i l (u + m j) / (r b m))`.
  }];
  let parameters = (ins "int64_t":$r, "int64_t":$b, "bool":$inverse,
                        APFloatParameter<"a real scale">:$scale,
                        "int64_t":$subrows);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The factor of element `k` of the stage in sub-row `u`, in
    /// complex<f64>.
    std::complex<double> at(int64_t k, int64_t u = 0) const;
    double scale() const { return getScale().convertToDouble(); }
    static TwiddlesAttr get(::mlir::MLIRContext *ctx, int64_t r, int64_t b,
                            bool inverse, double scale, int64_t subrows = 1) {
      return get(ctx, r, b, inverse, ::llvm::APFloat(scale), subrows);
    }
  }];
}

def LK_PermKind : I32EnumAttr<"PermKind", "how a structured permutation is given", [
    I32EnumAttrCase<"stride", 0>, I32EnumAttrCase<"digit_reversal", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop::kernel";
}

def LK_PermutationAttr : LK_Attr<"Permutation", "perm"> {
  let summary = "a stride permutation or a mixed-radix digit reversal";
  let description = [{
    `#linop_kernel.perm<stride n, m>`: SPIRAL's L^n_m, `p[j q + i] = i m + j`
    for `q = n / m`. `#linop_kernel.perm<digit_reversal [r1, ..., rk]>`: the
    input permutation of the Cooley-Tukey DFT with radices r1 (outermost)
    to rk, n = r1 ... rk. A permutation `p` maps `y[i] = x[p[i]]`. Anything
    else is an explicit `array<i64: ...>`.
  }];
  let parameters = (ins "::linop::kernel::PermKind":$kind, "int64_t":$n,
                        ArrayRefParameter<"int64_t">:$radices);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def LK_CpuScheduleAttr : LK_Attr<"CpuSchedule", "cpu"> {
  let summary = "a CPU kernel's layout";
  let description = [{
    `#linop_kernel.cpu<across_rows, lanes = 16>`: tiles of `lanes` rows,
    each tile element one vector across rows, so every stage is plain SIMD
    whatever its strides. `<along_row, lanes = 16>`: one row per tile,
    vectors of `lanes` consecutive elements; the load and store fuse into
    the first and last stage.
  }];
  let parameters = (ins "::linop::kernel::CpuLayout":$layout, "int64_t":$lanes);
  let assemblyFormat = "`<` $layout `,` `lanes` `=` $lanes `>`";
}

def LK_CudaScheduleAttr : LK_Attr<"CudaSchedule", "cuda"> {
  let summary = "a CUDA kernel's launch shape and memory level";
  let description = [{
    `#linop_kernel.cuda<threads = 256, rows = 2, level = shared, cluster = 1,
    shared = 66560, workspace = 0>`: blocks of `threads` threads handle
    `rows` rows of the batch at a time. Each stage's codelets run in the
    registers of one thread each, and stages exchange through the tile
    buffers at `level`: a block's shared memory, the shared memory of a
    cluster of `cluster` blocks (distributed shared memory), or `global`
    memory (a workspace of `workspace` bytes per row group). `shared` is the
    dynamic shared memory of one block.
  }];
  let parameters = (ins "int64_t":$threads, "int64_t":$rows,
                        "::linop::kernel::CudaLevel":$level, "int64_t":$cluster,
                        "int64_t":$shared, "int64_t":$workspace);
  let assemblyFormat = [{
    `<` `threads` `=` $threads `,` `rows` `=` $rows `,` `level` `=` $level `,`
    `cluster` `=` $cluster `,` `shared` `=` $shared `,` `workspace` `=`
    $workspace `>`
  }];
}

def LK_CudaRecurrenceScheduleAttr : LK_Attr<"CudaRecurrenceSchedule",
                                            "cuda_recurrence"> {
  let summary = "how a CUDA kernel runs a chunked recurrence";
  let description = [{
    `#linop_kernel.cuda_recurrence<threads = 128, chunk = 64, block_v = 64,
    shared = 71680>`: one block of `threads` threads per batch entry, head
    and tile of `block_v` value columns; it walks the sequence `chunk` steps
    at a time (a multiple of 16, the tensor cores' k) with the state in its
    registers. `shared` is the dynamic shared memory of one block.
  }];
  let parameters = (ins "int64_t":$threads, "int64_t":$chunk,
                        "int64_t":$block_v, "int64_t":$shared);
  let assemblyFormat = [{
    `<` `threads` `=` $threads `,` `chunk` `=` $chunk `,` `block_v` `=`
    $block_v `,` `shared` `=` $shared `>`
  }];
}

def LK_AnyPerm : AnyAttrOf<[LK_PermutationAttr, DenseI64ArrayAttr]>;
def LK_AnyTwiddles : AnyAttrOf<[LK_TwiddlesAttr, ElementsAttr]>;

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

def LK_KernelOp : LK_Op<"kernel", [Symbol, SingleBlock, NoTerminator,
                                   IsolatedFromAbove]> {
  let summary = "one kernel of a spec function: load, stages, store";
  let description = [{
    Computes `function` for every row of the batch; `operands` counts the
    function's arguments and results. Its body runs once per row: a `load` into tile buffers, stages, a `store`. `buffers` tile
    buffers of `n` elements of `element` (complex when anything in the
    kernel is complex; real values then have imaginary part 0) hold the row
    between steps; `n` is the longest vector any step touches.
    `schedule`, attached by the target's scheduling pass, says how the
    target runs it. `flops_per_row` and `radix_choices` are for --explain
    and --bench.

    With `subrows = S` (linop-split-kernels), a row of the function is S
    sub-rows of `n` elements and the body runs once per sub-row: a load or
    store reaches element j of sub-row u at u n + j, or at u + S j where it
    is `interleaved`. The kernels of a function then run in order, each a
    pass through memory.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$function,
                       I64Attr:$operands, I64Attr:$n, I64Attr:$buffers,
                       TypeAttr:$element,
                       OptionalAttr<AnyAttrOf<[LK_CpuScheduleAttr,
                                               LK_CudaScheduleAttr]>>:$schedule,
                       OptionalAttr<I64Attr>:$flops_per_row,
                       OptionalAttr<StrArrayAttr>:$radix_choices,
                       OptionalAttr<I64Attr>:$subrows);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `for` $function `:` $n `x` $element attr-dict-with-keyword $body
  }];
  let extraClassDeclaration = [{
    bool isComplex() const;
    /// Sub-rows per row of the function (1 unless split).
    int64_t subrowCount() { return getSubrows().value_or(1); }
    /// The steps of the body in order.
    ::mlir::Block &steps() { return getBody().front(); }
  }];
}

def LK_LoadOp : LK_Step<"load"> {
  let summary = "a row of operand #operand into tile buffer #dst";
  let description = [{
    `dst[i] = operand[row][perm[i]]` for i < n (perm optional: a
    permutation absorbed into the load's index map). `n`, the row length in
    global memory, defaults to the kernel's `n`.

    `global` names the element type in global memory when it differs from
    the tile's: a real type under a complex tile loads with imaginary part
    0 (`linop.promote`) or, with `packed`, as 2n reals read as n complex
    values (`linop.pack`); f16 or bf16 under an f32 (or complex<f32>) tile
    converts as it loads.
  }];
  let arguments = (ins I64Attr:$operand, I64Attr:$dst,
                       OptionalAttr<LK_AnyPerm>:$perm,
                       OptionalAttr<I64Attr>:$n,
                       OptionalAttr<TypeAttr>:$global, UnitAttr:$packed,
                       UnitAttr:$interleaved);
  let assemblyFormat = "`operand` $operand `->` $dst attr-dict";
}

def LK_StoreOp : LK_Step<"store"> {
  let summary = "tile buffer #src into a row of operand #operand";
  let description = [{
    The first `n` elements of the buffer (`n` defaults to the kernel's).
    A real `global` element type under a complex tile stores the real parts
    (`linop.real`), or, with `packed`, each complex value as two reals
    (`linop.unpack`); f16 or bf16 under an f32 tile rounds to nearest.
  }];
  let arguments = (ins I64Attr:$src, I64Attr:$operand,
                       OptionalAttr<I64Attr>:$n,
                       OptionalAttr<TypeAttr>:$global, UnitAttr:$packed,
                       UnitAttr:$interleaved);
  let assemblyFormat = "$src `->` `operand` $operand attr-dict";
}

def LK_StageOp : LK_Step<"stage"> {
  let summary = "I_a (x) A_r (x) I_b with a constant codelet A";
  let description = [{
    For i < a, j < b: the r inputs `src[(i r + l) b + j]`, each first
    multiplied by its twiddle when `twiddles` is present, go through the
    codelet, and its r outputs go to `dst[(i r + k) b + j]`, times `scale`.
    The codelet: `dft` (an FFT of size r, `inverse` for the positive sign),
    `hadamard` (Sylvester's), `matrix` (the product with `matrix`, r x r
    complex<f64>, zeros and ones folded). Twiddles are a formula
    (`#linop_kernel.twiddles`) or one complex<f64> per element.

    With `r_out`, A is a rectangular r_out x r `matrix`: r inputs
    `src[(i r + l) b + j]` give r_out outputs `dst[(i r_out + k) b + j]`,
    so the stage changes the length (and needs two buffers).
  }];
  let arguments = (ins LK_CodeletKind:$codelet, I64Attr:$a, I64Attr:$r,
                       I64Attr:$b, I64Attr:$src, I64Attr:$dst,
                       UnitAttr:$inverse,
                       OptionalAttr<ElementsAttr>:$matrix,
                       OptionalAttr<LK_AnyTwiddles>:$twiddles,
                       OptionalAttr<F64Attr>:$scale,
                       OptionalAttr<I64Attr>:$r_out);
  let assemblyFormat = [{
    $codelet $a `x` $r `x` $b `,` $src `->` $dst attr-dict
  }];
  let extraClassDeclaration = [{
    int64_t rowsOut() { return getROut().value_or(getR()); }
    /// Elements read (a r b) and written (a r_out b).
    int64_t lengthIn() { return getA() * getR() * getB(); }
    int64_t lengthOut() { return getA() * rowsOut() * getB(); }
  }];
}

def LK_ButterflyStageOp : LK_Step<"butterfly_stage"> {
  let summary = "one butterfly factor with 2x2 weights";
  let description = [{
    Pairs (x, x + stride) of the first 2^levels elements as in
    `linop.butterfly`, weights `operand[block, level, pair, 2, 2]` read at
    run time (broadcast across rows), or, for constant twiddles,
    `weights[pair, 2, 2]` (complex<f64>) baked into the kernel (then
    `operand` is absent). `global` names run-time weights stored as f16 or
    bf16 (converted to f32 as they are read).
  }];
  let arguments = (ins OptionalAttr<I64Attr>:$operand,
                       I64Attr:$block, I64Attr:$level, I64Attr:$levels,
                       I64Attr:$stride, I64Attr:$src, I64Attr:$dst,
                       UnitAttr:$complex_weights,
                       OptionalAttr<ElementsAttr>:$weights,
                       OptionalAttr<TypeAttr>:$global);
  let assemblyFormat = "$src `->` $dst attr-dict";
}

def LK_DenseStageOp : LK_Step<"dense_stage"> {
  let summary = "block-diagonal product with run-time weights";
  let description = [{
    `blocks` dense r x r blocks read from `operand[blocks, r, r]`:
    `dst[i r + k] = sum_l W[i, k, l] src[i r + l]`. One block is a dense
    layer; Monarch factors are several. `global` names weights stored as
    f16 or bf16. With `members = M` the operand is a family
    `[M, blocks, r, r]` and row b (counted over the whole batch) takes
    member b mod M: one operator per channel of data laid out
    `[batch, M, n]`. With `batched` the operand is a batched one (a gate
    that is data): row b reads the operand's row b.
  }];
  let arguments = (ins I64Attr:$operand, I64Attr:$blocks, I64Attr:$r,
                       OptionalAttr<I64Attr>:$members, UnitAttr:$batched,
                       I64Attr:$src, I64Attr:$dst,
                       UnitAttr:$complex_weights,
                       OptionalAttr<TypeAttr>:$global);
  let assemblyFormat = "$src `->` $dst attr-dict";
}

def LK_EmbedOp : LK_Step<"embed"> {
  let summary = "block-diagonal map between lengths: copies and constant blocks";
  let description = [{
    A direct sum that may change the length (zero padding, truncation,
    rectangular constants): `src` holds `n_in` elements, `dst` receives
    `n_out`. Block k is `rows[k] x cols[k]` at row offset `rows[0] + ... +
    rows[k-1]` and column offset `cols[0] + ... + cols[k-1]`. `blocks[k]` is
    `unit` for an identity block (a copy) or the block's constants as a
    `rows x cols` complex<f64> dense attribute: `dst[rowOff + i] = sum_j
    A[i, j] src[colOff + j]`; rows of zeros store zeros.
  }];
  let arguments = (ins I64Attr:$n_in, I64Attr:$n_out,
                       DenseI64ArrayAttr:$rows, DenseI64ArrayAttr:$cols,
                       ArrayAttr:$blocks, I64Attr:$src, I64Attr:$dst);
  let assemblyFormat = "$src `->` $dst attr-dict";
}

def LK_ConvertOp : LK_Step<"convert"> {
  let summary = "a real <-> complex step between complex tile buffers";
  let description = [{
    Inside a complex kernel, where real values are kept with imaginary part
    0: `real` zeroes the imaginary parts of `n` elements; `pack` turns 2n
    real values into n complex ones (`dst[i] = src[2i] + i src[2i+1]`);
    `unpack` does the reverse (`dst[2i] = Re src[i]`, `dst[2i+1] = Im
    src[i]`). `n` counts the complex elements.
  }];
  let arguments = (ins LK_ConvertKind:$kind, I64Attr:$n, I64Attr:$src,
                       I64Attr:$dst);
  let assemblyFormat = "$kind $n `,` $src `->` $dst attr-dict";
}

def LK_RfftStageOp : LK_Step<"rfft_stage"> {
  let summary = "linop.rfft_split (m -> m+1) or, inverse, rfft_merge (m+1 -> m)";
  let description = [{
    Pairs element k with element m - k of a complex buffer and combines
    them with the twiddle exp(-+2 pi i k / 2m), as `linop.rfft_split` and
    `linop.rfft_merge` define (docs/semantics.md).
  }];
  let arguments = (ins I64Attr:$m, UnitAttr:$inverse, I64Attr:$src,
                       I64Attr:$dst);
  let assemblyFormat = "$src `->` $dst attr-dict";
}

def LK_PermuteOp : LK_Step<"permute"> {
  let summary = "dst[i] = src[perm[i]] between tile buffers";
  let arguments = (ins LK_AnyPerm:$perm, I64Attr:$src, I64Attr:$dst);
  let assemblyFormat = "$src `->` $dst attr-dict";
}

def LK_ChunkedRecurrenceOp : LK_Op<"chunked_recurrence", [Symbol]> {
  let summary = "one kernel of a spec function: a chunked linear recurrence";
  let description = [{
    Computes `function`, a `linop.recurrence`, for every batch entry and
    head: per entry, q, k: `[t, h, dk]`, v: `[t, h, dv]` and o: `[t, h, dv]`
    of `element` (o: `out_element`), g: `[t, h]` (`decay = scalar`) or
    `[t, h, dk]` (`vector`), beta: `[t, h]` (`update = delta`), the initial
    and final states `[h, dk, dv]`, all f32 but q, k, v and o; with
    `heads_first`, `[h, t, ...]` instead of `[t, h, ...]`. With `offsets`
    (`sequences` + 1 integers of `offset_element` per entry, checked at run
    time), an entry packs `sequences` recurrences along t, and the states
    are `[sequences, h, dk, dv]` per entry. Operands are
    named by position (the function's arguments, then its results), as in a
    `kernel`. `chunk` steps at a time: dense products within a chunk, the
    state carried between chunks in f32, one triangular solve per chunk for
    the delta rule. `chunk_chosen`: the spec gave no chunk size, so the
    target's cost model chose `chunk` (--explain says why). `flops_per_row` (per batch entry) is for --explain and
    --bench. `schedule`, attached by linop-cuda-schedule, says how the CUDA
    target runs it (the CPU target needs none).

    ```mlir
    linop_kernel.chunked_recurrence @linop_k_gla for "gla" decay = vector
        update = additive {chunk = 64 : i64, dk = 128 : i64, ...}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$function,
                       I64Attr:$operands, I64Attr:$t, I64Attr:$h,
                       I64Attr:$dk, I64Attr:$dv, I64Attr:$chunk,
                       UnitAttr:$chunk_chosen,
                       LK_Decay:$decay, LK_StateUpdate:$update, F64Attr:$scale,
                       TypeAttr:$element, TypeAttr:$out_element,
                       I64Attr:$q, I64Attr:$k, I64Attr:$v,
                       OptionalAttr<I64Attr>:$g, OptionalAttr<I64Attr>:$beta,
                       OptionalAttr<I64Attr>:$h0, I64Attr:$o,
                       OptionalAttr<I64Attr>:$state,
                       OptionalAttr<I64Attr>:$offsets,
                       OptionalAttr<TypeAttr>:$offset_element,
                       DefaultValuedAttr<I64Attr, "1">:$sequences,
                       UnitAttr:$heads_first,
                       OptionalAttr<I64Attr>:$flops_per_row,
                       OptionalAttr<LK_CudaRecurrenceScheduleAttr>:$schedule);
  let assemblyFormat = [{
    $sym_name `for` $function `decay` `=` $decay `update` `=` $update
    attr-dict
  }];
}

#endif
