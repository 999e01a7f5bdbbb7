#!/bin/bash
# Runs in the rig guest under tests/rig/bt/bt-vhci-run.sh (btvirt -l2:
# hci0, hci1). The DUT simulator's LE modes (certbench-bt-dut) on hci1
# against a central on hci0; what the simulator answered is read from a
# btmon capture of hci0 with tshark (the btsmp dissector), and compared
# with the simulator's own printout.
#
# The central: the kernel's own SMP (`btmgmt pair`) was the plan, but in
# the rig guest the kernel's ecdh-nist-p256 self-test fails at every boot
# and the kernel then registers no SMP channel ("Unable to create ECDH
# crypto context"), so it cannot pair over LE. FALLBACK: le-central (this
# folder), a tiny central on drivers/bt/transport.h (hci0 on
# HCI_CHANNEL_USER). It shares our HCI/SMP code with the simulator; the
# capture check through tshark is the independent part.
#
# Cases (simulator mode: central's request SC -> expected answer), two
# connections per simulator run (the second one needs the simulator to
# advertise again after the first disconnection):
#   le-sc-only: SC=0 -> Pairing Failed 0x03; SC=1 -> Pairing Response SC=1
#   le-legacy:  SC=1 -> Pairing Response SC=0; SC=0 -> Pairing Response SC=0
#   le-sc (--io-cap display-yes-no): SC=1 -> Response SC=1, IO 0x01, MITM;
#                                    SC=0 -> Response SC=1
# Responses: bonding, max key size 16, key distribution masked (0x0e when
# both sides set SC, else 0x07, from the central's 0x0f); the PDU after a
# response (Public Key / Confirm) -> Pairing Failed 0x08 (no SMP crypto).
#
# Usage: bt-sim-le.sh SIMULATOR LE-CENTRAL   Exit: 0 all as expected,
# 1 otherwise, 77 when btmon/tshark are missing. Every wait has a deadline.
set -u
SIM=${1:?usage: bt-sim-le.sh SIMULATOR LE-CENTRAL}
CENTRAL=${2:?usage: bt-sim-le.sh SIMULATOR LE-CENTRAL}
# Straight into the results share: a guest killed at its timeout keeps them.
W=${RIG_OUT:-/tmp/rig-bt-sim}
fails=0

say() { echo "bt-sim-le: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in btmon tshark timeout tail; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed (bluez, tshark, coreutils)"; exit 77; }
done
[ -x "$SIM" ] && [ -x "$CENTRAL" ] || { echo "FAIL: $SIM or $CENTRAL is not executable"; exit 1; }
mkdir -p "$W"
# For the record: why the kernel is not the central here.
dmesg | grep -E 'ecdh|ECDH' | sed 's/^/bt-sim-le: kernel: /'
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

sim_pid= mon_pid=
cleanup() {
  stop_pid "$mon_pid"
  stop_pid "$sim_pid"
}
trap cleanup EXIT

# stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL.
stop_pid() {
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || return 0
  timeout 5 tail --pid="$1" -f /dev/null || { kill -KILL "$1" 2>/dev/null; timeout 5 tail --pid="$1" -f /dev/null; }
}

# wait_log FILE PATTERN SECONDS: until a line of FILE matches the extended
# regex PATTERN, or the deadline.
wait_log() {
  local f=$1 pat=$2 t=$3 fd tpid r
  exec {fd}< <(exec timeout "$t" tail -n +1 -F "$f" 2>/dev/null)
  tpid=$!
  grep -E -m 1 -- "$pat" <&"$fd" >/dev/null
  r=$?
  kill "$tpid" 2>/dev/null
  exec {fd}<&-
  return $r
}

# sim_start NAME MODE [SIM ARGS...]: the simulator on hci1; sets addr.
sim_start() {
  local name=$1 mode=$2
  shift 2
  say "simulator $name: --mode $mode $*"
  rm -f "$W/$name.sim.log"
  "$SIM" --interface hci1 --mode "$mode" "$@" >"$W/$name.sim.log" 2>&1 &
  sim_pid=$!
  cur_sim=$name
  if ! wait_log "$W/$name.sim.log" '^READY ' 15; then
    bad "$name: the simulator did not print READY within 15 s"; cat "$W/$name.sim.log"
    stop_pid "$sim_pid"; sim_pid=; return 1
  fi
  addr=$(sed -n 's/^READY bdaddr=\([0-9A-F:]*\) .*/\1/p' "$W/$name.sim.log" | head -n 1)
}

