#!/usr/bin/env bash
# Installs the built Python package (build/python/lowp) for an interpreter:
#   bash scripts/install-python.sh                 # Debian's /usr/bin/python3
#   bash scripts/install-python.sh VENV/bin/python # into a virtual environment
# It copies the package into that interpreter's site-packages (purelib). The
# extension module is built for Debian's CPython 3.11, so the interpreter
# must be a CPython 3.11 (a venv made from /usr/bin/python3 is). Build
# first: bash scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-/usr/bin/python3}
package=${LOWP_BUILD_DIR:-build}/python/lowp
if ! ls "$package"/_core*.so >/dev/null 2>&1; then
  echo "lowp: $package/_core*.so is not built; run bash scripts/build.sh" >&2
  exit 1
fi
if ! command -v "$python" >/dev/null; then
  echo "lowp: there is no Python interpreter at $python" >&2
  exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
built=$(basename "$package"/_core*.so | sed -n 's/_core\.cpython-\([0-9]\)\([0-9]*\)-.*/\1.\2/p')
if [ "$version" != "$built" ]; then
  echo "lowp: $python is Python $version; the package is built for $built" >&2
  exit 1
fi
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$site"
rm -rf "$site/lowp"
cp -r "$package" "$site/lowp"
(cd / && "$python" -c 'import lowp; print("lowp: installed", lowp.__file__)')
