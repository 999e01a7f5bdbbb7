#!/bin/bash
# Boots Debian's stock kernel under qemu with the host's root shared
# read-only (plus a tmpfs overlay), loads the requested modules and runs
# COMMAND inside. Prints the command's output, exits with its status.
#
# Usage: rig-run.sh [options] -- COMMAND [ARGS...]
#   --modules "m1 [p=v ...] m2 ..."  modules to modprobe before COMMAND; a
#                        word with '=' is a parameter of the module before it
#                        ("dummy_hcd num=2 libcomposite"). Repeatable.
#   --timeout SECONDS    kill the guest after this long, boot included
#                        (default 300; none with --shell unless given)
#   --mem MB             guest memory (default 1024)
#   --smp N              guest CPUs (default 2)
#   --env NAME[=VALUE]   pass a variable into the guest (value from the
#                        host's environment when omitted). Repeatable.
#   --outdir DIR         host directory the guest sees as $RIG_OUT (evidence,
#                        captures); default: a temporary one, removed
#   --keep-log FILE      save the guest's serial console (kernel log) there
#   --cache DIR          rig cache (default $RIG_CACHE, else build/rig-cache)
#   --shell              interactive shell in the guest on this terminal
#                        (after COMMAND, if one is given)
# Exit: COMMAND's status; 124 "RIG TIMEOUT after N s"; 125 "RIG ERROR: ..."
# (the rig itself failed: boot, modprobe, missing cwd); 77 "SKIP: reason"
# when qemu or the kernel cannot be had.
# In the guest: the cwd is preserved (the guest's /tmp is its own tmpfs, but
# when the cwd is below the host's /tmp its top folder there stays visible), /lib/modules/$RIG_KVER is Debian's module
# tree, $RIG_GUEST=1, $RIG_OUT is the writable results directory.
set -u
# The body is one block: bash/dash parse it whole before running it, so
# editing this file does not break runs already going.
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { sed -n '5,/^# tree,/s/^# \{0,1\}//p' "$0" >&2; exit "${1:-2}"; }
skip() { echo "SKIP: $*"; exit 77; }
rigerr() { echo "RIG ERROR: $*" >&2; exit 125; }

modules=() timeout="" mem=1024 smp=2 shell=0 keeplog="" outdir="" envs=()
cache=${RIG_CACHE:-$here/../../build/rig-cache}
while [ $# -gt 0 ]; do
  case $1 in
    --modules) [ $# -ge 2 ] || usage
      for w in $2; do
        if [[ $w == *=* ]]; then
          [ ${#modules[@]} -gt 0 ] || rigerr "--modules: parameter '$w' before any module"
          modules[-1]+=" $w"
        else
          modules+=("$w")
        fi
      done
      shift 2 ;;
    --timeout) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage; timeout=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage; mem=$2; shift 2 ;;
    --smp) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage; smp=$2; shift 2 ;;
    --env) [ $# -ge 2 ] || usage
      if [[ $2 == *=* ]]; then envs+=("$2")
      elif [ -n "${!2+x}" ]; then envs+=("$2=${!2}")
      fi
      shift 2 ;;
    --outdir) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
    --keep-log) [ $# -ge 2 ] || usage; keeplog=$2; shift 2 ;;
    --cache) [ $# -ge 2 ] || usage; cache=$2; shift 2 ;;
    --shell) shell=1; shift ;;
    --) shift; break ;;
    -h|--help) usage 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || [ $shell = 1 ] || usage
[ -n "$timeout" ] || { [ $shell = 1 ] && timeout=0 || timeout=300; }

qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not installed (run scripts/rig-deps.sh)"
mkdir -p "$cache" 2>/dev/null || skip "cannot create rig cache $cache"
cache=$(cd "$cache" && pwd)
if ! { [ -s "$cache/current" ] && grep -q '^v2 ' "$cache/$(cat "$cache/current")/ready" 2>/dev/null; }; then
  sh "$here/rig-prepare.sh" "$cache" >&2
  r=$?
  [ $r = 77 ] && skip "kernel rig cannot be prepared (see above)"
  [ $r = 0 ] || rigerr "rig-prepare.sh failed ($r)"
fi
kver=$(cat "$cache/current")
kdir=$cache/$kver
[ -f "$kdir/root/boot/vmlinuz-$kver" ] || skip "no kernel in $kdir"

cwd=$(pwd -P)
case $cwd in
  /tmp) rigerr "cwd /tmp itself: the guest's /tmp is a fresh tmpfs; run from a folder below it or elsewhere" ;;
esac

