#!/usr/bin/env bash
# Configures (once) and builds lowp in build/. Idempotent: a second run
# rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d /usr/lib/llvm-22/lib/cmake/mlir ] || ! command -v ninja >/dev/null; then
  echo "lowp: LLVM/MLIR 22 or the build tools are missing; installing them"
  bash scripts/install-deps.sh
fi
if [ ! -f build/build.ninja ]; then
  cc=clang-22 cxx=clang++-22
  command -v "$cxx" >/dev/null || { cc=cc; cxx=c++; }
  CC=$cc CXX=$cxx cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build
