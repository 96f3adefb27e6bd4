//===- Passes.td - the passes of the linop compiler ---------------------===//
//
// The target-neutral passes: one per file under compiler/lib/Transforms/,
// each with a lit test in test/lit/Transforms/. Target-only passes live
// with their target (compiler/include/linop/CPU, .../CUDA) and carry its
// prefix. compiler/lib/Pipeline.cpp strings them together.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TRANSFORMS_PASSES_TD
#define LINOP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CheckEquivalence : Pass<"linop-check-equivalence", "::mlir::ModuleOp"> {
  let summary = "Run a pass pipeline and check, with the dense reference "
                "evaluator, that every function still computes the same";
  let description = [{
    Clones the module, runs `pipeline` on it, then evaluates each function
    before and after on the same random inputs in float64/complex128. A
    relative error above `tolerance` is an error at the function; otherwise
    a remark reports the error found. The transformed module is the output.
    The default bound follows the function's element types, since a
    rewrite rounds its constants to them: 1e-9 for f64, 1e-5 for f32, 1e-2
    for f16 and bf16 (the loosest of its results and arguments).

    `linop-opt --linop-check-equivalence="pipeline=canonicalize" f.mlir`
  }];
  let options = [
    Option<"pipeline", "pipeline", "std::string", /*default=*/"\"\"",
           "the pass pipeline to check (textual form)">,
    Option<"tolerance", "tolerance", "double", /*default=*/"0",
           "largest relative error accepted (0: by element type)">,
    Option<"trials", "trials", "unsigned", /*default=*/"2",
           "random inputs per function">,
  ];
}

