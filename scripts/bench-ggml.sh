#!/usr/bin/env bash
# Times ggml's CPU MUL_MAT on lowp-bench's GEMM shapes and weight formats
# (bench/ggml/ggml-mulmat.cpp), the same-format yardstick for lowp's GEMMs.
# ggml is not a dependency of lowp (it is no Debian package, and CI has no
# network), so this runs only against a ggml source tree the user names:
#   bash scripts/bench-ggml.sh --ggml=$HOME/src/ggml
#   bash scripts/bench-ggml.sh --ggml=$HOME/src/llama.cpp --filter=mxfp4
#   bash scripts/bench-ggml.sh --help
# Steps: configure and build ggml's CPU backend out of tree (Release,
# -march=native through GGML_NATIVE, OpenMP, llamafile's tinyBLAS as in
# llama.cpp; no BLAS or GPU backends, so that the figure is ggml's own
# kernels), unless DIR already holds it;
# compile the harness against it with an rpath; run it with the remaining
# options. The build is niced and uses 2 jobs: the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() {
  cat <<'EOF'
usage: bash scripts/bench-ggml.sh --ggml=/path/to/ggml-source [--build-dir=DIR]
                                  [HARNESS OPTIONS]

Builds ggml's CPU library from a ggml checkout (or a llama.cpp checkout,
whose ggml/ is used) into DIR (default build-bench/ggml), unless it is
already built there, compiles bench/ggml/ggml-mulmat.cpp against it into
DIR/ggml-mulmat, and runs that with the harness options, e.g.
  --threads=1,2  --rounds=5  --filter=mxfp4,q8_0  --no-repack
  --shapes=512x4096x14336,64x4096x4096
(the harness's --help, printed below when ggml is built, lists them).
To rebuild ggml after updating its checkout, delete DIR or run
cmake --build DIR. GGML_CXX / GGML_CC choose the compilers (default
clang++-22 / clang-22 if installed, else c++ / cc).
EOF
}

ggml=
build=build-bench/ggml
harness_args=()
want_help=0
for arg in "$@"; do
  case $arg in
    --ggml=*) ggml=${arg#--ggml=} ;;
    --build-dir=*) build=${arg#--build-dir=} ;;
    --help|-h) want_help=1 ;;
    *) harness_args+=("$arg") ;;
  esac
done

if [ -z "$ggml" ]; then
  usage
  if [ "$want_help" = 1 ]; then exit 0; fi
  echo "bench-ggml.sh: --ggml=/path/to/ggml-source is required" >&2
  exit 1
fi
# A llama.cpp checkout holds ggml in ggml/.
if [ ! -f "$ggml/include/ggml.h" ] && [ -f "$ggml/ggml/include/ggml.h" ]; then
  ggml=$ggml/ggml
fi
if [ ! -f "$ggml/include/ggml.h" ] || [ ! -f "$ggml/include/ggml-cpu.h" ] ||
   [ ! -f "$ggml/CMakeLists.txt" ]; then
  echo "bench-ggml.sh: $ggml is not a ggml source tree (no include/ggml.h," \
       "include/ggml-cpu.h and CMakeLists.txt)" >&2
  exit 1
fi
ggml=$(cd "$ggml" && pwd)
mkdir -p "$build"
build=$(cd "$build" && pwd)

cxx=${GGML_CXX:-}
cc=${GGML_CC:-}
if [ -z "$cxx" ]; then
  if command -v clang++-22 >/dev/null && command -v clang-22 >/dev/null; then
    cxx=clang++-22 cc=clang-22
  else
    cxx=c++ cc=${cc:-cc}
  fi
fi
cc=${cc:-cc}

commit=$(git -C "$ggml" rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$ggml" status --porcelain -uno 2>/dev/null)" ]; then
  commit="$commit (modified)"
fi

# Where ggml's build puts its libraries: src/ for ggml's own tree; searched
# for, so that another layout (a llama.cpp build, say) also works.
find_libs() {
  find "$build" -maxdepth 3 -name 'libggml-cpu.so' -print -quit 2>/dev/null |
    xargs -r dirname
}

libs=$(find_libs)
if [ -z "$libs" ] || [ ! -f "$libs/libggml.so" ] || [ ! -f "$libs/libggml-base.so" ]; then
  echo "bench-ggml.sh: building ggml's CPU backend from $ggml into $build" >&2
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  # BLAS off: with it ggml hands f32 (and, dequantized, other) MUL_MATs to
  # the BLAS library, and the comparison would be with OpenBLAS again,
  # which lowp-bench already measures. LLAMAFILE on, as llama.cpp builds
  # ggml (ggml's own default is off): its tinyBLAS GEMMs are llama.cpp's
  # f32, q8_0 and q4_0 MUL_MAT (without them f32 runs ~4x slower here).
  nice -n 19 cmake -S "$ggml" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DGGML_NATIVE=ON -DGGML_OPENMP=ON -DGGML_BLAS=OFF -DGGML_LLAMAFILE=ON \
    -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_HIP=OFF \
    -DGGML_SYCL=OFF -DGGML_OPENCL=OFF -DGGML_CCACHE=OFF \
    -DGGML_BUILD_TESTS=OFF -DGGML_BUILD_EXAMPLES=OFF >&2
  nice -n 19 cmake --build "$build" --target ggml --parallel 2 >&2
  libs=$(find_libs)
  if [ -z "$libs" ]; then
    echo "bench-ggml.sh: the ggml build in $build made no libggml-cpu.so" >&2
    exit 1
  fi
fi

harness=$build/ggml-mulmat
sources=(bench/ggml/ggml-mulmat.cpp bench/Support.cpp)
if [ ! -x "$harness" ] || [ -n "$(find "${sources[@]}" bench/Support.h \
     "$libs/libggml-cpu.so" -newer "$harness" 2>/dev/null)" ]; then
  echo "bench-ggml.sh: compiling $harness" >&2
  nice -n 19 "$cxx" -std=c++17 -O2 -march=native -Wall \
    -DGGML_COMMIT="\"$commit\"" \
    -I"$root/bench" -I"$ggml/include" "${sources[@]}" \
    -L"$libs" -Wl,-rpath,"$libs" -lggml -lggml-cpu -lggml-base -pthread \
    -o "$harness"
fi

# The environment may pin OpenBLAS to a core type or cache size (see
# scripts/bench.sh); ggml does not read them, but the run should see the
# same environment as lowp-bench's.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if [ "$want_help" = 1 ]; then
  usage
  echo
  exec "$harness" --help
fi
exec "$harness" "${harness_args[@]}"
