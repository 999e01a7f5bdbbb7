#!/usr/bin/python3
"""Checks one bt.pairing result of a finished run, as `certbench report RUN
--format json` printed it: the outcome, words of the reason, fields of the
JSON evidence (fetched through the daemon's command socket, evidence.get),
and the btsnoop evidence read back by two independent readers, btmon -r
and tshark -r, with tshark's decoding compared to ours. Runs in the kernel
rig; exit 0 ok, 1 mismatch.

  bt-case-check.py REPORT.json CASE OUTCOME|ANY --endpoint EP [--save-dir DIR]
      [--reason TEXT ...]                   the reason contains each TEXT
      [--evidence NAME KEY=VALUE ...]       KEY: path into the JSON ("le.probes.1.failed_reason")
      [--snoop NAME]                        the btsnoop evidence: btmon -r and tshark -r open it
      [--btmon TEXT ...]                    btmon -r's text contains each TEXT
      [--tshark FIELD=KEY ...]              the value at KEY of the JSON evidence (the first
                                            --evidence NAME) is among tshark's FIELD values
      [--tshark-has FIELD=VALUE ...]        tshark's FIELD takes VALUE in some frame

Evidence checked or opened is also saved to DIR/REPORT-NAME. VALUE is
compared as JSON when it parses (true, 3, null), else as a
string; "*" means present and not null. tshark values are compared as
integers when both sides are. The report, evidence.get and KEY=VALUE checks
are ../lib/case_check.py's.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from case_check import case_result, check_fields, evidence_get, fail, lookup  # noqa: E402


def as_int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v), 0)
    except ValueError:
        return None


def same(a, b):
    ia, ib = as_int(a), as_int(b)
    if ia is not None and ib is not None:
        return ia == ib
    return str(a) == str(b)


def tshark_fields(path, fields):
    """{field: [values of every frame]}, from one tshark pass (each start
    costs seconds under TCG). A field the dissector does not know is an
    error (rc 1), not "no value"."""
    argv = ["tshark", "-r", path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for f in fields:
        argv += ["-e", f]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail("tshark -r %s: rc %d: %s" % (path, p.returncode, p.stderr.strip()[-1000:]))
    vals = {f: [] for f in fields}
    for line in p.stdout.splitlines():
        for f, col in zip(fields, line.split("|")):
            vals[f] += [v for v in col.strip().split(",") if v]
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("case")
    ap.add_argument("outcome")
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--save-dir", default=".")
    ap.add_argument("--reason", action="append", default=[])
    ap.add_argument("--evidence", nargs="+", action="append", default=[])
    ap.add_argument("--snoop")
    ap.add_argument("--btmon", action="append", default=[])
    ap.add_argument("--tshark", action="append", default=[])
    ap.add_argument("--tshark-has", action="append", default=[])
    a = ap.parse_args()

    r = case_result(a.report, a.case)
    reason = r.get("reason") or ""
    print("%s %s: %s" % (a.case, r.get("outcome"), reason), flush=True)
    if a.outcome != "ANY" and r.get("outcome") != a.outcome:
        fail("%s: outcome %s, expected %s (reason: %s)" % (a.case, r.get("outcome"), a.outcome, reason))
    for t in a.reason:
        if t not in reason:
            fail("%s: the reason does not mention %r: %s" % (a.case, t, reason))
    evs = {e.get("name"): e for e in r.get("evidence", [])}
    base = os.path.splitext(os.path.basename(a.report))[0]

    def fetch(name):
        if name not in evs:
            fail("%s: no evidence %s (have: %s)" % (a.case, name, sorted(evs)))
        data = evidence_get(a.endpoint, evs[name]["id"])
        path = os.path.join(a.save_dir, "%s-%s" % (base, name))
        with open(path, "wb") as f:
            f.write(data)
        return data, path

    first_doc = None
    for spec in a.evidence:
        name, checks = spec[0], spec[1:]
        doc = json.loads(fetch(name)[0])
        if first_doc is None:
            first_doc = doc
        # "*" (present, not null) is ours; the rest is case_check's KEY=VALUE.
        for c in checks:
            key, _, want = c.partition("=")
            if want != "*":
                check_fields(a.case, name, doc, [c])
                continue
            try:
                got = lookup(doc, key)
            except KeyError:
                fail("%s: evidence %s has no %s: %s" % (a.case, name, key, json.dumps(doc)[:3000]))
            if got is None:
                fail("%s: evidence %s: %s is null" % (a.case, name, key))
            print("  evidence %s: %s = %r" % (name, key, got), flush=True)

    if not a.snoop:
        return 0
    data, path = fetch(a.snoop)
    if not data.startswith(b"btsnoop\0"):
        fail("%s: %s does not start with the btsnoop magic: %r" % (a.case, a.snoop, data[:16]))
    bm = subprocess.run(["btmon", "-r", path], capture_output=True, text=True, timeout=120)
    if bm.returncode != 0:
        fail("btmon -r %s: rc %d: %s" % (path, bm.returncode, (bm.stdout + bm.stderr)[-2000:]))
    with open(path + ".btmon.txt", "w") as f:
        f.write(bm.stdout)
    for t in a.btmon:
        if t not in bm.stdout:
            fail("btmon -r %s: no %r in its %d lines" % (path, t, bm.stdout.count("\n")))
        print("  btmon -r: %r seen" % t, flush=True)
    checks = [(spec.partition("=")[0], spec.partition("=")[2], False) for spec in a.tshark]
    checks += [(spec.partition("=")[0], spec.partition("=")[2], True) for spec in a.tshark_has]
    fields = ["frame.number"] + sorted({c[0] for c in checks})
    vals = tshark_fields(path, fields)
    if not vals["frame.number"]:
        fail("tshark -r %s: no frames" % path)
    print("  btsnoop %d bytes; btmon -r %d lines; tshark -r %d frames"
          % (len(data), bm.stdout.count("\n"), len(vals["frame.number"])), flush=True)
    for field, key, literal in checks:
        if literal:
            if not any(same(v, key) for v in vals[field]):
                fail("tshark %s: %r, none is %s" % (field, vals[field], key))
            print("  tshark %s takes %s" % (field, key), flush=True)
            continue
        try:
            ours = lookup(first_doc, key)
        except (KeyError, TypeError):
            fail("%s: evidence has no %s for the tshark comparison" % (a.case, key))
        if not any(same(v, ours) for v in vals[field]):
            fail("tshark %s: %r, ours (%s) %r" % (field, vals[field], key, ours))
        print("  tshark %s %r agrees with %s = %r" % (field, vals[field], key, ours), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
