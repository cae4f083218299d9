#!/usr/bin/env bash
# The main job: what lowp does today, end to end. It grows as the compiler
# does.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin
echo "== lowp-opt: parse, verify and print examples/formats.mlir"
"$bin/lowp-opt" examples/formats.mlir
echo
echo "== lowp-format info f8E4M3FN"
"$bin/lowp-format" info f8E4M3FN
echo
echo "== lowp-format info '!lowp.float<e3m3>'"
"$bin/lowp-format" info '!lowp.float<e3m3>'
echo
echo "== what do 0.3, 464, 465 and 1e-3 become in E4M3FN (nearest even)?"
"$bin/lowp-format" encode f8E4M3FN 0.3 464 465 1e-3
echo
echo "== and 0.3 in E2M1, rounding down?"
"$bin/lowp-format" encode f4E2M1FN --rounding=downward 0.3
