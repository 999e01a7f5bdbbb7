#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the certbench CLI: the real certbenchd with the
Modbus relay simulator, on private ipc endpoints. Waits are on READY lines,
replies and events, never blind sleeps."""

import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ARGS = None


def fail(msg):
    raise AssertionError(msg)


def expect(cond, msg):
    if not cond:
        fail(msg)


_buffers = {}


def readline(proc, deadline, what):
    """One line of proc.stdout before the monotonic deadline."""
    fd = proc.stdout.fileno()
    buf = _buffers.setdefault(fd, bytearray())
    while True:
        nl = buf.find(b"\n")
        if nl >= 0:
            line = bytes(buf[:nl])
            del buf[:nl + 1]
            return line.decode()
        left = deadline - time.monotonic()
        if left <= 0:
            fail(f"timed out waiting for {what}")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            fail(f"{what}: process closed its output (rc {proc.poll()})")
        buf += chunk


class Bench:
    def __init__(self, fail_writes=None):
        self.dir = tempfile.mkdtemp(prefix="cb-cli-")
        self.sim = self.daemon = None
        cmd = [ARGS.relaysim, "--port", "0"]
        if fail_writes is not None:
            cmd += ["--fail-writes", str(fail_writes)]
        self.sim = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                    stderr=open(os.path.join(self.dir, "sim.log"), "w"))
        line = readline(self.sim, time.monotonic() + 10, "relaysim READY")
        m = re.search(r"READY port=(\d+)", line)
        expect(m, f"relaysim said {line!r}")
        port = m.group(1)

        with open(os.path.join(ARGS.fixtures, "modbus-bench.yaml")) as f:
            fixture = f.read()
        expect("port: 1502" in fixture, "modbus-bench.yaml changed: no 'port: 1502'")
        with open(os.path.join(self.dir, "bench.yaml"), "w") as f:
            f.write(fixture.replace("port: 1502", f"port: {port}"))
        os.mkdir(os.path.join(self.dir, "state"))
        self.config = os.path.join(self.dir, "certbenchd.yaml")
        with open(self.config, "w") as f:
            f.write(f"bench_fixture: bench.yaml\n"
                    f"state_dir: {self.dir}/state\n"
                    f"command_endpoint: ipc://{self.dir}/command\n"
                    f"event_endpoint: ipc://{self.dir}/events\n"
                    f"heartbeat_s: 1\n")
        self.daemon = subprocess.Popen([ARGS.daemon, "-c", self.config],
                                       stdout=subprocess.DEVNULL,
                                       stderr=open(os.path.join(self.dir, "daemon.log"), "w"))
        # A DEALER queues the request until the daemon binds: this is the
        # readiness wait.
        r = self.cb("--timeout", "15", "status")
        expect(r.returncode == 0, f"daemon not ready: {r.stderr}")
        self.profile = os.path.join(ARGS.fixtures, "profiles", "example-smartplug.yaml")

    def argv(self, *args):
        return [ARGS.certbench, "--config", self.config, *args]

    def cb(self, *args, timeout=60):
        return subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout)

    def popen(self, *args):
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def last_seq(self):
        r = self.cb("status", "--json")
        expect(r.returncode == 0, r.stderr)
        return json.loads(r.stdout)["last_seq"]

    def close(self, ok):
        for p in (self.daemon, self.sim):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if ok:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            for log in ("daemon.log", "sim.log"):
                path = os.path.join(self.dir, log)
                if os.path.exists(path):
                    sys.stderr.write(f"--- {log}\n" + open(path).read())
            sys.stderr.write(f"(kept {self.dir})\n")


def check_junit(text, run_id, n_cases, serial, slot):
    root = ET.fromstring(text)
    expect(root.tag == "testsuites", f"root is {root.tag}")
    suites = root.findall("testsuite")
    expect(len(suites) == 1, "one testsuite")
    s = suites[0]
    expect(s.get("name") == run_id, f"suite name {s.get('name')}")
    expect(int(s.get("tests")) == n_cases, f"tests={s.get('tests')}")
    props = {p.get("name"): p.get("value") for p in s.find("properties").findall("property")}
    expect(props.get("serial") == serial, f"serial property {props}")
    expect(props.get("slot") == slot, f"slot property {props}")
    expect(props.get("profile", "").endswith("example-smartplug.yaml"), f"profile property {props}")
    cases = s.findall("testcase")
    expect(len(cases) == n_cases, f"{len(cases)} testcases")
    return s, cases


def events_json(bench, since):
    r = bench.cb("events", "--since", str(since), "--json")
    expect(r.returncode == 0, r.stderr)
    return [json.loads(l) for l in r.stdout.splitlines()]


def expect_contiguous(events, first):
    seqs = [e["seq"] for e in events]
    expect(seqs == list(range(first, first + len(seqs))),
           f"seqs not contiguous from {first}: {seqs[:5]}...{seqs[-5:]}")


# ---- scenarios ----

def scenario_check():
    fx = ARGS.fixtures
    good = [os.path.join(fx, "modbus-bench.yaml"), os.path.join(fx, "certbenchd.yaml"),
            os.path.join(fx, "profiles", "example-smartplug.yaml")]
    r = subprocess.run([ARGS.certbench, "check", *good], capture_output=True, text=True)
    expect(r.returncode == 0, f"check good: rc {r.returncode} {r.stderr}")
    for g in good:
        expect(f"{g}: ok\n" in r.stdout, f"no '{g}: ok' in {r.stdout!r}")

    d = tempfile.mkdtemp(prefix="cb-cli-check-")
    try:
        bad = os.path.join(d, "bad-bench.yaml")
        with open(os.path.join(fx, "modbus-bench.yaml")) as f:
            text = f.read()
        with open(bad, "w") as f:
            f.write(text.replace("port: 1502", "port: not-a-port"))
        r = subprocess.run([ARGS.certbench, "check", good[0], bad], capture_output=True, text=True)
        expect(r.returncode == 1, f"check bad: rc {r.returncode}")
        expect(f"{good[0]}: ok" in r.stdout, r.stdout)
        expect(re.search(re.escape(bad) + r":\d+:\d+: ", r.stderr), f"bad error: {r.stderr!r}")
        r = subprocess.run([ARGS.certbench, "check", os.path.join(d, "missing.yaml")],
                           capture_output=True, text=True)
        expect(r.returncode == 1 and "missing.yaml" in r.stderr, f"missing: {r.returncode} {r.stderr}")
    finally:
        shutil.rmtree(d)
    r = subprocess.run([ARGS.certbench, "check"], capture_output=True, text=True)
    expect(r.returncode == 2 and "FILE" in r.stderr, f"check without files: {r.returncode} {r.stderr}")


def scenario_usage():
    cases = [
        (["run", "--slot", "dut1", "--profile", "p", "--serial", "s", "--param", "x"],
         "--param: expected CASE.KEY=VALUE, got 'x'"),
        (["run", "--slot", "dut1", "--profile", "p"], "--serial"),
        (["--timeout", "abc", "status"], "--timeout"),
        (["report", "R", "--format", "pdf"], "--format: expected text, json or junit, got 'pdf'"),
        (["relay", "set", "dut1.power", "maybe"], "expected on or off, got 'maybe'"),
        (["relay", "pulse", "dut1.power", "0"], "MS"),
        (["events", "--since", "-3"], "--since"),
        (["abort"], "--run"),
        (["status", "--bogus"], "--bogus"),
        (["frobnicate"], "frobnicate"),
    ]
    for argv, needle in cases:
        r = subprocess.run([ARGS.certbench, *argv], capture_output=True, text=True)
        expect(r.returncode == 2, f"{argv}: rc {r.returncode}")
        expect(needle in r.stderr, f"{argv}: {needle!r} not in {r.stderr!r}")
    for verb in ("run", "status", "watch", "abort", "relay", "events", "report", "check"):
        r = subprocess.run([ARGS.certbench, verb, "--help"], capture_output=True, text=True)
        expect(r.returncode == 0 and r.stdout.startswith("Usage: certbench " + verb), f"{verb} --help")
    # No daemon: a clear message and status 2, within the deadline.
    t0 = time.monotonic()
    r = subprocess.run([ARGS.certbench, "--endpoint", "ipc:///nonexistent/cb/command", "--timeout", "0.5",
                        "run", "--slot", "dut1", "--profile", "p", "--serial", "s", "--wait"],
                       capture_output=True, text=True, timeout=30)
    expect(r.returncode == 2, f"unreachable: rc {r.returncode}")
    expect("no reply from ipc:///nonexistent/cb/command" in r.stderr, r.stderr)
    expect(time.monotonic() - t0 < 5, "unreachable daemon took too long")


def scenario_run(b):
    r = b.cb("status")
    expect(r.returncode == 0 and "dut1" in r.stdout and "dut2" in r.stdout, r.stdout)
    since = b.last_seq()

    r = b.cb("run", "--slot", "dut1", "--profile", os.path.relpath(b.profile), "--serial", "SN<&>'\"1",
             "--case", "power.cycle", "--case", "bench.flood",
             "--param", "power.cycle.off_ms=300", "--param", "power.cycle.settle_ms=0",
             "--param", "bench.flood.count=20", "--wait")
    expect(r.returncode == 0, f"run --wait: rc {r.returncode}\n{r.stdout}\n{r.stderr}")
    run_id = r.stdout.splitlines()[0]
    expect(re.fullmatch(r"\S+", run_id), f"first line is not a run id: {run_id!r}")
    expect("[1/2] power.cycle PASS" in r.stdout and "[2/2] bench.flood PASS" in r.stdout, r.stdout)
    expect(re.search(r"^Outcome\s+PASS$", r.stdout, re.M), r.stdout)
    expect(re.search(r"^1\s+power\.cycle\s+PASS", r.stdout, re.M), r.stdout)

    # report: json, text, junit (stdout and --output)
    r = b.cb("report", run_id, "--format", "json")
    expect(r.returncode == 0, r.stderr)
    run = json.loads(r.stdout)
    expect(run["run_id"] == run_id and run["outcome"] == "PASS", run)
    expect(run["profile_path"] == os.path.realpath(b.profile), f"profile not absolute: {run['profile_path']}")
    expect(run["results"][0]["measurements"], "no measurements")
    r = b.cb("report", run_id)
    expect(r.returncode == 0 and "off_time_measured = " in r.stdout, r.stdout)
    r = b.cb("report", run_id, "--format", "junit")
    expect(r.returncode == 0, r.stderr)
    s, cases = check_junit(r.stdout, run_id, 2, "SN<&>'\"1", "dut1")
    expect(s.get("failures") == "0" and s.get("errors") == "0", "counts")
    expect([c.get("name") for c in cases] == ["power.cycle", "bench.flood"], "case names")
    out = os.path.join(b.dir, "junit.xml")
    r = b.cb("report", run_id, "--format", "junit", "--output", out)
    expect(r.returncode == 0 and r.stdout == "", r.stderr)
    check_junit(open(out).read(), run_id, 2, "SN<&>'\"1", "dut1")
    r = b.cb("report", "no-such-run")
    expect(r.returncode == 1 and "not-found" in r.stderr, f"{r.returncode} {r.stderr}")

    # events --since: everything after `since`, once, in order, the whole run
    evs = events_json(b, since)
    expect_contiguous(evs, since + 1)
    mine = [e for e in evs if e.get("run_id") == run_id]
    types = [e["type"] for e in mine]
    expect(types[0] == "run.started" and types.count("run.finished") == 1, types)
    expect(types.count("bench.tick") == 20, f"{types.count('bench.tick')} ticks")
    r = b.cb("events", "--since", str(since))
    expect(r.returncode == 0 and len(r.stdout.splitlines()) == len(evs), "text events count")
    expect(re.search(r"case\.finished\s+\[1\] power\.cycle PASS", r.stdout), r.stdout)
    last = evs[-1]["seq"]
    expect(events_json(b, last + 1000) == [], "events past the end")

    # run without --wait; --json
    r = b.cb("run", "--slot", "dut2", "--profile", b.profile, "--serial", "SN2",
             "--param", "power.cycle.off_ms=1", "--param", "power.cycle.settle_ms=0", "--json")
    expect(r.returncode == 0, r.stderr)
    expect("run_id" in json.loads(r.stdout), r.stdout)

    # relay
    r = b.cb("relay", "set", "dut1.reset", "on")
    expect(r.returncode == 0 and r.stdout.startswith("dut1.reset on"), r.stdout + r.stderr)
    r = b.cb("relay", "get", "dut1.reset", "--json")
    expect(r.returncode == 0 and json.loads(r.stdout)["on"] is True, r.stdout)
    r = b.cb("relay", "pulse", "dut1.reset", "100")
    expect(r.returncode == 0 and "pulsed" in r.stdout, r.stdout + r.stderr)
    r = b.cb("relay", "get", "no.such.channel")
    expect(r.returncode == 1 and "not-found" in r.stderr, r.stderr)


def scenario_follow(b):
    since = b.last_seq()
    follow = b.popen("events", "--follow", "--json", "--since", str(since))
    try:
        # A flood bigger than the SUB's high-water mark: the client must
        # fill whatever the SUB drops from events.since.
        r = b.cb("run", "--slot", "dut1", "--profile", b.profile, "--serial", "SN",
                 "--case", "bench.flood", "--param", "bench.flood.count=20000")
        expect(r.returncode == 0, r.stderr)
        run_id = r.stdout.strip()
        seen = []
        deadline = time.monotonic() + 60
        while True:
            ev = json.loads(readline(follow, deadline, "run.finished on --follow"))
            seen.append(ev)
            if ev.get("type") == "run.finished" and ev.get("run_id") == run_id:
                break
        follow.send_signal(signal.SIGINT)
        rc = follow.wait(10)
        expect(rc == 0, f"events --follow after SIGINT: rc {rc}")
        stored = [e for e in seen if "seq" in e]
        expect_contiguous(stored, since + 1)
        ticks = sum(1 for e in seen if e["type"] == "bench.tick" and e.get("run_id") == run_id)
        expect(ticks == 20000, f"{ticks} ticks")
        # the same as the store says
        expect([e["seq"] for e in events_json(b, since)][:len(stored)] == [e["seq"] for e in stored],
               "follow differs from events.since")
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.wait()


def scenario_abort(b):
    p = b.popen("run", "--slot", "dut1", "--profile", b.profile, "--serial", "SN",
                "--param", "power.cycle.off_ms=60000", "--wait")
    try:
        deadline = time.monotonic() + 30
        run_id = readline(p, deadline, "run id")
        while "off for 60000 ms" not in readline(p, deadline, "the off phase"):
            pass
        r = b.cb("status")
        expect(re.search(r"^dut1\s+running\s+" + re.escape(run_id), r.stdout, re.M), r.stdout)
        r = b.cb("abort", "--slot", "dut1")
        expect(r.returncode == 0 and run_id in r.stdout, r.stdout + r.stderr)
        rest = []
        while True:
            line = readline(p, deadline, "the end of run --wait")
            rest.append(line)
            if line.startswith("Outcome"):
                break
        rc = p.wait(30)
        expect(rc == 2, f"run --wait of an aborted run: rc {rc}\n" + "\n".join(rest))
        expect("Outcome   ABORTED" in rest, rest)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    r = b.cb("report", run_id, "--format", "junit")
    s, cases = check_junit(r.stdout, run_id, 1, "SN", "dut1")
    expect(cases[0].find("skipped") is not None, "aborted case not <skipped/>")
    r = b.cb("abort", "--run", run_id)
    expect(r.returncode == 1 and "not-found" in r.stderr, f"{r.returncode} {r.stderr}")


def scenario_watch(b):
    r = b.cb("run", "--slot", "dut2", "--profile", b.profile, "--serial", "SN",
             "--param", "power.cycle.off_ms=1500", "--param", "power.cycle.settle_ms=0")
    expect(r.returncode == 0, r.stderr)
    run_id = r.stdout.strip()
    r = b.cb("watch", "--until-idle", timeout=30)
    expect(r.returncode == 0, f"watch: rc {r.returncode} {r.stderr}")
    lines = r.stdout.splitlines()
    expect(any(re.match(r"dut2\s+running\s+" + re.escape(run_id), l) for l in lines), r.stdout)
    expect(re.match(r"dut2\s+idle\s+" + re.escape(run_id) + r"\s+finished: PASS", lines[-1]), r.stdout)
    expect(len(lines) == len(set(lines)), f"watch repeated a line: {lines}")

    r = b.cb("run", "--slot", "dut1", "--profile", b.profile, "--serial", "SN",
             "--param", "power.cycle.off_ms=1500", "--param", "power.cycle.settle_ms=0")
    run_id = r.stdout.strip()
    r = b.cb("watch", "--until-idle", "--json", "--slot", "dut1", timeout=30)
    expect(r.returncode == 0, r.stderr)
    evs = [json.loads(l) for l in r.stdout.splitlines()]
    expect(all(e.get("slot") == "dut1" for e in evs), "watch --slot let other slots through")
    expect(evs[-1]["type"] == "run.finished" and evs[-1]["run_id"] == run_id, evs[-1])
    r = b.cb("watch", "--slot", "nope")
    expect(r.returncode == 2 and "nope" in r.stderr, r.stderr)


def scenario_error(b):
    # Coil 1 is dut1.reset: power-cycling it as the "power" channel hits
    # the simulator's write failure, a bench fault: ERROR, never FAIL.
    r = b.cb("run", "--slot", "dut1", "--profile", b.profile, "--serial", "SN",
             "--param", "power.cycle.channel=dut1.reset", "--param", "power.cycle.off_ms=10", "--wait")
    expect(r.returncode == 2, f"run --wait with a relay fault: rc {r.returncode}\n{r.stdout}{r.stderr}")
    run_id = r.stdout.splitlines()[0]
    r = b.cb("report", run_id, "--format", "junit")
    s, cases = check_junit(r.stdout, run_id, 1, "SN", "dut1")
    expect(cases[0].find("error") is not None and s.get("errors") == "1", r.stdout)


SCENARIOS = {
    "check": (scenario_check, False, None),
    "usage": (scenario_usage, False, None),
    "run": (scenario_run, True, None),
    "follow": (scenario_follow, True, None),
    "abort": (scenario_abort, True, None),
    "watch": (scenario_watch, True, None),
    "error": (scenario_error, True, 1),
}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--certbench", required=True)
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--relaysim", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ARGS = ap.parse_args()
    fn, needs_bench, fail_writes = SCENARIOS[ARGS.scenario]
    if not needs_bench:
        fn()
        print(f"{ARGS.scenario}: ok")
        return 0
    bench = Bench(fail_writes)
    ok = False
    try:
        fn(bench)
        ok = True
    finally:
        bench.close(ok)
    print(f"{ARGS.scenario}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
