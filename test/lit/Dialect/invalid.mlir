// Every verifier error is a located diagnostic.
// RUN: linop-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{operator sizes must be positive, got -4x4}}
func.func @negative_size() -> !linop.op<-4x4, f32>

// -----

// "0x0" lexes as a hexadecimal number; it gets the same message.
// expected-error @+1 {{operator sizes must be positive, got 0x0}}
func.func @zero_size() -> !linop.op<0x0, f32>

// -----

// expected-error @+1 {{operator sizes must be positive, got 0x16}}
func.func @zero_rows() -> !linop.op<0x16, f32>

// -----

// expected-error @+1 {{unsupported element type 'i32'}}
func.func @bad_element() -> !linop.op<4x4, i32>

// -----

// expected-error @+1 {{must have the same precision}}
func.func @mixed_precision() -> !linop.op<4x4, f32 -> complex<f64>>

// -----

// expected-error @+1 {{expected operator sizes 'M x N'}}
func.func @three_sizes() -> !linop.op<4x4x4, f32>

// -----

// expected-error @+1 {{family dimensions must be positive}}
func.func @bad_family() -> !linop.op<[0] 4x4, f32>

// -----

func.func @dft_real_codomain() {
  // expected-error @+1 {{codomain must be complex}}
  %0 = linop.dft : !linop.op<8x8, f32>
  return
}

// -----

func.func @dft_rectangular() {
  // expected-error @+1 {{must be square, got 4x8}}
  %0 = linop.dft : !linop.op<4x8, complex<f32>>
  return
}

// -----

func.func @rdft_size() {
  // expected-error @+1 {{of size N = 8 has N/2+1 = 5 outputs, got 8}}
  %0 = linop.rdft : !linop.op<8x8, f32 -> complex<f32>>
  return
}

// -----

func.func @rdft_complex_input() {
  // expected-error @+1 {{maps real to complex values}}
  %0 = linop.rdft : !linop.op<5x8, complex<f32>>
  return
}

// -----

func.func @irdft_size() {
  // expected-error @+1 {{of size N = 8 takes N/2+1 = 5 inputs, got 4}}
  %0 = linop.irdft : !linop.op<8x4, complex<f32> -> f32>
  return
}

// -----

func.func @dct_full() {
  // expected-error @+1 {{norm(full) is defined for dft, rdft, irdft, hadamard and hartley only}}
  %0 = linop.dct II norm = full : !linop.op<8x8, f32>
  return
}

// -----

func.func @dct_type() {
  // expected-error @+1 {{expected one of: II, III, IV; got 'V'}}
  %0 = linop.dct V : !linop.op<8x8, f32>
  return
}

// -----

func.func @hadamard_not_pow2() {
  // expected-error @+1 {{size must be a power of two, got 12}}
  %0 = linop.hadamard : !linop.op<12x12, f32>
  return
}

// -----

func.func @transform_family() {
  // expected-error @+1 {{a named transform has no family dimensions}}
  %0 = linop.hartley : !linop.op<[2] 4x4, f32>
  return
}

// -----

func.func @perm_repeat() {
  // expected-error @+1 {{repeats index 0: not a permutation}}
  %0 = linop.perm [0, 0, 1] : !linop.op<3x3, f32>
  return
}

// -----

func.func @perm_range() {
  // expected-error @+1 {{permutation entry 3 is out of range [0, 3)}}
  %0 = linop.perm [0, 3, 1] : !linop.op<3x3, f32>
  return
}

// -----

func.func @perm_length() {
  // expected-error @+1 {{permutation has 2 entries, expected 3}}
  %0 = linop.perm [0, 1] : !linop.op<3x3, f32>
  return
}

// -----

func.func @perm_stride() {
  // expected-error @+1 {{stride 4 must divide the size 6}}
  %0 = linop.perm stride 4 : !linop.op<6x6, f32>
  return
}

// -----

func.func @perm_bitrev() {
  // expected-error @+1 {{bitrev needs a power-of-two size, got 6}}
  %0 = linop.perm bitrev : !linop.op<6x6, f32>
  return
}

// -----

func.func @perm_syntax() {
  // expected-error @+1 {{expected '[indices]', 'bitrev', 'stride m' or 'digitrev [radices]'}}
  %0 = linop.perm reversed : !linop.op<6x6, f32>
  return
}

// -----

func.func @perm_digitrev_product() {
  // expected-error @+1 {{digitrev needs at least two radices with product 12}}
  %0 = linop.perm digitrev [2, 3] : !linop.op<12x12, f32>
  return
}

// -----

func.func @perm_digitrev_radix() {
  // expected-error @+1 {{digitrev radices must be >= 2 with product 8}}
  %0 = linop.perm digitrev [8, 1] : !linop.op<8x8, f32>
  return
}

