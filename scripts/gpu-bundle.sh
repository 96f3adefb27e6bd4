#!/usr/bin/env bash
# Builds what a GPU machine without LLVM needs for one round of tests and
# benchmarks (scripts/gpu-round.sh), and gathers it in .gpu/ (git-ignored):
# linop-run with LLVM/MLIR linked statically (xz-compressed), the GPU test
# binaries, the benchmark. Carry .gpu to the device machine with the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh > /dev/null
targets=(linop-run-static CudaRuntimeTest NvrtcTest EntryPointTest)
if grep -q "^bench-cuda:" <(ninja -C build -t targets all 2>/dev/null | sed 's/:.*/:/'); then
  targets+=(bench-cuda)
fi
cmake --build build -j "$(nproc)" --target "${targets[@]}"
rm -rf .gpu && mkdir -p .gpu
# The CPU peers' bench (scripts/cpu-peers.sh), where it was built: 55 MB
# with oneMKL's GEMMs, 10 MB compressed, of the 64 MiB that may travel.
if [ -x build-peers/bin/bench-cpu ]; then
  xz -T0 -6 -c build-peers/bin/bench-cpu > .gpu/bench-cpu-peers.xz
fi
xz -T0 -6 -c build/bin/linop-run-static > .gpu/linop-run.xz
cp build/bin/CudaRuntimeTest build/bin/NvrtcTest build/bin/EntryPointTest .gpu/
[ -f build/bin/bench-cuda ] && cp build/bin/bench-cuda .gpu/
# The Python module's GPU test loads libraries built here (no linopc there).
for t in cuda cpu; do
  build/bin/linopc test/python/gpu_ops.mlir --target=$t -o .gpu/py$t > /dev/null
done
# Per-channel long convolutions for the conv stage (bench/cuda/conv_peer.py).
python3 bench/cuda/conv_specs.py build/conv_gpu.mlir 16 1024 4096 16384
build/bin/linopc build/conv_gpu.mlir --target=cuda -o .gpu/convbench > /dev/null
# Chunked recurrences at FLA's shapes for the recurrence stage
# (bench/cuda/recurrence_peer.py).
python3 bench/cuda/recurrence_specs.py build/rec_gpu.mlir 2048 8192 32768
cp build/rec_gpu.mlir .gpu/
build/bin/linopc build/rec_gpu.mlir --target=cuda -o .gpu/recbench > /dev/null
build/bin/linopc build/rec_gpu.mlir --target=cuda --func simple_gla2048,gla2048,delta2048 --emit=cubin -o .gpu/reccubin > /dev/null
git rev-parse HEAD > .gpu/commit
git status --porcelain | head -n 20 > .gpu/uncommitted
du -sh .gpu/* | sed 's/^/  /'
echo "bundle for $(cat .gpu/commit)$( [ -s .gpu/uncommitted ] && echo ' (with uncommitted changes)')"
