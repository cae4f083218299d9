#!/usr/bin/env bash
# Configures (once) and builds lowp in build/. Idempotent: a second run
# rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# What the build and the Python package's tests need (scripts/install-deps.sh
# installs all of it).
if [ ! -d /usr/lib/llvm-22/lib/cmake/mlir ] || ! command -v ninja >/dev/null ||
   [ ! -f /usr/lib/cmake/pybind11/pybind11Config.cmake ] ||
   ! /usr/bin/python3 -c "import numpy, pytest, torch, onnx" 2>/dev/null; then
  echo "lowp: LLVM/MLIR 22, pybind11 or Python packages are missing; installing them"
  bash scripts/install-deps.sh
fi
if [ ! -f build/build.ninja ]; then
  cc=clang-22 cxx=clang++-22
  command -v "$cxx" >/dev/null || { cc=cc; cxx=c++; }
  CC=$cc CXX=$cxx cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE=/usr/bin/python3
fi
cmake --build build
