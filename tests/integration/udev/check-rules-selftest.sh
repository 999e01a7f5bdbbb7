#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-rules.sh must reject broken copies of the rules file, or the
# udev-rules-syntax test proves nothing.
#   check-rules-selftest.sh CHECK_SCRIPT RULES_FILE
set -eu
check=$1
rules=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sh "$check" "$rules" >/dev/null || { echo "FAIL: the pristine file is rejected"; exit 1; }

fails=0
# mutate NAME SED-EXPRESSION: the sed expression must change the file and
# check-rules.sh must then fail.
mutate() {
        sed "$2" "$rules" >"$tmp/$1.rules"
        if cmp -s "$rules" "$tmp/$1.rules"; then
                echo "FAIL: mutation $1 did not change the file"
                fails=$((fails + 1))
        elif out=$(sh "$check" "$tmp/$1.rules" 2>&1); then
                echo "FAIL: mutation $1 was accepted"
                fails=$((fails + 1))
        else
                echo "ok: $1 rejected: $(echo "$out" | head -n 1)"
        fi
}

mutate missing-quote     '0,/GROUP="certbench"/s//GROUP="certbench/'
mutate unknown-key       '0,/SUBSYSTEM==/s//SUBSYSTME==/'
mutate bad-operator      '0,/KERNEL=="gpiochip/s//KERNEL="gpiochip/'
mutate assign-as-match   '0,/MODE="0660"/s//MODE=="0660"/'
mutate missing-comma     '0,/", GROUP=/s//" GROUP=/'
mutate trailing-comma    '0,/MODE="0660"$/s//MODE="0660",/'
mutate bad-mode          '0,/MODE="0660"/s//MODE="rw-rw----"/'
mutate env-without-attr  '0,/ENV{DEVTYPE}/s//ENV/'
mutate attr-on-plain-key '0,/GROUP="certbench", MODE/s//GROUP{x}="certbench", MODE/'
mutate goto-no-label     's/^LABEL="certbench_end"/LABEL="certbench_ende"/'
mutate unquoted-value    '0,/ACTION=="remove"/s//ACTION==remove/'
mutate bad-import        's/IMPORT{builtin}/IMPORT{builtn}/'
mutate dangling-continue '$s/$/ \\/'

[ "$fails" -eq 0 ] || exit 1
echo "all mutations rejected"
