#!/usr/bin/env bash
# The README's benchmark command: builds Release into build-release/ and runs the whole benchmark
# (under 15 minutes on 2 cores), rewriting BENCHMARKS.md and docs/bench/*.png. Extra arguments go
# to the benchmark (see `build-release/bin/bench --help`: sizes, rates, station counts, trials).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j "$(nproc)" --target bench coordinator station-agent
exec build-release/bin/bench --out BENCHMARKS.md --plots docs/bench "$@"
