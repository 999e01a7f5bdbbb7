#!/bin/sh
# Runs in the rig guest (modules bluetooth hci_vhci + the LE crypto ones
# already loaded by rig-run.sh): starts `btvirt -l2` (two emulated
# controllers through /dev/vhci), waits until the kernel has registered
# hci0 and hci1, runs the given command, stops btvirt, returns the
# command's status. Every wait has a deadline.
# Usage: bt-vhci-run.sh COMMAND [ARGS...]
set -u
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
BTVIRT=${BTVIRT:-$(command -v btvirt || echo /usr/lib/bluetooth/btvirt)}
[ -x "$BTVIRT" ] || { echo "bt-vhci-run: btvirt not found (package bluez-test-tools)"; exit 1; }
[ -c /dev/vhci ] || { echo "bt-vhci-run: no /dev/vhci (module hci_vhci)"; exit 1; }

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t0=$(now_ms)
"$BTVIRT" -l2 >"${RIG_OUT:-/tmp}/btvirt.log" 2>&1 &
btvirt_pid=$!
stop_btvirt() {
  kill "$btvirt_pid" 2>/dev/null && wait "$btvirt_pid" 2>/dev/null
}
trap stop_btvirt EXIT

# Poll sysfs (no udev here); 30 s covers a slow TCG boot.
deadline=$((t0 + 30000))
until [ -e /sys/class/bluetooth/hci0 ] && [ -e /sys/class/bluetooth/hci1 ]; do
  if ! kill -0 "$btvirt_pid" 2>/dev/null; then
    echo "bt-vhci-run: btvirt exited early:"; cat "${RIG_OUT:-/tmp}/btvirt.log"; exit 1
  fi
  if [ "$(now_ms)" -ge "$deadline" ]; then
    echo "bt-vhci-run: hci0/hci1 not registered within 30 s"; ls /sys/class/bluetooth; exit 1
  fi
  sleep 0.05
done
echo "bt-vhci-run: hci0 and hci1 registered after $(( $(now_ms) - t0 )) ms"

"$@"
rc=$?
echo "bt-vhci-run: command exited $rc after $(( $(now_ms) - t0 )) ms"
exit $rc
