#!/usr/bin/env bash
# Plots a gateway CSV from sweep.sh (gnuplot, Debian gnuplot-nox): Get round
# trips/s and p99 latency against requests in flight, baseline versus
# gateway, one line per phone count.
#   tools/usp-bench/plot.sh docs/perf/gateway.csv docs/perf/gateway.png
set -euo pipefail
csv="$1"
png="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
phones="$(awk -F, 'NR > 1 {print $2}' "$csv" | sort -nu)"
plots_rate=()
plots_p99=()
colour=0
for p in $phones; do
  colour=$((colour + 1))
  for s in mqtt-baseline gateway-dial gateway-listen; do
    f="$tmp/$s-$p.dat"
    awk -F, -v s="$s" -v p="$p" 'NR > 1 && $1 == s && $2 == p {print $3, $6, $8}' "$csv" | sort -n > "$f"
    [ -s "$f" ] || continue
    dash=$([ "$s" = mqtt-baseline ] && echo 2 || echo 1)
    plots_rate+=("'$f' using 1:2 with linespoints lc $colour dt $dash title '$s, $p phones'")
    plots_p99+=("'$f' using 1:(\$3/1000) with linespoints lc $colour dt $dash title '$s, $p phones'")
  done
done
join() { local IFS=","; echo "$*"; }
gnuplot <<GP
set terminal pngcairo size 1200,500 font ",10"
set output '$png'
set datafile separator " "
set multiplot layout 1,2 title "usp-gateway vs MQTT baseline: Get round trips (mosquitto + plugin, usp-agent --fleet, 2 vCPUs)"
set logscale x
set xlabel "requests in flight"
set grid
set key top left
set ylabel "round trips/s (= Records/s each way)"
plot $(join "${plots_rate[@]}")
set ylabel "p99 round-trip latency (ms)"
set logscale y
plot $(join "${plots_p99[@]}")
unset multiplot
GP
echo "plot: $png"
