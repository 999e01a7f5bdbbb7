#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, dummy_hcd: the case usb.exposure (D-6) end to end. The real
# certbenchd (its relay board: the real relay simulator on loopback) powers
# the simulated DUT through coil 0; the DUT is a configfs gadget on
# dummy_udc.0, bound when coil 0 goes on and unbound when it goes off (a
# watcher on the simulator's coil log), and enumerates on the guest's own
# USB host side at the port path the fixture names for slot dut1.
#   compliant: acm, profile declares cdc-acm                    -> PASS (exit 0)
#   non-compliant: acm + mass_storage + ADB-like ff/42/01 (FunctionFS),
#     profile declares cdc-acm                                  -> FAIL (exit 1)
#   non-compliant network: acm + ecm + rndis, profile declares
#     cdc-acm                                                   -> FAIL (exit 1)
#   never enumerates (the gadget is never bound)                -> ERROR (exit 2)
# First, without the daemon: rig-usb-port-power switches the root-hub port
# off and on through drivers/usb's usb_port_power() and proves the gadget
# leaves and re-enumerates.
# Each through `certbench run --wait` and `certbench report --format json`.
# Usage: exposure.sh CERTBENCHD CERTBENCH RELAYSIM FFS-ADB PORT-POWER
set -u
CBD=${1:?usage: exposure.sh CERTBENCHD CERTBENCH RELAYSIM FFS-ADB PORT-POWER}
CB=${2:?}
SIM=${3:?}
FFS_ADB=${4:?}
PORT_POWER=${5:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECK=$HERE/../wifi-cases/cb-case-check.py
W=/tmp/rig-usb-cases
OUT=${RIG_OUT:-$W}
UDC=dummy_udc.0
fails=0
t_start=$EPOCHREALTIME
# The class drivers on the host side play no part in D-6 (no udev here).
export GADGET_NO_HOST_DRIVERS=1
# shellcheck source=../usb/gadget.sh
. "$HERE/../usb/gadget.sh"

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
say() { echo "usb-cases: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in timeout tail /usr/bin/python3; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
/usr/bin/python3 -c 'import zmq' 2>/dev/null || { echo "SKIP: python3-zmq not installed"; exit 77; }
[ -e /sys/class/udc/$UDC ] || { echo "FAIL: no $UDC (dummy_hcd not loaded?)"; ls /sys/class/udc; exit 1; }
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
rm -rf "$W"
mkdir -p "$W" "$OUT"

# The host side of dummy_hcd: its root hub usbN; the gadget is on port 1.
hcd=$(ls -d /sys/bus/platform/devices/dummy_hcd.0/usb* 2>/dev/null | head -n 1)
[ -n "$hcd" ] || { echo "FAIL: dummy_hcd.0 has no root hub"; exit 1; }
PORT_PATH=${hcd##*/usb}-1
say "DUT port: $PORT_PATH (${hcd##*/})"

bg_pids=()
cleanup() {
  local p
  [ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null &&
    timeout 15 tail --pid="$DAEMON_PID" -f /dev/null
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  dut_teardown
  cp "$W"/*.log "$W"/*.yaml "$W"/*.json "$W"/*.txt "$OUT"/ 2>/dev/null
}
trap cleanup EXIT

# wait_log FILE PATTERN COUNT SECONDS (inotify through tail -F, bounded).
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

# The simulated DUT. $W/dut-gadget names the gadget the DUT is right now
# (empty: a DUT whose USB never comes up). The watcher runs in its own
# subshell, so the state goes through that file.
dut_start() {
  local g
  g=$(cat "$W/dut-gadget" 2>/dev/null)
  [ -n "$g" ] || { echo "  (no gadget: the DUT stays off the bus)" >>"$W/dut-power.log"; return; }
  gadget_bind "$g" $UDC >>"$W/dut-power.log" 2>&1 || echo "  bind $g failed" >>"$W/dut-power.log"
}
dut_stop() {
  local g
  for g in /sys/kernel/config/usb_gadget/*; do
    [ -d "$g" ] && gadget_unbind "${g##*/}" >>"$W/dut-power.log" 2>&1
  done
}
dut_on=0
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

# dut_gadget NAME PID FUNCTION...: a fresh gadget (the previous one removed),
# not bound: the DUT's power relay binds it.
FFS_PID=
dut_teardown() {
  local g
  [ -n "$FFS_PID" ] && { kill "$FFS_PID" 2>/dev/null; timeout 5 tail --pid="$FFS_PID" -f /dev/null; FFS_PID=; }
  for g in /sys/kernel/config/usb_gadget/*; do
    [ -d "$g" ] && gadget_remove "${g##*/}"
  done
  : >"$W/dut-gadget"
}
dut_gadget() {
  local name=$1 pid=$2 f mnt
  shift 2
  dut_teardown
  gadget_create "$name" 1d6b "$pid" "certbench rig DUT $name" || return 1
  for f in "$@"; do
    case $f in
      adb)
        mnt=$(gadget_add_function "$name" ffs adb) || return 1
        "$FFS_ADB" "$mnt" --timeout 200 >"$W/ffs-adb.log" 2>&1 &
        FFS_PID=$!
        wait_log "$W/ffs-adb.log" '^ready' 1 10 || { echo "FAIL: rig-usb-ffs-adb not ready: $(cat "$W/ffs-adb.log")"; return 1; } ;;
      *) gadget_add_function "$name" "$f" >/dev/null || return 1 ;;
    esac
  done
  echo "$name" >"$W/dut-gadget"
}

