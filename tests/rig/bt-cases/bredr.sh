#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, hci_vhci + btvirt -l2 (under tests/rig/bt/bt-vhci-run.sh):
# the case bt.pairing, BR/EDR, end to end. The real certbenchd owns hci0
# through the kernel's HCI user channel; certbench-bt-dut plays the DUT on
# hci1.
#   legacy-pin, the DUT's PIN 8888, none declared -> FAIL, PIN 8888 accepted
#   ssp-just-works, policy latest                 -> FAIL (P-192 only)
#   ssp-just-works, policy ssp                    -> PASS
#   ssp-numeric-comparison                        -> FAIL, numeric comparison
#   no DUT at all                                 -> ERROR within the inquiry time
# Each through `certbench run --wait` (exit 0 / 1 / 2) and `certbench report
# --format json`; the JSON evidence checked field by field, the btsnoop
# opened by btmon -r and tshark -r, tshark's decoding compared to ours.
# Usage: bredr.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT
CBD=${1:?usage: bredr.sh CERTBENCHD CERTBENCH RELAYSIM BT_DUT}
CB=${2:?}
SIM=${3:?}
DUT=${4:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

rig_bt_setup
start_bench
P=(--param bt.pairing.timeout_s=30)

# 1. Legacy PIN pairing: the profile declares the address but no PIN; the
# case tries the common fixed PINs, one connection each, until 8888.
if dut_start legacy legacy-pin --pin 8888 &&
   bt_run_case legacy 1 "$(profile legacy br-edr legacy-pin keyboard-only "address: $DUT_ADDR")" "${P[@]}"; then
  bt_check_case legacy FAIL --reason "legacy PIN pairing" --reason 8888 \
    --evidence bt-pairing.json 'pin_accepted="8888"' pins_tried.0.accepted=false pairing.method=legacy-pin "dut_address=$DUT_ADDR" \
      features.ssp_host=false transport=hci \
    --snoop bt-pairing.btsnoop --btmon "PIN Code Request" --btmon "Authentication Requested" \
    --tshark-has bthci_evt.code=0x16
fi

# 2./3. SSP Just Works, found by inquiry: P-192 only fails under the latest
# policy (slot dut1) and passes under policy ssp (slot dut2).
if dut_start jw ssp-just-works &&
   bt_run_case jw-latest 1 "$(profile jw-latest br-edr ssp no-input-no-output)" "${P[@]}"; then
  bt_check_case jw-latest FAIL --reason P-192 --reason "Secure Connections" \
    --evidence bt-pairing.json pairing.method=ssp pairing.association_model=just-works \
      pairing.dut_io.io_capability=3 policy=latest "dut_address=$DUT_ADDR" features.ssp_host=true \
    --snoop bt-pairing.btsnoop --btmon "IO Capability Response" \
    --tshark bthci_evt.io_capability=pairing.dut_io.io_capability \
    --tshark bthci_cmd.io_capability=pairing.bench_io.io_capability \
    --tshark bthci_evt.key_type=pairing.key_type
fi
# From here on slot dut2: a fresh pair per scenario (common.sh says why).
SLOT=dut2
DUT_IF=hci3
if radios_fresh jw-ssp && dut_start jw-ssp ssp-just-works &&
   bt_run_case jw-ssp 0 "$(profile jw-ssp br-edr ssp no-input-no-output "policy: ssp")" "${P[@]}"; then
  bt_check_case jw-ssp PASS --reason "policy ssp accepts it" \
    --evidence bt-pairing.json pairing.method=ssp pairing.association_model=just-works policy=ssp \
      pairing.dut_io.io_capability=3 \
    --snoop bt-pairing.btsnoop --tshark bthci_evt.io_capability=pairing.dut_io.io_capability
fi

# 4. SSP numeric comparison (the DUT DisplayYesNo with MITM).
if radios_fresh nc && dut_start nc ssp-numeric-comparison &&
   bt_run_case nc 1 "$(profile nc br-edr ssp display-yes-no "address: $DUT_ADDR")" "${P[@]}"; then
  bt_check_case nc FAIL --reason P-192 --reason "Numeric Comparison" \
    --evidence bt-pairing.json pairing.method=ssp pairing.association_model=numeric-comparison \
      pairing.dut_io.io_capability=1 pairing.dut_io.mitm=true \
    --snoop bt-pairing.btsnoop --btmon "User Confirmation Request" \
    --tshark bthci_evt.io_capability=pairing.dut_io.io_capability \
    --tshark bthci_evt.key_type=pairing.key_type
fi
dut_stop

# 5. No DUT (a pair whose DUT side never had a host): a bench that finds
# nothing says ERROR, never FAIL, once the inquiry is over (the 5 s
# inquiry plus the controller's set-up; the bound is loose on purpose, TCG
# is slow).
if radios_fresh none &&
   bt_run_case none 2 "$(profile none br-edr ssp display-yes-no)" "${P[@]}" --param bt.pairing.inquiry_s=5; then
  bt_check_case none ERROR --reason "no BR/EDR device answered an inquiry within 5 s" \
    --evidence bt-pairing.json dut_address=null pairing=null --snoop bt-pairing.btsnoop --btmon "Inquiry"
  [ "$RUN_MS" -lt 45000 ] || bad "none: ERROR after $RUN_MS ms, expected soon after the 5 s inquiry"
fi

finish bt_case_bredr
