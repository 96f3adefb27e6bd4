#!/usr/bin/env bash
# Builds bench-cpu's two extra peers into .peers/ (git-ignored, never
# committed) and the peer-enabled bench binary, .gpu/bench-cpu-peers, which
# runs on another Debian 12 x86-64 machine with AVX-512 (bench/cpu/README.md):
#   - oneMKL, static, from the PyPI wheels mkl-static and mkl-include
#     (.peers/mkl/{lib,include}): the DFTI API, OpenMP threads (GNU);
#   - FFTW 3.3.10 from Debian's source package, built single precision with
#     AVX-512 and AVX2 codelets, threads, static (.peers/fftw-avx512/), its
#     symbols renamed fftwf_* -> avx512_fftwf_* so that it links beside
#     Debian's FFTW (which is built without AVX-512 or AVX2) in one binary;
#   - build-peers/ (git-ignored): the project configured with both peers, a
#     portable CPU for the kernels and static libraries; bench-cpu built
#     there and copied to .gpu/bench-cpu-peers.
# Idempotent: each step is skipped once its result exists (delete
# .peers/mkl or .peers/fftw-avx512 to redo one, e.g. for another
# MKL_VERSION). Needs the network (PyPI, deb.debian.org) only for the downloads;
# the binary needs neither network nor any file of this machine.
#
# Environment:
#   JOBS       parallel build jobs (default: nproc, at most 2 below 4 cores)
#   KERNEL_CPU linopc's --cpu for the bench's kernels (default
#              skylake-avx512,cores=16: AVX-512F/BW/DQ/VL only, so every
#              AVX-512 Xeon runs them; an LLVM CPU name, then description
#              entries, see linopc --help)
#   BENCH_MARCH -march for bench_cpu.cpp (default skylake-avx512)
#   MKL_VERSION the wheels' version (default 2026.2.0)
#   DFT_1M     0: without the 1M-point DFT (default 1; it adds little
#              since the CPU splits it into two passes of sub-rows)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
peers=$root/.peers
build=$root/build-peers
mkl_version=${MKL_VERSION:-2026.2.0}
kernel_cpu=${KERNEL_CPU:-skylake-avx512,cores=16}
bench_march=${BENCH_MARCH:-skylake-avx512}
dft_1m=ON
if [ "${DFT_1M:-1}" = 0 ]; then dft_1m=OFF; fi
jobs=${JOBS:-$(nproc)}
if [ -z "${JOBS:-}" ] && [ "$jobs" -lt 4 ]; then jobs=$((jobs < 2 ? jobs : 2)); fi
mkdir -p "$peers/downloads" "$root/.gpu"
# The tools the steps use (scripts/setup.sh installs the project's own).
need=(dpkg-dev unzip binutils libfftw3-dev)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
bash scripts/install-packages.sh "${need[@]}"

# ---- oneMKL: the three static libraries of the link line, and the headers.
mkl=$peers/mkl
if [ -f "$mkl/lib/libmkl_core.a" ] && [ -f "$mkl/include/mkl_dfti.h" ]; then
  echo "== oneMKL $mkl_version: already in $mkl"
else
  echo "== oneMKL $mkl_version: the mkl-static and mkl-include wheels from PyPI"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_28_x86_64 --python-version 3.11 \
    -d "$peers/downloads" "mkl-static==$mkl_version" "mkl-include==$mkl_version"
  rm -rf "$mkl.tmp" && mkdir -p "$mkl.tmp/lib" "$mkl.tmp/unzip"
  unzip -q -o "$peers/downloads/mkl_include-$mkl_version-"*.whl \
    "mkl_include-$mkl_version.data/data/include/*" -d "$mkl.tmp/unzip"
  mv "$mkl.tmp/unzip/mkl_include-$mkl_version.data/data/include" "$mkl.tmp/include"
  for lib in libmkl_intel_lp64.a libmkl_gnu_thread.a libmkl_core.a; do
    unzip -q -o -j "$peers/downloads/mkl_static-$mkl_version-"*.whl \
      "mkl_static-$mkl_version.data/data/lib/$lib" -d "$mkl.tmp/lib"
  done
  unzip -q -o -j "$peers/downloads/mkl_static-$mkl_version-"*.whl \
    "mkl_static-$mkl_version.dist-info/LICENSE*" -d "$mkl.tmp" || true
  rm -rf "$mkl.tmp/unzip" "$mkl" && mv "$mkl.tmp" "$mkl"
  # The wheels are large; the three libraries are all that is kept.
  rm -f "$peers/downloads/mkl_static-"*.whl "$peers/downloads/mkl_include-"*.whl
fi

# ---- FFTW 3.3.10 with AVX-512, from Debian's source package. deb-src is
# not configured here: a temporary sources list, lists and download folder.
fftw=$peers/fftw-avx512
if [ -f "$fftw/lib/libfftw3f_avx512.a" ] && [ -f "$fftw/lib/libfftw3f_avx512_threads.a" ]; then
  echo "== FFTW 3.3.10 (AVX-512): already in $fftw"