// -----

func.func @perm_digitrev_overflow() {
  // expected-error @+1 {{digitrev radices must be >= 2 with product 16}}
  %0 = linop.perm digitrev [4294967296, 4294967296, 16] : !linop.op<16x16, f32>
  return
}

// -----

func.func @twiddle_divides() {
  // expected-error @+1 {{needs r, b >= 1 with r b dividing N = 48, got r = 4, b = 8}}
  %0 = linop.twiddle 4 x 8 : !linop.op<48x48, complex<f32>>
  return
}

// -----

func.func @twiddle_overflow() {
  // expected-error @+1 {{needs r, b >= 1 with r b dividing N = 64, got r = 4, b = 4611686018427387904}}
  %0 = linop.twiddle 4 x 4611686018427387904 : !linop.op<64x64, complex<f32>>
  return
}

// -----

func.func @twiddle_real() {
  // expected-error @+1 {{maps complex to complex values, got 'f32' -> 'f32'}}
  %0 = linop.twiddle 2 x 2 : !linop.op<8x8, f32>
  return
}

// -----

func.func @dense_shape(%w: tensor<4x4xf32>) {
  // expected-error @+1 {{weights must have shape [F..., 4, 8] for a 4x8 operator, got [4, 4]}}
  %0 = linop.dense %w : (tensor<4x4xf32>) -> !linop.op<4x8, f32>
  return
}

// -----

