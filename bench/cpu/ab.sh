#!/usr/bin/env bash
# Times one spec function on the CPU under several sets of linop-run flags,
# interleaved round by round, so that a slow spell of a shared machine
# spreads over all of them; prints each set's best round (linop-run
# --bench's median). Never a test.
#
#   bench/cpu/ab.sh LINOP_RUN SPEC FUNC BATCH THREADS ROUNDS FLAGS...
#
# Each FLAGS argument is one set ("" for none), e.g.
#   bench/cpu/ab.sh build/bin/linop-run bench/cpu/specs.mlir butterfly1024_real \
#     4096 1 5 --linop-cpu-fuse-butterfly=1 ""
set -uo pipefail
run=$1 spec=$2 func=$3 batch=$4 threads=$5 rounds=$6
shift 6
declare -a best
for ((r = 0; r < rounds; ++r)); do
  for ((i = 1; i <= $#; ++i)); do
    flags=${!i}
    t=$($run "$spec" --func "$func" --target=cpu --random --batch "$batch" \
          --bench --num-threads="$threads" $flags 2>&1 |
        sed -n 's/^bench: \([0-9.]*\) us per call.*/\1/p')
    [ -n "$t" ] || { echo "ab.sh: no time from $run $spec --func $func $flags" >&2; exit 1; }
    if [ -z "${best[$i]:-}" ] || awk "BEGIN { exit !($t < ${best[$i]}) }"; then
      best[$i]=$t
    fi
  done
done
for ((i = 1; i <= $#; ++i)); do
  printf '%s, batch %s, %s thread(s), %s: %s us (best of %s)\n' \
    "$func" "$batch" "$threads" "${!i:-no flags}" "${best[$i]}" "$rounds"
done
