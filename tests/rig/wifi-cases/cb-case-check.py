#!/usr/bin/python3
"""Checks one case of a finished run, as `certbench report RUN --format json`
printed it, and (through the daemon's command socket, evidence.get) the
case's JSON evidence. Runs in the kernel rig; exit 0 ok, 1 mismatch.

  cb-case-check.py REPORT.json CASE OUTCOME [--endpoint EP]
                   [--evidence NAME KEY=VALUE ...]

KEY is a path into the evidence JSON: "0.security" (first element's
security), "modes.1.joined"; VALUE is compared as JSON when it parses
(true, 3), else as a string.
"""
import argparse
import base64
import json
import sys


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def lookup(doc, path):
    for part in path.split("."):
        if isinstance(doc, list):
            if not part.isdigit() or int(part) >= len(doc):
                raise KeyError(path)
            doc = doc[int(part)]
        elif isinstance(doc, dict):
            if part not in doc:
                raise KeyError(path)
            doc = doc[part]
        else:
            raise KeyError(path)
    return doc


def evidence_get(endpoint, ev_id, timeout_s=10):
    import zmq
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    try:
        s.connect(endpoint)
        s.send(json.dumps({"id": 1, "cmd": "evidence.get", "args": {"id": ev_id}}).encode())
        if not s.poll(int(timeout_s * 1000)):
            fail("evidence.get %d: no reply within %d s" % (ev_id, timeout_s))
        rep = json.loads(s.recv())
        if not rep.get("ok"):
            fail("evidence.get %d: %r" % (ev_id, rep))
        return base64.b64decode(rep["result"]["data_base64"])
    finally:
        s.close(0)
        ctx.term()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("case")
    ap.add_argument("outcome")
    ap.add_argument("--endpoint")
    ap.add_argument("--evidence", nargs="+", action="append", default=[])
    a = ap.parse_args()

    with open(a.report) as f:
        run = json.load(f)
    res = [r for r in run.get("results", []) if r.get("case") == a.case or r.get("case_id") == a.case]
    if len(res) != 1:
        fail("%s: %d results in the report, expected 1: %s" % (a.case, len(res), json.dumps(run)[:2000]))
    r = res[0]
    print("%s %s: %s" % (a.case, r.get("outcome"), r.get("reason")), flush=True)
    print("  measurements: %s" % json.dumps(r.get("measurements")), flush=True)
    if r.get("outcome") != a.outcome:
        fail("%s: outcome %s, expected %s (reason: %s)" % (a.case, r.get("outcome"), a.outcome, r.get("reason")))
    for spec in a.evidence:
        name, checks = spec[0], spec[1:]
        evs = [e for e in r.get("evidence", []) if e.get("name") == name]
        if len(evs) != 1:
            fail("%s: evidence %s: %d found, expected 1 (have: %s)"
                 % (a.case, name, len(evs), [e.get("name") for e in r.get("evidence", [])]))
        doc = json.loads(evidence_get(a.endpoint, evs[0]["id"]))
        for c in checks:
            key, _, want = c.partition("=")
            try:
                want = json.loads(want)
            except ValueError:
                pass
            try:
                got = lookup(doc, key)
            except KeyError:
                fail("%s: evidence %s has no %s: %s" % (a.case, name, key, json.dumps(doc)[:2000]))
            if got != want:
                fail("%s: evidence %s: %s is %r, expected %r" % (a.case, name, key, got, want))
            print("  evidence %s: %s = %r" % (name, key, got), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
