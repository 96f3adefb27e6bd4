#!/usr/bin/env bash
# Every test: sets up and builds (scripts/setup.sh), then runs ctest, which
# runs the GoogleTest suites and lit. Ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
