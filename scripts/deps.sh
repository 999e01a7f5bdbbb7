#!/bin/sh
# Installs what certbench needs to build, test and run its demo on Debian 12.
# Needs root. Quiet when everything is already there.
set -eu
PKGS="build-essential cmake pkg-config git
libzmq3-dev libjansson-dev libyaml-dev libmodbus-dev check libsqlite3-dev sqlite3
libusb-1.0-0-dev libbluetooth-dev libnl-3-dev libnl-genl-3-dev libgpiod-dev
python3 python3-zmq python3-pymodbus mbpoll procps
libpcap-dev zlib1g-dev tshark usbutils umockdev libumockdev-dev clang"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
  fi
  echo "deps.sh: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi
