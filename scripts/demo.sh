#!/usr/bin/env bash
# The README's first command: the whole product on this machine, on loopback.
#
#   mosquitto + mosquitto_usp.so  <-MQTT->  phones (usp-agent: a fleet on MQTT 5, one on 3.1.1)
#              ^
#              | MQTT 5
#         usp-gateway  <-WebSocket (listen mode)->  usp-ctl (the controller, WebSocket only)
#
# It installs what is missing (scripts/setup.sh), builds the release preset,
# starts everything in a temporary folder on free ports, and shows what a
# controller sees: the phones' Boot!, a Get of DeviceInfo from each, a Set of
# a look-and-feel setting read back, a Reboot with the Boot! that follows, and
# a summary. Everything it started is stopped when it ends, also on Ctrl-C.
# Exit 0 when every step worked.
#
# USP_DEMO_NO_BUILD=1 skips setup and build (binaries already in build/release).
# USP_DEMO_KEEP=1 keeps the temporary folder (configs and logs) afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/build/release

controller=self::demo-controller
topic=usp/controller/demo
fleet_base=000413D00001   # three MQTT 5 phones: ...01, ...02, ...03
single_mac=000413D00100   # one MQTT 3.1.1 phone

bold=""; dim=""; red=""; off=""
if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; red=$'\e[31m'; off=$'\e[0m'; fi
step() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
note() { printf '%s%s%s\n' "$dim" "$*" "$off"; }
fail() { printf '%sdemo: %s%s\n' "$red" "$*" "$off" >&2; failed=1; }

# ---- setup and build ----------------------------------------------------------
if [ -z "${USP_DEMO_NO_BUILD:-}" ]; then
  step "Setup and build (release preset)"
  scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release --target mosquitto_usp usp-gateway usp-agent usp-ctl
fi
for f in broker-plugin/mosquitto_usp.so gateway/usp-gateway agent/usp-agent tools/usp-ctl/usp-ctl; do
  [ -x "$bin/$f" ] || [ -f "$bin/$f" ] || { echo "demo: $bin/$f is missing; build first" >&2; exit 2; }
done
command -v mosquitto >/dev/null || { echo "demo: mosquitto is not installed (scripts/setup.sh)" >&2; exit 2; }

# ---- what we start, and how it stops --------------------------------------------
work=$(mktemp -d -t usp-demo.XXXXXX)
pids=()
failed=0
started=$(date +%s)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Newest first: controller, phones, gateway, broker; each by its PID.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${USP_DEMO_KEEP:-}" ] || [ "$rc" -ne 0 ]; then
    echo "demo: configs and logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until FILE has a line matching REGEX (or the process PID ended, or
# SECONDS passed); prints the first match.
wait_for() {
  local file=$1 regex=$2 seconds=$3 pid=${4:-} deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if grep -m1 -E -- "$regex" "$file" 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "demo: no '$regex' in $file within ${seconds}s" >&2
  tail -n 20 "$file" >&2 || true
  return 1
}

# A TCP port nobody listens on right now (the broker cannot take port 0 and
# tell us which it got, so we pick one and check).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

