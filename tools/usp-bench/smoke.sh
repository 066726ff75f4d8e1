#!/usr/bin/env bash
# CTest smoke run of usp-bench (label bench): a few seconds of the gateway
# scenario (Get) and of the notify scenario so the benchmark cannot rot. No
# timing is asserted: only that each ran, printed a row for the baseline and
# for the gateway, and dropped nothing.
#   smoke.sh <usp-bench binary>
set -euo pipefail
bench="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0

# run <name> <expected rows per label> <labels...> -- <usp-bench arguments...>
run() {
  local name="$1" per="$2" labels=() out="$tmp/$1.out" csv="$tmp/$1.csv"
  shift 2
  while [ "$1" != -- ]; do labels+=("$1"); shift; done
  shift
  # USP_BENCH_PRELOAD (sanitized builds): preloaded into usp-bench and so into
  # the mosquitto it starts, not into this shell.
  ${USP_BENCH_PRELOAD:+env LD_PRELOAD="$USP_BENCH_PRELOAD"} "$bench" "$@" --csv "$csv" | tee "$out"
  for row in "${labels[@]}"; do
    n="$(grep -c "^$row " "$out" || true)"
    if [ "$n" != "$per" ]; then echo "smoke $name: expected $per $row rows, got $n" >&2; fail=1; fi
  done
  if grep -q " drops " "$out"; then echo "smoke $name: a healthy run drops nothing" >&2; fail=1; fi
  # Every row counted something, and the CSV has a header and every row.
  if awk -v re="^($(IFS='|'; echo "${labels[*]}")) " '$0 ~ re && $4 + 0 <= 0 {bad=1} END {exit !bad}' "$out"; then
    echo "smoke $name: a row with no round trips" >&2; fail=1
  fi
  local want=$((${#labels[@]} * per + 1))
  if [ "$(wc -l < "$csv")" != "$want" ]; then echo "smoke $name: expected a CSV header and $((want - 1)) rows" >&2; fail=1; fi
}

run get 2 mqtt-baseline gateway-dial -- --scenario gateway --phones 4 --inflight 1,8 --seconds 1
# Notify in (phones -> controller) and NotifyResp out, each path once.
run notify 1 notify-mqtt nresp-mqtt notify-gw-dial nresp-gw-dial -- \
  --scenario notify --phones 4 --rate 200 --inflight 50 --seconds 1
exit "$fail"