sim_stop() {
  stop_pid "$sim_pid"; sim_pid=
  sed 's/^/  sim: /' "$W/$1.sim.log"
}

# probe NAME SC: one connection of le-central (request SC=0|1) to the
# simulator, captured with btmon on hci0. Leaves the capture's SMP PDUs in
# $W/NAME.smp, one per line: hci_mon opcode (4 ACL sent by hci0, 5 ACL
# received, i.e. from the simulator), SMP opcode, authreq, IO capability,
# max key size, reason, initiator and responder key distribution.
probe() {
  local name=$1 sc=$2 t0
  # A capture left by an earlier run in the same results folder would
  # pass the readiness check below before btmon is listening.
  rm -f "$W/$name".*
  btmon -i hci0 -w "$W/$name.btsnoop" >"$W/$name.btmon.log" 2>&1 &
  mon_pid=$!
  # btmon writes the btsnoop header as soon as it listens.
  t0=$SECONDS
  until [ -s "$W/$name.btsnoop" ] || [ $((SECONDS - t0)) -ge 10 ]; do sleep 0.1; done
  [ -s "$W/$name.btsnoop" ] || bad "$name: btmon did not start"
  timeout 40 "$CENTRAL" --interface hci0 --peer "$addr" --sc "$sc" --timeout 30 >"$W/$name.central.log" 2>&1
  say "probe $name (request SC=$sc): le-central exited $?"
  sed 's/^/  central: /' "$W/$name.central.log"
  stop_pid "$mon_pid"; mon_pid=
  tshark -r "$W/$name.btsnoop" -Y btsmp -T fields -E separator=, -e hci_mon.opcode -e btsmp.opcode \
    -e btsmp.authreq -e btsmp.io_capability -e btsmp.max_enc_key_size -e btsmp.reason \
    -e btsmp.initiator_key_distribution -e btsmp.responder_key_distribution \
    >"$W/$name.smp" 2>"$W/$name.tshark.err"
  sed 's/^/  capture: /' "$W/$name.smp"
}

# smp_get NAME HCI_MON_OP SMP_OP: the first such PDU's line from the capture.
# pdu NAME HCI_MON_OP SMP_OP: the first such PDU of the capture into
# p_auth p_io p_maxkey p_reason p_ikd p_rkd (empty when the PDU has no such
# field); status 1 when there is none.
pdu() {
  local line m op
  line=$(awk -F, -v m="$2" -v c="$3" '$1 + 0 == m && $2 + 0 == c { print; exit }' "$W/$1.smp")
  [ -n "$line" ] || return 1
  IFS=, read -r m op p_auth p_io p_maxkey p_reason p_ikd p_rkd <<<"$line"
}
bit() { [ -n "$1" ] && echo $(( $1 & $2 ? 1 : 0 )); }

# The central's request must carry the SC bit the case wants, or the case
# tests nothing.
check_request() {
  local name=$1 want_sc=$2 a
  pdu "$name" 4 1 || { bad "$name: no Pairing Request from hci0 in the capture"; return 1; }
  a=$(bit "$p_auth" 0x08)
  [ "$a" = "$want_sc" ] || { bad "$name: the central's request has SC=$a, the case needs SC=$want_sc"; return 1; }
}

