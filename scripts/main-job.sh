#!/usr/bin/env bash
# The main job: what lowp does today, end to end. It grows as the compiler
# does.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin
example=examples/mxfp4-matmul.mlir
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== lowp-format: what is E4M3FN, and what do 0.3, 464 and 465 become in it?"
"$bin/lowp-format" info f8E4M3FN
"$bin/lowp-format" encode f8E4M3FN 0.3 464 465
echo
echo "== lowp-opt: parse, verify and print examples/formats.mlir"
"$bin/lowp-opt" examples/formats.mlir | head -3
echo
echo "== A 64x1024 by 1024x1024 matmul with MXFP4 weights, compiled for this CPU"
"$bin/lowp-run" "$example" --entry=generate \
  --output="$work/x.npy" --output="$work/w.npy"
"$bin/lowp-run" "$example" --entry=quantize_weights --input="$work/w.npy" \
  --output="$work/w.elements.npy" --output="$work/w.scales.npy"
echo "-- time with MXFP4 weights (block-factored vector kernel, all cores):"
"$bin/lowp-run" "$example" --entry=matmul_mxfp4 --input="$work/x.npy" \
  --input="$work/w.elements.npy" --input="$work/w.scales.npy" \
  --output="$work/y.npy" --repeat=5
echo "-- time of the same matmul in f32:"
"$bin/lowp-run" "$example" --entry=matmul_f32 --input="$work/x.npy" \
  --input="$work/w.npy" --output="$work/y_ref.npy" --repeat=5
echo "-- error of the MXFP4 result against f32 (relative L2, then max abs):"
"$bin/lowp-run" "$example" --entry=relative_error --input="$work/y.npy" \
  --input="$work/y_ref.npy" --print
echo
echo "== LLM decode: a GEMV 1x4096 by 4096x14336 with 4-bit weights, next to"
echo "   OpenBLAS sgemv on the same shape in f32 and the DRAM bandwidth, all"
echo "   measured in this run (lowp-bench, docs/Benchmarks.md)"
if ! bash scripts/bench.sh --quick --filter=gemv_mxfp4,gemv_nvfp4,gemv_int4 \
    >"$work/bench.txt" 2>"$work/bench.log"; then
  cat "$work/bench.log" "$work/bench.txt" >&2
  exit 1
fi
sed -n '/^Memory bandwidth/,/^  read_2t/p; /^GEMV/,/^$/p' "$work/bench.txt"

echo
echo "== Python: a PyTorch MLP and transformer block imported with from_torch"
echo "   and from_onnx, weights in MXFP4 and NVFP4 by a recipe, compiled and"
echo "   run; error against torch's f32 output, time next to torch's"
echo "   (examples/torch_model.py --quick; docs/Python.md)"
if ls build/python/lowp/_core*.so >/dev/null 2>&1; then
  PYTHONPATH=build/python /usr/bin/python3 examples/torch_model.py --quick \
    --check 2>"$work/python.log" || { cat "$work/python.log" >&2; exit 1; }
else
  echo "(the Python package is not built: python3-dev or pybind11-dev missing)"
fi
