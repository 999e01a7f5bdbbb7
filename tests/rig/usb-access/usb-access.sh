#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel-rig D-7 access probes (run in the guest by rig_add_test, see
# CMakeLists.txt). Usage: usb-access.sh open|secure BINDIR [CERTBENCHD CERTBENCH RELAYSIM]
#   open    one composite gadget on dummy_udc.0 whose functions all open a
#           way in: a serial console with a root shell prompt (ACM), adbd
#           answering CNXN with CNXN (FunctionFS), a writable mass-storage
#           LUN the profile does not declare, DFU mode handing out its
#           firmware by UPLOAD (FunctionFS). Every probe must say FAIL.
#   secure  the same functions done right: a login prompt, adbd asking for
#           AUTH, a read-only LUN that is declared, DFU stalling UPLOAD;
#           plus a boot keyboard (HID). Every probe PASS, HID "keyboard".
# BINDIR holds rig-usb-probe, rig-acm-console, rig-ffs-emu. With the three
# daemon binaries, the same DUT is then judged by the case usb.access
# through the real certbenchd (relay board: the relay simulator on
# loopback) and `certbench run --wait`: FAIL (exit 1) listing the four
# functions / PASS (exit 0), checked in `certbench report --format json`
# and the case's usb-access.json evidence.
# Evidence in $RIG_OUT (probe output, emulator logs, daemon log, reports).
# Exit 0 when every check held.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../usb/gadget.sh
. "$here/../usb/gadget.sh"
mode=${1:?mode} bin=${2:?bindir} CBD=${3:-} CB=${4:-} SIM=${5:-}
out=${RIG_OUT:-/tmp}
failures=0
VID=1d6b PID=0104

t0=$(date +%s%3N)
step() { echo "[$(( $(date +%s%3N) - t0 )) ms] $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }

# expect PATTERN WHAT: the probe output has a line matching PATTERN.
expect() {
  if grep -Eq "$1" "$out/probe.txt"; then step "ok: $2"; else fail "$2 (no line matching '$1')"; fi
}

case $mode in
  open) acm=shell adb=adb-open dfu=dfu-upload ;;
  secure) acm=login adb=adb-secure dfu=dfu-stall ;;
  *) die "unknown mode $mode" ;;
esac

funcs="acm mass_storage ffs"
[ "$mode" = secure ] && funcs="$funcs hid"
# shellcheck disable=SC2086
gadget_preload $funcs || die "modules"
gadget_create dut $VID $PID "certbench D-7 $mode DUT" || die "gadget"
tty=$(gadget_add_function dut acm) || die "acm"
img=$(gadget_add_function dut mass_storage) || die "mass_storage"
if [ "$mode" = secure ]; then
  # ro can only change while no file is attached.
  lun=$GADGET_CONFIGFS/dut/functions/mass_storage.dut/lun.0
  { echo >"$lun/file" && echo 1 >"$lun/ro" && echo "$img" >"$lun/file"; } || die "read-only LUN"
fi
adbdir=$(gadget_add_function dut ffs adb) || die "ffs adb"
dfudir=$(gadget_add_function dut ffs dfu) || die "ffs dfu"
[ "$mode" = secure ] && { gadget_add_function dut hid >/dev/null || die "hid"; }

"$bin/rig-acm-console" "$tty" "$acm" --timeout 100 >"$out/acm.log" 2>&1 &
pids=$!
"$bin/rig-ffs-emu" --ffs "$adbdir" --kind "$adb" --timeout 100 >"$out/adb.log" 2>&1 &
pids="$pids $!"
"$bin/rig-ffs-emu" --ffs "$dfudir" --kind "$dfu" --timeout 100 >"$out/dfu.log" 2>&1 &
pids="$pids $!"
for l in acm adb dfu; do
  gadget_wait_for 10 "$l emulator ready" grep -qx ready "$out/$l.log" || die "$l emulator: $(cat "$out/$l.log")"
done
step "emulators ready ($acm, $adb, $dfu)"
gadget_bind dut dummy_udc.0 || die "bind"
sysdev=$(gadget_wait_enumerated $VID $PID 20) || die "enumeration"
step "enumerated at $sysdev"

