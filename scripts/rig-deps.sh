#!/bin/sh
# Installs what the kernel rig (tests/rig) needs on Debian 12 and prepares its
# cache: qemu, busybox-static, kmod, cpio, and Debian's kernel (downloaded and
# extracted by tests/rig/rig-prepare.sh). Idempotent; quiet when done.
# Usage: scripts/rig-deps.sh [CACHE_DIR]   (default: build/rig-cache)
set -eu
cd "$(dirname "$0")/.."
cache=${1:-build/rig-cache}
# qemu and the initramfs; then the peers the rig tests drive inside the guest:
# hostapd and wpa_supplicant (Wi-Fi), btvirt and btmgmt (Bluetooth), lsusb
# (an independent USB decoder), the libgpiod tools (GPIO).
PKGS="qemu-system-x86 busybox-static kmod cpio util-linux coreutils
hostapd wpasupplicant iw bluez bluez-test-tools usbutils gpiod"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "rig-deps.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
  fi
  echo "rig-deps.sh: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
exec sh tests/rig/rig-prepare.sh "$cache"
