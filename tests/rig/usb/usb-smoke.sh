#!/bin/bash
# Kernel-rig USB smoke tests (run in the guest by rig_add_test, see
# CMakeLists.txt). Usage: usb-smoke.sh composite|two-udcs RIG_USB_LIST [RIG_USB_FFS]
#   composite  acm + mass_storage + hid + ecm on dummy_udc.0: rig-usb-list
#              (and lsusb -v, if installed) show exactly those interfaces,
#              the host-side class drivers bind, ttyGS0 <-> ttyACM0 carries a
#              line each way, the disk takes a write, removal is seen
#   two-udcs   rndis + ncm on dummy_udc.0 and acm + FunctionFS (rig-usb-ffs)
#              on dummy_udc.1 at once: both enumerate on different buses
#              with the right classes, data flows over the second UDC, the
#              FunctionFS program sees ENABLE and UNBIND
# Evidence (listings, lsusb -v) goes to $RIG_OUT. Exit 0 when every check held.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=gadget.sh
. "$here/gadget.sh"
mode=${1:?mode} list=${2:?rig-usb-list path} ffs=${3:-}
out=${RIG_OUT:-/tmp}
failures=0
VID=1d6b

t0=$(date +%s%3N)
step() { echo "[$(( $(date +%s%3N) - t0 )) ms] $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }

# expect_listing NAME VID:PID EXPECTED: rig-usb-list's iad/if lines must equal
# EXPECTED, and lsusb -v's view of the same device too.
expect_listing() {
  local name=$1 id=$2 want=$3 got
  "$list" "$id" --timeout 10 >"$out/$name.list" 2>&1 || { cat "$out/$name.list"; fail "$name: rig-usb-list exit $?"; return; }
  cat "$out/$name.list"
  got=$(grep -E '^(iad |if=)' "$out/$name.list")
  [ "$got" = "$want" ] || { printf 'expected:\n%s\n' "$want"; fail "$name: interfaces differ from the configured functions"; }
  if command -v lsusb >/dev/null; then
    timeout 20 lsusb -v -d "$id" >"$out/$name.lsusb" 2>&1
    got=$(awk '
      /^ *Interface Association:/ { iad = 1 }
      /^ *Interface Descriptor:/ { iad = 0 }
      $1 == "bFirstInterface" { f = $2 } $1 == "bInterfaceCount" { n = $2 }
      $1 == "bFunctionClass" { c = $2 } $1 == "bFunctionSubClass" { s = $2 }
      $1 == "bFunctionProtocol" { printf "iad first=%d count=%d class=%02x subclass=%02x protocol=%02x\n", f, n, c, s, $2 }
      $1 == "bInterfaceNumber" { i = $2 } $1 == "bAlternateSetting" { a = $2 }
      $1 == "bNumEndpoints" { e = $2 } $1 == "bInterfaceClass" { c = $2 }
      $1 == "bInterfaceSubClass" { s = $2 }
      $1 == "bInterfaceProtocol" { printf "if=%d alt=%d class=%02x subclass=%02x protocol=%02x eps=%d\n", i, a, c, s, $2, e }
    ' "$out/$name.lsusb")
    if [ "$got" = "$want" ]; then step "$name: lsusb -v agrees"
    else printf 'lsusb -v says:\n%s\n' "$got"; fail "$name: lsusb -v disagrees"; fi
  else
    echo "NOTE: lsusb not installed (usbutils); listing not compared with lsusb -v"
  fi
}

# acm_roundtrip GADGET_TTY HOST_TTY: one line each way, 10 s deadline each.
acm_roundtrip() {
  local g=$1 h=$2 msg got
  exec 3<>"$h" 4<>"$g" || { fail "cannot open $h / $g"; return; }
  { stty -F "$h" raw -echo && stty -F "$g" raw -echo; } || fail "stty"
  msg="gadget-to-host-$RANDOM"
  printf '%s\n' "$msg" >&4
  if read -r -t 10 got <&3 && [ "$got" = "$msg" ]; then step "$g -> $h: '$got'"
  else fail "$g -> $h: sent '$msg', read '${got-}' (timeout 10 s)"; fi
  msg="host-to-gadget-$RANDOM" got=""
  printf '%s\n' "$msg" >&3
  if read -r -t 10 got <&4 && [ "$got" = "$msg" ]; then step "$h -> $g: '$got'"
  else fail "$h -> $g: sent '$msg', read '${got-}' (timeout 10 s)"; fi
  exec 3>&- 4>&-
}

driver_of() { # SYSDEV IFNUM DRIVER
  gadget_wait_driver "$1" "$2" "$3" 10 && step "interface $2: $3" || fail "interface $2 not bound to $3"
}

gone() { ! _gadget_find "$1" "$2" >/dev/null; }

case $mode in
composite)
  gadget_preload acm mass_storage hid ecm || die "modules"
  step "modules loaded"
  gadget_create comp $VID 0104 "certbench composite" || die "gadget_create"
  gs=$(gadget_add_function comp acm) || die "acm"
  img=$(gadget_add_function comp mass_storage) || die "mass_storage"
  gadget_add_function comp hid >/dev/null || die "hid"
  gadget_add_function comp ecm >/dev/null || die "ecm"
  gadget_bind comp dummy_udc.0 || die "bind"
  step "bound to dummy_udc.0"
  dev=$(gadget_wait_enumerated $VID 0104 30) || die "not enumerated"
  step "enumerated as $dev"
  expect_listing composite $VID:0104 "$(cat <<'E'
iad first=0 count=2 class=02 subclass=02 protocol=01
if=0 alt=0 class=02 subclass=02 protocol=01 eps=1
if=1 alt=0 class=0a subclass=00 protocol=00 eps=2
if=2 alt=0 class=08 subclass=06 protocol=50 eps=2
if=3 alt=0 class=03 subclass=01 protocol=01 eps=2
iad first=4 count=2 class=02 subclass=06 protocol=00
if=4 alt=0 class=02 subclass=06 protocol=00 eps=1
if=5 alt=0 class=0a subclass=00 protocol=00 eps=0
if=5 alt=1 class=0a subclass=00 protocol=00 eps=2
E
)"
  step "listing checked"
  driver_of "$dev" 0 cdc_acm
  driver_of "$dev" 2 usb-storage
  driver_of "$dev" 3 usbhid
  driver_of "$dev" 4 cdc_ether
  if gadget_wait_path /dev/ttyACM0 10; then acm_roundtrip "$gs" /dev/ttyACM0; else fail "no /dev/ttyACM0"; fi
  # The disk: SCSI scan is asynchronous.
  if disk=$(gadget_wait_for 20 "a disk on $dev" sh -c 'for b in /sys/block/sd*; do [ -e "$b" ] && echo "${b##*/}" && exit 0; done; exit 1'); then
    size=$(cat "/sys/block/$disk/size")
    [ "$size" = 2048 ] || fail "/dev/$disk has $size sectors, the backing file 2048"
    printf 'certbench-rig-ms' | dd of="/dev/$disk" bs=512 conv=sync oflag=direct 2>/dev/null || fail "write /dev/$disk"
    [ "$(head -c 16 "$img")" = certbench-rig-ms ] && step "/dev/$disk write reached $img" ||
      fail "write to /dev/$disk not in $img"
  else
    fail "no disk appeared"
  fi
  gadget_wait_for 10 hidraw test -e /dev/hidraw0 && step "/dev/hidraw0" || fail "no hidraw"
  ls "$dev:1.4/net" >/dev/null 2>&1 && step "ecm netdev $(ls "$dev:1.4/net")" || fail "no ECM netdev"
  gadget_remove comp || fail "gadget_remove"
  gadget_wait_for 10 "$VID:0104 to leave" gone $VID 0104 && step "removed" || fail "still enumerated after removal"
  ;;
