#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (LLVM 22's Debian build has assertions off; these catch what they would).
# Builds build-asan with -DLOWP_ENABLE_SANITIZERS=ON and runs every lit and
# unit test in it. An opt-in step before resolving work, not part of CI: a
# clean sanitizer build plus the suite would take CI on two cores past its
# budget (README, "Building by hand").
#
#   bash scripts/test-sanitizers.sh [BUILD_DIR]   (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-asan}
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLOWP_ENABLE_SANITIZERS=ON >/dev/null
fi
ninja -C "$dir"
lit=$(command -v lit || echo /usr/lib/llvm-22/bin/lit)
[ -x "$lit" ] || lit=/usr/lib/llvm-22/bin/lit
# allow_user_poisoning=0: see the README on LLVM's BumpPtrAllocator.
ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0 \
  "$lit" -sv "$dir/test" "$dir/test/Unit"