func.func @dense_dtype(%w: tensor<4x4xf64>) {
  // expected-error @+1 {{weights element type 'f64' must match the operator's element type 'f32'}}
  %0 = linop.dense %w : (tensor<4x4xf64>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @dense_dynamic(%w: tensor<?x4xf32>) {
  // expected-error @+1 {{weights must have a static shape}}
  %0 = linop.dense %w : (tensor<?x4xf32>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @diag_family(%d: tensor<3x8xf32>) {
  // expected-error @+1 {{the leading dimensions of diagonal [3] must equal the operator's family []}}
  %0 = linop.diag %d : (tensor<3x8xf32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @butterfly_not_pow2(%tw: tensor<1x3x3x2x2xf32>) {
  // expected-error @+1 {{size must be a power of two >= 2, got 6}}
  %0 = linop.butterfly %tw : (tensor<1x3x3x2x2xf32>) -> !linop.op<6x6, f32>
  return
}

// -----

func.func @butterfly_twiddles(%tw: tensor<1x2x4x2x2xf32>) {
  // expected-error @+1 {{twiddles must have shape [F..., 1, 3, 4, 2, 2] for a 8x8 operator, got [1, 2, 4, 2, 2]}}
  %0 = linop.butterfly %tw : (tensor<1x2x4x2x2xf32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @butterfly_rank(%tw: tensor<3x4x2x2xf32>) {
  // expected-error @+1 {{twiddles must have shape [F..., nblocks, log2 N, N/2, 2, 2], got [3, 4, 2, 2]}}
  %0 = linop.butterfly %tw : (tensor<3x4x2x2xf32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @butterfly_perm(%tw: tensor<1x2x2x2x2xf32>) {
  // expected-error @+1 {{input_perm has 3 entries, expected 4}}
  %0 = linop.butterfly %tw {input_perm = array<i64: 0, 1, 2>} : (tensor<1x2x2x2x2xf32>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @monarch_sizes(%l: tensor<4x2x2xf32>, %r: tensor<2x4x4xf32>) {
  // expected-error @+1 {{blocks b = 2 of size n = 4 give N = 8, but the operator is 16x16}}
  %0 = linop.monarch %l, %r : (tensor<4x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<16x16, f32>
  return
}

// -----

func.func @monarch_left(%l: tensor<2x2x2xf32>, %r: tensor<2x4x4xf32>) {
  // expected-error @+1 {{left factor must have shape [F..., 4, 2, 2]}}
  %0 = linop.monarch %l, %r : (tensor<2x2x2xf32>, tensor<2x4x4xf32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @compose_chain() {
  %a = linop.identity : !linop.op<4x4, f32>
  %b = linop.identity : !linop.op<8x8, f32>
  // expected-error @+1 {{operand #0 takes 4 elements but operand #1 gives 8}}
  %0 = linop.compose %a, %b : (!linop.op<4x4, f32>, !linop.op<8x8, f32>) -> !linop.op<4x8, f32>
  return
}

// -----

func.func @compose_field() {
  %a = linop.dft : !linop.op<4x4, complex<f32>>
  // expected-error @+1 {{the product gives 'complex<f32>' values, but the result type says 'f32'}}
  %0 = linop.compose %a : (!linop.op<4x4, complex<f32>>) -> !linop.op<4x4, complex<f32> -> f32>
  return
}

// -----

func.func @compose_empty() {
  // expected-error @+1 {{needs at least one operand}}
  %0 = linop.compose : () -> !linop.op<4x4, f32>
  return
}

// -----

func.func @kron_empty() {
  // expected-error @+1 {{needs at least one operand}}
  %0 = linop.kron : () -> !linop.op<4x4, f32>
  return
}

// -----

func.func @kron_sizes() {
  %a = linop.hadamard : !linop.op<2x2, f32>
  // expected-error @+1 {{factor sizes multiply to 4x4, but the result is 8x8}}
  %0 = linop.kron %a, %a : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @kron_field() {
  %a = linop.dft : !linop.op<2x2, complex<f32>>
  // expected-error @+1 {{operand #0 of type '!linop.op<2x2, complex<f32>>' cannot act on 'f32' values}}
  %0 = linop.kron %a, %a : (!linop.op<2x2, complex<f32>>, !linop.op<2x2, complex<f32>>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @direct_sum_sizes() {
  %a = linop.hadamard : !linop.op<2x2, f32>
  // expected-error @+1 {{block sizes add up to 4x4, but the result is 5x5}}
  %0 = linop.direct_sum %a, %a : (!linop.op<2x2, f32>, !linop.op<2x2, f32>) -> !linop.op<5x5, f32>
  return
}

// -----

func.func @family_broadcast(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) {
  %A = linop.diag %a : (tensor<3x4xf32>) -> !linop.op<[3] 4x4, f32>
  %B = linop.diag %b : (tensor<2x4xf32>) -> !linop.op<[2] 4x4, f32>
  // expected-error @+1 {{operand families [3] and [2] do not broadcast}}
  %0 = linop.compose %A, %B : (!linop.op<[3] 4x4, f32>, !linop.op<[2] 4x4, f32>) -> !linop.op<[3] 4x4, f32>
  return
}

// -----

func.func @transpose_type() {
  %a = linop.identity : !linop.op<4x4, f32>
  // expected-error @+1 {{result type must be '!linop.op<4x4, f32>'}}
  %0 = linop.transpose %a : (!linop.op<4x4, f32>) -> !linop.op<4x4, f64>
  return
}

// -----

func.func @adjoint_rdft() {
  %a = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  // expected-error @+1 {{needs an operand with one element type}}
  %0 = linop.adjoint %a : (!linop.op<5x8, f32 -> complex<f32>>) -> !linop.op<8x5, f32 -> complex<f32>>
  return
}

// -----

func.func @scale_complex_on_real() {
  %a = linop.identity : !linop.op<4x4, f32>
  // expected-error @+1 {{a complex factor needs a complex operator}}
  %0 = linop.scale %a by (0.0, 1.0) : (!linop.op<4x4, f32>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @toeplitz_length(%t: tensor<6xf32>) {
  // expected-error @+1 {{diagonals must have shape [F..., 7] for a 4x4 operator, got [6]}}
  %0 = linop.toeplitz %t : (tensor<6xf32>) -> !linop.op<4x4, f32>
  return
}

// -----

func.func @conv_full_size(%k: tensor<3xf32>) {
  // expected-error @+1 {{a full convolution of length 8 with a kernel of length 3 has 10 outputs, got 8}}
  %0 = linop.conv full %k : (tensor<3xf32>) -> !linop.op<8x8, f32>
  return
}

// -----

func.func @apply_size(%x: tensor<2x7xf32>) {
  %a = linop.identity : !linop.op<8x8, f32>
  // expected-error @+1 {{input's last dimension must be 8, got [2, 7]}}
  %0 = linop.apply %a, %x : (!linop.op<8x8, f32>, tensor<2x7xf32>) -> tensor<2x7xf32>
  return
}

// -----

func.func @apply_dtype(%x: tensor<2x8xf64>) {
  %a = linop.identity : !linop.op<8x8, f32>
  // expected-error @+1 {{operator '!linop.op<8x8, f32>' cannot take 'f64' values}}
  %0 = linop.apply %a, %x : (!linop.op<8x8, f32>, tensor<2x8xf64>) -> tensor<2x8xf64>
  return
}

// -----

func.func @apply_result(%x: tensor<2x8xf32>) {
  %a = linop.rdft : !linop.op<5x8, f32 -> complex<f32>>
  // expected-error @+1 {{result shape must be [2, 5], got [2, 8]}}
  %0 = linop.apply %a, %x : (!linop.op<5x8, f32 -> complex<f32>>, tensor<2x8xf32>) -> tensor<2x8xcomplex<f32>>
  return
}

// -----

func.func @apply_family(%x: tensor<2x5x8xf32>, %d: tensor<4x8xf32>) {
  %a = linop.diag %d : (tensor<4x8xf32>) -> !linop.op<[4] 8x8, f32>
  // expected-error @+1 {{input batch dimensions [5] must match the operator family [4]}}
  %0 = linop.apply %a, %x : (!linop.op<[4] 8x8, f32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return
}

// -----

func.func @recurrence_shapes(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x8xf32>, %v: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{k must have shape [2, 8, 4, 16], got [2, 8, 4, 8]}}
  %o, %s = linop.recurrence %q, %k, %v gate = none update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x8xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{gate = scalar needs log-decays g: [B, T, H]}}
  %o, %s = linop.recurrence %q, %q, %v gate = scalar update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_vector_gate(%q: tensor<2x8x4x16xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{g must have shape [2, 8, 4, 16], got [2, 8, 4]}}
  %o, %s = linop.recurrence %q, %q, %q gate = vector(%g) update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_heads_first(%q: tensor<2x4x8x16xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{g must have shape [2, 4, 8], got [2, 8, 4]}}
  %o, %s = linop.recurrence %q, %q, %q gate = scalar(%g) update = additive layout = bhtd
      : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8x4xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_layout_keyword(%q: tensor<2x4x8x16xf32>) {
  // expected-error @+1 {{expected one of: bthd, bhtd; got 'thbd'}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive layout = thbd
      : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_delta(%q: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{update = delta needs beta: [B, T, H]}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = delta
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_state(%q: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{final state must have shape [2, 4, 16, 16], got [2, 4, 16]}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16xf32>)
  return
}

// -----

func.func @recurrence_chunk(%q: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got 0}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive {chunk_size = 0 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_chunk_negative(%q: tensor<2x8x4x16xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got -5}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive {chunk_size = -5 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_offsets_shape(%q: tensor<2x8x4x16xf32>, %cu: tensor<3x4xi32>) {
  // expected-error @+1 {{offsets must have shape [B, N + 1] with a static N >= 1 (B = 2), got [3, 4]}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive offsets(%cu)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<3x4xi32>) -> (tensor<2x8x4x16xf32>, tensor<2x3x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_offsets_state(%q: tensor<2x8x4x16xf32>, %cu: tensor<2x4xi64>) {
  // expected-error @+1 {{final state must have shape [2, 3, 4, 16, 16], got [2, 4, 16, 16]}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive offsets(%cu)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x4xi64>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @recurrence_offsets_type(%q: tensor<2x8x4x16xf32>, %cu: tensor<2x4xf32>) {
  // expected-error @+1 {{operand #3 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %o, %s = linop.recurrence %q, %q, %q gate = none update = additive offsets(%cu)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x4xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x3x4x16x16xf32>)
  return
}

// -----

func.func @promote_complex() {
  // expected-error @+1 {{maps real to complex values of one precision, got 'complex<f32>' -> 'complex<f32>'}}
  %0 = linop.promote : !linop.op<8x8, complex<f32>>
  return
}

// -----

func.func @real_direction() {
  // expected-error @+1 {{maps complex to real values of one precision, got 'f32' -> 'complex<f32>'}}
  %0 = linop.real : !linop.op<8x8, f32 -> complex<f32>>
  return
}

// -----

func.func @pack_odd() {
  // expected-error @+1 {{packs pairs of reals: its domain size must be even, got 7}}
  %0 = linop.pack : !linop.op<3x7, f32 -> complex<f32>>
  return
}

// -----

func.func @pack_size() {
  // expected-error @+1 {{is M x 2M: 8 inputs give 4 outputs, got 8}}
  %0 = linop.pack : !linop.op<8x8, f32 -> complex<f32>>
  return
}

// -----

func.func @unpack_size() {
  // expected-error @+1 {{is 2M x M: 4 inputs give 8 outputs, got 4}}
  %0 = linop.unpack : !linop.op<4x4, complex<f32> -> f32>
  return
}

// -----

func.func @split_size() {
  // expected-error @+1 {{is (M+1) x M: 4 inputs give 5 outputs, got 4}}
  %0 = linop.rfft_split : !linop.op<4x4, complex<f32>>
  return
}

// -----

func.func @split_real() {
  // expected-error @+1 {{acts on complex values, got 'f32'}}
  %0 = linop.rfft_split : !linop.op<5x4, f32>
  return
}

// -----

func.func @merge_size() {
  // expected-error @+1 {{is M x (M+1): 1 inputs give 0 outputs, got 1}}
  %0 = linop.rfft_merge : !linop.op<1x1, complex<f32>>
  return
}
