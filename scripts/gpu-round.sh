#!/usr/bin/env bash
# One round on a GPU machine (the device tool's nvidia-h200), with what
# scripts/gpu-bundle.sh gathered in .gpu/: the GPU tests, the transforms
# against the reference, compute-sanitizer, and the benchmarks. Logs go to
# $OUT (the device tool brings them back); the last lines printed are a
# summary.
#
#   bash scripts/gpu-round.sh [tests] [numerics] [sanitize] [bench]
#
# (no argument: all four; also python, the Python module with torch on the
# GPU; conv, per-channel long convolutions against torch's FFT
# convolution; quick-bench, bench-cuda's DFT and Hadamard
# rows; recurrence, chunked recurrences against FLA (RECURRENCE_T picks T);
# profile, Nsight Compute on the recurrences in PROFILE_FUNCS; cpu, the
# CPU against oneMKL and FFTW on the host (CPU_THREADS, CPU_GROUPS);
# cpu-recurrence, the CPU recurrence's chunk sizes on the host;
# cpu-butterfly, fused butterfly levels on the host's CPU;
# clusters, a sweep of the cluster size for DFT-16K and 64K; and ab,
# the bench specs with and without the flags in $AB_FLAGS, alternating).
# NUMERICS_GROUPS picks numerics groups (default all), SANITIZE_MATCH (a
# regex) the sanitizer's linop-run cases.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/linop-gpu-round}
mkdir -p "$out"
export PATH=/usr/local/cuda/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(tests numerics bench sanitize)
summary=$out/summary.txt
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }

run_bin=/tmp/linop-run
xz -dc .gpu/linop-run.xz > $run_bin && chmod +x $run_bin
note "bundle: $(cat .gpu/commit) $( [ -s .gpu/uncommitted ] && echo '(uncommitted changes)')"
note "gpu: $(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv,noheader)"

has() { printf '%s\n' "${stages[@]}" | grep -qx "$1"; }

if has tests; then
  start=$SECONDS
  .gpu/NvrtcTest > "$out/tests.log" 2>&1
  .gpu/CudaRuntimeTest >> "$out/tests.log" 2>&1
  .gpu/EntryPointTest > "$out/entry.log" 2>&1
  note "tests: $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$out/tests.log" | tr '\n' ' ') ($((SECONDS - start)) s)"
  grep -E '^\[  FAILED  \]' "$out/tests.log" | head -n 20 | tee -a "$summary"
  note "entry points: $(tail -n 1 "$out/entry.log")"
  grep "^FAILED" "$out/entry.log" | tee -a "$summary"
  # Offsets out of order: the host check's error, nothing launched on them.
  python3 test/lit/Inputs/bad_offsets.py /tmp/bad_offsets
  b=/tmp/bad_offsets
  if $run_bin test/numerics/specs/recurrences.mlir --func varlen_gla_delta --target=cuda \
      --in $b/q.npy --in $b/q.npy --in $b/v.npy --in $b/q.npy --in $b/beta.npy --in $b/cu.npy > "$out/bad_offsets.log" 2>&1; then
    note "bad offsets: FAILED (no error)"
  elif grep -q "offsets\[2\] = 20 is below the offset before it" "$out/bad_offsets.log"; then
    note "bad offsets: the expected error"
  else
    note "bad offsets: FAILED ($(tail -n 1 "$out/bad_offsets.log"))"
  fi
fi

if has numerics; then
  start=$SECONDS
  LINOP_TEST_JOBS=12 bash test/numerics/transforms.sh cuda $run_bin /tmp/numerics ${NUMERICS_GROUPS:-all} > "$out/numerics.log" 2>&1
  note "numerics: $(tail -n 1 "$out/numerics.log") ($((SECONDS - start)) s)"
  grep -A6 "^FAILED" "$out/numerics.log" | head -n 60 | tee -a "$summary"
fi

if has bench; then
  start=$SECONDS
  : > "$out/bench.log"
  bench() { # spec rows [args]
    local f=$1 rows=$2
    shift 2
    echo "== linop-run $f --batch $rows $*" >> "$out/bench.log"
    $run_bin $f --target=cuda --random --distinct-rows 64 --batch $rows --bench "$@" >> "$out/bench.log" 2>&1
  }
  for n in 256 1024 4096 16384 65536 1048576; do
    f=/tmp/b_dft_$n.mlir
    sed "s/@T@/dft/g; s/@N@/$n/g; s/@E@/complex<f32>/g; s/@A@//g" test/numerics/specs/transform.mlir.in > $f
    bench $f $(( (1 << 26) / n ))
  done
  for e in f32 f16; do
    f=/tmp/b_had_$e.mlir
    sed "s/@T@/hadamard/g; s/@N@/1024/g; s/@E@/$e/g; s/@A@//g" test/numerics/specs/transform.mlir.in > $f
    bench $f $(( (1 << 26) / 1024 ))
  done
  if [ -x .gpu/bench-cuda ]; then
    .gpu/bench-cuda > "$out/bench-cuda.log" 2>&1
    tail -n 40 "$out/bench-cuda.log" | tee -a "$summary"
  fi
  grep -E "^== |^bench: .*us per call|^bench: .*x the time" "$out/bench.log" | tee -a "$summary"
  note "bench: $((SECONDS - start)) s"
