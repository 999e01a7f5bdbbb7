#!/bin/sh
# Stage 2 of the rig guest, run by the host's own /bin/sh chrooted into the
# overlay (host root read-only + tmpfs). Reads /rig/env written by
# rig-run.sh, sets up the system, loads the requested modules, runs the
# command, and leaves its output and exit status in /rig for the host.
# Returning ends the guest (PID 1 powers off).
. /rig/env
# The body is one block: bash/dash parse it whole before running it, so
# editing this file does not break runs already going.
{
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${RIG_TERM:-linux} RIG_GUEST=1 RIG_KVER RIG_OUT=/rig/out
unset RIG_STAGE2
# Setup errors (mount, modprobe) go where the host prints them from.
exec >>/rig/output 2>&1

fail() {
  echo "RIG ERROR: $*"
  echo 125 >/rig/status
  exit 0
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# A checkout under the host's /tmp (CI may clone there) must stay visible
# under the guest's fresh /tmp: its top folder is bound back over it.
keep=
case $RIG_CWD/ in
  /tmp/?*/*)
    keep=/tmp/$(echo "${RIG_CWD#/tmp/}" | cut -d/ -f1)
    mkdir -p /mnt/rig-hosttmp && mount --bind "$keep" /mnt/rig-hosttmp || fail "bind $keep"
    ;;
esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
if [ -n "$keep" ]; then
  mkdir -p "$keep" && mount --bind /mnt/rig-hosttmp "$keep" || fail "bind $keep back over /tmp"
fi
mount -t tmpfs -o mode=755 tmpfs /run
mount -t configfs configfs /sys/kernel/config || fail "mount configfs"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# The extracted Debian module tree, read over 9p, where modprobe looks.
mkdir -p "/lib/modules/$RIG_KVER"
mount --bind "$RIG_MODROOT/lib/modules/$RIG_KVER" "/lib/modules/$RIG_KVER" ||
  fail "bind-mount modules"
hostname rig
ip link set lo up
# nl80211 multicast floods overflow the default buffer (ENOBUFS, hung scans).
sysctl -q -w net.core.rmem_default=4194304 net.core.rmem_max=4194304

while read -r line; do
  [ -n "$line" ] || continue
  # shellcheck disable=SC2086  # "name param=value ..." on purpose
  modprobe $line || fail "modprobe $line"
done </rig/modules

mkdir -p /rig/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 rigout /rig/out ||
  fail "mount the rigout share"
cut -d' ' -f1 /proc/uptime >/rig/boot-seconds
if [ "$RIG_SHELL" = 1 ]; then
  stty -F /dev/ttyS0 rows "${RIG_ROWS:-24}" cols "${RIG_COLS:-80}" 2>/dev/null
  if [ -s /rig/cmd ]; then
    (cd "$RIG_CWD" && sh /rig/cmd) </dev/ttyS0 >/dev/ttyS0 2>&1
  fi
  echo "rig: guest shell ($RIG_KVER); 'exit' or Ctrl-D powers off, Ctrl-A X kills qemu" >/dev/ttyS0
  cd "$RIG_CWD" 2>/dev/null || cd /
  # --norc: the host root's ~/.bashrc (pyenv, completion) takes seconds under TCG.
  PS1='rig:\w# ' setsid -w sh -c 'exec bash --norc -i <>/dev/ttyS0 >&0 2>&1'
  echo 0 >/rig/status
  exit 0
fi
cd "$RIG_CWD" || fail "cwd $RIG_CWD not visible in the guest"
sh /rig/cmd </dev/null >>/rig/output 2>&1
echo $? >/rig/status
}
