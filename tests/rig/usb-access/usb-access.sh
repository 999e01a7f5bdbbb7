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
# shellcheck source=../lib/bench.sh
. "$here/../lib/bench.sh"
mode=${1:?mode} bin=${2:?bindir} CBD=${3:-} CB=${4:-} SIM=${5:-}
out=${RIG_OUT:-/tmp}
bench_init usb-access /tmp/rig-usb-access
BENCH_RUN_TIMEOUT=120
VID=1d6b PID=0104

t0=$(date +%s%3N)
step() { echo "[$(( $(date +%s%3N) - t0 )) ms] $*"; }
die() { echo "FAIL: $*"; exit 1; }

# expect PATTERN WHAT: the probe output has a line matching PATTERN.
expect() {
  if grep -Eq "$1" "$out/probe.txt"; then step "ok: $2"; else bad "$2 (no line matching '$1')"; fi
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
[ $r = 0 ] || bad "rig-usb-probe exit $r"

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
if grep -q 'verdict=ERROR' "$out/probe.txt"; then bad "a probe reported a bench ERROR"; fi

# The class drivers we took interfaces from are back after the probes.
gadget_wait_driver "$sysdev" 0 cdc_acm 5 || bad "cdc_acm not bound after the probes"

# usb.access through the real certbenchd: the bench of ../lib/bench.sh with
# slot dut1 on the gadget's port.
case_run() {
  local declared="cdc-acm, adb, dfu, hid" want=0 f
  bench_prepare
  bench_start rig-usb-access \
"usb_ports:
  - { name: dut-usb, path: \"${sysdev##*/}\" }
slots:
  - { name: dut1, power: dut1.power, usb: dut-usb }" || { fails=$((fails + 1)); return; }
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
  [ "$mode" = open ] && want=1
  if run_case run $want usb.access "$W/profile.yaml" --param usb.access.banner_ms=1500; then
    if [ "$mode" = open ]; then
      for f in cdc-acm mass-storage adb dfu; do
        grep -q "$f (interface" "$W/run.txt" || bad "usb.access: the FAIL reason does not list $f"
      done
    fi
    if ! /usr/bin/python3 -c 'import zmq' 2>/dev/null; then
      step "note: python3-zmq missing, report/evidence not checked"
    elif [ "$mode" = open ]; then
      check_case run usb.access FAIL --evidence usb-access.json 0.function=cdc-acm 0.verdict=FAIL \
        2.function=adb 2.verdict=FAIL 3.function=dfu 3.verdict=FAIL
    else
      check_case run usb.access PASS --evidence usb-access.json 0.verdict=PASS 1.verdict=PASS \
        4.function=hid-keyboard 4.verdict=INFO
    fi
  fi
  if [ "$mode" = open ]; then
    # A DUT that never shows up on the port is a bench ERROR (exit 2), not a FAIL.
    run_case run-absent 2 usb.access "$W/profile.yaml" --param usb.access.port=1-7 --param usb.access.enumerate_s=2
    grep -q 'did not enumerate on port 1-7' "$W/run-absent.txt" || bad "usb.access on an empty port: reason"
  fi
  bench_stop
  bench_save
}
[ -n "$CBD" ] && case_run

gadget_unbind dut || bad "unbind"
# shellcheck disable=SC2086  # a list of pids
kill $pids 2>/dev/null
wait
gadget_remove dut || bad "gadget removal"
for l in acm adb dfu; do echo "--- $l emulator"; cat "$out/$l.log"; done
step "done, $fails failure(s)"
[ $fails = 0 ]
