#!/usr/bin/env bash
# Builds the `fuzz` preset (clang-14, libFuzzer, ASan+UBSan) and runs every
# fuzz target for SECONDS each (default 10), one after another on one core,
# over its committed corpus (tests/fuzz/corpus/<target>), its crash inputs
# (tests/fuzz/regressions/<target>) and, for Record targets, the captured
# vectors. Exits non-zero when any target crashed, leaked, hit a sanitizer or
# timed out; the input that did it is in build/fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 300 record
#
# New inputs the fuzzer finds go to build/fuzz/corpus/<target> (not the
# source tree); a summary with executions and coverage to
# build/fuzz/summary.txt. FUZZ_NICE (default 10) and FUZZ_LOCK (default
# /tmp/usp-build.lock, taken for the build only) can be set.
set -euo pipefail

seconds="${1:-10}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
lock="${FUZZ_LOCK:-/tmp/usp-build.lock}"

flock "$lock" cmake --preset fuzz >/dev/null
flock "$lock" cmake --build --preset fuzz

build="$root/build/fuzz"
mkdir -p "$build/artifacts" "$build/logs"
summary="$build/summary.txt"
printf '%-24s %8s %12s %8s %8s %8s\n' target seconds executions cov ft result >"$summary"

failed=()
while read -r exe seeds; do
  name="${exe#fuzz_}"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build/artifacts/$name-")
  if [ -f "tests/fuzz/$name.dict" ]; then args+=(-dict="tests/fuzz/$name.dict"); fi
  log="$build/logs/$name.log"
  echo "fuzz: $name for ${seconds}s"
  # shellcheck disable=SC2086  # the seed folders are space-separated paths
  if nice -n "${FUZZ_NICE:-10}" "$build/tests/fuzz/$exe" "${args[@]}" "$corpus" $seeds >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$name")
    grep -E 'ERROR|SUMMARY|runtime error|broken promise|Test unit written' "$log" | head -20 || true
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  covline="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)"
  cov="$(echo "$covline" | awk '{print $2}')"
  ft="$(echo "$covline" | awk '{print $4}')"
  printf '%-24s %8s %12s %8s %8s %8s\n' "$name" "$seconds" "${execs:--}" "${cov:--}" "${ft:--}" "$result" >>"$summary"
done <"$build/tests/fuzz/targets.txt"

cat "$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts, logs in $build/logs)" >&2
  exit 1
fi
