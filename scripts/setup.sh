#!/usr/bin/env bash
# Installs what Linop needs from Debian 12's packages (if missing), then
# configures and builds into build/. Safe to run again: it only does what
# is missing, and the build is incremental (ccache keeps objects across
# fresh clones).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-packages.sh cmake ninja-build g++ ccache python3 \
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools \
  libfmt-dev libeigen3-dev libgtest-dev libfftw3-dev zlib1g-dev python3-numpy
# SciPy only adds an independent reference to the Python test, which skips
# that case without it: a failed install must not stop the build.
bash scripts/install-packages.sh python3-scipy ||
  echo "== python3-scipy could not be installed: the Python test's SciPy case will skip"

jobs=$(nproc)
if [ ! -f build/build.ninja ]; then
  echo "== configuring build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
echo "== building (${jobs} jobs)"
cmake --build build -j "$jobs"
