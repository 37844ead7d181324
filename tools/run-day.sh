#!/usr/bin/env bash
# The README's first command: dependencies, build, then a whole simulated capture day.
# Any arguments go to capture-sim (see `build/bin/capture-sim --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
exec build/bin/capture-sim "$@"
