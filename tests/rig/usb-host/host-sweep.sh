#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, dummy_hcd: the case usb.host-sweep (D-6, the DUT as a USB
# host) end to end. The bench's UDC is dummy_udc.0; "the DUT's host" is the
# guest's own USB host stack on the other side of dummy_hcd, and what it
# binds is decided by which class drivers are loaded (no udev here). The
# DUT's power relay (coil 0 of the real relay simulator) authorizes or
# deauthorizes that host's root hub: DUT off = nothing enumerates.
#   compliant host: only cdc_acm loaded (and an app sending "AT" on
#     /dev/ttyACM0), profile declares cdc-acm                       -> PASS (exit 0)
#   non-compliant host: + usb_storage, sd_mod, usbhid, cdc_ether,
#     profile declares cdc-acm            -> FAIL naming mass-storage, hid, ecm (exit 1)
#   DUT host never powered (root hub kept deauthorized)             -> ERROR (exit 2)
#   aborted while watching a function                -> ABORTED within 5 s, no gadget left
# Each through `certbench run --wait` and `certbench report --format json`.
# First, rig-usbgadget-test exercises drivers/usbgadget directly.
# Usage: host-sweep.sh CERTBENCHD CERTBENCH RELAYSIM USBGADGET-TEST
set -u
CBD=${1:?usage: host-sweep.sh CERTBENCHD CERTBENCH RELAYSIM USBGADGET-TEST}
CB=${2:?}
SIM=${3:?}
GT=${4:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"
bench_init usb-host /tmp/rig-usb-host
BENCH_RUN_TIMEOUT=100
UDC=dummy_udc.0

bench_require --packages "coreutils, python3, python3-zmq"
[ -e /sys/class/udc/$UDC ] || { echo "FAIL: no $UDC (dummy_hcd not loaded?)"; ls /sys/class/udc; exit 1; }
bench_prepare

# The DUT's host: the root hub of dummy_hcd.0's host side.
hcd=
for d in /sys/bus/platform/devices/dummy_hcd.0/usb*; do [ -e "$d" ] && { hcd=$d; break; }; done
[ -n "$hcd" ] || { echo "FAIL: dummy_hcd.0 has no root hub"; exit 1; }
ROOT=/sys/bus/usb/devices/${hcd##*/}
say "DUT host: root hub ${hcd##*/}"

# No DUT host driver is loaded yet (rig-run loaded only the gadget side).
for m in cdc_acm usb_storage usbhid cdc_ether cdc_ncm rndis_host usblp snd_usb_audio; do
  grep -q "^$m " /proc/modules && { echo "FAIL: $m already loaded"; exit 1; }
done

# The simulated DUT's power: its host controller comes up (root hub
# authorized) when coil 0 goes on, unless $W/dut-dead exists.
dut_host() { echo "$1" >"$ROOT/authorized" 2>>"$W/dut-power.log" || echo "  authorized=$1 failed" >>"$W/dut-power.log"; }
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_power_on() { [ -e "$W/dut-dead" ] || dut_host 1; }
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_power_off() { dut_host 0; }
# The driver on its own (no class driver loaded yet).
t=$EPOCHREALTIME
timeout 90 "$GT" "$ROOT" >"$W/usbgadget-test.txt" 2>&1 || bad "rig-usbgadget-test exit $?"
sed 's/^/  | /' "$W/usbgadget-test.txt"
say "rig-usbgadget-test in $(ms_since "$t") ms"
dut_host 0

start_bench() {
  bench_start rig-usb-host --follow 0 dut_power_on dut_power_off \
"slots:
  - { name: dut1, power: dut1.power }" || exit 1
}

profile() { # NAME CLASSES
  local f=$W/profile-$1.yaml
  printf 'model: Simulated USB host DUT\nmanufacturer: certbench rig\nfirmware_version: "1"\nusb:\n  role: host\n  classes: [%s]\n' "$2" >"$f"
  echo "$f"
}

start_bench
P=(--param "usb.host-sweep.udc=$UDC" --param usb.host-sweep.off_ms=300 --param usb.host-sweep.boot_s=20
   --param usb.host-sweep.enumerate_s=10 --param usb.host-sweep.observe_s=3)
# Indices into usb-host-sweep.json: the default order.
# 0 hid, 1 mass_storage, 2 ecm, 3 ncm, 4 rndis, 5 acm, 6 printer, 7 uac2

# The DUT's application on its modem port (what ModemManager would do):
# while /dev/ttyACM0 exists, open it and send "AT" every 0.5 s. Bounded.
dut_modem_app() {
  timeout 200 bash -c 'while :; do
    while [ ! -e /dev/ttyACM0 ]; do sleep 0.05; done
    while [ -e /dev/ttyACM0 ]; do printf "AT\r" >/dev/ttyACM0 2>/dev/null; sleep 0.5; done
  done' &
  bg_pids+=("$!")
}

# 1. Compliant DUT host: only the CDC-ACM class driver (and the modem app).
modprobe cdc_acm || { echo "FAIL: modprobe cdc_acm"; exit 1; }
dut_modem_app
if run_case compliant 0 usb.host-sweep "$(profile compliant cdc-acm)" "${P[@]}"; then
  check_case compliant usb.host-sweep PASS --evidence usb-host-sweep.json 0.function=hid 0.result=enumerated \
    1.function=mass_storage 1.result=enumerated 2.function=ecm 2.result=enumerated 3.result=enumerated \
    4.result=enumerated 5.function=acm 5.declared=true 5.result=bound 6.result=enumerated 7.function=uac2
  report_has compliant usb.host-sweep 'ms["functions_undeclared_bound"]["value"] == 0 and ms["functions_enumerated"]["value"] >= 7 and "bound cdc-acm of" in r["reason"]'
fi

# 2. Non-compliant DUT host: mass storage, HID and ECM drivers too.
if ! modprobe -a usbhid hid_generic sd_mod cdc_ether || ! modprobe usb_storage delay_use=0; then
  echo "FAIL: modprobe the non-compliant host's drivers"; exit 1
fi
if run_case noncompliant 1 usb.host-sweep "$(profile noncompliant cdc-acm)" "${P[@]}"; then
  check_case noncompliant usb.host-sweep FAIL --evidence usb-host-sweep.json 0.class=hid-keyboard 0.result=bound 0.declared=false \
    1.class=mass-storage 1.result=bound 2.class=cdc-ecm 2.result=bound 3.result=enumerated 4.result=enumerated \
    6.result=enumerated
  report_has noncompliant usb.host-sweep '"bound 3 USB functions it does not declare: hid-keyboard, mass-storage, cdc-ecm; declared: cdc-acm" in r["reason"]'
fi

# 3. A DUT whose host never comes up: ERROR, not FAIL.
touch "$W/dut-dead"
if run_case dead 2 usb.host-sweep "$(profile dead cdc-acm)" --param usb.host-sweep.udc=$UDC --param usb.host-sweep.off_ms=100 \
     --param usb.host-sweep.boot_s=3 --param usb.host-sweep.enumerate_s=1 --param usb.host-sweep.functions=acm,hid; then
  check_case dead usb.host-sweep ERROR --evidence usb-host-sweep.json 0.result=not-enumerated 1.result=not-enumerated
  report_has dead usb.host-sweep '"enumerated none of the 2 functions" in r["reason"]'
fi
# 4. Abort while the case watches a function (rndis, never used here, with
# a 60 s window): the run ends ABORTED within seconds, the gadget is gone.
rm -f "$W/dut-dead"
t=$EPOCHREALTIME
timeout 100 "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 run --slot dut1 \
  --profile "$(profile abort cdc-acm)" --serial rig-abort --case usb.host-sweep --param "usb.host-sweep.udc=$UDC" \
  --param usb.host-sweep.off_ms=100 --param usb.host-sweep.functions=rndis --param usb.host-sweep.observe_s=60 \
  --wait >"$W/abort.txt" 2>&1 &
run_pid=$!
# The gadget's netdev goes up when the watch starts (20 s deadline).
up=0
for ((i = 0; i < 400; i++)); do
  ifc=$(cat /sys/kernel/config/usb_gadget/*/functions/rndis.0/ifname 2>/dev/null)
  [ -n "$ifc" ] && [ "$(( $(cat "/sys/class/net/$ifc/flags" 2>/dev/null || echo 0) & 1 ))" = 1 ] && { up=1; break; }
  sleep 0.05
done
if [ $up = 1 ]; then
  t=$EPOCHREALTIME
  timeout 20 "$CB" --endpoint "$EP" abort --slot dut1 >"$W/abort-cmd.txt" 2>&1 || bad "abort: certbench abort failed: $(cat "$W/abort-cmd.txt")"
  timeout 20 tail --pid="$run_pid" -f /dev/null
  wait $run_pid
  rc=$?
  sed 's/^/  | /' "$W/abort.txt"
  say "abort: run ended $(ms_since "$t") ms after certbench abort, exit $rc"
  [ "$rc" = 2 ] || bad "abort: certbench run exit $rc, expected 2"
  [ "$(ms_since "$t")" -lt 5000 ] || bad "abort: the run took $(ms_since "$t") ms to end"
  grep -q "ABORTED" "$W/abort.txt" || bad "abort: the run is not ABORTED"
else
  bad "abort: the rndis gadget's netdev never came up"
  kill $run_pid 2>/dev/null
fi

for g in /sys/kernel/config/usb_gadget/*; do [ -e "$g" ] && bad "a gadget is left in configfs: $g"; done

finish "usb.host-sweep end to end"
