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
# Needs: CBD, CB, SIM, DUT (binaries), HERE (this folder). The bench is
# ../lib/bench.sh's (relay simulator, certbenchd, wait_log, run_case,
# check_case, finish); sets what it sets (W, OUT, EP ...).
# Every wait has a deadline (see bench.sh).
CASE_CHECK=$HERE/bt-case-check.py
# shellcheck source=../lib/bench.sh source-path=SCRIPTDIR
. "$HERE/../lib/bench.sh"
bench_init bt-cases /tmp/rig-bt-cases

rig_bt_setup() {
  local t
  bench_require --packages "coreutils, bluez, tshark, python3" btmon tshark
  for t in hci0 hci1; do
    [ -e /sys/class/bluetooth/$t ] || { echo "FAIL: no $t (run under bt-vhci-run.sh)"; ls /sys/class/bluetooth; exit 1; }
  done
  bench_keep+=(btsnoop)
  bench_prepare
}

# At exit (after certbenchd): the DUT, then the second btvirt.
# shellcheck disable=SC2317  # run by the EXIT trap (bench_cleanup)
bench_on_cleanup() { dut_stop; radios_stop; }

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
  bench_kill_wait "$pid"
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

# dut_stop: the DUT gone (bench_kill_wait), its log printed.
dut_stop() {
  local pid=$DUT_PID
  [ -n "$pid" ] || return 0
  DUT_PID=
  bench_kill_wait "$pid"
  wait "$pid" 2>/dev/null
  sed 's/^/  dut| /' "$DUT_LOG"
}

# start_bench: the relay simulator and certbenchd on a fixture with two
# slots, dut1 (coil 0, radio hci0) and dut2 (coil 1, radio hci2).
start_bench() {
  bench_start rig-bt --channel dut1.power=0 --channel dut2.power=1 \
"radios:
  - { name: bench-bt, kind: bluetooth, interface: hci0 }
  - { name: bench-bt2, kind: bluetooth, interface: hci2 }
slots:
  - { name: dut1, power: dut1.power, radios: [bench-bt] }
  - { name: dut2, power: dut2.power, radios: [bench-bt2] }" || exit 1
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

# bt_run_case NAME EXPECT_RC PROFILE [--param ...]: the lib's run_case of
# bt.pairing on slot $SLOT (sets RUN_ID, RUN_RC, RUN_MS; the report in
# $W/NAME.json). On an unexpected exit, the report and the run's evidence
# are still fetched into W for the post-mortem (saved under RIG_OUT).
bt_run_case() {
  run_case "$1" "$2" bt.pairing "$3" "${@:4}" && return 0
  [ "$RUN_RC" != "$2" ] && [ -n "$RUN_ID" ] &&
    timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$1.json" 2>"$W/$1.err" &&
    /usr/bin/python3 "$CASE_CHECK" "$W/$1.json" bt.pairing ANY --endpoint "$EP" --save-dir "$W" \
      --evidence bt-pairing.json --snoop bt-pairing.btsnoop >/dev/null 2>&1
  return 1
}

# bt_check_case NAME OUTCOME [bt-case-check.py options]: the lib's
# check_case (bt-case-check.py) of bt.pairing, evidence saved to W.
bt_check_case() {
  local name=$1 outcome=$2 t=$EPOCHREALTIME
  shift 2
  check_case "$name" bt.pairing "$outcome" --save-dir "$W" "$@"
  say "$name: checked in $(ms_since "$t") ms"
}
