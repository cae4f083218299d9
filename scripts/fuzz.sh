#!/usr/bin/env bash
# Coverage-guided fuzzing of lowp (docs/Fuzzing.md): builds the libFuzzer
# targets in build-fuzz (every library instrumented, with ASan and UBSan)
# and runs each for a set time on its corpus, growing the corpus in
# build-fuzz/corpus (or --build-dir) and writing crashing inputs to its
# findings/.
#
#   bash scripts/fuzz.sh [--seconds=N] [--targets=ir,npy,format] [--seed=S]
#                        [--build-dir=DIR]
#
# --seconds is per target (default 600); the seed defaults to the time, so
# that each run explores anew. Prints each target's executions and findings.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600 targets=ir,npy,format seed=$(date +%s) dir=build-fuzz
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds=${arg#--seconds=} ;;
    --targets=*) targets=${arg#--targets=} ;;
    --seed=*) seed=${arg#--seed=} ;;
    --build-dir=*) dir=${arg#--build-dir=} ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -f $dir/build.ninja ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLOWP_ENABLE_FUZZERS=ON >/dev/null
fi
ninja -C "$dir" lowp-fuzz-ir lowp-fuzz-npy lowp-fuzz-format
mkdir -p $dir/findings
status=0
IFS=, read -ra names <<<"$targets"
for name in "${names[@]}"; do
  corpus=$dir/corpus/$name
  mkdir -p "$corpus"
  case "$name" in
    ir)
      max_len=8192
      # Each function-sized piece of the lit tests and examples is a seed.
      /usr/bin/python3 - "$corpus" <<'PY'
import glob, hashlib, os, sys
out = sys.argv[1]
for path in glob.glob("test/**/*.mlir", recursive=True) + glob.glob("examples/*.mlir"):
    for piece in open(path).read().split("// -----"):
        data = piece.encode()
        if 0 < len(data) <= 8192:
            name = hashlib.sha1(data).hexdigest()[:16]
            open(os.path.join(out, name), "wb").write(data)
PY
      ;;
    npy) max_len=1024; cp fuzz/corpus/npy/* "$corpus"/ ;;
    format) max_len=256; cp fuzz/corpus/format/* "$corpus"/ ;;
    *) echo "fuzz.sh: no target '$name'" >&2; exit 2 ;;
  esac
  log=$dir/fuzz-$name.log
  echo "fuzz.sh: lowp-fuzz-$name for ${seconds} s (seed $seed, log $log)"
  ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0 \
    $dir/bin/lowp-fuzz-$name -seed="$seed" -max_total_time="$seconds" \
    -max_len=$max_len -timeout=60 -rss_limit_mb=4096 \
    -artifact_prefix=$dir/findings/$name- "$corpus" >"$log" 2>&1 ||
    status=1
  runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1 || true)
  [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  found=$(ls $dir/findings | grep -c "^$name-" || true)
  echo "fuzz.sh: lowp-fuzz-$name: ${runs:-0} executions, corpus $(ls "$corpus" | wc -l) inputs, $found findings in $dir/findings"
done
exit $status
