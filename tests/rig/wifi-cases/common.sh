#!/bin/bash
# Shared by the D-3 case tests in the kernel rig (sourced, bash): the real
# relay simulator on loopback, the real certbenchd with a fixture whose
# slot dut1 has its power on coil 0 and the Wi-Fi radio wlan1, a simulated
# DUT that follows coil 0 (power on: start, power off: stop), and `certbench
# run --wait` / `certbench report` to drive and read runs.
# Needs: CBD, CB, SIM (binaries), HERE (this folder). Sets W, OUT.
# Every wait has a deadline (wait_log: tail -F through inotify + timeout).
set -u
W=/tmp/rig-wifi-cases
OUT=${RIG_OUT:-$W}
fails=0
t_start=$EPOCHREALTIME

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
say() { echo "wifi-cases: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

rig_wifi_setup() {
  local t n=$1
  for t in hostapd wpa_supplicant ip timeout tail /usr/bin/python3; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed (packages hostapd, wpasupplicant, iproute2, python3)"; exit 77; }
  done
  /usr/bin/python3 -c 'import zmq' 2>/dev/null || { echo "SKIP: python3-zmq not installed"; exit 77; }
  for ((t = 0; t < n; t++)); do
    [ -e /sys/class/net/wlan$t ] || { echo "FAIL: no wlan$t (mac80211_hwsim radios=$n not loaded?)"; ls /sys/class/net; exit 1; }
  done
  [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
  echo 4194304 >/proc/sys/net/core/rmem_default
  echo 4194304 >/proc/sys/net/core/rmem_max
  rm -rf "$W"
  mkdir -p "$W" "$OUT"
  trap rig_wifi_cleanup EXIT
}

bg_pids=()
rig_wifi_cleanup() {
  local p f
  [ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null &&
    timeout 15 tail --pid="$DAEMON_PID" -f /dev/null
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  dut_off
  for f in "$W"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  cp "$W"/*.log "$W"/*.conf "$W"/*.yaml "$W"/*.json "$W"/*.txt "$OUT"/ 2>/dev/null
}

# wait_log FILE PATTERN COUNT SECONDS: until COUNT lines of FILE match the
# extended regex PATTERN, or the deadline.
wait_log() {
  local f=$1 pat=$2 n=$3 t=$4 fd tpid r
  exec {fd}< <(exec timeout "$t" tail -n +1 -F "$f" 2>/dev/null)
  tpid=$!
  grep -E -m "$n" -- "$pat" <&"$fd" >/dev/null
  r=$?
  kill "$tpid" 2>/dev/null
  exec {fd}<&-
  return $r
}

# kill_wait PIDFILE: SIGTERM, then until it is gone (5 s), then SIGKILL.
kill_wait() {
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  rm -f "$1"
  kill "$pid" 2>/dev/null || return 0
  timeout 5 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid" 2>/dev/null; timeout 5 tail --pid="$pid" -f /dev/null; }
}

# The simulated DUT. The test defines dut_start and dut_stop; they run on
# the relay's coil 0 edges, like a DUT on its power relay.
dut_on=0
dut_off() { [ "$(type -t dut_stop)" = function ] && dut_stop; }
dut_power_follow() {
  local t coil value
  while read -r t coil value; do
    [ "$coil" = "coil=0" ] || continue
    case $value in
      value=1) [ $dut_on = 1 ] || { echo "$t DUT power on" >>"$W/dut-power.log"; dut_start; dut_on=1; } ;;
      value=0) [ $dut_on = 0 ] || { echo "$t DUT power off" >>"$W/dut-power.log"; dut_stop; dut_on=0; } ;;
    esac
  done
}

start_bench() {
  local port t
  t=$EPOCHREALTIME
  : >"$W/sim.log"
  "$SIM" --port 0 --coils 4 --log "$W/sim.log" >"$W/sim.out" 2>"$W/sim.err" &
  SIM_PID=$!
  bg_pids+=("$SIM_PID")
  wait_log "$W/sim.out" '^READY port=' 1 20 || { echo "FAIL: relay simulator not ready: $(cat "$W/sim.err")"; exit 1; }
  port=$(sed -n 's/^READY port=//p' "$W/sim.out")
  # The DUT follows coil 0 from now on (the log is followed through inotify).
  tail -n +1 -F "$W/sim.log" 2>/dev/null | dut_power_follow &
  bg_pids+=("$!")

  cat >"$W/bench.yaml" <<EOT
bench: rig-wifi
relays:
  - name: relay1
    kind: modbus-tcp
    host: 127.0.0.1
    port: $port
    unit: 1
    channels:
      - { name: dut1.power, coil: 0, safe: off }
radios:
  - { name: bench-wifi, kind: wifi, interface: wlan1 }
slots:
  - { name: dut1, power: dut1.power, radios: [bench-wifi] }
EOT
  EP="ipc://$W/command"
  cat >"$W/certbenchd.yaml" <<EOT
bench_fixture: bench.yaml
state_dir: $W/state
command_endpoint: $EP
event_endpoint: ipc://$W/events
heartbeat_s: 0
EOT
  mkdir -p "$W/state"
  : >"$W/certbenchd.log"
  "$CBD" -c "$W/certbenchd.yaml" >>"$W/certbenchd.log" 2>&1 &
  DAEMON_PID=$!
  wait_log "$W/certbenchd.log" 'ready:' 1 30 ||
    { echo "FAIL: certbenchd not ready within 30 s:"; cat "$W/certbenchd.log"; exit 1; }
  say "relay simulator (port $port) and certbenchd ready in $(ms_since "$t") ms"
}

# run_case NAME EXPECT_RC CASE PROFILE [--param ...]: one run through the
# CLI; sets RUN_ID and writes $W/NAME.json (the report).
run_case() {
  local name=$1 want=$2 case=$3 profile=$4 t rc
  shift 4
  t=$EPOCHREALTIME
  timeout 240 "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 run --slot dut1 \
    --profile "$profile" --serial "rig-$name" --case "$case" "$@" --wait >"$W/$name.txt" 2>&1
  rc=$?
  sed 's/^/  | /' "$W/$name.txt"
  RUN_ID=$(head -n 1 "$W/$name.txt")
  say "$name: certbench run --wait exit $rc in $(ms_since "$t") ms"
  [ "$rc" = "$want" ] || { bad "$name: certbench run exit $rc, expected $want"; return 1; }
  timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$name.json" 2>"$W/$name.err" ||
    { bad "$name: certbench report failed: $(cat "$W/$name.err")"; return 1; }
  return 0
}

# check_case NAME CASE OUTCOME [--evidence FILE KEY=VALUE ...]
check_case() {
  local name=$1
  shift
  /usr/bin/python3 "$HERE/cb-case-check.py" "$W/$name.json" "$@" --endpoint "$EP" || bad "$name: report check failed"
}

finish() {
  say "total $(ms_since "$t_start") ms in the guest, $fails failure(s)"
  [ $fails = 0 ] && { echo "PASS: $1"; exit 0; }
  exit 1
}
