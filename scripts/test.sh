#!/usr/bin/env bash
# Every test: sets up and builds (scripts/setup.sh), then runs ctest, which
# runs the GoogleTest suites, lit and the mutation sweep. Ends with ctest's
# summary line. (The sanitizer and fuzzing build is scripts/sanitize.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
ctest --test-dir build --output-on-failure -j "$(nproc)" 2>&1 | tee build/ctest.log
rc=${PIPESTATUS[0]}
set -e
# ctest lists skipped tests (the CUDA ones, without a GPU) after its
# summary; repeat the summary so that it closes the run.
grep -E "tests passed|tests failed" build/ctest.log | tail -n 1
exit "$rc"