ctl() { "$bin/tools/usp-ctl/usp-ctl" --eid "$controller" "$@"; }
eid_of() { echo "os::000413-$1"; }
mac_plus() { printf '%012X' $((16#$1 + $2)); }

# ---- 1. the broker with the plugin ---------------------------------------------
step "Starting mosquitto with mosquitto_usp.so, usp-gateway and four phones"
# The gateway is privileged in the plugin; its name is password-checked.
# Phones are anonymous, identified by their client id = endpoint id.
printf 'demo-%s\n' "$RANDOM$RANDOM" >"$work/gateway.password"
mosquitto_passwd -c -b "$work/mosquitto.passwd" usp-gateway "$(cat "$work/gateway.password")" >/dev/null
for attempt in 1 2 3; do
  broker_port=$(free_port)
  {
    [ "$(id -u)" -eq 0 ] && echo "user root"   # so the broker reads our temp files
    echo "per_listener_settings false"
    echo "persistence false"
    echo "log_dest stderr"
    echo "log_type error"; echo "log_type warning"; echo "log_type notice"; echo "log_type information"
    echo "connection_messages true"
    echo "allow_anonymous true"
    echo "password_file $work/mosquitto.passwd"
    echo "listener $broker_port 127.0.0.1"
    echo "plugin $bin/broker-plugin/mosquitto_usp.so"
    echo "plugin_opt_identity client_id"
    echo "plugin_opt_agent_topic usp/agent/{eid}"
    echo "plugin_opt_controller_topics $topic"
    echo "plugin_opt_privileged_usernames usp-gateway"
    echo "plugin_opt_presence_topic usp/presence/{eid}"
  } >"$work/mosquitto.conf"
  mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  broker_pid=$!
  if wait_for "$work/mosquitto.log" "running" 10 "$broker_pid" >/dev/null 2>&1 && kill -0 "$broker_pid" 2>/dev/null; then
    pids+=("$broker_pid")
    break
  fi
  kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
done
[ -n "$broker_pid" ] || { echo "demo: mosquitto did not start:" >&2; cat "$work/mosquitto.log" >&2; exit 1; }
note "mosquitto         127.0.0.1:$broker_port (pid $broker_pid)"

# ---- 2. the gateway, in listen mode ----------------------------------------------
cat >"$work/gateway.yaml" <<EOF
mqtt:
  host: 127.0.0.1
  port: $broker_port
  client_id: usp-gateway-demo
  username: usp-gateway
  password_file: gateway.password
presence_topic: usp/presence/+
controllers:
  - endpoint_id: $controller
    mqtt_topic: $topic
    websocket: {mode: listen}
agents:
  offline_grace_s: 30
listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}
http: {address: 127.0.0.1, port: 0}
EOF
"$bin/gateway/usp-gateway" --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
line=$(wait_for "$work/gateway.log" "listening for controllers on [0-9.]+:[0-9]+/" 15 "$gateway_pid")
gw_port=$(sed -E 's/.*listening for controllers on [0-9.]+:([0-9]+)\/.*/\1/' <<<"$line")
line=$(wait_for "$work/gateway.log" "operations endpoint on http://127.0.0.1:[0-9]+/" 15 "$gateway_pid")
http_url=$(sed -E 's/.*operations endpoint on (http:[^ ]+\/).*/\1/' <<<"$line")
gw=ws://127.0.0.1:$gw_port/usp
note "usp-gateway       controllers dial $gw/<agent>, metrics at ${http_url}metrics (pid $gateway_pid)"

# ---- 3. the controller listens for notifications ---------------------------------
# One WebSocket for all phones (the gateway's $gw/ socket, routed by to_id):
# every Notify arrives here, and usp-ctl answers NotifyResp (R-NOT.10).
ctl --ws-connect "$gw/" watch >"$work/watch.log" 2>"$work/watch.err" &
watch_pid=$!
pids+=("$watch_pid")
wait_for "$work/watch.err" "watching for notifications" 15 "$watch_pid" >/dev/null
note "usp-ctl watch     on $gw/ (pid $watch_pid)"

# ---- 4. the phones ------------------------------------------------------------------
phone_settings() {  # VERSION
  cat <<EOF
tr369_enable2!: on
tr369_mtp_protocol2!: mqtt
tr369_mqtt_hostport2!: 127.0.0.1:$broker_port
tr369_mqtt_version2!: $1
tr369_mqtt_clientid2!: {eid}
tr369_mqtt_topic2!: $topic
tr369_controller_endpointid2!: $controller
tr369_controller_subscriptionid2!: boot-2
EOF
}
phone_settings 5.0 >"$work/fleet.txt"
phone_settings 3.1.1 >"$work/single.txt"
agent_common=(--factory "$root/config/agent/factory.txt" --param-map "$root/config/agent/param_map"
              --reboot-delay-ms 500 --log-level info)
"$bin/agent/usp-agent" --fleet 3 --mac-base "$fleet_base" --settings "$work/fleet.txt" \
  --state-dir "$work/fleet" --model D785 "${agent_common[@]}" >"$work/fleet.log" 2>&1 &
pids+=($!)
"$bin/agent/usp-agent" --mac "$single_mac" --settings "$work/single.txt" --state-dir "$work/single" \
  --model D717 "${agent_common[@]}" >"$work/single.log" 2>&1 &
pids+=($!)
macs=("$fleet_base" "$(mac_plus "$fleet_base" 1)" "$(mac_plus "$fleet_base" 2)" "$single_mac")
declare -A mqtt_of=(["${macs[0]}"]=5.0 ["${macs[1]}"]=5.0 ["${macs[2]}"]=5.0 ["$single_mac"]=3.1.1)
note "usp-agent         fleet of 3 on MQTT 5.0 (${macs[0]}..${macs[2]}), $single_mac on MQTT 3.1.1"

step "Phones coming up (Boot! through broker, gateway and WebSocket)"
for mac in "${macs[@]}"; do
  if line=$(wait_for "$work/watch.log" "$(eid_of "$mac")  Device\.Boot!" 30 "$watch_pid"); then
    echo "  $line"
  else
    fail "no Boot! from $(eid_of "$mac")"
  fi
done

# ---- 5. Get DeviceInfo from each -------------------------------------------------
declare -A model_of firmware_of ms_of ring_of reboot_of
value() { awk -v p="$1" '$1 == p { $1 = ""; sub(/^ +/, ""); print; exit }' <<<"$2"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
step "Get Device.DeviceInfo. from each phone (usp-ctl --ws-connect $gw/<agent>)"
for mac in "${macs[@]}"; do
  eid=$(eid_of "$mac")
  echo "  ${bold}$eid${off}"
  t0=$(now_ms)
  if out=$(ctl --ws-connect "$gw/$eid" get Device.DeviceInfo.Manufacturer Device.DeviceInfo.ModelName \
             Device.DeviceInfo.SoftwareVersion Device.DeviceInfo.SerialNumber); then
    ms_of[$mac]=$(($(now_ms) - t0))
    sed 's/^/    /' <<<"$out"
    model_of[$mac]=$(value Device.DeviceInfo.ModelName "$out")
    firmware_of[$mac]=$(value Device.DeviceInfo.SoftwareVersion "$out")
  else
    fail "Get from $eid failed"
  fi
done

# ---- 6. Set a look-and-feel setting and read it back ------------------------------
step "Set Device.X_000413_UI.RingTone on each phone, then read it back"
n=0
for mac in "${macs[@]}"; do
  eid=$(eid_of "$mac")
  n=$((n + 1))
  want=Ringer$((n + 2))
  if ctl --ws-connect "$gw/$eid" set "Device.X_000413_UI.RingTone=$want" >/dev/null &&
     out=$(ctl --ws-connect "$gw/$eid" get Device.X_000413_UI.RingTone); then
    got=$(value Device.X_000413_UI.RingTone "$out")
    printf '  %-26s set %-8s read back %s\n' "$eid" "$want" "$got"
    ring_of[$mac]=$got
    [ "$got" = "$want" ] || fail "$eid reads back '$got', not '$want'"
  else
    fail "Set on $eid failed"
  fi
done

# ---- 7. Reboot one phone and see it come back ---------------------------------------
reboot_mac=$single_mac
reboot_eid=$(eid_of "$reboot_mac")
step "Reboot $reboot_eid and wait for its Boot! (operate --wait)"
t0=$(now_ms)
if out=$(ctl --ws-connect "$gw/$reboot_eid" --timeout 30 operate 'Device.Reboot()' --wait --command-key demo-reboot); then
  sed 's/^/  /' <<<"$out"
  reboot_of[$reboot_mac]="back in $(($(now_ms) - t0)) ms"
  grep -q "CommandKey=demo-reboot" <<<"$out" || fail "the Boot! does not carry our CommandKey"
else
  fail "Reboot of $reboot_eid failed"
  reboot_of[$reboot_mac]=failed
fi
# A reboot keeps what a controller set (the '!' settings live in the state folder).
if out=$(ctl --ws-connect "$gw/$reboot_eid" get Device.X_000413_UI.RingTone); then
  note "  after the reboot: $(value Device.X_000413_UI.RingTone "$out" | sed 's/^/RingTone = /')"
fi

# ---- 8. Summary -----------------------------------------------------------------------
step "Summary"
printf '  %-26s %-6s %-6s %-12s %-9s %-9s %s\n' PHONE MQTT MODEL FIRMWARE GET RINGTONE REBOOT
for mac in "${macs[@]}"; do
  printf '  %-26s %-6s %-6s %-12s %-9s %-9s %s\n' "$(eid_of "$mac")" "${mqtt_of[$mac]}" "${model_of[$mac]:--}" \
    "${firmware_of[$mac]:--}" "${ms_of[$mac]:+${ms_of[$mac]} ms}" "${ring_of[$mac]:--}" "${reboot_of[$mac]:--}"
done
notifications=$(grep -c . "$work/watch.log" || true)
note "  $notifications notifications seen by usp-ctl watch; gateway metrics: ${http_url}metrics"
echo
if [ "$failed" -eq 0 ]; then
  echo "${bold}demo: every step worked${off} ($(($(date +%s) - started)) s)."
else
  echo "${red}demo: some steps failed${off}; logs in $work" >&2
  exit 1
fi