run=$(mktemp -d "${TMPDIR:-/tmp}/rig-run.XXXXXX") || rigerr "mktemp"
qpid=""
cleanup() {
  if [ -n "$qpid" ]; then
    # qemu itself (from its pidfile), then timeout(1) wrapping it, which
    # relays TERM to qemu if qemu had not started yet; reaped here.
    [ -s "$run/qemu.pid" ] && kill -KILL "$(cat "$run/qemu.pid")" 2>/dev/null
    kill -TERM "$qpid" 2>/dev/null
    wait "$qpid" 2>/dev/null
  fi
  rm -rf "$run"
}
trap cleanup EXIT
trap 'echo "RIG: interrupted" >&2; exit 130' INT
trap 'echo "RIG: terminated" >&2; exit 143' TERM HUP

q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

share=$run/share
mkdir -p "$share"
if [ -n "$outdir" ]; then
  mkdir -p "$outdir" || rigerr "cannot create $outdir"
  outdir=$(cd "$outdir" && pwd -P)
else
  outdir=$run/out
  mkdir -p "$outdir"
fi
{
  echo "RIG_STAGE2=$(q "$here/guest-stage2.sh")"
  echo "RIG_KVER=$(q "$kver")"
  echo "RIG_MODROOT=$(q "$kdir/root")"
  echo "RIG_CWD=$(q "$cwd")"
  echo "RIG_SHELL=$shell"
  echo "RIG_TERM=$(q "${TERM:-linux}")"
  if [ $shell = 1 ] && [ -t 0 ]; then
    echo "RIG_ROWS=$(tput lines 2>/dev/null || echo 24)"
    echo "RIG_COLS=$(tput cols 2>/dev/null || echo 80)"
  fi
  for e in "${envs[@]}"; do echo "export $(q "$e")"; done
} >"$share/env"
printf '%s\n' "${modules[@]}" >"$share/modules"
if [ $# -gt 0 ]; then
  { printf 'exec'; for a in "$@"; do printf ' %s' "$(q "$a")"; done; echo; } >"$share/cmd"
else
  : >"$share/cmd"
fi
: >"$share/output"

kernel=$kdir/root/boot/vmlinuz-$kver
[ -f "$kdir/vmlinux" ] && kernel=$kdir/vmlinux   # PVH entry, no decompression
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=(-accel kvm -cpu host)
else
  accel=(-accel tcg)
fi
qargs=("${accel[@]}" -m "$mem" -smp "$smp" -nographic -no-reboot -nic none
  -kernel "$kernel" -initrd "$kdir/initramfs.gz"
  -append "console=ttyS0 panic=-1 quiet ${RIG_APPEND:-}"
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
  -virtfs "local,path=$share,mount_tag=rig,security_model=none,multidevs=remap"
  -virtfs "local,path=$outdir,mount_tag=rigout,security_model=none,multidevs=remap"
  -pidfile "$run/qemu.pid")
# Knobs for experiments: RIG_APPEND (kernel command line), RIG_QEMU_ARGS.
# shellcheck disable=SC2206
qargs+=(${RIG_QEMU_ARGS:-})

t0=$(date +%s.%N)
if [ $shell = 1 ]; then
  # <&0: bash gives background jobs /dev/null as stdin otherwise.
  if [ "$timeout" -gt 0 ]; then
    timeout -k 5 --foreground "$timeout" "$qemu" "${qargs[@]}" <&0 &
  else
    "$qemu" "${qargs[@]}" <&0 &
  fi
  qpid=$!
  wait $qpid
  qrc=$?
  qpid=""
  [ $qrc = 124 ] && { echo "RIG TIMEOUT after $timeout s"; exit 124; }
  exit 0
fi

# Output streams while the guest runs (the share has no guest-side cache);
# a poll with a byte offset, so the last bytes are never lost to a race.
timeout -k 5 "$timeout" "$qemu" "${qargs[@]}" </dev/null >"$run/console.log" 2>&1 &
qpid=$!
shown=0
show_new() {
  local size
  size=$(stat -c %s "$share/output" 2>/dev/null) || return 0
  [ "$size" -gt "$shown" ] || return 0
  tail -c +$((shown + 1)) "$share/output" | head -c $((size - shown))
  shown=$size
}
while kill -0 $qpid 2>/dev/null; do
  show_new
  sleep 0.2
done
wait $qpid
qrc=$?
qpid=""
show_new
t1=$(date +%s.%N)
[ -n "$keeplog" ] && cp "$run/console.log" "$keeplog"

wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
boot=$(cat "$share/boot-seconds" 2>/dev/null || echo "?")
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
  echo "RIG TIMEOUT after $timeout s (guest console, last lines:)"
  tail -n 20 "$run/console.log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/^/  | /'
  exit 124
fi
if [ ! -s "$share/status" ]; then
  echo "RIG ERROR: the guest ended without a status (qemu exit $qrc); guest console:"
  sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/^/  | /' "$run/console.log"
  exit 125
fi
status=$(cat "$share/status")
echo "rig: $kver, command started at ${boot} s guest uptime, ${wall} s wall, exit $status" >&2
exit "$status"
}
