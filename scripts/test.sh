#!/usr/bin/env bash
# The second README command (and CI's): build what is missing, then run
# every lit and unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
lit=$(command -v lit || echo /usr/lib/llvm-22/bin/lit)
[ -x "$lit" ] || lit=/usr/lib/llvm-22/bin/lit
status=0
"$lit" -sv build/test build/test/Unit | tee build/lit.log || status=$?
# lit's summary lines read "  Passed: 12 (100.00%)"; the count follows the
# colon.
# lit pads the names to one width when several kinds are listed
# ("  Passed     : 147"), so the kind is matched as a word.
counts=$(awk '/^ *(Passed|Failed|Unresolved|Timed Out|Unsupported) *:/ {
    line = $0; sub(/^[^:]*: */, "", line); split(line, n, " ")
    if ($1 ~ /^Passed/) p += n[1]
    else if ($1 ~ /^Unsupported/) u += n[1]
    else f += n[1] }
  END {printf "%d passed, %d failed, %d unsupported", p, f, u}' build/lit.log)
echo "lowp: $counts"
exit $status
