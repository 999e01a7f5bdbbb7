#!/usr/bin/python3
"""Checks one case of a finished run, as `certbench report RUN --format json`
printed it, and (through the daemon's command socket, evidence.get, 10 s
deadline) the case's JSON evidence. Runs in the kernel rig; exit 0 ok,
1 mismatch. Also a module: a case's own checker imports the helpers
(sys.path gets this folder; `from case_check import ...`).

  case_check.py REPORT.json CASE [OUTCOME] [--endpoint EP]
                [--evidence NAME KEY=VALUE ...] [--assert PYTHON-EXPR]

KEY is a path into the evidence JSON: "0.security" (first element's
security), "modes.1.joined"; VALUE is compared as JSON when it parses
(true, 3), else as a string. --assert evaluates an expression over the
result r, its evidence by name ev and its measurements by name ms.
"""
import argparse
import base64
import json
import sys


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def lookup(doc, path):
    """The value at a dotted path ("modes.1.joined"); KeyError if none."""
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


def json_or_text(text):
    """VALUE of KEY=VALUE: JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def evidence_get(endpoint, ev_id, timeout_s=10):
    """The bytes of evidence ev_id, from the daemon (evidence.get)."""
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


def case_result(report_path, case):
    """The one result of case in the report (fails unless exactly one)."""
    with open(report_path) as f:
        run = json.load(f)
    res = [r for r in run.get("results", []) if r.get("case") == case or r.get("case_id") == case]
    if len(res) != 1:
        fail("%s: %d results in the report, expected 1: %s" % (case, len(res), json.dumps(run)[:2000]))
    return res[0]


def evidence_json(r, case, name, endpoint):
    """The JSON evidence called name of result r, fetched and parsed."""
    evs = [e for e in r.get("evidence", []) if e.get("name") == name]
    if len(evs) != 1:
        fail("%s: evidence %s: %d found, expected 1 (have: %s)"
             % (case, name, len(evs), [e.get("name") for e in r.get("evidence", [])]))
    return json.loads(evidence_get(endpoint, evs[0]["id"]))


def check_fields(case, name, doc, checks):
    """Each KEY=VALUE of checks holds in doc (evidence name)."""
    for c in checks:
        key, _, want = c.partition("=")
        want = json_or_text(want)
        try:
            got = lookup(doc, key)
        except KeyError:
            fail("%s: evidence %s has no %s: %s" % (case, name, key, json.dumps(doc)[:2000]))
        if got != want:
            fail("%s: evidence %s: %s is %r, expected %r" % (case, name, key, got, want))
        print("  evidence %s: %s = %r" % (name, key, got), flush=True)


def check_assert(r, expr):
    """expr, evaluated over r, ev and ms, is true."""
    ev = {e.get("name"): e for e in r.get("evidence", [])}
    m = r.get("measurements")
    ms = {x.get("name"): x for x in m} if isinstance(m, list) else (m or {})
    ok = eval(expr, {"json": json}, {"r": r, "ev": ev, "ms": ms})
    if not ok:
        print("report: %s is false; reason %r, evidence %s, measurements %s"
              % (expr, r.get("reason"), list(ev), json.dumps(ms)), flush=True)
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("case")
    ap.add_argument("outcome", nargs="?")
    ap.add_argument("--endpoint")
    ap.add_argument("--evidence", nargs="+", action="append", default=[])
    ap.add_argument("--assert", dest="expr", action="append", default=[])
    a = ap.parse_args()

    r = case_result(a.report, a.case)
    if a.outcome is not None:
        print("%s %s: %s" % (a.case, r.get("outcome"), r.get("reason")), flush=True)
        print("  measurements: %s" % json.dumps(r.get("measurements")), flush=True)
        if r.get("outcome") != a.outcome:
            fail("%s: outcome %s, expected %s (reason: %s)" % (a.case, r.get("outcome"), a.outcome, r.get("reason")))
    for spec in a.evidence:
        check_fields(a.case, spec[0], evidence_json(r, a.case, spec[0], a.endpoint), spec[1:])
    for expr in a.expr:
        check_assert(r, expr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