declare=()
[ "$mode" = secure ] && declare=(--declare mass-storage)
ps=$(date +%s%3N)
"$bin/rig-usb-probe" $VID:$PID "${declare[@]}" --timeout 40 --banner-ms 1500 >"$out/probe.txt" 2>"$out/probe.err"
r=$?
step "rig-usb-probe exit $r in $(( $(date +%s%3N) - ps )) ms"
cat "$out/probe.txt" "$out/probe.err"
[ $r = 0 ] || fail "rig-usb-probe exit $r"

if [ "$mode" = open ]; then
  expect '^if=[0-9]+ kind=cdc-acm verdict=FAIL' "root shell on the serial console is a FAIL"
  expect '^  banner=shell' "the banner is classified as a shell"
  expect '^if=[0-9]+ kind=adb verdict=FAIL' "adb without AUTH is a FAIL"
  expect '^  command=CNXN' "adb answered CNXN"
  expect '^if=[0-9]+ kind=mass-storage verdict=FAIL' "undeclared readable storage is a FAIL"
  expect '^  write_protected=no' "the LUN is writable"
  expect '^  capacity_bytes=1048576' "capacity 1 MiB"
  expect '^if=[0-9]+ kind=dfu verdict=FAIL' "DFU firmware readout is a FAIL"
  expect '^  upload_bytes=1024' "UPLOAD gave a 1024-byte block"
else
  expect '^if=[0-9]+ kind=cdc-acm verdict=PASS' "login prompt on the serial console is a PASS"
  expect '^  banner=login' "the banner is classified as a login"
  expect '^if=[0-9]+ kind=adb verdict=PASS' "adb asking for AUTH is a PASS"
  expect '^  command=AUTH' "adb answered AUTH"
  expect '^if=[0-9]+ kind=mass-storage verdict=PASS' "declared storage is a PASS"
  expect '^  write_protected=yes' "the read-only LUN reports write protection"
  expect '^if=[0-9]+ kind=dfu verdict=PASS reason=DFU UPLOAD was refused' "DFU stalling UPLOAD is a PASS"
  # Linux < 6.12 FunctionFS refuses DFU functional descriptors (the emulator goes without).
  if grep -q 'refused the DFU functional' "$out/dfu.log"; then step "note: no DFU functional descriptor on this kernel"
  else expect '^  can_upload=no' "functional descriptor without bitCanUpload"; fi
  expect '^if=[0-9]+ kind=hid-keyboard verdict=INFO' "HID is informational"
  expect '^  keyboard=yes' "the boot keyboard can inject keystrokes"
fi
if grep -q 'verdict=ERROR' "$out/probe.txt"; then fail "a probe reported a bench ERROR"; fi

# The class drivers we took interfaces from are back after the probes.
gadget_wait_driver "$sysdev" 0 cdc_acm 5 || fail "cdc_acm not bound after the probes"

# wait_log FILE PATTERN SECONDS (inotify through tail -F, bounded).
wait_log() {
  timeout "$3" tail -n +1 -F "$1" 2>/dev/null | grep -E -m 1 -q -- "$2"
}

