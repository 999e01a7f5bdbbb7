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

finish bt_case_le
