#!/usr/bin/env bash
# Installs everything lowp builds and tests with, from Debian's packages.
# Run as root on Debian 12 (bookworm); LLVM/MLIR 22 come from
# bookworm-security.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 \
  cmake ninja-build ccache python3 \
  libgtest-dev libmpfr-dev libgmp-dev libclang-rt-22-dev libomp-22-dev libopenblas-dev \
  python3-dev pybind11-dev python3-numpy python3-pytest python3-torch \
  python3-onnx >/dev/null
echo "lowp: dependencies installed"
