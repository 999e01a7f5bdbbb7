#!/bin/bash
# Kernel-rig D-7 access probes (run in the guest by rig_add_test, see
# CMakeLists.txt). Usage: usb-access.sh open|secure BINDIR
#   open    one composite gadget on dummy_udc.0 whose functions all open a
#           way in: a serial console with a root shell prompt (ACM), adbd
#           answering CNXN with CNXN (FunctionFS), a writable mass-storage
#           LUN the profile does not declare, DFU mode handing out its
#           firmware by UPLOAD (FunctionFS). Every probe must say FAIL.
#   secure  the same functions done right: a login prompt, adbd asking for
#           AUTH, a read-only LUN that is declared, DFU stalling UPLOAD;
#           plus a boot keyboard (HID). Every probe PASS, HID "keyboard".
# BINDIR holds rig-usb-probe, rig-acm-console, rig-ffs-emu. Evidence in
# $RIG_OUT (probe output, emulator logs). Exit 0 when every check held.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../usb/gadget.sh
. "$here/../usb/gadget.sh"
mode=${1:?mode} bin=${2:?bindir}
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

gadget_unbind dut || fail "unbind"
# shellcheck disable=SC2086  # a list of pids
kill $pids 2>/dev/null
wait
gadget_remove dut || fail "gadget removal"
for l in acm adb dfu; do echo "--- $l emulator"; cat "$out/$l.log"; done
step "done, $failures failure(s)"
[ $failures = 0 ]
