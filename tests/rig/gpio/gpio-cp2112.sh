#!/bin/sh
# Rig guest script: a CP2112 emulated on FunctionFS (dummy_udc.1), the
# guest's hid-cp2112 turns it into a gpiochip, then
#  (a) libgpiod's tools (gpioset/gpioget/gpiomon) agree with the emulator;
#  (b) gpio-relay-test drives it through our relay driver's gpio backend.
# Usage (in the guest, modules "dummy_hcd num=2 libcomposite usb_f_fs"):
#   gpio-cp2112.sh CP2112_EMU GPIO_RELAY_TEST
# Evidence in $RIG_OUT: cp2112.log (every line change, µs), emu.err, dmesg.
set -u
emu_bin=$1 relay_test=$2
out=${RIG_OUT:-/tmp}
work=/tmp/cp2112
g=/sys/kernel/config/usb_gadget/cp2112
udc=dummy_udc.1
emu_pid=""

say() { echo "gpio-cp2112: $*"; }
fail() {
  say "FAIL: $*"
  dmesg | grep -iE 'cp2112|usb 2-|hid|ffs|gadget' | tail -n 30 | sed 's/^/  dmesg| /'
  finish 1
}
finish() {
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  emu_pid=""
  cp "$work/cp2112.log" "$out/cp2112.log" 2>/dev/null
  cp "$work/emu.err" "$out/emu.err" 2>/dev/null
  dmesg >"$out/dmesg.txt" 2>/dev/null
  exit "$1"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  n=$(($1 * 10)); shift
  while [ $n -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}

# The host side (no udev here): hid-cp2112 before the device appears, so it
# and not hid-generic takes it.
for m in usbhid hid_generic hid_cp2112; do
  modprobe "$m" || fail "modprobe $m"
done

mkdir -p "$work/ffs"
[ -p "$work/ctl" ] || mkfifo "$work/ctl"

# One gadget, one configuration, one FunctionFS function.
mkdir -p "$g" || fail "configfs: mkdir $g"
echo 0x10c4 >"$g/idVendor"
echo 0xea90 >"$g/idProduct"
echo 0x0100 >"$g/bcdDevice"
mkdir -p "$g/strings/0x409" "$g/configs/c.1/strings/0x409" "$g/functions/ffs.cp2112"
echo "Silicon Labs" >"$g/strings/0x409/manufacturer"
echo "CP2112 HID USB-to-SMBus Bridge" >"$g/strings/0x409/product"
echo "CERTBENCH-EMU" >"$g/strings/0x409/serialnumber"
echo "cp2112" >"$g/configs/c.1/strings/0x409/configuration"
echo 100 >"$g/configs/c.1/MaxPower"
[ -e "$g/configs/c.1/ffs.cp2112" ] || ln -s "$g/functions/ffs.cp2112" "$g/configs/c.1/" ||
  fail "configfs: link the function"
mount -t functionfs cp2112 "$work/ffs" || fail "mount functionfs"

# The gpio_device is a child of the HID device hid-cp2112 bound; its label
# ("cp2112_gpio") is checked with gpiodetect where installed.
find_chip() {
  for c in /sys/bus/hid/drivers/cp2112/*/gpiochip*; do
    [ -e "$c" ] || continue
    chip=${c##*/}
    if command -v gpiodetect >/dev/null 2>&1; then
      gpiodetect 2>/dev/null | grep -q "^$chip \[cp2112" || return 1
    fi
    return 0
  done
  return 1
}
chip_ready() { find_chip && [ -e "/dev/$chip" ]; }

# Starts the emulator, binds the UDC, waits for READY and the gpiochip.
# Returns non-zero on a failed attempt (the caller retries once).
attempt() {
  : >"$work/emu.out"
  # Power-up latch: line 1 low (a CP2112 programmed with the bench's safe
  # level), the rest at the factory 1 (gpio-relay-test's header says why).
  "$emu_bin" --ffs "$work/ffs" --log "$work/cp2112.log" --ctl "$work/ctl" --state "$work/state" \
    --latch 0xfd \
    >"$work/emu.out" 2>>"$work/emu.err" &
  emu_pid=$!
  wait_for 10 test -e "$work/ffs/ep1" || { say "emulator wrote no descriptors"; return 1; }
  echo "$udc" >"$g/UDC" || { say "bind $udc failed"; return 1; }
  wait_for 30 grep -q READY "$work/emu.out" || { say "host never configured the gadget"; return 1; }
  wait_for 30 chip_ready || { say "no cp2112 gpiochip"; return 1; }
  return 0
}
detach() {
  echo "" >"$g/UDC" 2>/dev/null
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  emu_pid=""
  sleep 1
}

