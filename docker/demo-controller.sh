#!/bin/bash
# The compose demo's controller (docker/compose.yaml, service controller):
# round after round, a USP Get to every phone of the fleet through the
# gateway, with usp-ctl dialling wss://gateway:8443/usp/<phone eid> (the
# gateway's listen mode) and checking the gateway's certificate against the
# demo CA (--ca). Prints one line per request (the values read; VERBOSE=1:
# the whole answer) and a tally per round.
set -u
gateway=${GATEWAY_URL:-wss://gateway:8443/usp/}
controller=${CONTROLLER_EID:-self::demo-controller}
ca=${CA_FILE:-/certs/ca.pem}
phones=${PHONES:-10}
mac_base=${MAC_BASE:-000413A00000}
interval=${INTERVAL_S:-5}
rounds=${ROUNDS:-0}            # 0 = until stopped; N = N rounds, exit 0 when the last was complete
params=${PARAMS:-Device.DeviceInfo.SerialNumber Device.DeviceInfo.SoftwareVersion}

trap 'echo "demo-controller: stopping"; exit 0' TERM INT
round=0
while [ "$rounds" -eq 0 ] || [ "$round" -lt "$rounds" ]; do
  round=$((round + 1))
  ok=0
  for ((i = 0; i < phones; i++)); do
    mac=$(printf '%012X' $((16#$mac_base + i)))
    eid="os::000413-$mac"
    start=$(date +%s%N)
    # shellcheck disable=SC2086  # $params is a list of paths
    out=$(usp-ctl --ws-connect "$gateway$eid" --ca "$ca" --eid "$controller" --to "$eid" --json --timeout 10 \
          get $params 2>&1)
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    if [ "$rc" -eq 0 ]; then
      ok=$((ok + 1))
      # the answer's values only ("params":{...})
      [ -n "${VERBOSE:-}" ] || out=$(printf '%s' "$out" | sed -n 's/.*"params":\({[^}]*}\).*/\1/p')
      echo "round $round $eid ok ${ms} ms: $out"
    else
      echo "round $round $eid FAILED (exit $rc) after ${ms} ms: $out"
    fi
  done
  echo "round $round: $ok of $phones phones answered"
  if [ "$rounds" -eq 0 ] || [ "$round" -lt "$rounds" ]; then sleep "$interval" & wait $!; fi
done
# With ROUNDS set: success only when every phone answered in the last round.
[ "$ok" -eq "$phones" ]
