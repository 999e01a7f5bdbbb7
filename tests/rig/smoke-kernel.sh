#!/bin/sh
# Rig smoke test: the guest runs Debian's kernel from the cache (not the
# host's), and a host binary from the build tree runs inside unchanged.
# Usage: smoke-kernel.sh CACHE_DIR BINARY
set -u
# The body is one block: bash/dash parse it whole before running it, so
# editing this file does not break runs already going.
{
here=$(cd "$(dirname "$0")" && pwd)
cache=$1 bin=$2
"$here/rig-prepare.sh" "$cache" >/dev/null || exit $?
want=$(cat "$cache/current")
host=$(uname -r)
exec "$here/rig-run.sh" --cache "$cache" --timeout 120 -- sh -c '
  want=$1 host=$2 bin=$3
  got=$(uname -r)
  echo "guest kernel $got, expected $want (host runs $host)"
  [ "$got" = "$want" ] || exit 1
  [ "$got" != "$host" ] || { echo "guest kernel is the host one"; exit 1; }
  grep -q Debian /proc/version || { echo "not a Debian kernel: $(cat /proc/version)"; exit 1; }
  [ -f "/lib/modules/$got/modules.dep" ] || { echo "no modules.dep for $got"; exit 1; }
  "$bin" --help >/tmp/help 2>&1
  rc=$?
  head -n 3 /tmp/help
  [ $rc = 0 ] || { echo "$bin --help exited $rc"; exit 1; }
  echo "ok"
' smoke "$want" "$host" "$bin"
}
