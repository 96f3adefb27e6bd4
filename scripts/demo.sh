#!/usr/bin/env bash
# The main job on a bundled example: set up and build, then run
# examples/dft.mlir (a batched complex DFT of size 1024) on random inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
echo "== linop-run examples/dft.mlir --random --batch 64"
build/bin/linop-run examples/dft.mlir --random --batch 64
