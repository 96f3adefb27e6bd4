#!/usr/bin/env bash
# The sanitizer build: clang 19 with AddressSanitizer and
# UndefinedBehaviorSanitizer on every target, plus the libFuzzer targets,
# in build-san/. Runs the unit tests, lit, the mutation sweep and a bounded
# fuzz run of each target (LINOP_FUZZ_SECONDS, default 60). Installs
# clang-19 and its runtime from Debian if missing. About 11 minutes to
# build and 10 to run on 2 cores; the second half of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-packages.sh clang-19 libclang-rt-19-dev
if [ ! -f build-san/build.ninja ]; then
  echo "== configuring build-san/ (clang 19, address,undefined, libFuzzer)"
  cmake -S . -B build-san -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DLINOP_SANITIZE=address,undefined -DLINOP_FUZZ=ON \
    -DLINOP_FUZZ_SECONDS="${LINOP_FUZZ_SECONDS:-60}"
fi
echo "== building build-san/"
cmake --build build-san -j "$(nproc)"
# Leaks count too; a finding stops the test that hit it. A failed
# allocation returns null, as it does outside ASan (the runtime's tests ask
# for impossible sizes and expect an error, not an abort).
# allow_user_poisoning=0: LLVM's headers poison and unpoison their
# allocators' memory when compiled with ASan, but Debian's libLLVM and
# libMLIR are not, so the two halves would disagree (use-after-poison
# reports inside MLIR's type uniquer); ASan's own checks stay on.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:allocator_may_return_null=1:allow_user_poisoning=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-san --output-on-failure -j "$(nproc)" -LE gpu 2>&1 | tee build-san/ctest.log
