#!/usr/bin/env bash
# Installs what Linop needs from Debian 12's packages (if missing), then
# configures and builds into build/. Safe to run again: it only does what
# is missing, and the build is incremental (ccache keeps objects across
# fresh clones).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ ccache python3
          libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
          libfmt-dev libeigen3-dev libgtest-dev libfftw3-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
if [ ! -f build/build.ninja ]; then
  echo "== configuring build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
echo "== building (${jobs} jobs)"
cmake --build build -j "$jobs"
