#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, hci_vhci + btvirt -l2 (under tests/rig/bt/bt-vhci-run.sh):
# the case bt.pairing against a dual-mode DUT, profile modes [br-edr, le]:
# one certbench-bt-dut on one controller does BR/EDR inquiry + page scan
# with its pairing answers and LE advertising with its SMP answers at the
# same time; the real certbenchd (hci0 or hci2, kernel HCI user channel)
# runs the BR/EDR half, then the LE half, and combines them.
#   legacy-pin (PIN 1234) + le-sc-only, pairing secure-connections
#       -> FAIL, "BR/EDR: ... legacy PIN ... 1234 ...; LE: ... refused the
#          LE legacy downgrade ..." (a finding in one half is the verdict)
#   ssp-just-works + le-sc-only, policy ssp -> PASS, both halves pass
# Each through `certbench run --wait` (exit 0 / 1) and `certbench report
# --format json`; the JSON evidence checked in both halves (and that both
# found the same controller address), the btsnoop opened by btmon -r (an
# Authentication Requested and an SMP Pairing Request in one trace) and
# tshark -r, tshark's SMP and HCI decoding compared to ours.
# Usage: dual.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT
CBD=${1:?usage: dual.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT}
CB=${2:?}
SIM=${3:?}
DUT=${4:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

rig_bt_setup
start_bench
P=(--param bt.pairing.timeout_s=30 --param bt.pairing.le_scan_s=10)

# 1. Legacy PIN over BR/EDR (the DUT's PIN 1234, none declared: the case
# finds it among the common fixed PINs), LE Secure Connections only over
# LE: the BR/EDR finding fails the DUT although its LE half passes.
# Slot dut1: hci0 and hci1 are fresh in this boot.
if dut_start dual-pin legacy-pin --pin 1234 --mode le-sc-only --io-cap keyboard-display --name cb-dual-pin &&
   bt_run_case dual-pin 1 "$(profile dual-pin "br-edr, le" secure-connections keyboard-display)" "${P[@]}"; then
  grep -q '^READY bdaddr=.* mode=legacy-pin+le-sc-only ' "$DUT_LOG" || bad "dual-pin: READY does not name both modes"
  bt_check_case dual-pin FAIL --reason "BR/EDR: the DUT paired with legacy PIN pairing" --reason 1234 \
    --reason "; LE: " --reason "refused the LE legacy downgrade" \
    --evidence bt-pairing.json 'modes=["br-edr", "le"]' 'pin_accepted="1234"' pairing.method=legacy-pin \
      "dut_address=$DUT_ADDR" features.ssp_host=false le.method=le-sc "le.address=$DUT_ADDR" le.name=cb-dual-pin \
      le.probes.0.response.sc=true le.probes.0.response.io_capability=4 le.probes.1.answer=pairing-failed \
      le.probes.1.failed_reason=3 le.downgrade_refused=true timing.total_us=* \
    --snoop bt-pairing.btsnoop --btmon "Authentication Requested" --btmon "PIN Code Request" \
      --btmon "Pairing Request" --btmon "Pairing Failed" \
    --tshark btsmp.reason=le.probes.1.failed_reason \
    --tshark btsmp.io_capability=le.probes.0.response.io_capability \
    --tshark-has bthci_evt.code=0x16
fi
dut_stop

# 2. SSP Just Works over BR/EDR under policy ssp, LE Secure Connections
# only: both halves pass. Slot dut2 on a pair that has never paired
# (btvirt keeps the IO capability across connections, common.sh says why).
SLOT=dut2
DUT_IF=hci3
if radios_fresh dual-ssp &&
   dut_start dual-ssp ssp-just-works --mode le-sc-only --io-cap no-input-no-output &&
   bt_run_case dual-ssp 0 "$(profile dual-ssp "br-edr, le" ssp no-input-no-output "policy: ssp")" "${P[@]}"; then
  grep -q '^READY bdaddr=.* mode=ssp-just-works+le-sc-only ' "$DUT_LOG" || bad "dual-ssp: READY does not name both modes"
  bt_check_case dual-ssp PASS --reason "BR/EDR: " --reason "policy ssp accepts it" --reason "; LE: " \
    --reason "refused the LE legacy downgrade" \
    --evidence bt-pairing.json 'modes=["br-edr", "le"]' policy=ssp pairing.method=ssp \
      pairing.association_model=just-works pairing.dut_io.io_capability=3 "dut_address=$DUT_ADDR" \
      le.method=le-sc le.association_model=just-works "le.address=$DUT_ADDR" le.probes.0.response.io_capability=3 \
      le.probes.1.failed_reason=3 le.downgrade_refused=true \
    --snoop bt-pairing.btsnoop --btmon "Authentication Requested" --btmon "IO Capability Response" \
      --btmon "Pairing Request" --btmon "Pairing Failed" \
    --tshark bthci_evt.io_capability=pairing.dut_io.io_capability \
    --tshark btsmp.io_capability=le.probes.0.response.io_capability
fi
dut_stop
radios_stop

finish bt_case_dual