fi
if has sanitize; then
  start=$SECONDS
  : > "$out/sanitize.log"
  spec() { # transform size element attrs
    local f=/tmp/san_$1_$2_$3.mlir
    sed "s/@T@/$1/g; s/@N@/$2/g; s/@E@/$3/g; s/@A@/$4/g" test/numerics/specs/transform.mlir.in > $f
    echo $f
  }
  # One kernel of each memory level and step kind: shared memory (DFT-1K,
  # DFT-16K in one block, a butterfly, rdft), two passes through memory
  # (DFT-64K, and Hadamard-64K without clusters, the second pass in place),
  # a cluster with local stages (Hadamard-64K, DFT-64K with the split off),
  # global
  # workspace (DFT-256K with no clusters), Bluestein's embeds, f16, stacked
  # butterflies looped over blocks, constant convolutions (padding and
  # truncation), run-time diagonals, a family of them and gates. The numerics group
  # checks the results; here only the sanitizer's findings count.
  cases=("$(spec dft 1024 'complex<f32>' '') --batch 5"
         "$(spec dft 16384 'complex<f32>' '') --batch 2"
         "$(spec dft 65536 'complex<f32>' '') --batch 2"
         "$(spec hadamard 65536 f32 '') --batch 2"
         "$(spec hadamard 65536 f32 '') --batch 2 --gpu=cluster=1"
         "$(spec dft 65536 'complex<f32>' '') --batch 2 --linop-split=false"
         "$(spec dft 262144 'complex<f32>' '') --batch 1 --linop-split=false --gpu=cluster=1"
         "$(spec dft 97 'complex<f32>' '') --batch 3"
         "examples/butterfly.mlir --func butterfly256 --batch 3"
         "examples/real.mlir --func rfft4096 --batch 3"
         "test/numerics/specs/narrow.mlir --func monarch_f16 --batch 3"
         "test/numerics/specs/butterflies.mlir --func stacked_odd --batch 3"
         "test/numerics/specs/convolutions.mlir --func conv_short --batch 3"
         "test/numerics/specs/convolutions.mlir --func toeplitz_rect --batch 3"
         "test/numerics/specs/diag.mlir --func conv_apply --batch 3"
         "test/numerics/specs/diag.mlir --func gate_bf16 --batch 3"
         "test/numerics/specs/families.mlir --func channel_conv --batch 3"
         "test/numerics/specs/families.mlir --func gated_channel_conv --batch 3"
         "test/numerics/specs/recurrences.mlir --func delta --batch 2"
         "test/numerics/specs/recurrences.mlir --func gla --batch 1"
         "test/numerics/specs/recurrences.mlir --func gla_delta --batch 2"
         "test/numerics/specs/recurrences.mlir --func heads_first_retention --batch 1"
         "test/numerics/specs/recurrences.mlir --func wide_v --batch 1"
         "test/numerics/specs/recurrences.mlir --func gla_delta_wide --batch 1"
         "test/numerics/specs/recurrences.mlir --func varlen_retention --batch 2"
         "test/numerics/specs/recurrences.mlir --func varlen_gla_delta --batch 3")
  bad=0 runs=0
  tools=(memcheck racecheck initcheck)
  for tool in "${tools[@]}"; do
    for c in "${cases[@]}"; do
      [[ $c =~ ${SANITIZE_MATCH:-.} ]] || continue
      runs=$((runs + 1))
      echo "== compute-sanitizer --tool $tool linop-run $c" >> "$out/sanitize.log"
      compute-sanitizer --tool $tool --error-exitcode 9 $run_bin $c --target=cuda --random 2>&1 | grep -v "Host Frame" >> "$out/sanitize.log" || { bad=$((bad + 1)); echo "   ^ FAILED" >> "$out/sanitize.log"; }
    done
  done
  for tool in "${tools[@]}"; do
    echo "== compute-sanitizer --tool $tool CudaRuntimeTest, EntryPointTest" >> "$out/sanitize.log"
    # The runtime test makes driver calls fail on purpose (bad PTX, a
    # destroyed context, host pointers): only memory errors count there.
    compute-sanitizer --tool $tool --report-api-errors no --error-exitcode 9 .gpu/CudaRuntimeTest --gtest_filter=-*Fault*:*Death* 2>&1 | grep -v "Host Frame" | tail -n 30 >> "$out/sanitize.log" || { bad=$((bad + 1)); echo "   ^ FAILED" >> "$out/sanitize.log"; }
    compute-sanitizer --tool $tool --error-exitcode 9 .gpu/EntryPointTest 2>&1 | grep -v "Host Frame" | tail -n 30 >> "$out/sanitize.log" || { bad=$((bad + 1)); echo "   ^ FAILED" >> "$out/sanitize.log"; }
  done
  note "sanitize: $bad failing runs of $((runs + 2 * ${#tools[@]})) ($((SECONDS - start)) s)"
  grep -B12 "^   ^ FAILED" "$out/sanitize.log" | head -n 60 | tee -a "$summary"