def AttachTarget : Pass<"linop-attach-target", "::mlir::ModuleOp"> {
  let summary = "Record the target and its description on the module";
  let description = [{
    Sets the module's `linop.target` attribute to the description of
    `target` (compiler/include/linop/Target.h): its defaults, then the
    `description` entries (`key=value`, e.g. `lanes=8`). A module that
    already names the same target keeps its description, with the entries
    applied over it; one that names another target is an error. The
    target-neutral passes after it (decompose's radix search, plan) and the
    target's own passes read the description from there.

    `linop-opt --linop-attach-target="target=cpu description=lanes=8"`
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "the target's name (cpu, cuda)">,
    ListOption<"description", "description", "std::string",
               "key=value entries over the target's defaults">,
  ];
  let dependentDialects = ["::linop::LinopDialect"];
}

def CheckConstants : Pass<"linop-check-constants", "::mlir::ModuleOp"> {
  let summary = "Warn where a constant does not fit its operator's element "
                "type";
  let description = [{
    A scale factor, or a constant weight (a `dense`, `diag`, `butterfly`,
    `monarch` or convolution kernel given as `arith.constant`), whose
    magnitude is past the largest finite value of the operator's element
    type overflows to infinity; a nonzero one below its smallest normal
    value underflows to a subnormal or zero. Either would make the kernel
    compute infinities, NaN or zeros without a word, so each gets a
    warning at the op: the value, the type's limit and what follows. The
    module is not changed.

    `linop-opt --linop-check-constants f.mlir`
  }];
}

def Plan : Pass<"linop-plan", "::mlir::ModuleOp"> {
  let summary = "Group an applied operator's factors into a kernel";
  let description = [{
    Takes each public function `y = apply(A, x)` whose operator is in the
    factor normal form (after `linop-decompose`) and replaces it with a
    target-neutral `linop_kernel.kernel`: a load, stages, a store (Kronecker
    stages with constant codelets, twiddles merged into the stage that
    follows them, permutations absorbed into the load, butterfly and dense
    stages with run-time weights). Cooley-Tukey twiddles and stride or
    digit-reversal permutations keep their structure; others become
    explicit arrays. Factors it cannot place are errors, never guesses.
    The target's scheduling pass decides how the kernel runs.
  }];
  let dependentDialects = ["::linop::kernel::LinopKernelDialect"];
}

def SplitKernels : Pass<"linop-split-kernels", "::mlir::ModuleOp"> {
  let summary = "Split a kernel whose row does not fit on chip into two "
                "passes through memory (the four-step FFT)";
  let description = [{
    A kernel that is a load (perhaps digit-reversed), square Kronecker
    stages and a store, whose row is longer than the target keeps on chip
    (`CostModel::maxRowOnChip`), becomes two kernels when its stages fall
    into two groups on disjoint digits: the first on the row's low digits
    (blocks of N1 consecutive elements), the second on its high digits.
    Pass 1 runs on N2 = n / N1 sub-rows of N1 elements, read interleaved
    (the digit reversal's outer digits become the sub-row), and writes
    them to the result; pass 2 runs on N1 interleaved sub-rows of N2 of
    the result, in place, with the Cooley-Tukey twiddles of the whole row.
    Each pass reads and writes the row once. Kernels it cannot split, or
    that fit, are left as they are; where the target asks
    (`CostModel::splitForFewRows`: the CPU, for long rows that fit), a
    kernel that fits gets the two passes beside it, for batches with fewer
    rows than threads.
  }];
  let options = [
    Option<"maxRow", "max-row", "int64_t", /*default=*/"0",
           "split rows longer than this (0: the target's limit)">
  ];
  let dependentDialects = ["::linop::kernel::LinopKernelDialect"];
}

def SplitPrepare : Pass<"linop-split-prepare", "::mlir::ModuleOp"> {
  let summary = "Give a convolution with a run-time kernel a prepare entry "
                "point for the kernel's spectrum";
  let description = [{
    A public function @f whose one `conv`, `toeplitz` or `circulant` takes
    its weights `k: [F..., K]` (f32, f64 or complex) from a function
    argument becomes two functions: @f_prepare (`tensor<?xK>` weights in,
    `tensor<?xH>` spectra out: the first column of the circulant of size P
    that the operator embeds in (a kernel zero-padded, a Toeplitz matrix's
    weights rotated and padded in the middle), `rdft` with `norm = full`,
    H = P/2 + 1; for complex weights `dft`, H = P),
    and @f taking the spectra `[F..., H]` in place of k, with the
    convolution as padding, `rdft`, `diag` of the spectra, `irdft`,
    truncation (linop-decompose's rule for constant kernels). Run once
    per weight set, @f_prepare's rows are @f's spectra. Tools run this
    pass before they read the spec's signatures.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def Decompose : Pass<"linop-decompose", "::mlir::ModuleOp"> {
  let summary = "Rewrite named transforms into a compose of stages";
  let description = [{
    Every operator becomes a `linop.compose` of factors the planner maps
    one by one: `linop.kron %Ia, %leaf, %Ib` (identities absent when 1;
    a leaf is any op of size <= max-leaf), `linop.diag` of an
    `arith.constant` (twiddles), `linop.perm`, and `linop.scale` of those.
    DFT: Cooley-Tukey with the radices the search prices cheapest with the
    module's target's cost model (linop/RadixSearch.h; flops alone without
    a `linop.target`; the choice and the runners-up go on the function as
    `linop.radix_choices`), or with `radix-choice=largest` the largest
    allowed radix first;
    Bluestein with a power-of-two circulant when N has a prime factor >
    max-leaf. Hadamard: Kronecker factors of size <= max-leaf. Real DFT
    (rdft, irdft of even size): a complex DFT of half the size between
    `pack`/`rfft_split` or `rfft_merge`/`unpack`. DCT/DST II-IV and
    Hartley: through a DFT of size 2N or N, real ones between `promote`
    and `real`. A kron of several operators splits
    (A (x) B = (A (x) I)(I (x) B)) and distributes over composes; a
    butterfly of several blocks splits into single blocks.
  }];
  let options = [
    Option<"maxLeaf", "max-leaf", "int64_t", /*default=*/"16",
           "operators of at most this size are leaves">,
    ListOption<"radices", "radices", "int64_t",
               "Cooley-Tukey radices the search may use, besides prime "
               "factors of N <= max-leaf (default 16,8,7,5,4,3,2)">,
    Option<"radixChoice", "radix-choice", "std::string", /*default=*/"\"cost\"",
           "cost: the cost model's search; largest: the largest allowed "
           "radix first, then recursively (predictable, for tests)">,
  ];
  let dependentDialects = ["::linop::LinopDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def Simplify : Pass<"linop-simplify", "::mlir::ModuleOp"> {
  let summary = "Merge permutations, diagonals and scalings between stages";
  let description = [{
    On the normal form of `linop-decompose`: each run of permutations,
    constant diagonals, identities and scalings between two stages becomes
    at most one `linop.diag` and one `linop.perm`; a scale moves into a
    constant diagonal of the same product; a stage `I_a (x) A (x) I_b`
    takes the form `I_ab (x) A` or `A (x) I_ab` (A (x) I = L (I (x) A) L)
    when the permutations that appear merge with neighbours and fewer
    remain; identities drop out.
  }];
  let dependentDialects = ["::linop::LinopDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif
