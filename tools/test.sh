#!/usr/bin/env bash
# The README's second command: dependencies, build, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
# The dashboard's browser test drives Debian's chromium with playwright-core (tests/dashboard/package-lock.json);
# npm ci runs only when the installed version differs from the lock file's.
(cd tests/dashboard && { node -e 'process.exit(require("./node_modules/playwright-core/package.json").version === require("./package-lock.json").packages["node_modules/playwright-core"].version ? 0 : 1)' 2>/dev/null || npm ci --no-audit --no-fund; })
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@")
# The fuzz targets in their own clang build (build-fuzz/): each replays its regression inputs, then
# fuzzes for a few seconds (README, "Fuzzing").
bash tools/fuzz.sh --seconds 3
