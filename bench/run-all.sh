#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-all.sh BUILD_DIR: runs every bench program found under BUILD_DIR/bench
# (bench-events, bench-ping, bench-relay-cmd, bench-rss, bench-relay,
# bench-store, bench-wifi-audit, bench-bt-audit, bench-bt-pairing (a
# generated launcher for bench/bt/bench-bt-pairing.py), and any other
# bench-* executable), one after the other, each
# under a 120 s timeout, then prints a summary: every line that carries a
# target verdict (PASS/MISS) and each program's exit status.
# Builds nothing: build first, e.g.
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench -j2 --target bench-events bench-ping bench-relay-cmd bench-rss
#   cmake --build build-bench -j2 --target bench-bt-audit bench-bt-pairing
# Exit status: 0 when every program exited 0, 1 otherwise.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
        echo "usage: $0 BUILD_DIR" >&2
        exit 2
fi
build=$(cd "$1" && pwd)
if [ ! -d "$build/bench" ]; then
        echo "$0: $build/bench does not exist (configure and build the bench targets first)" >&2
        exit 2
fi

progs=$(find "$build/bench" -type f -name 'bench-*' -perm -u+x ! -name '*.*' | sort)
if [ -z "$progs" ]; then
        echo "$0: no bench-* program under $build/bench" >&2
        exit 2
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/cb-run-all-XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT INT TERM
status=0
for p in $progs; do
        name=$(basename "$p")
        echo "=== $name"
        start=$(date +%s)
        timeout -k 5 120 "$p" >"$out/$name.log" 2>&1
        rc=$?
        cat "$out/$name.log"
        echo "=== $name: exit $rc, $(( $(date +%s) - start )) s"
        echo "$rc" >"$out/$name.rc"
        [ "$rc" -eq 0 ] || status=1
done

echo
echo "=== summary ($(uname -n), $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%M:%SZ))"
for p in $progs; do
        name=$(basename "$p")
        rc=$(cat "$out/$name.rc")
        case $rc in
        0) verdict="ok" ;;
        1) verdict="target missed (exit 1)" ;;
        77) verdict="skipped (exit 77: a tool or the shared data is absent)" ;;
        124|137) verdict="TIMEOUT (exit $rc)" ;;
        *) verdict="error (exit $rc)" ;;
        esac
        printf '%-18s %s\n' "$name" "$verdict"
        grep -E 'PASS|MISS|FAIL' "$out/$name.log" | sed 's/^/    /'
        # Programs that print no verdict (bench-store): their last line.
        grep -qE 'PASS|MISS|FAIL' "$out/$name.log" || tail -n 3 "$out/$name.log" | sed 's/^/    /'
done
exit $status