start_bench() {
  local port t=$EPOCHREALTIME
  : >"$W/sim.log"
  "$SIM" --port 0 --coils 4 --log "$W/sim.log" >"$W/sim.out" 2>"$W/sim.err" &
  bg_pids+=("$!")
  wait_log "$W/sim.out" '^READY port=' 1 20 || { echo "FAIL: relay simulator not ready: $(cat "$W/sim.err")"; exit 1; }
  port=$(sed -n 's/^READY port=//p' "$W/sim.out")
  tail -n +1 -F "$W/sim.log" 2>/dev/null | dut_power_follow &
  bg_pids+=("$!")
  cat >"$W/bench.yaml" <<EOT
bench: rig-usb
relays:
  - name: relay1
    kind: modbus-tcp
    host: 127.0.0.1
    port: $port
    unit: 1
    channels:
      - { name: dut1.power, coil: 0, safe: off }
usb_ports:
  - { name: dut-usb, path: "$PORT_PATH" }
slots:
  - { name: dut1, power: dut1.power, usb: dut-usb }
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

profile() { # NAME CLASSES
  local f=$W/profile-$1.yaml
  printf 'model: Simulated USB DUT\nmanufacturer: certbench rig\nfirmware_version: "1"\nusb:\n  role: device\n  classes: [%s]\n' "$2" >"$f"
  echo "$f"
}

# run_case NAME EXPECT_RC PROFILE [--param ...]
run_case() {
  local name=$1 want=$2 profile=$3 t rc
  shift 3
  t=$EPOCHREALTIME
  timeout 100 "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 run --slot dut1 \
    --profile "$profile" --serial "rig-$name" --case usb.exposure "$@" --wait >"$W/$name.txt" 2>&1
  rc=$?
  sed 's/^/  | /' "$W/$name.txt"
  RUN_ID=$(head -n 1 "$W/$name.txt")
  say "$name: certbench run --wait exit $rc in $(ms_since "$t") ms"
  [ "$rc" = "$want" ] || { bad "$name: certbench run exit $rc, expected $want"; return 1; }
  timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$name.json" 2>"$W/$name.err" ||
    { bad "$name: certbench report failed: $(cat "$W/$name.err")"; return 1; }
}

check_case() { # NAME OUTCOME [--evidence FILE KEY=VALUE ...]
  local name=$1
  shift
  /usr/bin/python3 "$CHECK" "$W/$name.json" usb.exposure "$@" --endpoint "$EP" || bad "$name: report check failed"
}

# report_has NAME PYTHON-EXPR: an assertion on the case result r.
report_has() {
  /usr/bin/python3 - "$W/$1.json" "$2" <<'EOPY' || bad "$1: report: $2"
import json, sys
run = json.load(open(sys.argv[1]))
r = [x for x in run["results"] if x.get("case") == "usb.exposure" or x.get("case_id") == "usb.exposure"][0]
ev = {e.get("name"): e for e in r.get("evidence", [])}
ms = {m.get("name"): m for m in r.get("measurements", [])} if isinstance(r.get("measurements"), list) else (r.get("measurements") or {})
ok = eval(sys.argv[2])
if not ok:
    print("report: %s is false; reason %r, evidence %s, measurements %s" % (sys.argv[2], r.get("reason"), list(ev), json.dumps(ms)))
sys.exit(0 if ok else 1)
EOPY
}

gadget_preload acm mass_storage ffs ecm rndis || { echo "FAIL: gadget modules"; exit 1; }

# 0. usb_port_power() off/on re-enumerates the gadget on the root-hub port.
t=$EPOCHREALTIME
dut_gadget uport 0106 acm || exit 1
gadget_bind uport $UDC || exit 1
timeout 40 "$PORT_POWER" "$PORT_PATH" 1d6b:0106 2>&1 | sed 's/^/  | /'
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || bad "port-power: rig-usb-port-power exit $rc"
say "port-power: exit $rc in $(ms_since "$t") ms"
dut_teardown

start_bench
P=(--param usb.exposure.off_ms=500 --param usb.exposure.enumerate_s=20)

# 1. Compliant: CDC-ACM only, declared.
dut_gadget good 0104 acm || exit 1
if run_case compliant 0 "$(profile compliant cdc-acm)" "${P[@]}"; then
  check_case compliant PASS --evidence usb-decoded.json port="$PORT_PATH" id=1d6b:0104 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.0.declared=true
  report_has compliant '"usb-descriptors.bin" in ev and "enumeration_time" in json.dumps(ms)'
fi

# 2. Non-compliant: ACM + mass storage + an ADB-like vendor interface.
dut_gadget bad 0105 acm mass_storage adb || exit 1
if run_case noncompliant 1 "$(profile noncompliant cdc-acm)" "${P[@]}"; then
  check_case noncompliant FAIL --evidence usb-decoded.json id=1d6b:0105 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.1.function=mass-storage \
    configurations.0.functions.1.declared=false configurations.0.functions.2.function=adb \
    configurations.0.functions.2.class=ff/42/01 configurations.0.functions.2.declared=false
  report_has noncompliant '"2 undeclared USB functions: mass-storage (08/06/50, interface 2), adb (ff/42/01, interface 3); declared: cdc-acm" in r["reason"]'
fi

# 2b. Non-compliant network: ACM + ECM + RNDIS, only cdc-acm declared.
dut_gadget net 0107 acm ecm rndis || exit 1
if run_case noncompliant-net 1 "$(profile noncompliant-net cdc-acm)" "${P[@]}"; then
  check_case noncompliant-net FAIL --evidence usb-decoded.json id=1d6b:0107 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.0.declared=true \
    configurations.0.functions.1.function=cdc-ecm configurations.0.functions.1.class=02/06/00 \
    configurations.0.functions.1.declared=false configurations.0.functions.2.function=rndis \
    configurations.0.functions.2.class=e0/01/03 configurations.0.functions.2.declared=false
  report_has noncompliant-net '"2 undeclared USB functions: cdc-ecm (02/06/00, interfaces 2,3), rndis (e0/01/03, interfaces 4,5); declared: cdc-acm" in r["reason"]'
fi

# 3. A DUT whose USB never comes up: ERROR, not FAIL.
dut_teardown
if run_case silent 2 "$(profile silent cdc-acm)" --param usb.exposure.off_ms=200 --param usb.exposure.enumerate_s=3; then
  check_case silent ERROR
  report_has silent '"did not enumerate on port '"$PORT_PATH"' within 3 s" in r["reason"] and not ev'
fi

say "total $(ms_since "$t_start") ms in the guest, $fails failure(s)"
[ $fails = 0 ] && { echo "PASS: usb.exposure end to end"; exit 0; }
exit 1
