#!/usr/bin/env bash
# CTest smoke run of usp-bench (label bench): a few seconds of the gateway
# scenario so the benchmark cannot rot. No timing is asserted: only that it
# ran, printed a row for the baseline and for the gateway, and dropped nothing.
#   smoke.sh <usp-bench binary>
set -euo pipefail
bench="$1"
out="$(mktemp)"
csv="$(mktemp -u).csv"
trap 'rm -f "$out" "$csv"' EXIT
# USP_BENCH_PRELOAD (sanitized builds): preloaded into usp-bench and so into
# the mosquitto it starts, not into this shell.
${USP_BENCH_PRELOAD:+env LD_PRELOAD="$USP_BENCH_PRELOAD"} "$bench" --scenario gateway --phones 4 --inflight 1,8 \
  --seconds 1 --csv "$csv" | tee "$out"
fail=0
for row in mqtt-baseline gateway-dial; do
  n="$(grep -c "^$row " "$out" || true)"
  if [ "$n" != 2 ]; then echo "smoke: expected 2 $row rows, got $n" >&2; fail=1; fi
done
if grep -q " drops " "$out"; then echo "smoke: a healthy run drops nothing" >&2; fail=1; fi
# Every row answered something, and the CSV has a header and four rows.
if awk '/^(mqtt-baseline|gateway-dial) / && $4 + 0 <= 0 {bad=1} END {exit !bad}' "$out"; then
  echo "smoke: a row with no round trips" >&2; fail=1
fi
if [ "$(wc -l < "$csv")" != 5 ]; then echo "smoke: expected a CSV header and 4 rows" >&2; fail=1; fi
exit "$fail"
