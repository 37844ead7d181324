#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in their own configuration, build-fuzz/ (clang-14 with
# ASan, UBSan and LeakSanitizer), and runs each for a given time.
#
#   bash tools/fuzz.sh [--seconds S] [TARGET...]      S defaults to 60; no TARGET: every target
#
# Each target first replays its committed crash inputs (tests/fuzz/regressions/TARGET/), then fuzzes
# for S seconds from a fresh copy of its seeds (tests/fuzz/corpus/TARGET/ and what fuzz_write_seeds
# writes) in build-fuzz/fuzz-runs/TARGET/. It prints the inputs each target ran and their total.
# Exit status 1 when any target crashed, leaked, hung (10 s on one input) or went over 2 GB: the
# input that did it is left in build-fuzz/fuzz-runs/TARGET/ (crash-…, leak-…, timeout-…, oom-…);
# once the bug is fixed, commit that input under tests/fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz: --seconds takes a whole number of seconds, at least 1" >&2
  exit 2
fi

bash tools/install-deps.sh
build=build-fuzz
# Configured once (the compilers are fixed then); later runs reuse the cache, and ninja runs cmake
# again itself when a CMakeLists.txt changed: asked for build.ninja first, so that fuzz_targets.txt
# below already has a target just added.
if [ ! -f "$build/CMakeCache.txt" ] || [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCAPTURE_FUZZ=ON >/dev/null
else
  cmake --build "$build" --target build.ninja >/dev/null
fi

# NAME MAX_LEN, one line per capture_fuzz() in tests/fuzz/CMakeLists.txt.
declare -A max_len
while read -r name len; do max_len[$name]=$len; done <"$build/fuzz_targets.txt"
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cut -d' ' -f1 "$build/fuzz_targets.txt")
fi
build_targets=(fuzz_write_seeds)
for t in "${targets[@]}"; do
  if [ -z "${max_len[$t]:-}" ]; then
    echo "fuzz: no target $t; the targets are: $(cut -d' ' -f1 "$build/fuzz_targets.txt" | paste -sd' ')" >&2
    exit 2
  fi
  build_targets+=("${t}_fuzz")
done
cmake --build "$build" -j "$(nproc)" --target "${build_targets[@]}"

runs="$build/fuzz-runs"
seeds="$runs/written-seeds"
rm -rf "$seeds"
"$build/bin/fuzz_write_seeds" "$seeds"

# llvm-14's symbolizer names the functions and lines in a report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

total=0
failed=()
for t in "${targets[@]}"; do
  bin="$build/bin/${t}_fuzz"
  run="$runs/$t"
  rm -rf "$run"
  mkdir -p "$run/corpus"
  [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$run/corpus/"
  [ -d "$seeds/$t" ] && cp -r "$seeds/$t/." "$run/corpus/"

  # The committed crash inputs first, each run once: a fixed bug stays fixed.
  mapfile -t regressions < <(find "tests/fuzz/regressions/$t" -type f 2>/dev/null | sort)
  if [ ${#regressions[@]} -gt 0 ] &&
     ! "$bin" "${common[@]}" "${regressions[@]}" >"$run/regressions.log" 2>&1; then
    echo "fuzz $t: a committed regression input fails again:" >&2
    tail -n 40 "$run/regressions.log" >&2
    failed+=("$t")
    continue
  fi

  status=0
  "$bin" "${common[@]}" -max_len="${max_len[$t]}" -max_total_time="$seconds" \
    -artifact_prefix="$run/" "$run/corpus" >"$run/fuzz.log" 2>&1 || status=$?
  units=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$run/fuzz.log" | tail -n 1)
  units=${units:-0}
  total=$((total + units))
  if [ "$status" -ne 0 ]; then
    echo "fuzz $t: FAILED after $units inputs (exit $status); the input is in $run/:" >&2
    tail -n 60 "$run/fuzz.log" >&2
    failed+=("$t")
  else
    replayed=""
    [ ${#regressions[@]} -gt 0 ] && replayed=", after ${#regressions[@]} regression input(s)"
    printf 'fuzz %-16s %12d inputs in %d s%s\n' "$t" "$units" "$seconds" "$replayed"
  fi
done
printf 'fuzz %-16s %12d inputs over %d targets\n' total "$total" "${#targets[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