case_run() {
  local W=/tmp/rig-usb-access port want rc declared="cdc-acm, adb, dfu, hid"
  mkdir -p "$W/state"
  [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
  "$SIM" --port 0 --coils 4 --log "$W/sim.log" >"$W/sim.out" 2>"$W/sim.err" &
  pids="$pids $!"
  wait_log "$W/sim.out" '^READY port=' 20 || { fail "relay simulator not ready: $(cat "$W/sim.err")"; return; }
  port=$(sed -n 's/^READY port=//p' "$W/sim.out")
  cat >"$W/bench.yaml" <<EOT
bench: rig-usb-access
relays:
  - name: relay1
    kind: modbus-tcp
    host: 127.0.0.1
    port: $port
    unit: 1
    channels:
      - { name: dut1.power, coil: 0, safe: off }
usb_ports:
  - { name: dut-usb, path: "${sysdev##*/}" }
slots:
  - { name: dut1, power: dut1.power, usb: dut-usb }
EOT
  cat >"$W/certbenchd.yaml" <<EOT
bench_fixture: bench.yaml
state_dir: $W/state
command_endpoint: ipc://$W/command
event_endpoint: ipc://$W/events
heartbeat_s: 0
EOT
  [ "$mode" = secure ] && declared="$declared, mass-storage"
  cat >"$W/profile.yaml" <<EOT
model: Simulated USB DUT ($mode)
manufacturer: certbench rig
firmware_version: "1"
usb:
  role: device
  vendor_id: 0x$VID
  product_id: 0x$PID
  classes: [$declared]
EOT
  "$CBD" -c "$W/certbenchd.yaml" >"$W/certbenchd.log" 2>&1 &
  cbd=$!
  wait_log "$W/certbenchd.log" 'ready:' 30 || { fail "certbenchd not ready: $(cat "$W/certbenchd.log")"; return; }
  step "certbenchd ready"
  want=0
  [ "$mode" = open ] && want=1
  timeout 120 "$CB" --endpoint "ipc://$W/command" --events "ipc://$W/events" --timeout 10 run --slot dut1 \
    --profile "$W/profile.yaml" --serial "rig-$mode" --case usb.access --param usb.access.banner_ms=1500 \
    --wait >"$W/run.txt" 2>&1
  rc=$?
  sed 's/^/  | /' "$W/run.txt"
  step "usb.access: certbench run --wait exit $rc"
  [ "$rc" = "$want" ] || fail "usb.access: certbench run exit $rc, expected $want"
  if [ "$mode" = open ]; then
    for f in cdc-acm mass-storage adb dfu; do
      grep -q "$f (interface" "$W/run.txt" || fail "usb.access: the FAIL reason does not list $f"
    done
  fi
  timeout 30 "$CB" --endpoint "ipc://$W/command" report "$(head -n 1 "$W/run.txt")" --format json \
    >"$W/report.json" 2>"$W/report.err" || fail "certbench report: $(cat "$W/report.err")"
  if /usr/bin/python3 -c 'import zmq' 2>/dev/null; then
    if [ "$mode" = open ]; then
      /usr/bin/python3 "$here/../wifi-cases/cb-case-check.py" "$W/report.json" usb.access FAIL \
        --endpoint "ipc://$W/command" --evidence usb-access.json 0.function=cdc-acm 0.verdict=FAIL \
        2.function=adb 2.verdict=FAIL 3.function=dfu 3.verdict=FAIL || fail "usb.access report/evidence"
    else
      /usr/bin/python3 "$here/../wifi-cases/cb-case-check.py" "$W/report.json" usb.access PASS \
        --endpoint "ipc://$W/command" --evidence usb-access.json 0.verdict=PASS 1.verdict=PASS \
        4.function=hid-keyboard 4.verdict=INFO || fail "usb.access report/evidence"
    fi
  else
    step "note: python3-zmq missing, report/evidence not checked"
  fi
  if [ "$mode" = open ]; then
    # A DUT that never shows up on the port is a bench ERROR (exit 2), not a FAIL.
    timeout 60 "$CB" --endpoint "ipc://$W/command" --events "ipc://$W/events" --timeout 10 run --slot dut1 \
      --profile "$W/profile.yaml" --serial rig-absent --case usb.access --param usb.access.port=1-7 \
      --param usb.access.enumerate_s=2 --wait >"$W/run-absent.txt" 2>&1
    rc=$?
    step "usb.access on an empty port: certbench run --wait exit $rc"
    [ "$rc" = 2 ] || { cat "$W/run-absent.txt"; fail "usb.access on an empty port: exit $rc, expected 2 (ERROR)"; }
    grep -q 'did not enumerate on port 1-7' "$W/run-absent.txt" || fail "usb.access on an empty port: reason"
  fi
  kill -TERM "$cbd" 2>/dev/null && timeout 15 tail --pid="$cbd" -f /dev/null
  cp "$W"/*.log "$W"/*.yaml "$W"/*.json "$W"/*.txt "$out"/ 2>/dev/null
}
[ -n "$CBD" ] && case_run

gadget_unbind dut || fail "unbind"
# shellcheck disable=SC2086  # a list of pids
kill $pids 2>/dev/null
wait
gadget_remove dut || fail "gadget removal"
for l in acm adb dfu; do echo "--- $l emulator"; cat "$out/$l.log"; done
step "done, $failures failure(s)"
[ $failures = 0 ]