two-udcs)
  gadget_preload rndis ncm acm ffs || die "modules"
  step "modules loaded"
  gadget_create net $VID 0105 "certbench rndis+ncm" || die "gadget_create net"
  gadget_add_function net rndis >/dev/null || die "rndis"
  gadget_add_function net ncm >/dev/null || die "ncm"
  gadget_create ser $VID 0106 "certbench acm" || die "gadget_create ser"
  gs=$(gadget_add_function ser acm) || die "acm"
  [ -x "$ffs" ] || die "usage: two-udcs needs the rig-usb-ffs path"
  ffsdir=$(gadget_add_function ser ffs) || die "ffs"
  # FunctionFS needs its descriptors before the gadget can bind.
  "$ffs" "$ffsdir" --timeout 90 >"$out/ffs.log" 2>&1 &
  ffspid=$!
  gadget_wait_for 10 "rig-usb-ffs ready" grep -qx ready "$out/ffs.log" || die "rig-usb-ffs: $(cat "$out/ffs.log")"
  gadget_bind net dummy_udc.0 || die "bind net"
  gadget_bind ser dummy_udc.1 || die "bind ser"
  step "bound to dummy_udc.0 and dummy_udc.1"
  dnet=$(gadget_wait_enumerated $VID 0105 30) || die "net not enumerated"
  dser=$(gadget_wait_enumerated $VID 0106 30) || die "ser not enumerated"
  step "enumerated as $dnet and $dser"
  [ "$(cat "$dnet/busnum")" != "$(cat "$dser/busnum")" ] || fail "both gadgets on one bus"
  # 6.1's f_rndis applies class/subclass/protocol to the IAD only; the
  # control interface keeps 02/02/ff (CDC ACM, vendor protocol).
  expect_listing rndis-ncm $VID:0105 "$(cat <<'E'
