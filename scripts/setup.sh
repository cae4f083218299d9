#!/usr/bin/env bash
# The first README command: install dependencies, build, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/main-job.sh