t0=$(cut -d' ' -f1 /proc/uptime)
chip=""
if ! attempt; then
  say "first attempt failed, retrying once (RIG-NOTES: ~1 in 60 binds fails)"
  dmesg | grep -iE 'cp2112|ffs' | tail -n 5 | sed 's/^/  dmesg| /'
  detach
  : >"$work/cp2112.log"
  attempt || fail "the CP2112 gpiochip did not appear"
fi
t1=$(cut -d' ' -f1 /proc/uptime)
say "gpiochip $chip (/dev/$chip) ready after $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') s"
command -v gpiodetect >/dev/null && gpiodetect

rc=0
check() { # check WHAT COND-COMMAND...
  what=$1; shift
  if "$@"; then say "ok: $what"; else say "FAIL: $what"; rc=1; fi
}
# state_bits L1 V1 L2 V2: lines are outputs with those latch values
state_bits() {
  set -- "$@" $(sed -n 's/^dir=\(0x..\) pp=0x.. latch=\(0x..\).*/\1 \2/p' "$work/state")
  [ $# = 6 ] || return 1
  dir=$(($5)) latch=$(($6))
  [ $(((dir >> $1) & 1)) = 1 ] && [ $(((latch >> $1) & 1)) = "$2" ] &&
    [ $(((dir >> $3) & 1)) = 1 ] && [ $(((latch >> $3) & 1)) = "$4" ]
}
log_has() { grep -q " line=$1 value=$2\$" "$work/cp2112.log"; }
drive() { # drive LINE VALUE: set through the FIFO, wait for the emulator's ack
  n0=$(grep -c "drive line=$1 value=$2\$" "$work/cp2112.log")
  echo "set $1 $2" >"$work/ctl"
  wait_for 5 sh -c "[ \$(grep -c 'drive line=$1 value=$2\$' '$work/cp2112.log') -gt $n0 ]"
}

# (a) libgpiod's tools
if command -v gpioset >/dev/null 2>&1; then
  # gpioset (mode exit) leaves the line an output at the level it set.
  gpioset "$chip" 2=1 3=0 || { say "FAIL: gpioset $chip 2=1 3=0"; rc=1; }
  check "gpioset 2=1 3=0: emulator has 2, 3 as outputs, latch 2=1 3=0" state_bits 2 1 3 0
  check "gpioset 2=1: line 2 logged high" log_has 2 1
  check "gpioset 3=0: line 3 logged low" log_has 3 0
  gpioset "$chip" 2=0 || { say "FAIL: gpioset $chip 2=0"; rc=1; }
  check "gpioset 2=0: line 2 logged low" log_has 2 0
  # gpioget reads inputs the emulator drives.
  for v in 0 1 0; do
    drive 5 $v || { say "FAIL: emulator did not take 'set 5 $v'"; rc=1; }
    got=$(gpioget "$chip" 5)
    check "gpioget line 5 driven $v reads '$got'" [ "$got" = "$v" ]
  done
  # gpiomon: an edge the emulator makes reaches user space (hid-cp2112 polls).
  drive 6 0
  gpiomon --num-events=1 --rising-edge "$chip" 6 >"$work/mon.out" 2>&1 &
  mon=$!
  # The edge must come after gpiomon holds the line (under a loaded host
  # it takes seconds to start); hid-cp2112's poller compares with 0 first.
  wait_for 20 sh -c "gpioinfo '$chip' | grep -E 'line +6:.*used' >/dev/null" ||
    say "gpiomon has not requested line 6 after 20 s"
  drive 6 1
  if wait_for 10 grep -q RISING "$work/mon.out"; then
    say "ok: gpiomon saw the rising edge: $(cat "$work/mon.out")"
  else
    say "FAIL: gpiomon saw no rising edge on line 6"; rc=1
    kill "$mon" 2>/dev/null
  fi
  wait "$mon" 2>/dev/null
else
  say "SKIP (a): gpioset/gpioget not installed (Debian package gpiod)"
fi

# (b) our relay driver's gpio backend
say "running gpio-relay-test on $chip"
"$relay_test" "$chip" "$work/cp2112.log" "$work/ctl" || { say "FAIL: gpio-relay-test"; rc=1; }

[ $rc = 0 ] && say "all GPIO rig checks passed" || say "some GPIO rig checks FAILED"
finish $rc