iad first=0 count=2 class=e0 subclass=01 protocol=03
if=0 alt=0 class=02 subclass=02 protocol=ff eps=1
if=1 alt=0 class=0a subclass=00 protocol=00 eps=2
iad first=2 count=2 class=02 subclass=0d protocol=00
if=2 alt=0 class=02 subclass=0d protocol=00 eps=1
if=3 alt=0 class=0a subclass=00 protocol=01 eps=0
if=3 alt=1 class=0a subclass=00 protocol=01 eps=2
E
)"
  expect_listing acm-udc1 $VID:0106 "$(cat <<'E'
iad first=0 count=2 class=02 subclass=02 protocol=01
if=0 alt=0 class=02 subclass=02 protocol=01 eps=1
if=1 alt=0 class=0a subclass=00 protocol=00 eps=2
if=2 alt=0 class=ff subclass=00 protocol=00 eps=2
E
)"
  driver_of "$dnet" 0 rndis_host
  driver_of "$dnet" 2 cdc_ncm
  driver_of "$dser" 0 cdc_acm
  if gadget_wait_path /dev/ttyACM0 10; then acm_roundtrip "$gs" /dev/ttyACM0; else fail "no /dev/ttyACM0"; fi
  gadget_unbind ser || fail "unbind ser"
  # rig-usb-ffs ends on UNBIND (or its own 90 s deadline).
  wait "$ffspid"; r=$?
  sed 's/^/rig-usb-ffs: /' "$out/ffs.log"
  [ $r = 0 ] && grep -qx "event ENABLE" "$out/ffs.log" && grep -qx "event UNBIND" "$out/ffs.log" &&
    step "FunctionFS: enabled by the host, unbound" || fail "rig-usb-ffs exit $r, not enabled or not unbound"
  gadget_remove ser || fail "gadget_remove ser"
  gadget_remove net || fail "gadget_remove net"
  gadget_wait_for 10 "gadgets to leave" sh -c "! grep -qx 010[56] /sys/bus/usb/devices/*/idProduct" &&
    step "removed" || fail "still enumerated after removal"
  ;;
*) die "unknown mode $mode" ;;
esac

[ "$failures" = 0 ] || { echo "--- kernel log, last lines:"; dmesg | tail -n 30; }
step "done, $failures failure(s)"
[ "$failures" = 0 ]
