#!/usr/bin/env bash
# Every transform Linop compiles, run by a target and checked against the
# float64 reference evaluator: linop-run --check on random inputs, outputs
# and the padding between rows poisoned with NaN first (--row-pad 3 also
# makes every row stride odd), relative error bounded by dtype (1e-5 f32,
# 1e-10 f64, 1e-2 f16/bf16). The CPU tests (test/lit/CPU/*numerics.test)
# and the GPU test (ctest -L gpu) run the same cases; the CUDA target
# computes in f32, so its run leaves out the f64 cases.
#
#   transforms.sh TARGET LINOP_RUN WORKDIR GROUP...
#
# TARGET: cpu or cuda. GROUP: dft hadamard weights primes rect gather real
# trig rkron examples conv odd narrow fused zero batch recurrence, or all. Exits 0 when every
# case passes, 1 naming the first that fails, 77 (skip) when TARGET is cuda
# and this machine has no GPU.
set -uo pipefail
target=$1 run_bin=$2 work=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
specs=$here/specs
examples=$here/../../examples
mkdir -p "$work"

if [ "$target" = cuda ]; then
  probe=$("$run_bin" "$specs/rect.mlir" --target=cuda --random --batch 1 2>&1)
  if echo "$probe" | grep -q "needs a GPU"; then
    echo "SKIPPED: no GPU here ($(echo "$probe" | head -n 1))"
    exit 77
  fi
fi

queue=$work/cases.txt
: > "$queue"
# A spec from a template: gen TEMPLATE T N/M ... (see specs/*.mlir.in).
gen() { # transform size element attrs tag
  local f=$work/$1_$2_$5.mlir
  sed "s/@T@/$1/g; s/@N@/$2/g; s/@E@/$3/g; s/@A@/$4/g" "$specs/transform.mlir.in" > "$f"
  echo "$f"
}
genr() { # transform M N domain codomain attrs tag
  local f=$work/r_$1_$2_$3_$7.mlir
  sed "s/@T@/$1/g; s/@M@/$2/g; s/@N@/$3/g; s/@D@/$4/g; s/@C@/$5/g; s/@A@/$6/g" "$specs/real.mlir.in" > "$f"
  echo "$f"
}
# check SPEC ARGS...: queues one case (they run in parallel at the end).
check() {
  printf '%q ' "$@" >> "$queue"
  echo >> "$queue"
}
# One queued case; prints FAILED with its command and output on failure.
run_case() {
  local out pad="--row-pad 3"
  [[ "$1" == *--row-pad* ]] && pad=
  out=$(eval "\"$run_bin\" $1 --target=$target --random --check $pad" 2>&1)
  if ! grep -q "check: .*: ok" <<< "$out" || grep -q "FAILED" <<< "$out"; then
    echo "FAILED: linop-run $1 --target=$target --random --check $pad"
    echo "$out" | tail -n 5
    return 1
  fi
}
# f64 cases run on the CPU only.
check64() { [ "$target" = cpu ] && check "$@"; return 0; }
# CPU-only cases.
checkcpu() { [ "$target" = cpu ] && check "$@"; return 0; }
# Cases that pick a CUDA memory level by a smaller GPU description.
checkgpu() { [ "$target" = cuda ] && check "$@"; return 0; }

