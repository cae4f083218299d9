#!/bin/bash
# Writes what a GPU machine needs to time lowp's CUDA kernels against torch
# (bench/gpu/run.py): the host code and PTX of bench/gpu/bench.mlir as an
# object file for CHIP, the runtime it links with, and the script.
#
#   bash bench/gpu/prepare.sh DIR [CHIP]     # here; CHIP: sm_80 sm_89 sm_90a (default) sm_100a
#   /usr/bin/python3 DIR/run.py              # on the GPU machine: an interpreter with PyTorch, a C compiler
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash bench/gpu/prepare.sh DIR [sm_80|sm_89|sm_90a|sm_100a]" >&2
  exit 2
fi
dir=$1
chip=${2:-sm_90a}
root=$(cd "$(dirname "$0")/../.." && pwd)
translate=${LOWP_TRANSLATE:-$root/build/bin/lowp-translate}
mkdir -p "$dir"
"$translate" "$root/bench/gpu/bench.mlir" --target=cuda --gpu-arch="$chip" \
  --emit=obj -o "$dir/bench.o"
cp "$root/bench/gpu/run.py" "$root/lib/ExecutionEngine/lowp_cuda_runtime.c" \
  "$root/include/lowp/ExecutionEngine/CudaRuntime.h" "$dir/"
echo "wrote $dir (bench.o for $chip, lowp_cuda_runtime.c, CudaRuntime.h, run.py)"