fi

if has quick-bench; then
  # bench-cuda's DFT and Hadamard rows alone.
  for family in dft hadamard; do
    .gpu/bench-cuda 27 $family > "$out/bench-$family.log" 2>&1
    grep -E "^\| (DFT|Hadamard)" "$out/bench-$family.log" | tee -a "$summary"
  done
fi

if has conv; then
  # Per-channel long convolutions, plain and gated, bf16 and f16, against
  # torch's FFT convolution and the copy in one process.
  python3 bench/cuda/conv_peer.py python .gpu/convbench 16 1024 4096 16384 > "$out/conv.log" 2>&1
  tee -a "$summary" < "$out/conv.log"
fi

if has recurrence; then
  # Chunked recurrences against flash-linear-attention (fla-core and einops
  # carried as wheels in .whl), bf16, B = 8, H = 16, D = 128.
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target /tmp/site .whl/*.whl > "$out/recurrence.log" 2>&1
  PYTHONPATH=/tmp/site python3 bench/cuda/recurrence_peer.py python .gpu/recbench 8 ${RECURRENCE_T:-2048 8192 32768} >> "$out/recurrence.log" 2>&1
  tee -a "$summary" < "$out/recurrence.log"
  # The SASS: tensor-core instructions (HMMA) per kernel, registers, spills.
  for c in .gpu/reccubin/*.cubin; do
    cuobjdump -sass "$c" > "$out/recurrence.sass" 2>&1
    note "sass $(basename "$c"): $(grep -c HMMA "$out/recurrence.sass") HMMA, $(grep -c 'MUFU.EX2' "$out/recurrence.sass") MUFU.EX2"
    cuobjdump -res-usage "$c" 2>&1 | grep -E "Function|REG" | tee -a "$summary"
  done
fi

if has profile; then
  # Nsight Compute on one call of each bench recurrence in PROFILE_FUNCS:
  # where the time goes (throughputs, occupancy, why warps stall).
  ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -n 1)
  if [ -z "$ncu" ]; then
    note "profile: no ncu on this machine"
  else
    for f in ${PROFILE_FUNCS:-simple_gla2048 gla2048}; do
      "$ncu" --kernel-name "linop_k_$f" --launch-count 1 \
        --section SpeedOfLight --section Occupancy --section LaunchStats \
        --section WarpStateStats --section SchedulerStats \
        --section InstructionStats --section MemoryWorkloadAnalysis \
        $run_bin .gpu/rec_gpu.mlir --target=cuda --func "$f" --random \
        --batch 8 > "$out/profile_$f.log" 2>&1
      note "profile $f: $(grep -E 'Duration|Compute \(SM\) Throughput|Memory Throughput|Achieved Occupancy|Registers Per' "$out/profile_$f.log" | tr -s ' ' | tr '\n' ';')"
    done
  fi
fi

if has cpu; then
  # The CPU against oneMKL and FFTW (AVX-512 and Debian's) on this machine's
  # host CPU (scripts/cpu-peers.sh built it; gpu-bundle.sh compressed it).
  if [ -f .gpu/bench-cpu-peers.xz ]; then
    xz -dc .gpu/bench-cpu-peers.xz > /tmp/bench-cpu-peers && chmod +x /tmp/bench-cpu-peers
    for n in ${CPU_THREADS:-16 1}; do
      timeout ${CPU_LIMIT:-120} /tmp/bench-cpu-peers $n ${CPU_GROUPS:-dft} > "$out/cpu_$n.log" 2>&1
      grep -E "^\| |machine|Linop kernels" "$out/cpu_$n.log" | head -n 40 | tee -a "$summary"
    done
  else
    note "cpu: no .gpu/bench-cpu-peers.xz (scripts/cpu-peers.sh)"
  fi
fi

if has cpu-recurrence; then
  # The CPU recurrence's chunk sizes on the host (the CPU cost model's
  # choice, bench/NOTES.md), through linop-run's JIT for this host.
  for n in ${CPU_THREADS:-16 1}; do
    timeout ${CPU_LIMIT:-300} python3 bench/cpu/recurrence_chunks.py $run_bin --threads $n \
      --H 16 --batch 2 --chunks 16,32,64 --rounds 2 > "$out/cpu_recurrence_$n.log" 2>&1
    tee -a "$summary" < "$out/cpu_recurrence_$n.log"
  done
fi

if has cpu-butterfly; then
  # How many butterfly levels the CPU fuses (CPU LowerKernels.cpp), on the
  # host's AVX-512: 1, 2 and 3 levels interleaved, one thread.
  : > "$out/cpu_butterfly.log"
  for fb in butterfly1024_real:4096 butterfly4096_real:1024 butterfly1024_complex:2048; do
    timeout ${CPU_LIMIT:-300} bash bench/cpu/ab.sh $run_bin bench/cpu/specs.mlir ${fb%:*} ${fb#*:} 1 3 \
      --linop-cpu-fuse-butterfly=1 --linop-cpu-fuse-butterfly=2 --linop-cpu-fuse-butterfly=3 >> "$out/cpu_butterfly.log" 2>&1
  done
  tee -a "$summary" < "$out/cpu_butterfly.log"
fi

if has python; then
  # The Python module with torch: CUDA tensors, the current stream, bf16.
  python3 test/python/test_cuda.py python .gpu/pycuda .gpu/pycpu > "$out/python.log" 2>&1
  note "python: $(tail -n 1 "$out/python.log")"
  grep -E "^(FAIL|ERROR):" "$out/python.log" | tee -a "$summary"
fi

if has ab; then
  # Each spec with the flags in $AB_FLAGS (B) and without (A), twice in
  # alternation, so that the spread of A against A shows the noise.
  : > "$out/ab.log"
  ab() { # name rows spec [args]; $AB_ONLY, a regex, picks names
    local name=$1 rows=$2 x
    shift 2
    [[ $name =~ ${AB_ONLY:-.} ]] || return 0
    for round in 1 2; do
      for side in A B; do
        flags=()
        [ $side = B ] && flags=(${AB_FLAGS:-})
        x=$($run_bin "$@" --target=cuda --random --distinct-rows 64 --batch $rows --bench "${flags[@]}" 2>&1 | grep -E "x the time" | head -n 1)
        echo "$name $side$round: $x" >> "$out/ab.log"
      done
    done
  }
  for spec in dft:256 dft:1024 dft:4096 dft:16384 dft:32768 dft:65536 dft:262144 dft:1048576 hadamard:1024 hadamard:4096 hadamard:16384 hadamard:65536; do
    t=${spec%:*} n=${spec#*:} e='complex<f32>'
    [ $t = hadamard ] && e=f32
    f=/tmp/ab_${t}_$n.mlir
    sed "s/@T@/$t/g; s/@N@/$n/g; s/@E@/$e/g; s/@A@//g" test/numerics/specs/transform.mlir.in > $f
    ab $t-$n $(( (1 << 26) / n )) $f
  done
  for f in butterfly1024_real butterfly1024_complex butterfly4096_real; do
    ab $f 32768 bench/cpu/specs.mlir --func $f
  done
  note "ab: B = ${AB_FLAGS:-(none)}"
  tee -a "$summary" < "$out/ab.log"
fi

if has clusters; then
  # DFT-64K and 256K under smaller shared-memory budgets in the
  # description (which move them between a block, clusters and a global
  # workspace), with and without $AB_FLAGS.
  : > "$out/clusters.log"
  for n in 65536 262144; do
    f=/tmp/c_dft_$n.mlir
    sed "s/@T@/dft/g; s/@N@/$n/g; s/@E@/complex<f32>/g; s/@A@//g" test/numerics/specs/transform.mlir.in > $f
    for smem in 227K 100K 50K; do
      for flags in "" "${AB_FLAGS:-}"; do
        echo "== dft $n, smem=$smem $flags" >> "$out/clusters.log"
        $run_bin $f --target=cuda --gpu=smem=$smem $flags --random --distinct-rows 64 --batch $(( (1 << 26) / n )) --bench 2>&1 | grep -E "us per call|x the time|error" >> "$out/clusters.log"
      done
    done
  done
  grep -E "^==|x the time|error" "$out/clusters.log" | tee -a "$summary"
fi
cat "$summary" > /dev/null