group_dft() {
  # Powers of two and mixed radices, odd batches (17 divides no vector
  # width), norms, the inverse, and 65536 (past a block's shared memory).
  for n in 2 4 8 16 32 64 128 256 512 1024 2048 4096; do check "$(gen dft $n 'complex<f32>' '' a)" --batch 5; done
  for n in 6 12 48 96 1000 6144; do check "$(gen dft $n 'complex<f32>' '' a)" --batch 17; done
  check "$(gen dft 256 'complex<f32>' 'inverse norm = full' b)" --batch 1
  check "$(gen dft 1000 'complex<f32>' 'norm = sqrt' c)" --batch 3
  check64 "$(gen dft 512 'complex<f64>' 'inverse' d)" --batch 5
  check "$(gen dft 16384 'complex<f32>' '' a)" --batch 3
  check "$(gen dft 65536 'complex<f32>' '' a)" --batch 1
  # Past a block, on the GPU: two passes through memory (linop-split-kernels;
  # 32K splits unevenly, 1M into sub-rows of 4096), or with the split off
  # a cluster, or without clusters a global workspace.
  checkgpu "$(gen dft 32768 'complex<f32>' '' a)" --batch 3
  # On the CPU, rows past L2 split the same way, each pass over tiles of
  # 16 sub-rows spread over the threads: 1M on its own (one row), and
  # small rows split by a lower limit (odd strides, the inverse and its
  # scale, f64, a real transform without twiddles).
  checkcpu "$(gen dft 1048576 'complex<f32>' '' a)" --batch 1
  checkcpu "$(gen dft 4096 'complex<f32>' '' a)" --batch 3 --linop-split-max-row=256
  checkcpu "$(gen dft 65536 'complex<f32>' 'inverse norm = full' b)" --batch 2 --linop-split-max-row=4096
  checkcpu "$(gen dft 2048 'complex<f64>' 'inverse norm = sqrt' e)" --batch 2 --linop-split-max-row=128
  checkcpu "$(gen hadamard 4096 f32 '' a)" --batch 3 --linop-split-max-row=256
  # A row that fills L2 gets the passes beside its whole kernel, for a
  # batch with fewer rows than threads: one row (the passes) and three
  # (the whole kernel) on two threads.
  checkcpu "$(gen dft 65536 'complex<f32>' '' a)" --batch 1 --cpu=l2=256K,cores=2 --num-threads=2
  checkcpu "$(gen dft 65536 'complex<f32>' '' a)" --batch 3 --cpu=l2=256K,cores=2 --num-threads=2
  checkgpu "$(gen dft 65536 'complex<f32>' 'inverse norm = full' b)" --batch 2
  checkgpu "$(gen dft 1048576 'complex<f32>' '' a)" --batch 2
  checkgpu "$(gen dft 65536 'complex<f32>' '' a)" --batch 1 --linop-split=false
  checkgpu "$(gen dft 65536 'complex<f32>' '' a)" --batch 2 --linop-split=false --gpu=cluster=1
  # The A/B switches of bench/NOTES.md CUDA v9: 1M split the old way
  # (256 x 4096), and the evict-first cache hints on the rows.
  checkgpu "$(gen dft 1048576 'complex<f32>' '' a)" --batch 2 --linop-split-short-pass2=false
  checkgpu "$(gen dft 1024 'complex<f32>' '' a)" --batch 5 --linop-cuda-streaming
  checkgpu "$(gen dft 65536 'complex<f32>' '' a)" --batch 2 --linop-cuda-streaming
  checkgpu "$(gen hadamard 4096 f32 '' a)" --batch 17 --linop-cuda-streaming
}
group_hadamard() {
  for n in 2 8 32 128 512 2048 8192 16384; do check "$(gen hadamard $n f32 '' a)" --batch 17; done
  check64 "$(gen hadamard 256 f64 'norm = sqrt' b)" --batch 1
  check "$(gen hadamard 65536 f32 '' a)" --batch 1
  # Real rows on the GPU split past a cluster: without clusters, 64K.
  checkgpu "$(gen hadamard 65536 f32 '' a)" --batch 3 --gpu=cluster=1
}
group_weights() {
  # Weights: a BPBP butterfly and a Monarch matrix at run time; butterflies
  # with decreasing strides, complex weights, constant weights, and stacked
  # factors that compile as a loop over blocks; run-time diagonals.
  check "$examples/butterfly.mlir" --func butterfly256 --batch 17
  check "$examples/butterfly.mlir" --func monarch256 --batch 5
  for f in decreasing_perm complex_weights constant_weights stacked_even stacked_odd; do
    check "$specs/butterflies.mlir" --func $f --batch 9
  done
  # Diagonals with run-time weights; a convolution with a run-time kernel
  # as its two functions (prepare the spectrum, apply it).
  for f in gate gate_bf16 filter conv_prepare conv_apply; do
    check "$specs/diag.mlir" --func $f --batch 9
  done
  # Families: one diagonal per channel of [batch, C..., n] data (a gate, a
  # filter over two channel dimensions, a convolution per channel); a batch
  # of 1 and one whose rows fill no whole tile of CPU lanes or GPU block.
  for f in channel_gate channel_gate_bf16 filter_heads channel_conv; do
    check "$specs/families.mlir" --func $f --batch 7
  done
  check "$specs/families.mlir" --func channel_gate --batch 1
  check "$specs/families.mlir" --func channel_conv --batch 1000
  # Gates that are data (elementwise products with batched arguments).
  for f in gated_channel_conv gated_hadamard_bf16 gated_rdft; do
    check "$specs/families.mlir" --func $f --batch 7
  done
  check "$specs/families.mlir" --func gated_channel_conv --batch 333
  # A run-time kernel per channel: its prepare entry point and the
  # convolution that takes the spectra.
  for f in hyena_prepare hyena; do
    check "$specs/families.mlir" --func $f --batch 7
  done
}
group_primes() {
  # Bluestein: zero padding to a power of two and truncation are embed
  # stages, so the tile buffers are longer than the rows.
  for n in 17 97 1009; do for b in 1 17; do check "$(gen dft $n 'complex<f32>' '' a)" --batch $b; done; done
  check64 "$(gen dft 97 'complex<f64>' 'inverse norm = full' b)" --batch 5
}
group_rect() {
  # 5 -> 8 through a direct sum of a copy and a constant, a Hadamard, 8 -> 3.
  check "$specs/rect.mlir" --batch 17
  check "$specs/rect.mlir" --batch 1
}
group_gather() {
  # Permuted loads that do not split for vectors, and a DFT whose
  # innermost radix is not a vector (--radices).
  check "$specs/gather.mlir" --func ph --batch 17
  check "$specs/gather.mlir" --func pc --batch 5
  check "$specs/gather.mlir" --func d2 --batch 5 --radices=8,4
}
group_real() {
  # rdft packs the real row into half as many complex values; odd sizes
  # promote. irdft merges and stores pairs as reals. A DFT of real input.
  for n in 2 4 8 16 32 64 128 256 512 1024 2048 4096; do check "$(genr rdft $((n/2+1)) $n f32 'complex<f32>' '' a)" --batch 5; done
  for n in 17 63 1001; do check "$(genr rdft $((n/2+1)) $n f32 'complex<f32>' 'norm = sqrt' b)" --batch 17; done
  check "$(genr rdft 501 1000 f32 'complex<f32>' 'norm = full' c)" --batch 1
  check64 "$(genr rdft 257 512 f64 'complex<f64>' '' d)" --batch 3
  for n in 2 8 64 256 1024; do check "$(genr irdft $n $((n/2+1)) 'complex<f32>' f32 'norm = full' a)" --batch 5; done
  check "$(genr irdft 96 49 'complex<f32>' f32 '' b)" --batch 17
  check64 "$(genr irdft 512 257 'complex<f64>' f64 'norm = sqrt' c)" --batch 1
  check "$(genr dft 256 256 f32 'complex<f32>' 'inverse' a)" --batch 5
}
group_trig() {
  # DCT/DST II-IV and Hartley of real data above the codelet size, and of
  # complex data through a DFT of 2N.
  for n in 17 64 1000; do
    check "$(genr dct $n $n f32 f32 'II' a)" --batch 5
    check "$(genr dct $n $n f32 f32 'III norm = sqrt' b)" --batch 17
    check "$(genr dct $n $n f32 f32 'IV' c)" --batch 1
    check "$(genr dst $n $n f32 f32 'II norm = sqrt' d)" --batch 5
    check "$(genr dst $n $n f32 f32 'III' e)" --batch 5
    check "$(genr dst $n $n f32 f32 'IV norm = sqrt' f)" --batch 5
    check "$(genr hartley $n $n f32 f32 '' g)" --batch 5
  done
  check64 "$(genr dct 256 256 f64 f64 'II norm = sqrt' h)" --batch 3
  check "$(genr dct 128 128 'complex<f32>' 'complex<f32>' 'II' i)" --batch 5
  check "$(genr hartley 96 96 'complex<f32>' 'complex<f32>' 'norm = sqrt' j)" --batch 5
}
group_rkron() {
  # Rectangular Kronecker factors: stages that change the length.
  check "$specs/rkron.mlir" --batch 17
}
group_examples() {
  check "$examples/dft.mlir" --batch 17
  for f in dct_hadamard kron3; do check "$examples/kronecker.mlir" --func $f --batch 17; done
  for f in rfft4096 irfft4096 dct_ortho512 fftconv16; do check "$examples/real.mlir" --func $f --batch 17; done
  check "$examples/conv.mlir" --func lowpass --batch 17
}
group_conv() {
  # rdft, a constant diagonal, irdft: an FFT convolution in one kernel.
  check "$specs/conv.mlir" --batch 17
  # Circulant, Toeplitz and convolution operators with constant weights,
  # through linop-decompose's convolution rules.
  for f in conv_long conv_short conv_full toeplitz_square toeplitz_rect circulant_odd circulant_complex toeplitz_runtime_prepare toeplitz_runtime; do
    check "$specs/convolutions.mlir" --func $f --batch 17
  done
}
group_odd() {
  # irdft of odd sizes: the real part of an inverse DFT after padding.
  for n in 3 17 63 97 1001; do check "$(genr irdft $n $((n/2+1)) 'complex<f32>' f32 'norm = full' a)" --batch 5; done
  check64 "$(genr irdft 45 23 'complex<f64>' f64 'norm = sqrt' b)" --batch 17
  check "$(genr irdft 15 8 'complex<f32>' f32 '' c)" --batch 1
}
group_narrow() {
  # f16 and bf16 storage, f32 arithmetic: Hadamard, a butterfly with bf16
  # weights, a Monarch matrix with f16 weights.
  for e in f16 bf16; do
    for n in 256 4096; do check "$(genr hadamard $n $n $e $e 'norm = sqrt' $e)" --batch 17; done
  done
  check "$specs/narrow.mlir" --func butterfly_bf16 --batch 17
  check "$specs/narrow.mlir" --func monarch_f16 --batch 5
}
group_fused() {
  # Loads and stores that fuse into stages on the GPU, single stages with
  # both ends fused, and rows with no padding between them (--row-pad 0;
  # the other cases pad rows by 3 elements).
  for f in dft_outer had_outer_f16 had_outer_bf16; do
    check "$specs/fused.mlir" --func $f --batch 17
    check "$specs/fused.mlir" --func $f --batch 6 --row-pad 0
  done
  for n in 16 256 1024 4096 16384; do
    check "$(gen dft $n 'complex<f32>' '' a)" --batch 9 --row-pad 0
  done
  check "$(gen dft 1024 'complex<f32>' 'inverse norm = sqrt' f)" --batch 9 --row-pad 2
  for e in f32 f16 bf16; do
    check "$(genr hadamard 1024 1024 $e $e 'norm = sqrt' $e)" --batch 9 --row-pad 0
  done
  check "$(genr rdft 513 1024 f32 'complex<f32>' '' a)" --batch 9 --row-pad 0
  check "$(genr irdft 1024 513 'complex<f32>' f32 'norm = full' a)" --batch 9 --row-pad 0
  check "$(genr dct 1024 1024 f32 f32 'II' a)" --batch 9 --row-pad 0
}
group_zero() {
  # Operators scaled by 0: every product folds away and each output must
  # still be written (the outputs start as NaN).
  for f in dft_zero hadamard_zero perm_zero dft1024_zero; do
    check "$specs/zero.mlir" --func $f --batch 5
  done
}
group_batch() {
  # Batches from 1 row to millions on the GPU (a hundred thousand on the
  # CPU, whose tests run in CI); rows repeat with a short period, so the
  # reference runs on a few rows and every row is still checked; two runs
  # must give the same bits.
  local big=100003
  [ "$target" = cuda ] && big=2097153
  check "$(gen dft 1024 'complex<f32>' '' a)" --batch 1 --twice
  check "$(gen dft 1024 'complex<f32>' '' a)" --batch 100003 --distinct-rows 7 --twice
  check "$(gen hadamard 256 f32 '' a)" --batch $big --distinct-rows 7 --twice
  check "$(genr rdft 129 256 f32 'complex<f32>' '' a)" --batch 65537 --distinct-rows 5 --twice
}
group_recurrence() {
  # Chunked linear recurrences (specs/recurrences.mlir).
  for f in linear_attention retention gla delta gated_delta gla_delta one_step heads_first heads_first_retention \
           retention_bf16 gla_bf16 delta_f16 wide_v odd_v gla_delta_wide varlen_retention varlen_gla_delta; do
    for b in 1 3; do check "$specs/recurrences.mlir" --func $f --batch $b; done
  done
  check "$specs/recurrences.mlir" --func long_sequence --batch 2
  # Batch strides in whole 16-byte units: the CUDA kernel's vector loads.
  check "$specs/recurrences.mlir" --func retention_bf16 --batch 2 --row-pad 8
  check "$specs/recurrences.mlir" --func gla_bf16 --batch 2 --row-pad 8
  check "$specs/recurrences.mlir" --func varlen_gla_delta --batch 3 --row-pad 5
  for f in simple_gla gla gated_delta; do check "$examples/recurrence.mlir" --func $f --batch 2; done
}

groups=("$@")
[ "${groups[0]:-all}" = all ] && groups=(dft hadamard weights primes rect gather real trig rkron examples conv odd narrow fused zero batch recurrence)
for g in "${groups[@]}"; do
  "group_$g" || exit 1
done
# Run the cases, LINOP_TEST_JOBS (default: the cores) at a time.
jobs=${LINOP_TEST_JOBS:-$(nproc)}
failed=0
while IFS= read -r line; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || failed=1
  done
  run_case "$line" &
done < "$queue"
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do
  wait -n || failed=1
done
cases=$(wc -l < "$queue")
[ "$failed" = 0 ] || { echo "some of $cases cases FAILED on --target=$target"; exit 1; }
echo "all $cases cases passed on --target=$target (groups: ${groups[*]})"
