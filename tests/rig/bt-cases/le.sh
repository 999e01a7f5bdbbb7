#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, hci_vhci + btvirt -l2 (under tests/rig/bt/bt-vhci-run.sh):
# the case bt.pairing, LE, end to end. The real certbenchd owns hci0
# through the kernel's HCI user channel, scans, connects and sends SMP
# Pairing Requests; certbench-bt-dut advertises on hci1 and answers.
#   no advertiser at all (a fresh pair)                  -> ERROR after the scan
#   le-legacy, found by its advertised name              -> FAIL, "LE legacy"
#   le-sc, declared le_address                           -> FAIL, "downgrade"
#   le-sc-only, the first advertiser, claims SC only     -> PASS, downgrade refused
#   no advertiser, `certbench abort` during the scan      -> ABORTED within 2 s,
#                                                            evidence kept, scan off
# Each through `certbench run --wait` (exit 0 / 1 / 2) and `certbench report
# --format json`; the JSON evidence ("le" object) checked field by field,
# the btsnoop opened by btmon -r and tshark -r, tshark's SMP decoding
# compared to ours.
# Usage: le.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT
CBD=${1:?usage: le.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT}
CB=${2:?}
SIM=${3:?}
DUT=${4:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

# bt_abort_case NAME PROFILE STEP [--param ...]: bt.pairing on slot $SLOT
# started without --wait, `certbench events --follow` (from before the
# start) until a case.progress line contains STEP (60 s), then
# `certbench abort --run`, until the run's run.finished line (30 s); the
# report in $W/NAME.json. Sets RUN_ID and ABORT_MS: from the start of the
# abort command to the run.finished event's own timestamp (the daemon's
# clock, the guest's as ours; empty when it never came). 1 (and bad) when
# a step failed.
bt_abort_case() {
  local name=$1 prof=$2 step=$3 ev t epid line ts
  shift 3
  ev=$W/$name-events.txt
  ABORT_MS=
  : >"$ev"
  timeout 120 "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 events --follow >"$ev" 2>&1 &
  epid=$!
  bg_pids+=("$epid")
  timeout 30 "$CB" --endpoint "$EP" --timeout 10 run --slot "$SLOT" --profile "$prof" --serial "rig-$name" \
    --case bt.pairing "$@" >"$W/$name.txt" 2>&1 || { bad "$name: certbench run: $(cat "$W/$name.txt")"; return 1; }
  RUN_ID=$(head -n 1 "$W/$name.txt")
  say "$name: run $RUN_ID started"
  if ! wait_log "$ev" "case\.progress .*$step" 1 60; then
    bad "$name: no progress \"$step\" within 60 s:"
    sed 's/^/  ev| /' "$ev"
    return 1
  fi
  # The case says this once Set Scan Enable has completed: the abort lands
  # in the scan itself.
  t=$EPOCHREALTIME
  timeout 30 "$CB" --endpoint "$EP" --timeout 10 abort --run "$RUN_ID" >"$W/$name-abort.txt" 2>&1 ||
    { bad "$name: certbench abort: $(cat "$W/$name-abort.txt")"; return 1; }
  say "$name: $(cat "$W/$name-abort.txt") (the command returned in $(ms_since "$t") ms)"
  if ! wait_log "$ev" "run\.finished +run $RUN_ID " 1 30; then
    bad "$name: no run.finished within 30 s of the abort:"
    sed 's/^/  ev| /' "$ev"
    return 1
  fi
  say "$name: run.finished seen by certbench events $(ms_since "$t") ms after the abort command"
  bench_kill_wait "$epid"
  grep -F -e "$RUN_ID" -e "dut2 " "$ev" | tail -n 12 | sed 's/^/  ev| /'
  # "SEQ TS SLOT run.finished ...": TS is 2026-11-27T12:05:53.723427Z.
  line=$(grep -E "run\.finished +run $RUN_ID " "$ev" | head -n 1)
  ts=$(echo "$line" | awk '{ print $2 }')
  ts=$(date -u -d "$(echo "$ts" | tr T ' ' | tr -d Z)" +%s.%N 2>/dev/null) ||
    { bad "$name: no timestamp in \"$line\""; return 1; }
  ABORT_MS=$(awk -v a="$t" -v b="$ts" 'BEGIN { printf "%d", (b - a) * 1000 }')
  say "$name: the run finished (daemon's timestamp) $ABORT_MS ms after the abort command started"
  timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$name.json" 2>"$W/$name.err" ||
    { bad "$name: certbench report failed: $(cat "$W/$name.err")"; return 1; }
}

# le_abort: scenario 5 (below), on the fresh pair radios_fresh made.
le_abort() {
  bt_abort_case le-abort "$(profile le-abort le secure-connections keyboard-display)" "LE scan for up to 30 s" \
    --param bt.pairing.timeout_s=60 --param bt.pairing.le_scan_s=30 || return 1
  if [ -z "$ABORT_MS" ] || [ "$ABORT_MS" -gt 2000 ]; then
    bad "le-abort: run.finished ${ABORT_MS:-never} ms after the abort command, expected within 2000 ms"
  fi
  bt_check_case le-abort ABORTED --reason "run.abort" \
    --evidence bt-pairing.json reason=aborted le.address=null le.probes=[] timing.total_us=* \
    --snoop bt-pairing.btsnoop --btmon "LE Set Scan Enable" --btmon "Scanning: Enabled" --btmon "Scanning: Disabled"
}

rig_bt_setup
start_bench
P=(--param bt.pairing.timeout_s=30 --param bt.pairing.le_scan_s=10)

# 1. Nobody advertises (slot dut2, a pair whose DUT side never had a
# host): ERROR, never FAIL, once the scan is over (the bound is loose on
# purpose, TCG is slow).
SLOT=dut2
if radios_fresh le-none &&
   bt_run_case le-none 2 "$(profile le-none le secure-connections keyboard-display)" \
     --param bt.pairing.timeout_s=30 --param bt.pairing.le_scan_s=3; then
  bt_check_case le-none ERROR --reason "no connectable LE advertiser" --reason "within 3 s" \
    --evidence bt-pairing.json le.address=null le.method=null le.probes=[] timing.total_us=* \
    --snoop bt-pairing.btsnoop --btmon "LE Set Scan Enable"
  [ "$RUN_MS" -lt 40000 ] || bad "le-none: ERROR after $RUN_MS ms, expected soon after the 3 s scan"
fi
radios_stop
SLOT=dut1

# 2. LE legacy pairing (Just Works), the DUT picked out by its advertised
# name: the answer to the SC offer has SC=0.
if dut_start le-legacy le-legacy --io-cap no-input-no-output --name cb-le-legacy &&
   bt_run_case le-legacy 1 "$(profile le-legacy le secure-connections no-input-no-output "name: cb-le-legacy")" "${P[@]}"; then
  bt_check_case le-legacy FAIL --reason "LE legacy" \
    --evidence bt-pairing.json le.method=le-legacy le.association_model=just-works le.name=cb-le-legacy \
      "le.address=$DUT_ADDR" le.address_type=public le.probes.0.offered_sc=true \
      le.probes.0.answer=pairing-response le.probes.0.response.sc=false le.probes.0.response.io_capability=3 \
      le.downgrade_refused=null timing.total_us=* timing.controller_wait_us=* timing.overhead_us=* \
    --snoop bt-pairing.btsnoop --btmon "LE Create Connection" --btmon "Pairing Response" \
    --tshark btsmp.io_capability=le.probes.0.response.io_capability \
    --tshark btsmp.authreq=le.probes.0.response.auth_req
fi

# 3. LE Secure Connections that still accepts the SC=0 downgrade; the
# profile declares the address.
if dut_start le-sc le-sc --io-cap display-yes-no &&
   bt_run_case le-sc 1 "$(profile le-sc le secure-connections display-yes-no "le_address: $DUT_ADDR" \
     "le_address_type: public")" "${P[@]}"; then
  bt_check_case le-sc FAIL --reason downgrade \
    --evidence bt-pairing.json le.method=le-sc le.association_model=numeric-comparison "le.address=$DUT_ADDR" \
      le.probes.0.offered_sc=true le.probes.0.response.sc=true le.probes.0.response.io_capability=1 \
      le.probes.1.offered_sc=false le.probes.1.answer=pairing-response le.downgrade_refused=false \
    --snoop bt-pairing.btsnoop --btmon "Pairing Request" --btmon "Pairing Response" \
    --tshark btsmp.io_capability=le.probes.0.response.io_capability \
    --tshark btsmp.authreq=le.probes.1.response.auth_req
fi

# 4. LE Secure Connections only: the downgrade probe gets Pairing Failed,
# Authentication Requirements (3). The first advertiser after power-on.
if dut_start le-sc-only le-sc-only --io-cap keyboard-display &&
   bt_run_case le-sc-only 0 "$(profile le-sc-only le secure-connections-only keyboard-display)" "${P[@]}"; then
  bt_check_case le-sc-only PASS --reason "refused the LE legacy downgrade" \
    --evidence bt-pairing.json le.method=le-sc "le.address=$DUT_ADDR" le.claimed_sc_only=true \
      le.probes.0.response.sc=true le.probes.1.offered_sc=false le.probes.1.answer=pairing-failed \
      le.probes.1.failed_reason=3 le.downgrade_refused=true \
    --snoop bt-pairing.btsnoop --btmon "Pairing Failed" \
    --tshark btsmp.reason=le.probes.1.failed_reason \
    --tshark btsmp.io_capability=le.probes.0.response.io_capability
fi
dut_stop

# 5. Nobody advertises (a fresh pair on slot dut2) and the scan may last
# 30 s: `certbench run` without --wait, `certbench events --follow` until
# the case says it scans, then `certbench abort --run`. The run ends
# ABORTED soon after (2 s, loose for TCG; the latency is printed), the
# evidence is still stored, and the trace shows scanning switched on and
# then off again (le_find turns it off whatever ended the wait).
SLOT=dut2
if radios_fresh le-abort; then
  le_abort
fi
radios_stop
SLOT=dut1

finish bt_case_le
