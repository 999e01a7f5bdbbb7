#!/bin/bash
# Shared by the bt.pairing case tests in the kernel rig (sourced, bash; run
# under tests/rig/bt/bt-vhci-run.sh, so btvirt -l2 has registered hci0 and
# hci1). The real relay simulator on loopback, the real certbenchd with a
# fixture whose slot dut1 has its power on coil 0 and the Bluetooth radio
# hci0 (kernel HCI user channel), slot dut2 coil 1 and hci2; the DUT
# simulator certbench-bt-dut on hci1 (or hci3), started per scenario and
# waited for (READY); `certbench run --wait` and `certbench report` drive
# and read runs; bt-case-check.py checks the verdict, the JSON evidence
# and the btsnoop (btmon -r, tshark -r).
#
# Why a second pair: btvirt's emulated controller keeps the IO capability
# its host last replied with, across connections, HCI Reset and host
# restarts, and once it has one it skips the IO Capability exchange with
# that host on every later pairing (the bench then sees no IO Capability
# Response). So each SSP scenario after the first gets a pair that has
# never paired: radios_fresh starts another `btvirt -l2` (hci2 + hci3, its
# own air) and slot dut2 uses it.
# Needs: CBD, CB, SIM, DUT (binaries), HERE (this folder). Sets W, OUT.
# Every wait has a deadline (wait_log: tail -F through inotify + timeout).
set -u
W=/tmp/rig-bt-cases
OUT=${RIG_OUT:-$W}
fails=0
t_start=$EPOCHREALTIME

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
say() { echo "bt-cases: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

rig_bt_setup() {
  local t
  for t in timeout tail btmon tshark /usr/bin/python3; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed (packages coreutils, bluez, tshark, python3)"; exit 77; }
  done
  /usr/bin/python3 -c 'import zmq' 2>/dev/null || { echo "SKIP: python3-zmq not installed"; exit 77; }
  for t in hci0 hci1; do
    [ -e /sys/class/bluetooth/$t ] || { echo "FAIL: no $t (run under bt-vhci-run.sh)"; ls /sys/class/bluetooth; exit 1; }
  done
  [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
  rm -rf "$W"
  mkdir -p "$W" "$OUT"
  trap rig_bt_cleanup EXIT
}

bg_pids=()
rig_bt_cleanup() {
  local p
  dut_stop
  [ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null &&
    timeout 15 tail --pid="$DAEMON_PID" -f /dev/null
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  radios_stop
  cp "$W"/*.log "$W"/*.yaml "$W"/*.json "$W"/*.txt "$W"/*.btsnoop "$OUT"/ 2>/dev/null
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

# radios_fresh NAME: a new `btvirt -l2` (the previous one stopped first)
# until the kernel has registered hci2 and hci3 (30 s); then slot dut2 has
# a bench radio (hci2) and a DUT radio (hci3) that have never paired.
BTVIRT=${BTVIRT:-$(command -v btvirt || echo /usr/lib/bluetooth/btvirt)}
BTVIRT2_PID=
radios_fresh() {
  local t i
  radios_stop
  t=$EPOCHREALTIME
  "$BTVIRT" -l2 >"$W/btvirt-$1.log" 2>&1 &
  BTVIRT2_PID=$!
  for ((i = 0; i < 600; i++)); do
    [ -e /sys/class/bluetooth/hci2 ] && [ -e /sys/class/bluetooth/hci3 ] && break
    kill -0 "$BTVIRT2_PID" 2>/dev/null || break
    sleep 0.05
  done
  if ! [ -e /sys/class/bluetooth/hci2 ] || ! [ -e /sys/class/bluetooth/hci3 ]; then
    bad "$1: a second btvirt -l2 did not register hci2 and hci3: $(ls /sys/class/bluetooth) $(cat "$W/btvirt-$1.log")"
    return 1
  fi
  say "$1: fresh controllers hci2, hci3 in $(ms_since "$t") ms"
}

# radios_stop: stops the second btvirt, until hci2 and hci3 are gone (10 s).
radios_stop() {
  local pid=$BTVIRT2_PID i
  [ -n "$pid" ] || return 0
  BTVIRT2_PID=
  kill "$pid" 2>/dev/null
  timeout 5 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    [ -e /sys/class/bluetooth/hci2 ] || [ -e /sys/class/bluetooth/hci3 ] || return 0
    sleep 0.05
  done
  bad "hci2/hci3 still registered 10 s after btvirt ended"
}

# dut_start NAME MODE [ARGS...]: certbench-bt-dut on $DUT_IF (hci1 for slot
# dut1, hci3 for dut2) until its READY line (20 s); sets DUT_ADDR. Its
# output goes to $W/dut-NAME.log. ARGS may hold a second --mode (one
# BR/EDR and one LE mode: a dual-mode DUT).
DUT_PID=
DUT_IF=hci1
dut_start() {
  local name=$1 mode=$2 t
  shift 2
  dut_stop
  t=$EPOCHREALTIME
  DUT_LOG=$W/dut-$name.log
  : >"$DUT_LOG"
  "$DUT" --interface "$DUT_IF" --mode "$mode" "$@" >>"$DUT_LOG" 2>&1 &
  DUT_PID=$!
  if ! wait_log "$DUT_LOG" '^READY bdaddr=' 1 20; then
    bad "$name: certbench-bt-dut --mode $mode not READY within 20 s:"
    sed 's/^/  | /' "$DUT_LOG"
    dut_stop
    return 1
  fi
  DUT_ADDR=$(sed -n 's/^READY bdaddr=\([0-9A-Fa-f:]*\).*/\1/p' "$DUT_LOG" | head -n 1)
  # The READY line's mode: both halves of a dual-mode DUT (BREDR+LE).
  mode=$(sed -n 's/^READY bdaddr=[^ ]* mode=\([^ ]*\).*/\1/p' "$DUT_LOG" | head -n 1)
  say "$name: DUT $mode $DUT_ADDR ready in $(ms_since "$t") ms"
}

# dut_stop: SIGTERM, until it is gone (5 s), then SIGKILL.
dut_stop() {
  local pid=$DUT_PID
  [ -n "$pid" ] || return 0
  DUT_PID=
  kill "$pid" 2>/dev/null || return 0
  timeout 5 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid" 2>/dev/null; timeout 5 tail --pid="$pid" -f /dev/null; }
  wait "$pid" 2>/dev/null
  sed 's/^/  dut| /' "$DUT_LOG"
}

start_bench() {
  local port t
  t=$EPOCHREALTIME
  : >"$W/sim.log"
  "$SIM" --port 0 --coils 4 --log "$W/sim.log" >"$W/sim.out" 2>"$W/sim.err" &
  bg_pids+=("$!")
  wait_log "$W/sim.out" '^READY port=' 1 20 || { echo "FAIL: relay simulator not ready: $(cat "$W/sim.err")"; exit 1; }
  port=$(sed -n 's/^READY port=//p' "$W/sim.out")

  cat >"$W/bench.yaml" <<EOT
bench: rig-bt
relays:
  - name: relay1
    kind: modbus-tcp
    host: 127.0.0.1
    port: $port
    unit: 1
    channels:
      - { name: dut1.power, coil: 0, safe: off }
      - { name: dut2.power, coil: 1, safe: off }
radios:
  - { name: bench-bt, kind: bluetooth, interface: hci0 }
  - { name: bench-bt2, kind: bluetooth, interface: hci2 }
slots:
  - { name: dut1, power: dut1.power, radios: [bench-bt] }
  - { name: dut2, power: dut2.power, radios: [bench-bt2] }
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

# profile NAME MODES PAIRING IO [LINE ...]: a DUT profile with
# radios.bluetooth; each LINE goes under it as is ("policy: ssp").
profile() {
  local f=$W/profile-$1.yaml l
  {
    echo "model: Simulated Bluetooth device"
    echo "manufacturer: certbench rig"
    echo 'firmware_version: "1"'
    echo "radios:"
    echo "  bluetooth:"
    echo "    modes: [$2]"
    echo "    pairing: $3"
    echo "    io_capability: $4"
    shift 4
    for l in "$@"; do echo "    $l"; done
  } >"$f"
  echo "$f"
}

# run_case NAME EXPECT_RC PROFILE [--param ...]: one bt.pairing run through
# the CLI (exit 0 PASS, 1 FAIL, 2 ERROR) on slot $SLOT; sets RUN_ID and
# RUN_MS, writes $W/NAME.json (the report).
SLOT=dut1
run_case() {
  local name=$1 want=$2 profile=$3 t rc
  shift 3
  t=$EPOCHREALTIME
  timeout 240 "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 run --slot "$SLOT" \
    --profile "$profile" --serial "rig-$name" --case bt.pairing "$@" --wait >"$W/$name.txt" 2>&1
  rc=$?
  RUN_MS=$(ms_since "$t")
  sed 's/^/  | /' "$W/$name.txt"
  RUN_ID=$(head -n 1 "$W/$name.txt")
  say "$name: certbench run --wait exit $rc in $RUN_MS ms"
  timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$name.json" 2>"$W/$name.err" ||
    { bad "$name: certbench report failed: $(cat "$W/$name.err")"; return 1; }
  if [ "$rc" != "$want" ]; then
    bad "$name: certbench run exit $rc, expected $want"
    # Keep what the run left for the post-mortem (saved under RIG_OUT).
    /usr/bin/python3 "$HERE/bt-case-check.py" "$W/$name.json" bt.pairing ANY --endpoint "$EP" --save-dir "$W" \
      --evidence bt-pairing.json --snoop bt-pairing.btsnoop >/dev/null 2>&1
    return 1
  fi
  return 0
}

# check_case NAME OUTCOME [bt-case-check.py options]
check_case() {
  local name=$1 outcome=$2 t
  shift 2
  t=$EPOCHREALTIME
  /usr/bin/python3 "$HERE/bt-case-check.py" "$W/$name.json" bt.pairing "$outcome" --endpoint "$EP" \
    --save-dir "$W" "$@" || bad "$name: report check failed"
  say "$name: checked in $(ms_since "$t") ms"
}

finish() {
  say "total $(ms_since "$t_start") ms in the guest, $fails failure(s)"
  [ $fails = 0 ] && { echo "PASS: $1"; exit 0; }
  exit 1
}
