#!/usr/bin/env bash
# The README's second command: dependencies, build, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
