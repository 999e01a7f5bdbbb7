#!/bin/sh
# PID 1 of the rig's initramfs (busybox). Mounts the host's root read-only
# over 9p with a tmpfs overlay on top, mounts the writable "rig" share at
# /rig in it, chroots into it to run the host's tests/rig/guest-stage2.sh,
# then powers off. Kept minimal: everything that can live in stage 2 does,
# so changing it needs no initramfs rebuild. A change here rebuilds it.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys

die() {
  echo "RIG INIT ERROR: $*"
  poweroff -f
  sleep 1000
}

for m in $(cat /mods/order); do
  insmod "/mods/$m" || die "insmod $m"
done
opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "ro,$opts,cache=loose" hostroot /lower || die "mount hostroot"
mount -t tmpfs -o mode=755 rw /rw
mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  die "mount overlay"
mkdir -p /newroot/rig
# No cache on the results share: every write reaches the host at once, so
# output survives a guest that is killed.
mount -t 9p -o "$opts" rig /newroot/rig || die "mount rig share"
[ -f /newroot/rig/env ] || die "no /rig/env"
stage2=$(sed -n 's/^RIG_STAGE2=//p' /newroot/rig/env | tr -d "'")
chroot /newroot /bin/sh "$stage2"
sync
poweroff -f
sleep 1000
