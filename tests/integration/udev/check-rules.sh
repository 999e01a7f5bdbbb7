#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Syntax check for udev rules files, for hosts whose udevadm has no
# "verify" (systemd < 253) or that have no udevadm at all.
#
#   check-rules.sh FILE...
#
# Stricter than udev itself: anything udev would only warn about is an
# error here. Every logical line (a trailing backslash joins the next one)
# must be blank, a comment, or comma-separated KEY OP "value" pairs where
# KEY is a known udev key (with {attr} where the key takes one, without
# where it does not), OP is an operator that key accepts, and value is a
# double-quoted string (or e"..." with C escapes). Also checked: MODE is
# octal, LABEL/GOTO names are plain, every GOTO has a LABEL after it, and
# no LABEL is defined twice. Prints file:line: message for each problem,
# exits 1 if there was any, 2 on usage errors.
#
# When udevadm verify exists it is run as well.
set -eu

if [ $# -eq 0 ]; then
        echo "usage: $0 FILE..." >&2
        exit 2
fi

rc=0
for f in "$@"; do
        if [ ! -r "$f" ]; then
                echo "$f: cannot read" >&2
                rc=1
                continue
        fi
        LC_ALL=C awk -v file="$f" '
function err(msg) {
        printf "%s:%d: %s\n", file, startline, msg
        bad = 1
}

# Operators each key accepts. "m" = ==/!=, then assignment operators.
function ops_for(key) {
        if (key ~ /^(ACTION|DEVPATH|KERNEL|KERNELS|SUBSYSTEM|SUBSYSTEMS|DRIVER|DRIVERS|ATTRS|TAGS|RESULT|CONST|TEST)$/)
                return " == != "
        if (key == "PROGRAM") return " = == != "
        if (key == "IMPORT") return " = == != "
        if (key == "ATTR" || key == "SYSCTL") return " == != = "
        if (key == "ENV") return " == != = += "
        if (key == "TAG") return " == != = += -= "
        if (key == "NAME") return " == != = := "
        if (key == "SYMLINK") return " == != = += -= := "
        if (key ~ /^(OWNER|GROUP|MODE)$/) return " = := "
        if (key == "OPTIONS") return " = += := "
        if (key == "SECLABEL") return " = += "
        if (key == "RUN") return " = += := "
        if (key == "LABEL" || key == "GOTO") return " = "
        return ""
}
# 1: {attr} required, 0: forbidden, 2: optional
function attr_rule(key) {
        if (key ~ /^(ATTR|ATTRS|ENV|SYSCTL|SECLABEL|CONST|IMPORT)$/) return 1
        if (key == "TEST" || key == "RUN") return 2
        return 0
}

function check_pair(key, attr, op, value, haveattr,   ar, ops) {
        ops = ops_for(key)
        if (ops == "") { err("unknown key \"" key "\""); return }
        ar = attr_rule(key)
        if (ar == 1 && !haveattr) err(key " needs {attribute}")
        if (ar == 0 && haveattr) err(key " takes no {attribute}")
        if (haveattr && attr == "") err(key "{} has an empty attribute")
        if (index(ops, " " op " ") == 0)
                err("operator \"" op "\" is not valid for " key " (valid:" ops ")")
        if (key == "IMPORT" && attr !~ /^(program|builtin|file|db|cmdline|parent)$/)
                err("IMPORT{" attr "}: unknown import type")
        if (key == "RUN" && haveattr && attr !~ /^(program|builtin)$/)
                err("RUN{" attr "}: unknown run type")
        if (key == "CONST" && attr !~ /^(arch|virt)$/)
                err("CONST{" attr "}: unknown constant")
        if (key == "MODE" && value !~ /^0?[0-7][0-7][0-7]$/)
                err("MODE \"" value "\" is not an octal mode")
        if ((key == "OWNER" || key == "GROUP" || key == "NAME") && op != "==" && op != "!=" && value == "")
                err(key " has an empty value")
        if (key == "LABEL") {
                if (value !~ /^[A-Za-z0-9_.-]+$/) err("LABEL \"" value "\" is not a plain name")
                else if (value in labels) err("LABEL \"" value "\" defined twice (line " labels[value] ")")
                else labels[value] = startline
        }
        if (key == "GOTO") {
                if (value !~ /^[A-Za-z0-9_.-]+$/) err("GOTO \"" value "\" is not a plain name")
                ngoto++; gotoname[ngoto] = value; gotoline[ngoto] = startline
        }
        if (key == "OPTIONS" && value !~ /^(link_priority=-?[0-9]+|string_escape=(none|replace)|static_node=[^ ]+|watch|nowatch|db_persist|log_level=[a-z0-9]+)$/)
                err("OPTIONS \"" value "\": unknown option")
}

function check_rule(s,   key, attr, op, value, haveattr, npairs, c) {
        npairs = 0
        for (;;) {
                sub(/^[ \t]+/, "", s)
                if (s == "") {
                        if (npairs == 0) err("empty rule")
                        else err("trailing comma")
                        return
                }
                if (!match(s, /^[A-Z_]+/)) { err("expected a KEY at \"" substr(s, 1, 20) "\""); return }
                key = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
                haveattr = 0; attr = ""
                if (substr(s, 1, 1) == "{") {
                        if (!match(s, /^\{[^{}\"]*\}/)) { err(key ": unterminated {attribute}"); return }
                        attr = substr(s, 2, RLENGTH - 2); haveattr = 1
                        s = substr(s, RLENGTH + 1)
                }
                sub(/^[ \t]+/, "", s)
                if (!match(s, /^(==|!=|\+=|-=|:=|=)/)) { err(key ": expected an operator (== != = += -= :=) at \"" substr(s, 1, 20) "\""); return }
                op = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
                sub(/^[ \t]+/, "", s)
                if (substr(s, 1, 2) == "e\"") {
                        # C escapes: a backslash escapes the next character.
                        if (!match(s, /^e"([^"\\]|\\.)*"/)) { err(key ": unterminated e\"value\""); return }
                        value = substr(s, 3, RLENGTH - 3)
                } else if (substr(s, 1, 1) == "\"") {
                        if (!match(s, /^"[^"]*"/)) { err(key ": unterminated \"value\""); return }
                        value = substr(s, 2, RLENGTH - 2)
                } else { err(key ": value must be in double quotes"); return }
                s = substr(s, RLENGTH + 1)
                npairs++
                check_pair(key, attr, op, value, haveattr)
                sub(/^[ \t]+/, "", s)
                if (s == "") return
                c = substr(s, 1, 1)
                if (c != ",") { err("expected \",\" after " key " at \"" substr(s, 1, 20) "\""); return }
                s = substr(s, 2)
        }
}

{
        if (sub(/\r$/, "")) { startline = NR; err("CR line ending") }
        if (cont == "") startline = NR
        if (sub(/\\$/, "")) { cont = cont $0; next }
        line = cont $0
        cont = ""
        t = line
        sub(/^[ \t]+/, "", t)
        if (t == "" || substr(t, 1, 1) == "#") next
        check_rule(t)
}
END {
        if (cont != "") { startline = NR; err("file ends in a line continuation") }
        for (i = 1; i <= ngoto; i++) {
                if (!(gotoname[i] in labels) || labels[gotoname[i]] < gotoline[i]) {
                        startline = gotoline[i]
                        err("GOTO \"" gotoname[i] "\" has no LABEL after it")
                }
        }
        exit bad
}
' "$f" || rc=1
done

# udevadm verify (systemd >= 253) knows more than this script does.
if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
        udevadm verify --resolve-names=never "$@" || rc=1
fi

if [ $rc -eq 0 ]; then
        echo "OK: $*"
fi
exit $rc
