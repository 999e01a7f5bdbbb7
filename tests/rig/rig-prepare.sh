#!/bin/sh
# Prepares the kernel rig's cache: Debian's current stock kernel (the package
# linux-image-amd64 points at), its modules with a modules.dep, and a small
# busybox initramfs (tests/rig/initramfs-init.sh) that mounts the host's root
# over 9p. Keyed by kernel version; a second run does nothing (~0 s).
#
# Usage: rig-prepare.sh CACHE_DIR
# Prints nothing on success when the cache is current. Exit 0 when ready,
# 77 with "SKIP: reason" when the tools or the kernel cannot be had.
#
# Layout:  CACHE_DIR/current            kernel version in use (one line)
#          CACHE_DIR/KVER/root/         dpkg -x of linux-image-KVER (+ depmod)
#          CACHE_DIR/KVER/initramfs.gz  busybox + the modules needed for 9p
set -eu
# The body is one block: bash/dash parse it whole before running it, so
# editing this file does not break runs already going.
{
[ $# -eq 1 ] || { echo "usage: rig-prepare.sh CACHE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
cache=$(cd "$1" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
trap 'r=$?; [ $r = 0 ] || [ $r = 77 ] || echo "rig-prepare: failed (exit $r)" >&2' EXIT

for tool in depmod modprobe cpio gzip flock; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (run scripts/rig-deps.sh)"
done
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list 2>/dev/null | grep -qx insmod ||
  skip "busybox-static not installed (run scripts/rig-deps.sh)"
ldd "$busybox" >/dev/null 2>&1 && skip "$busybox is dynamically linked: install busybox-static"

# One preparer at a time per cache (parallel ctest, two build dirs sharing it).
exec 9>"$cache/.lock"
flock 9

# The kernel package linux-image-amd64 depends on today (never pinned).
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
  # No apt lists (offline machine): fall back on what is cached.
  if [ -s "$cache/current" ] && [ -f "$cache/$(cat "$cache/current")/ready" ]; then
    exit 0
  fi
  skip "cannot resolve linux-image-amd64 (apt-get update?) and no kernel cached"
fi
kver=${pkg#linux-image-}
dir=$cache/$kver
# Bump "v2" when the cache layout changes; an init change rebuilds too.
stamp="v2 $(cksum <"$here/initramfs-init.sh")"
if [ -f "$dir/ready" ] && [ "$(cat "$dir/ready")" = "$stamp" ]; then
  [ "$(cat "$cache/current" 2>/dev/null)" = "$kver" ] || echo "$kver" >"$cache/current"
  exit 0
fi

t0=$(date +%s)
echo "rig-prepare: $pkg into $dir"
root=$dir/root
if [ ! -f "$dir/extracted" ]; then
  rm -rf "$dir"
  mkdir -p "$dir/dl"
  # apt-get download writes to the cwd; as root it warns that _apt cannot
  # read the directory: harmless, so the dir is made readable and stderr kept
  # for the failure case only.
  chmod 755 "$dir/dl"
  if ! (cd "$dir/dl" && apt-get download -q "$pkg" >"$dir/dl/log" 2>&1); then
    cat "$dir/dl/log" >&2
    skip "apt-get download $pkg failed"
  fi
  deb=$(ls "$dir/dl"/*.deb)
  dpkg -x "$deb" "$root"
  rm -rf "$dir/dl"
  [ -d "$root/lib/modules/$kver" ] || { echo "rig-prepare: $pkg has no lib/modules/$kver" >&2; exit 1; }
  depmod -b "$root" "$kver"
  touch "$dir/extracted"
fi
t1=$(date +%s)

# The initramfs: static busybox, /dev/console, the init script, and the
# modules needed to mount 9p and the overlay, in dependency order. Every other
# module is read by the guest from the extracted tree over 9p.
st=$dir/initramfs.d
rm -rf "$st"
mkdir -p "$st/bin" "$st/dev" "$st/proc" "$st/sys" "$st/mods" "$st/lower" "$st/rw" "$st/newroot"
cp "$busybox" "$st/bin/busybox"
ln -s busybox "$st/bin/sh"
mknod "$st/dev/console" c 5 1
mknod "$st/dev/null" c 1 3
cp "$here/initramfs-init.sh" "$st/init"
chmod 755 "$st/init"
: >"$st/mods/order"
for m in virtio_pci 9pnet_virtio 9p overlay configfs; do
  modprobe -d "$root" -S "$kver" --show-depends "$m" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue           # "builtin x" lines need nothing
    base=$(basename "$path")
    grep -qx "$base" "$st/mods/order" && continue
    cp "$path" "$st/mods/$base"
    echo "$base" >>"$st/mods/order"
  done
done
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$dir/initramfs.gz.new"
mv "$dir/initramfs.gz.new" "$dir/initramfs.gz"
rm -rf "$st"
[ -f "$root/boot/vmlinuz-$kver" ] || { echo "rig-prepare: no vmlinuz-$kver" >&2; exit 1; }

# An uncompressed vmlinux boots through qemu's PVH entry: TCG then skips the
# in-guest XZ decompression of vmlinuz (~3.5 s of every boot). Optional:
# rig-run.sh falls back on vmlinuz when it is absent.
rm -f "$dir/vmlinux"
if command -v xz >/dev/null 2>&1; then
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$root/boot/vmlinuz-$kver" | head -n1 | cut -d: -f1)
  if [ -n "$off" ]; then
    # xz complains about the bytes after the stream; the stream is complete.
    tail -c +$((off + 1)) "$root/boot/vmlinuz-$kver" | xz -dc >"$dir/vmlinux.new" 2>/dev/null || true
    if [ "$(head -c 4 "$dir/vmlinux.new" | od -An -c | tr -d ' ')" = '177ELF' ] &&
       LC_ALL=C grep -qaF 'Xen' "$dir/vmlinux.new"; then
      mv "$dir/vmlinux.new" "$dir/vmlinux"
    fi
    rm -f "$dir/vmlinux.new"
  fi
fi
echo "$stamp" >"$dir/ready"
echo "$kver" >"$cache/current"
# Kernels Debian has since replaced (~500 MB each).
for old in "$cache"/*/extracted; do
  [ -f "$old" ] || continue
  old=${old%/extracted}
  [ "$old" = "$dir" ] || { echo "rig-prepare: removing old kernel ${old##*/}"; rm -rf "$old"; }
done
t2=$(date +%s)
echo "rig-prepare: $kver ready (download+extract+depmod $((t1 - t0)) s, initramfs $((t2 - t1)) s, $(du -k "$dir/initramfs.gz" | cut -f1) KiB)"
}
