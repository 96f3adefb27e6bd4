#!/usr/bin/env bash
# The main job on a bundled example: set up and build, compile
# examples/dft.mlir (a batched complex DFT of size 1024) into a C library,
# then compile and run it on the CPU on random inputs, check it against the
# float64 reference evaluator and time it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo
echo "== linopc examples/dft.mlir --target=cpu -o build/demo --explain"
build/bin/linopc examples/dft.mlir --target=cpu -o build/demo --explain
echo "wrote: $(cd build/demo && ls | tr '\n' ' ')"
echo
echo "== linop-run examples/dft.mlir --target=cpu --random --batch 256 --check --bench"
build/bin/linop-run examples/dft.mlir --target=cpu --random --batch 256 --check --bench
