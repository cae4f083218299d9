#!/usr/bin/env bash
# Opt-in: all 2^32 f32 inputs through every builtin format with the core and
# the exact value-table oracle, printing a Markdown table of the results
# (docs/Numerics.md records one run). Usage:
#   scripts/sweep-f32.sh [MODE] [--saturate] [--threads=N]
# Minutes per format; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-to_nearest_even}
shift || true
sweep=build/unittests/Numerics/lowp-numerics-sweep
[ -x "$sweep" ] || bash scripts/build.sh
status=0
echo "| format | inputs | mismatches | time |"
echo "|--------|--------|------------|------|"
for format in f4E2M1FN f6E2M3FN f6E3M2FN f8E3M4 f8E4M3 f8E4M3FN f8E4M3FNUZ \
              f8E4M3B11FNUZ f8E5M2 f8E5M2FNUZ f8E8M0FNU f16 bf16 tf32; do
  line=$("$sweep" "$format" "$mode" "$@" | head -1) || status=1
  # "f8E4M3FN to_nearest_even: 4294967296 inputs, 0 mismatches, 190 s"
  echo "$line" | awk -F'[:,]' '{split($1, f, " "); printf "| %s | %s | %s | %s |\n", f[1], $2, $3, $4}' |
    sed 's/ inputs//; s/ mismatches//'
done
exit $status
