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
UDC=dummy_udc.0
# The class drivers on the host side play no part in D-6 (no udev here).
export GADGET_NO_HOST_DRIVERS=1
# shellcheck source=../usb/gadget.sh
. "$HERE/../usb/gadget.sh"
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"
bench_init usb-cases /tmp/rig-usb-cases
BENCH_RUN_TIMEOUT=100

bench_require --packages "coreutils, python3, python3-zmq"
[ -e /sys/class/udc/$UDC ] || { echo "FAIL: no $UDC (dummy_hcd not loaded?)"; ls /sys/class/udc; exit 1; }

# The host side of dummy_hcd: its root hub usbN; the gadget is on port 1.
hcd=$(ls -d /sys/bus/platform/devices/dummy_hcd.0/usb* 2>/dev/null | head -n 1)
[ -n "$hcd" ] || { echo "FAIL: dummy_hcd.0 has no root hub"; exit 1; }
PORT_PATH=${hcd##*/usb}-1
bench_prepare
say "DUT port: $PORT_PATH (${hcd##*/})"

# The simulated DUT. $W/dut-gadget names the gadget the DUT is right now
# (empty: a DUT whose USB never comes up). The power follower runs in its
# own subshell, so the state goes through that file.
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_start() {
  local g
  g=$(cat "$W/dut-gadget" 2>/dev/null)
  [ -n "$g" ] || { echo "  (no gadget: the DUT stays off the bus)" >>"$W/dut-power.log"; return; }
  gadget_bind "$g" "$UDC" >>"$W/dut-power.log" 2>&1 || echo "  bind $g failed" >>"$W/dut-power.log"
}
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_stop() {
  local g
  for g in /sys/kernel/config/usb_gadget/*; do
    [ -d "$g" ] && gadget_unbind "${g##*/}" >>"$W/dut-power.log" 2>&1
  done
}

# dut_gadget NAME PID FUNCTION...: a fresh gadget (the previous one removed),
# not bound: the DUT's power relay binds it.
FFS_PID=
dut_teardown() {
  local g
  [ -n "$FFS_PID" ] && { bench_kill_wait "$FFS_PID"; FFS_PID=; }
  for g in /sys/kernel/config/usb_gadget/*; do
    [ -d "$g" ] && gadget_remove "${g##*/}"
  done
  : >"$W/dut-gadget"
}
# shellcheck disable=SC2317  # run by the EXIT trap (bench_cleanup)
bench_on_cleanup() { dut_teardown; }
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
  bench_start rig-usb --follow 0 dut_start dut_stop \
"usb_ports:
  - { name: dut-usb, path: \"$PORT_PATH\" }
slots:
  - { name: dut1, power: dut1.power, usb: dut-usb }" || exit 1
}

profile() { # NAME CLASSES
  local f=$W/profile-$1.yaml
  printf 'model: Simulated USB DUT\nmanufacturer: certbench rig\nfirmware_version: "1"\nusb:\n  role: device\n  classes: [%s]\n' "$2" >"$f"
  echo "$f"
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
if run_case compliant 0 usb.exposure "$(profile compliant cdc-acm)" "${P[@]}"; then
  check_case compliant usb.exposure PASS --evidence usb-decoded.json port="$PORT_PATH" id=1d6b:0104 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.0.declared=true
  report_has compliant usb.exposure '"usb-descriptors.bin" in ev and "enumeration_time" in json.dumps(ms)'
fi

# 2. Non-compliant: ACM + mass storage + an ADB-like vendor interface.
dut_gadget bad 0105 acm mass_storage adb || exit 1
if run_case noncompliant 1 usb.exposure "$(profile noncompliant cdc-acm)" "${P[@]}"; then
  check_case noncompliant usb.exposure FAIL --evidence usb-decoded.json id=1d6b:0105 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.1.function=mass-storage \
    configurations.0.functions.1.declared=false configurations.0.functions.2.function=adb \
    configurations.0.functions.2.class=ff/42/01 configurations.0.functions.2.declared=false
  report_has noncompliant usb.exposure '"2 undeclared USB functions: mass-storage (08/06/50, interface 2), adb (ff/42/01, interface 3); declared: cdc-acm" in r["reason"]'
fi

# 2b. Non-compliant network: ACM + ECM + RNDIS, only cdc-acm declared.
dut_gadget net 0107 acm ecm rndis || exit 1
if run_case noncompliant-net 1 usb.exposure "$(profile noncompliant-net cdc-acm)" "${P[@]}"; then
  check_case noncompliant-net usb.exposure FAIL --evidence usb-decoded.json id=1d6b:0107 \
    configurations.0.functions.0.function=cdc-acm configurations.0.functions.0.declared=true \
    configurations.0.functions.1.function=cdc-ecm configurations.0.functions.1.class=02/06/00 \
    configurations.0.functions.1.declared=false configurations.0.functions.2.function=rndis \
    configurations.0.functions.2.class=e0/01/03 configurations.0.functions.2.declared=false
  report_has noncompliant-net usb.exposure '"2 undeclared USB functions: cdc-ecm (02/06/00, interfaces 2,3), rndis (e0/01/03, interfaces 4,5); declared: cdc-acm" in r["reason"]'
fi

# 3. A DUT whose USB never comes up: ERROR, not FAIL.
dut_teardown
if run_case silent 2 usb.exposure "$(profile silent cdc-acm)" --param usb.exposure.off_ms=200 --param usb.exposure.enumerate_s=3; then
  check_case silent usb.exposure ERROR
  report_has silent usb.exposure '"did not enumerate on port '"$PORT_PATH"' within 3 s" in r["reason"] and not ev'
fi

finish "usb.exposure end to end"
