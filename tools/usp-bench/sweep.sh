#!/usr/bin/env bash
# The gateway matrix of docs/PERFORMANCE.md: for each phone count, one
# usp-bench run of the gateway scenario (the MQTT baseline and the gateway
# alternate per in-flight level on the same phones), all rows into one CSV,
# then the plot. Each run holds the shared build lock so no build runs
# alongside it.
#   tools/usp-bench/sweep.sh [out.csv]   (PHONES="100 1000 10000" INFLIGHT=1,10,100,1000 SECONDS_PER_ROW=5 WS_MODE=dial)
set -euo pipefail
cd "$(dirname "$0")/../.."
csv="${1:-docs/perf/gateway.csv}"
bench="${BENCH:-build/release/tools/usp-bench/usp-bench}"
mkdir -p "$(dirname "$csv")"
rm -f "$csv"
for phones in ${PHONES:-100 1000 10000}; do
  echo "== $phones phones, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  flock /tmp/usp-build.lock "$bench" --scenario gateway --ws-mode "${WS_MODE:-dial}" --phones "$phones" \
    --inflight "${INFLIGHT:-1,10,100,1000}" --seconds "${SECONDS_PER_ROW:-5}" --csv "$csv"
done
tools/usp-bench/plot.sh "$csv" "${csv%.csv}.png"
