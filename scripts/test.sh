#!/usr/bin/env bash
# Every test: sets up and builds (scripts/setup.sh), then runs ctest, which
# runs the GoogleTest suites, lit and the mutation sweep; then the sanitizer
# and fuzzing build (scripts/sanitize.sh: the same tests under ASan and
# UBSan, and a bounded libFuzzer run of each target). `--no-sanitize`
# skips the second half (a quick local run). Ends with each half's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=1
for arg in "$@"; do
  case "$arg" in
    --no-sanitize) sanitize=0 ;;
    *) echo "scripts/test.sh: unknown option '$arg' (only --no-sanitize)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
set +e
ctest --test-dir build --output-on-failure -j "$(nproc)" 2>&1 | tee build/ctest.log
rc=${PIPESTATUS[0]}
san=0
if [ "$sanitize" = 1 ]; then
  bash scripts/sanitize.sh
  san=$?
fi
set -e
# ctest lists skipped tests (the CUDA ones, without a GPU) after its
# summary; repeat the summaries so that they close the run.
echo "== build/ (GCC, Release):"
grep -E "tests passed|tests failed" build/ctest.log | tail -n 1
if [ "$sanitize" = 1 ]; then
  echo "== build-san/ (clang 19, ASan + UBSan, fuzzing):"
  grep -E "tests passed|tests failed" build-san/ctest.log 2>/dev/null | tail -n 1 ||
    echo "the sanitizer build did not reach its tests (exit $san)"
fi
[ "$rc" = 0 ] && [ "$san" = 0 ]
