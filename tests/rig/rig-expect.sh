#!/bin/sh
# Runs a command (normally rig-run.sh ...) and passes when it exits with
# STATUS within MAX_SECONDS of wall time. 77 (SKIP) is passed through.
# Usage: rig-expect.sh STATUS MAX_SECONDS -- COMMAND [ARGS...]
set -u
# The body is one block: bash/dash parse it whole before running it, so
# editing this file does not break runs already going.
{
[ $# -ge 4 ] && [ "$3" = -- ] || { echo "usage: rig-expect.sh STATUS MAX_SECONDS -- COMMAND..." >&2; exit 2; }
want=$1 max=$2
shift 3
t0=$(date +%s)
"$@"
rc=$?
dt=$(($(date +%s) - t0))
[ $rc = 77 ] && exit 77
if [ "$rc" != "$want" ]; then
  echo "rig-expect: exit $rc, expected $want (after $dt s)"
  exit 1
fi
if [ "$dt" -gt "$max" ]; then
  echo "rig-expect: exit $rc as expected but after $dt s (limit $max s)"
  exit 1
fi
echo "rig-expect: exit $rc as expected, $dt s"
}