# check_response NAME SC IO MITM KEYDIST: the simulator's Pairing Response
# in the capture, and its Pairing Failed 0x08 to the PDU that followed.
check_response() {
  local name=$1 sc=$2 io=$3 mitm=$4 kd=$5 f0=$fails
  pdu "$name" 5 2 || { bad "$name: no Pairing Response from the simulator in the capture"; return; }
  [ "$(bit "$p_auth" 0x08)" = "$sc" ] || bad "$name: response SC=$(bit "$p_auth" 0x08), expected $sc (authreq $p_auth)"
  [ "$(bit "$p_auth" 0x04)" = "$mitm" ] || bad "$name: response MITM=$(bit "$p_auth" 0x04), expected $mitm (authreq $p_auth)"
  [ $(( p_auth & 0x03 )) = 1 ] || bad "$name: response bonding flags $(( p_auth & 0x03 )), expected 1 (authreq $p_auth)"
  [ $(( p_io )) = $(( io )) ] || bad "$name: response IO capability $p_io, expected $io"
  [ $(( p_maxkey )) = 16 ] || bad "$name: response max key size $p_maxkey, expected 16"
  [ $(( p_ikd )) = $(( kd )) ] && [ $(( p_rkd )) = $(( kd )) ] ||
    bad "$name: response key distribution $p_ikd/$p_rkd, expected $kd/$kd"
  grep -q "^SMP-OUT .*code=0x02 .*sc=$sc " "$W/$cur_sim.sim.log" || bad "$name: no SMP-OUT line with sc=$sc from the simulator"
  local rsp="SC=$sc IO=$io MITM=$mitm bonding max-key 16 key-dist $kd"
  if pdu "$name" 5 5 && [ $(( p_reason )) = 8 ]; then
    :
  else
    bad "$name: the PDU after the response did not get Pairing Failed 0x08 (reason '${p_reason:-none}')"
  fi
  [ "$fails" = "$f0" ] && say "$name: Pairing Response $rsp, next PDU refused with 0x08, as expected"
}

# check_failed NAME REASON: the simulator answered Pairing Failed REASON and no response.
check_failed() {
  local name=$1 reason=$2 f0=$fails
  ! pdu "$name" 5 2 || bad "$name: the simulator sent a Pairing Response, expected Pairing Failed"
  pdu "$name" 5 5 || { bad "$name: no Pairing Failed from the simulator in the capture"; return; }
  [ $(( p_reason )) = $(( reason )) ] || bad "$name: Pairing Failed reason $p_reason, expected $reason"
  grep -q "^SMP-OUT .*code=0x05 .*reason=$reason " "$W/$cur_sim.sim.log" || bad "$name: no SMP-OUT line with reason $reason from the simulator"
  [ "$fails" = "$f0" ] && say "$name: Pairing Failed reason $p_reason as expected"
}

sim_start sconly le-sc-only && {
  probe sconly-sc0 0
  check_request sconly-sc0 0 && check_failed sconly-sc0 0x03
  probe sconly-sc1 1
  check_request sconly-sc1 1 && check_response sconly-sc1 1 3 0 0x0e
  sim_stop sconly
}
sim_start legacy le-legacy && {
  probe legacy-sc1 1
  check_request legacy-sc1 1 && check_response legacy-sc1 0 3 0 0x07
  probe legacy-sc0 0
  check_request legacy-sc0 0 && check_response legacy-sc0 0 3 0 0x07
  sim_stop legacy
}
sim_start sc le-sc --io-cap display-yes-no --name sim-le-sc && {
  probe sc-sc1 1
  check_request sc-sc1 1 && check_response sc-sc1 1 1 1 0x0e
  probe sc-sc0 0
  check_request sc-sc0 0 && check_response sc-sc0 1 1 1 0x07
  sim_stop sc
}

# The advertising data as the central's scan saw it, in the capture (an
# advertising report before each probe's connection; the second probe's
# report shows the simulator advertising again after a disconnection).
check_adv() {
  local name=$1 want=$2 line gd nobredr adname
  line=$(tshark -r "$W/$name.btsnoop" -Y 'btcommon.eir_ad.entry.device_name' -T fields -E separator=, \
    -e btcommon.eir_ad.entry.flags.le_general_discoverable_mode -e btcommon.eir_ad.entry.flags.bredr_not_supported \
    -e btcommon.eir_ad.entry.device_name 2>/dev/null | head -n 1)
  say "$name: advertising report in the capture (general discoverable, BR/EDR not supported, name): $line"
  IFS=, read -r gd nobredr adname <<<"$line"
  [ "$adname" = "$want" ] || bad "$name: advertised name '$adname', expected $want"
  case "$gd/$nobredr" in
    1/1|0x01/0x01|True/True) ;;
    *) bad "$name: advertised flags are not LE General Discoverable + BR/EDR Not Supported ($gd/$nobredr)" ;;
  esac
  grep -q "^CENTRAL-ADV type=0 .*flags=0x06 name=$want\$" "$W/$name.central.log" ||
    bad "$name: le-central did not see ADV_IND with flags 0x06 and name $want"
}
check_adv sconly-sc0 certbench-dut
check_adv sconly-sc1 certbench-dut
check_adv sc-sc0 sim-le-sc

say "$fails failure(s)"
[ "$fails" = 0 ]
