//===- LinopOps.td - operations of the linop dialect --------------------===//
//
// Semantics: docs/semantics.md. Verifiers: dialects/lib/LinopOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_OPS_TD
#define LINOP_OPS_TD

include "linop/Dialect/LinopBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Linop_Op<string mnemonic, list<Trait> traits = []>
    : Op<Linop_Dialect, mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

def AnyLinopOperator : Type<CPred<"::llvm::isa<::linop::OperatorType>($_self)">,
                            "linop operator", "::linop::OperatorType">;
def Linop_Weights : RankedTensorOf<[F16, BF16, F32, F64, Complex<F32>, Complex<F64>]>;

//===----------------------------------------------------------------------===//
// Fast transforms
//===----------------------------------------------------------------------===//

class Linop_TransformOp<string mnemonic> : Linop_Op<mnemonic> {
  let results = (outs AnyLinopOperator:$result);
}

def Linop_DftOp : Linop_TransformOp<"dft"> {
  let summary = "discrete Fourier transform";
  let description = [{
    `y[k] = s * sum_j x[j] exp(-+2 pi i j k / N)`: the minus sign forward (as
    numpy), the plus sign with `inverse`. `norm` gives s: `none` 1, `sqrt`
    1/sqrt(N), `full` 1/N. Any N >= 1. The domain may be real or complex;
    the codomain is complex.

    ```mlir
    %F = linop.dft norm = sqrt : !linop.op<8x8, complex<f32>>
    %G = linop.dft inverse norm = full : !linop.op<8x8, complex<f32>>
    ```
  }];
  let arguments = (ins UnitAttr:$inverse,
                       DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "(`inverse` $inverse^)? custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_RdftOp : Linop_TransformOp<"rdft"> {
  let summary = "real-input DFT: R^N to C^(N/2+1)";
  let description = [{
    The first `N/2 + 1` (rounded down) outputs of the forward DFT of a real
    vector, times s. Type `!linop.op<(N/2+1) x N, f32 -> complex<f32>>`.

    ```mlir
    %R = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_IrdftOp : Linop_TransformOp<"irdft"> {
  let summary = "inverse of rdft: C^(N/2+1) to R^N";
  let description = [{
    `x[t] = s * sum_{k<N} X~[k] exp(+2 pi i k t / N)` where `X~[k] = X[k]`
    for `k <= N/2` and `conj(X[N-k])` above; the real part is kept. numpy's
    `irfft` is `linop.irdft norm = full`. Real-linear, not complex-linear.

    ```mlir
    %I = linop.irdft norm = full : !linop.op<8x5, complex<f32> -> f32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_DctOp : Linop_TransformOp<"dct"> {
  let summary = "discrete cosine transform, types II, III, IV";
  let description = [{
    - II: `y[k] = sum_j x[j] cos(pi k (2j+1) / 2N)`; with `norm = sqrt` row 0
      is scaled by sqrt(1/N) and the others by sqrt(2/N) (orthonormal).
    - III: the transpose of type II, with the same normalization.
    - IV: `y[k] = sum_j x[j] cos(pi (2j+1)(2k+1) / 4N)`; `sqrt`: sqrt(2/N).

    `norm = full` is not defined for the DCT.

    ```mlir
    %C = linop.dct II norm = sqrt : !linop.op<8x8, f32>
    ```
  }];
  let arguments = (ins Linop_TrigTypeAttr:$kind,
                       DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<Keyword>($kind) custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_DstOp : Linop_TransformOp<"dst"> {
  let summary = "discrete sine transform, types II, III, IV";
  let description = [{
    - II: `y[k] = sum_j x[j] sin(pi (k+1)(2j+1) / 2N)`; `norm = sqrt`: row N-1
      scaled by sqrt(1/N), the others by sqrt(2/N) (orthonormal).
    - III: the transpose of type II, with the same normalization.
    - IV: `y[k] = sum_j x[j] sin(pi (2j+1)(2k+1) / 4N)`; `sqrt`: sqrt(2/N).

    ```mlir
    %S = linop.dst IV : !linop.op<16x16, f64>
    ```
  }];
  let arguments = (ins Linop_TrigTypeAttr:$kind,
                       DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<Keyword>($kind) custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_HadamardOp : Linop_TransformOp<"hadamard"> {
  let summary = "Walsh-Hadamard transform in Sylvester order";
  let description = [{
    `H[i,j] = (-1)^popcount(i & j)`, times s. N must be a power of two.

    ```mlir
    %H = linop.hadamard norm = sqrt : !linop.op<1024x1024, f16>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

def Linop_HartleyOp : Linop_TransformOp<"hartley"> {
  let summary = "discrete Hartley transform";
  let description = [{
    `H[j,k] = cos(2 pi j k / N) + sin(2 pi j k / N)`, times s. Any N >= 1.

    ```mlir
    %H = linop.hartley : !linop.op<12x12, f32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<Linop_NormAttr, "::linop::Norm::none">:$norm);
  let assemblyFormat = "custom<NormClause>($norm) attr-dict `:` qualified(type($result))";
}

//===----------------------------------------------------------------------===//
// Real <-> complex steps (what real transforms decompose into)
//===----------------------------------------------------------------------===//

def Linop_PromoteOp : Linop_TransformOp<"promote"> {
  let summary = "real to complex: y[i] = x[i] + 0i";
  let description = [{
    The embedding of real vectors into complex ones, of the same precision.

    ```mlir
    %P = linop.promote : !linop.op<8x8, f32 -> complex<f32>>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_RealOp : Linop_TransformOp<"real"> {
  let summary = "complex to real: y[i] = Re x[i]";
  let description = [{
    The real part, of the same precision. Real-linear, not complex-linear.

    ```mlir
    %R = linop.real : !linop.op<8x8, complex<f32> -> f32>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_PackOp : Linop_TransformOp<"pack"> {
  let summary = "real 2M to complex M: z[n] = x[2n] + i x[2n+1]";
  let description = [{
    Pairs of neighbouring reals as one complex value: in memory, the same
    bytes read as interleaved complex numbers. Type
    `!linop.op<M x 2M, f32 -> complex<f32>>`.

    ```mlir
    %P = linop.pack : !linop.op<4x8, f32 -> complex<f32>>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_UnpackOp : Linop_TransformOp<"unpack"> {
  let summary = "complex M to real 2M: x[2n] = Re z[n], x[2n+1] = Im z[n]";
  let description = [{
    The inverse of `pack`. Real-linear, not complex-linear. Type
    `!linop.op<2M x M, complex<f32> -> f32>`.

    ```mlir
    %U = linop.unpack : !linop.op<8x4, complex<f32> -> f32>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_RfftSplitOp : Linop_TransformOp<"rfft_split"> {
  let summary = "the rDFT of a real 2M-vector from the DFT of its packing";
  let description = [{
    C^M to C^(M+1). With `Z = DFT_M(pack(x))` for a real x of length
    N = 2M, this step gives `rdft(x)`: for `k = 0 ... M`,
    `X[k] = E[k] + w^k O[k]`, `w = exp(-2 pi i / N)`,
    `E[k] = (Z[k] + conj Z[M-k]) / 2`, `O[k] = (Z[k] - conj Z[M-k]) / 2i`,
    indices of Z taken mod M. Real-linear, not complex-linear.

    ```mlir
    %S = linop.rfft_split : !linop.op<5x4, complex<f32>>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_RfftMergeOp : Linop_TransformOp<"rfft_merge"> {
  let summary = "the inverse step of rfft_split, for irdft";
  let description = [{
    C^(M+1) to C^M. For `k < M`: `Z[k] = (A + B) + i w^-k (A - B)` with
    `A = X[k]`, `B = conj X[M-k]`, `w = exp(-2 pi i / 2M)`, except that
    `k = 0` takes `A = Re X[0]` and `B = Re X[M]`. Then
    `unpack(iDFT_M(Z))` (unnormalized) is `irdft(X)` of size 2M
    (unnormalized): the imaginary parts of `X[0]` and `X[M]` are ignored,
    as irdft ignores them. Real-linear, not complex-linear.

    ```mlir
    %M = linop.rfft_merge : !linop.op<4x5, complex<f32>>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

def Linop_IdentityOp : Linop_TransformOp<"identity"> {
  let summary = "identity operator";
  let description = [{
    ```mlir
    %I = linop.identity : !linop.op<4x4, f32>
    ```
  }];
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Linop_PermOp : Linop_TransformOp<"perm"> {
  let summary = "permutation: y[i] = x[p[i]]";
  let description = [{
    - `linop.perm [p0, p1, ...]`: explicit indices, a permutation of 0..N-1.
    - `linop.perm bitrev`: bit reversal; N a power of two.
    - `linop.perm stride m`: SPIRAL's stride permutation `L^N_m`, N = m n:
      `y[j n + i] = x[i m + j]` for `i < n, j < m` (reads x at stride m).
    - `linop.perm digitrev [r1, ..., rk]`: the input permutation of a
      Cooley-Tukey DFT with radices r1 (outermost) ... rk, N = r1 ... rk:
      `(I_r1 (x) P') L^N_r1` with P' that of r2 ... rk (bitrev for 2s).

    ```mlir
    %P = linop.perm [2, 0, 1] : !linop.op<3x3, f32>
    %L = linop.perm stride 2 : !linop.op<8x8, complex<f32>>
    ```
  }];
  let arguments = (ins Linop_PermKindAttr:$kind,
                       OptionalAttr<DenseI64ArrayAttr>:$indices,
                       OptionalAttr<I64Attr>:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$radices);
  let hasCustomAssemblyFormat = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The permutation as explicit indices (y[i] = x[p[i]]).
    ::llvm::SmallVector<int64_t> getPermutation();
    /// A perm op for `p` in its most readable form: stride, bitrev,
    /// digitrev or explicit indices.
    static PermOp build(::mlir::OpBuilder &b, ::mlir::Location loc,
                        ::linop::OperatorType type,
                        ::llvm::ArrayRef<int64_t> p);
  }];
}

def Linop_DenseOp : Linop_Op<"dense"> {
  let summary = "dense matrix";
  let description = [{
    `W: [F..., M, N]`; `y = W x`. Leading dimensions of W form a family.

    ```mlir
    %A = linop.dense %W : (tensor<4x8xf32>) -> !linop.op<4x8, f32>
    ```
  }];
  let arguments = (ins Linop_Weights:$weights);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$weights attr-dict `:` functional-type(operands, results)";
}

def Linop_DiagOp : Linop_Op<"diag"> {
  let summary = "diagonal operator";
  let description = [{
    `d: [F..., N]`; `y[i] = d[i] x[i]`.

    ```mlir
    %D = linop.diag %d : (tensor<8xf32>) -> !linop.op<8x8, f32>
    ```
  }];
  let arguments = (ins Linop_Weights:$weights);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$weights attr-dict `:` functional-type(operands, results)";
}

def Linop_TwiddleOp : Linop_Op<"twiddle"> {
  let summary = "Cooley-Tukey twiddle diagonal, as a formula";
  let description = [{
    The diagonal T of `DFT_{rb} = (DFT_r (x) I_b) T (I_r (x) DFT_b) L`,
    repeated with period `r b` over the N rows: `y[k] = w^(l j) x[k]` with
    `l = (k / b) mod r`, `j = k mod b` and `w = exp(-2 pi i / (r b))`
    (`+` with `inverse`), times a real `scale` (default 1). N is a multiple
    of `r b`. `linop-decompose` makes it, so that a large FFT carries a
    formula through the IR, not a table.

    ```mlir
    %T = linop.twiddle 16 x 64 : !linop.op<1024x1024, complex<f32>>
    %U = linop.twiddle 4 x 8 inverse scale 0.5 : !linop.op<32x32, complex<f32>>
    ```
  }];
  let arguments = (ins I64Attr:$r, I64Attr:$b, UnitAttr:$inverse,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$r `x` $b (`inverse` $inverse^)? (`scale` $scale^)? attr-dict `:` qualified(type($result))";
  let extraClassDeclaration = [{
    /// The diagonal's N entries (what the formula stands for).
    std::vector<std::complex<double>> getValues();
  }];
}

//===----------------------------------------------------------------------===//
// Structured operators
//===----------------------------------------------------------------------===//

def Linop_ButterflyOp : Linop_Op<"butterfly"> {
  let summary = "product of butterfly factors (BP, BPBP, K-matrices)";
  let description = [{
    N = 2^L; `twiddles: [F..., nblocks, L, N/2, 2, 2]`, real or complex.
    A stage of stride s pairs `a` with `a + s` for every `a` with `a & s = 0`;
    the pair's number is `p = (a / 2s) * s + a mod 2s`. With
    `t = twiddles[b, l, p]`: `y[a] = t00 x[a] + t01 x[a+s]`,
    `y[a+s] = t10 x[a] + t11 x[a+s]`. Block b applies stages l = 0 .. L-1 in
    order; stage l has stride `2^l`, or `N / 2^(l+1)` with `decreasing`.
    Blocks apply in order; `input_perm` (as `linop.perm`) applies first:
    `y = B_{nblocks-1} ... B_0 P x`.

    ```mlir
    %B = linop.butterfly %tw {input_perm = array<i64: 0, 2, 1, 3>}
       : (tensor<1x2x2x2x2xcomplex<f32>>) -> !linop.op<4x4, complex<f32>>
    ```
  }];
  let arguments = (ins Linop_Weights:$twiddles, UnitAttr:$decreasing,
                       OptionalAttr<DenseI64ArrayAttr>:$input_perm);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$twiddles attr-dict `:` functional-type(operands, results)";
}

def Linop_MonarchOp : Linop_Op<"monarch"> {
  let summary = "Monarch matrix: two block-diagonal factors and stride permutations";
  let description = [{
    N = b n; `right: [F..., b, n, n]`, `left: [F..., n, b, b]`. With x viewed
    as `[b, n]`: `t[i,:] = right[i] x[i,:]`, `u[j,i] = t[i,j]`,
    `w[j,:] = left[j] u[j,:]`, `y[i n + j] = w[j,i]`; that is
    `L^N_b . blockdiag(left) . L^N_n . blockdiag(right)`.

    ```mlir
    %M = linop.monarch %L, %R : (tensor<4x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<8x8, f32>
    ```
  }];
  let arguments = (ins Linop_Weights:$left, Linop_Weights:$right);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$left `,` $right attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Combinators
//===----------------------------------------------------------------------===//

def Linop_ComposeOp : Linop_Op<"compose"> {
  let summary = "product of operators; the last operand applies first";
  let description = [{
    `compose(A, B, C) = A B C`. Inner sizes must chain. Real operators
    (domain = codomain real) may stand where complex ones are expected.
    Families broadcast like numpy.

    ```mlir
    %AB = linop.compose %A, %B : (!linop.op<4x8, f32>, !linop.op<8x8, f32>) -> !linop.op<4x8, f32>
    ```
  }];
  let arguments = (ins Variadic<AnyLinopOperator>:$factors);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$factors attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Linop_KronOp : Linop_Op<"kron"> {
  let summary = "Kronecker product of operators";
  let description = [{
    `(A (x) B)[i1 M2 + i2, j1 N2 + j2] = A[i1,j1] B[i2,j2]`, left to right for
    more factors. At least one factor.

    ```mlir
    %K = linop.kron %A, %B : (!linop.op<2x2, f32>, !linop.op<4x4, f32>) -> !linop.op<8x8, f32>
    ```
  }];
  let arguments = (ins Variadic<AnyLinopOperator>:$factors);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$factors attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Linop_DirectSumOp : Linop_Op<"direct_sum"> {
  let summary = "block-diagonal sum of operators";
  let description = [{
    `diag(A, B, ...)`: x is split into the factors' column counts, y is the
    concatenation of their outputs.

    ```mlir
    %S = linop.direct_sum %A, %B : (!linop.op<2x2, f32>, !linop.op<3x3, f32>) -> !linop.op<5x5, f32>
    ```
  }];
  let arguments = (ins Variadic<AnyLinopOperator>:$factors);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$factors attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Linop_TransposeOp : Linop_Op<"transpose"> {
  let summary = "transpose (no conjugation)";
  let description = [{
    ```mlir
    %T = linop.transpose %A : (!linop.op<4x8, f32>) -> !linop.op<8x4, f32>
    ```
  }];
  let arguments = (ins AnyLinopOperator:$input);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Linop_AdjointOp : Linop_Op<"adjoint"> {
  let summary = "conjugate transpose";
  let description = [{
    ```mlir
    %H = linop.adjoint %F : (!linop.op<8x8, complex<f32>>) -> !linop.op<8x8, complex<f32>>
    ```
  }];
  let arguments = (ins AnyLinopOperator:$input);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Linop_ScaleOp : Linop_Op<"scale"> {
  let summary = "operator times a constant";
  let description = [{
    `c A`, with c real (`by 0.5`) or complex (`by (0.0, 1.0)`, complex
    operators only).

    ```mlir
    %S = linop.scale %A by 5.000000e-01 : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
    ```
  }];
  let arguments = (ins AnyLinopOperator:$input, F64Attr:$re,
                       DefaultValuedAttr<F64Attr, "0.0">:$im);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$input `by` custom<ScaleFactor>($re, $im) attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    std::complex<double> getFactor() {
      return {getRe().convertToDouble(), getIm().convertToDouble()};
    }
  }];
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

def Linop_CirculantOp : Linop_Op<"circulant"> {
  let summary = "circulant matrix (circular convolution)";
  let description = [{
    `h: [F..., N]`; `y[i] = sum_j h[(i - j) mod N] x[j]`.

    ```mlir
    %C = linop.circulant %h : (tensor<16xf32>) -> !linop.op<16x16, f32>
    ```
  }];
  let arguments = (ins Linop_Weights:$weights);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$weights attr-dict `:` functional-type(operands, results)";
}

def Linop_ToeplitzOp : Linop_Op<"toeplitz"> {
  let summary = "Toeplitz matrix";
  let description = [{
    `t: [F..., M + N - 1]`; `T[i,j] = t[i - j + N - 1]`: `t[N-1]` is the main
    diagonal and `t[N-1+d]` the d-th subdiagonal.

    ```mlir
    %T = linop.toeplitz %t : (tensor<7xf32>) -> !linop.op<4x4, f32>
    ```
  }];
  let arguments = (ins Linop_Weights:$weights);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "$weights attr-dict `:` functional-type(operands, results)";
}

def Linop_ConvOp : Linop_Op<"conv"> {
  let summary = "1-D convolution with a kernel of length K, per channel";
  let description = [{
    `kernel: [F..., K]`.
    - `causal`: M = N, `y[i] = sum_{s<K} k[s] x[i-s]` with `x[<0] = 0`.
    - `full`: M = N + K - 1, `y[i] = sum_s k[s] x[i-s]` over `0 <= i-s < N`.

    A kernel of shape `[C, K]` gives a family of C operators: one per channel
    of an input `[..., C, N]`. The gated convolution of Hyena and M2,
    `y = post * conv(pre * u, k)`, is
    `linop.compose(diag(post), conv(k), diag(pre))`.

    ```mlir
    %K = linop.conv causal %k : (tensor<64x1024xf32>) -> !linop.op<[64] 1024x1024, f32>
    ```
  }];
  let arguments = (ins Linop_ConvModeAttr:$mode, Linop_Weights:$kernel);
  let results = (outs AnyLinopOperator:$result);
  let assemblyFormat = "custom<Keyword>($mode) $kernel attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Application
//===----------------------------------------------------------------------===//

def Linop_ApplyOp : Linop_Op<"apply"> {
  let summary = "apply an operator to the last dimension of a tensor";
  let description = [{
    `x: [..., N]` of the operator's domain type gives `y: [..., M]` of its
    codomain type. Leading dimensions are a batch (dynamic sizes allowed).
    For a family operator `[F...]`, the trailing batch dimensions of x must
    be `F...` (or 1, broadcast). f16 or bf16 data may be stored for an f32
    operator: it is read into f32 and computed in f32, and a real result
    may be stored in the data's type again.

    ```mlir
    %y = linop.apply %F, %x : (!linop.op<8x8, complex<f32>>, tensor<?x8xcomplex<f32>>) -> tensor<?x8xcomplex<f32>>
    ```
  }];
  let arguments = (ins AnyLinopOperator:$op, AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$op `,` $input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Chunked linear recurrences
//===----------------------------------------------------------------------===//

def Linop_RecurrenceOp : Linop_Op<"recurrence", [AttrSizedOperandSegments]> {
  let summary = "chunked linear recurrence (linear attention, RetNet, Mamba-2, GLA, DeltaNet)";
  let description = [{
    `q, k: [B, T, H, Dk]`, `v: [B, T, H, Dv]`; `g` (log-decays): `[B, T, H]`
    for `gate = scalar`, `[B, T, H, Dk]` for `gate = vector`, absent for
    `none`; `beta: [B, T, H]` with `update = delta`; optional `init`
    `h0: [B, H, Dk, Dv]` (else 0). Per (b, h), with state `S: [Dk, Dv]`, for
    t = 0 .. T-1:

    - `S' = diag(exp(g_t)) S_{t-1}` (a scalar gate scales all of S; none: S' = S),
    - `additive`: `S_t = S' + k_t v_t^T`,
    - `delta`: `S_t = S' + beta_t k_t (v_t - S'^T k_t)^T`,
    - `o_t = scale * S_t^T q_t`.

    Results: `o: [B, T, H, Dv]` and the final state `[B, H, Dk, Dv]`.
    `scale` defaults to `1/sqrt(Dk)`. `chunk_size` changes how a kernel
    computes, never what; without it, the target's cost model chooses. `layout = bhtd` orders q, k, v, g, beta and o
    `[B, H, T, ...]` instead (states stay `[B, H, Dk, Dv]`).

    Variable-length sequences (`offsets(%cu)`, FLA's `cu_seqlens`): each
    batch entry packs N sequences along T, and `cu: [B, N + 1]` (i32 or
    i64) holds where they start, `0 = cu[b, 0] <= cu[b, 1] <= ... <=
    cu[b, N] = T` (kernels check it at run time). Sequence n is steps
    `cu[b, n] .. cu[b, n + 1] - 1`, a recurrence of its own: the states
    are per sequence, `init` and the final state `[B, N, H, Dk, Dv]`.

    ```mlir
    %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive
        {chunk_size = 64 : i64}
        : (tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>, tensor<2x256x4xf32>)
        -> (tensor<2x256x4x64xbf16>, tensor<2x4x64x64xf32>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$q, RankedTensorOf<[AnyFloat]>:$k,
                       RankedTensorOf<[AnyFloat]>:$v,
                       Optional<RankedTensorOf<[AnyFloat]>>:$g,
                       Optional<RankedTensorOf<[AnyFloat]>>:$beta,
                       Optional<RankedTensorOf<[AnyFloat]>>:$h0,
                       Optional<RankedTensorOf<[I32, I64]>>:$offsets,
                       Linop_GateAttr:$gate, Linop_UpdateAttr:$update,
                       DefaultValuedAttr<Linop_SequenceLayoutAttr,
                                         "::linop::SequenceLayout::bthd">:$layout,
                       OptionalAttr<I64Attr>:$chunk_size,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs RankedTensorOf<[AnyFloat]>:$o,
                      RankedTensorOf<[AnyFloat]>:$final_state);
  let assemblyFormat = [{
    $q `,` $k `,` $v `gate` `=` custom<Keyword>($gate) (`(` $g^ `)`)? `update` `=` custom<Keyword>($update) (`(` $beta^ `)`)?
    (`init` `(` $h0^ `)`)? (`offsets` `(` $offsets^ `)`)? custom<LayoutClause>($layout) attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The scale in force: the attribute, or 1/sqrt(Dk).
    double getScaleOrDefault();
    /// Sequences per batch entry: N with offsets, else 1.
    int64_t getSequences();
  }];
}

#endif // LINOP_OPS_TD