else
  echo "== FFTW 3.3.10 (AVX-512): Debian's source package fftw3 3.3.10-1"
  src=$peers/fftw-src
  rm -rf "$src" && mkdir -p "$src/lists/partial" "$src/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
    "http://deb.debian.org/debian bookworm main" >"$src/sources.list"
  apt_o=(-o "Dir::Etc::SourceList=$src/sources.list"
         -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$src/lists"
         -o "Dir::Cache=$src/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_o[@]}" -qq update
  (cd "$src" && apt-get "${apt_o[@]}" -qq source --download-only fftw3=3.3.10-1)
  # apt checked the files against the signed index; dpkg-source may warn
  # that it cannot check the .dsc's own signature (no Debian keyring).
  (cd "$src" && dpkg-source -x fftw3_3.3.10-1.dsc fftw3 >/dev/null)
  # Debian's single-precision flags (--enable-sse --enable-avx, threads)
  # plus AVX2 and AVX-512. FFTW picks the codelets at run time (CPUID); its
  # own CFLAGS (-O3 -mtune=native) tune but add no instruction set, so the
  # archive runs on any x86-64. --with-pic lets it link into a PIE.
  (cd "$src/fftw3" &&
    ./configure --quiet --prefix="$fftw.tmp" --enable-float --enable-threads \
      --enable-sse --enable-sse2 --enable-avx --enable-avx2 --enable-avx512 \
      --enable-static --disable-shared --disable-fortran --with-pic \
      >/dev/null &&
    make -s -j"$jobs" >/dev/null && make -s install >/dev/null)
  # AVX-512 codelets really in the archive (zmm registers), not just the flag.
  zmm=$(objdump -d "$fftw.tmp/lib/libfftw3f.a" | grep -c zmm || true)
  if [ "$zmm" -lt 1000 ]; then
    echo "cpu-peers: the AVX-512 FFTW has only $zmm zmm instructions" >&2
    exit 1
  fi
  echo "   $zmm instructions on zmm registers in libfftw3f.a"
  # Every global symbol the two archives define is fftwf_*: renamed
  # avx512_fftwf_* (definitions and references alike) so that Debian's FFTW
  # links beside it.
  other=$(nm -g --defined-only "$fftw.tmp/lib/libfftw3f.a" \
    "$fftw.tmp/lib/libfftw3f_threads.a" | awk 'NF == 3 && $3 !~ /^fftwf_/')
  if [ -n "$other" ]; then
    echo "cpu-peers: symbols outside fftwf_* in FFTW's archives:" >&2
    echo "$other" >&2
    exit 1
  fi
  nm -g --defined-only "$fftw.tmp/lib/libfftw3f.a" "$fftw.tmp/lib/libfftw3f_threads.a" |
    awk 'NF == 3 { print $3, "avx512_" $3 }' | sort -u >"$fftw.tmp/rename.txt"
  objcopy --redefine-syms="$fftw.tmp/rename.txt" "$fftw.tmp/lib/libfftw3f.a" \
    "$fftw.tmp/lib/libfftw3f_avx512.a"
  objcopy --redefine-syms="$fftw.tmp/rename.txt" \
    "$fftw.tmp/lib/libfftw3f_threads.a" "$fftw.tmp/lib/libfftw3f_avx512_threads.a"
  # Only the renamed archives stay (and include/): nothing links the others
  # by mistake.
  rm -rf "$fftw.tmp/lib/libfftw3f.a" "$fftw.tmp/lib/libfftw3f_threads.a" \
    "$fftw.tmp/lib/"*.la "$fftw.tmp/lib/pkgconfig" "$fftw.tmp/lib/cmake"
  rm -rf "$fftw" && mv "$fftw.tmp" "$fftw"
  rm -rf "$src"
fi

# ---- The peer-enabled bench: its own build folder (build/ is left alone),
# kernels for a portable AVX-512 CPU, static libraries.
echo "== bench-cpu with the peers ($build)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLINOP_BENCH_MKL="$mkl" -DLINOP_BENCH_FFTW_AVX512="$fftw" \
  -DLINOP_BENCH_CPU="$kernel_cpu" -DLINOP_BENCH_MARCH="$bench_march" \
  -DLINOP_BENCH_STATIC=ON -DLINOP_BENCH_DFT_1M="$dft_1m" >/dev/null
cmake --build "$build" --target bench-cpu -j"$jobs"
cp "$build/bin/bench-cpu" "$root/.gpu/bench-cpu-peers"
# What travels (scripts/gpu-round.sh cpu unpacks it): a tenth of the size.
xz -T0 -6 -c "$build/bin/bench-cpu" > "$root/.gpu/bench-cpu-peers.xz"
echo "== $(du -h "$root/.gpu/bench-cpu-peers" | cut -f1) .gpu/bench-cpu-peers ($(du -h "$root/.gpu/bench-cpu-peers.xz" | cut -f1) as .xz); ldd:"
ldd "$root/.gpu/bench-cpu-peers"
