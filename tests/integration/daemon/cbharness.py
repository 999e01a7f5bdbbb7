"""Shared harness for certbenchd host integration tests.

Starts the real relay simulator and the real daemon in a fresh temp dir
(ipc endpoints inside it), talks to the daemon over ZeroMQ and reads the
simulator's coil log. Every wait is "until this line/event or a deadline";
the only sleeps are short poll intervals inside such waits.

Usage:
    with Bench(slots=2) as b:
        b.start()                 # sim + fixture + config + daemon
        b.cmd("ping")

Binary paths come from the environment (set by CMakeLists.txt):
CERTBENCHD, CERTBENCH_RELAYSIM, CERTBENCH_SRCDIR. DEADLINE_SCALE (float)
stretches every deadline, e.g. for sanitizer builds.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import zmq

DAEMON = os.environ.get("CERTBENCHD", "certbenchd")
SIM = os.environ.get("CERTBENCH_RELAYSIM", "certbench-relaysim")
SRCDIR = os.environ.get("CERTBENCH_SRCDIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCALE = float(os.environ.get("DEADLINE_SCALE", "1"))
PROFILE = os.path.join(SRCDIR, "fixtures", "profiles", "example-smartplug.yaml")


def dl(seconds):
    """An absolute deadline `seconds` (scaled) from now, monotonic."""
    return time.monotonic() + seconds * SCALE


def log(*a):
    print(*a, flush=True)


class TestFailure(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise TestFailure(what)


class Bench:
    def __init__(self, slots=2, coils=None, max_message_bytes=65536, heartbeat_s=1):
        self.n_slots = slots
        self.coils = coils if coils is not None else max(4, 2 * slots)
        self.max_message_bytes = max_message_bytes
        self.heartbeat_s = heartbeat_s
        self.tmp = tempfile.mkdtemp(prefix="cbitest-")
        self.sim = None
        self.sim_port = 0
        self.sim_log = None
        self.sim_logs = []
        self.daemon = None
        self.daemon_log = None
        self._daemon_log_f = None
        self._daemon_starts = 0
        self.ctx = zmq.Context()
        self.sockets = []
        self._dealer = None
        self._next_id = 1
        self.config = None
        self.fixture = None

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if et is not None:
            for i in range(1, self._daemon_starts + 1):
                path = os.path.join(self.tmp, "daemon%d.log" % i)
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        tail = f.read().decode(errors="replace")[-4000:]
                    log("---- %s (tail) ----\n%s" % (os.path.basename(path), tail))
        problems = self.close()
        if et is None and problems:
            raise TestFailure("after the test: " + "; ".join(problems))
        return False

    def close(self):
        """Stops everything, removes the temp dir; returns problems found
        on the way out (sanitizer reports, a daemon that did not exit 0)."""
        problems = []
        try:
            for s in self.sockets:
                try:
                    s.close(linger=0)
                except Exception:
                    pass
            self.sockets = []
            self.ctx.term()
        finally:
            try:
                rc = self.stop_daemon(kill=False)
                if rc not in (None, 0):
                    problems.append("certbenchd exited %r on SIGTERM at teardown" % (rc,))
                for i in range(1, self._daemon_starts + 1):
                    path = os.path.join(self.tmp, "daemon%d.log" % i)
                    if os.path.exists(path):
                        with open(path, "rb") as f:
                            text = f.read().decode(errors="replace")
                        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
                            if marker in text:
                                problems.append("%s in %s:\n%s" % (marker, os.path.basename(path),
                                                                      text[max(0, text.index(marker) - 200):][:3000]))
            finally:
                try:
                    self.stop_sim()
                finally:
                    if os.environ.get("KEEP_TMP"):
                        log("keeping", self.tmp)
                    else:
                        shutil.rmtree(self.tmp, ignore_errors=True)
        return problems

    def start(self, **kw):
        self.start_sim()
        self.write_fixture()
        self.write_config(**kw)
        self.start_daemon()
        return self

    # ---------------------------------------------------------------- simulator
    def start_sim(self, port=0, timeout=10):
        """Starts the relay simulator (on `port`, 0 = a free one), waits for READY."""
        n = len(self.sim_logs)
        self.sim_log = os.path.join(self.tmp, "sim%d.log" % n)
        self.sim_logs.append(self.sim_log)
        self.sim = subprocess.Popen([SIM, "--port", str(port), "--coils", str(self.coils),
                                     "--log", self.sim_log, "--realtime"],
                                    stdout=subprocess.PIPE, stderr=None)
        end = dl(timeout)
        buf = b""
        fd = self.sim.stdout.fileno()
        while b"\n" not in buf:
            left = end - time.monotonic()
            check(left > 0, "relaysim: no READY line within %ss" % timeout)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                check(chunk, "relaysim exited before READY (rc=%s)" % self.sim.poll())
                buf += chunk
        line = buf.split(b"\n")[0].decode()
        check(line.startswith("READY port="), "relaysim: unexpected first line %r" % line)
        self.sim_port = int(line.split("=", 1)[1])
        return self.sim_port

    def stop_sim(self, sig=signal.SIGKILL):
        if self.sim and self.sim.poll() is None:
            self.sim.send_signal(sig)
            try:
                self.sim.wait(10)
            except subprocess.TimeoutExpired:
                self.sim.kill()
                self.sim.wait()
        if self.sim and self.sim.stdout:
            self.sim.stdout.close()
        self.sim = None

    def sim_events(self, path=None):
        """[(t_usec, coil, value)] from a simulator log (default: the current one)."""
        out = []
        with open(path or self.sim_log) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3:
                    continue
                out.append((int(parts[0]), int(parts[1].split("=")[1]), int(parts[2].split("=")[1])))
        return out

    def wait_sim(self, pred, timeout=5, what="sim log condition"):
        end = dl(timeout)
        while True:
            ev = self.sim_events()
            if pred(ev):
                return ev
            check(time.monotonic() < end, "timeout waiting for %s; sim log: %r" % (what, ev[-10:]))
            time.sleep(0.005)

    # ------------------------------------------------------- independent clients
    def read_coil_pymodbus(self, coil):
        from pymodbus.client import ModbusTcpClient
        c = ModbusTcpClient("127.0.0.1", port=self.sim_port, timeout=3)
        try:
            check(c.connect(), "pymodbus: cannot connect to the simulator")
            r = c.read_coils(coil, 1, slave=1)
            check(not r.isError(), "pymodbus read_coils error: %r" % r)
            return int(bool(r.bits[0]))
        finally:
            c.close()

    def write_coil_pymodbus(self, coil, value):
        from pymodbus.client import ModbusTcpClient
        c = ModbusTcpClient("127.0.0.1", port=self.sim_port, timeout=3)
        try:
            check(c.connect(), "pymodbus: cannot connect to the simulator")
            r = c.write_coil(coil, bool(value), slave=1)
            check(not r.isError(), "pymodbus write_coil error: %r" % r)
        finally:
            c.close()

    def read_coil_mbpoll(self, coil):
        p = subprocess.run(["mbpoll", "-0", "-m", "tcp", "-a", "1", "-t", "0", "-r", str(coil),
                            "-c", "1", "-1", "-p", str(self.sim_port), "127.0.0.1"],
                           capture_output=True, text=True, timeout=10 * SCALE)
        check(p.returncode == 0, "mbpoll failed rc=%d: %s %s" % (p.returncode, p.stdout, p.stderr))
        for line in p.stdout.splitlines():
            line = line.strip()
            if line.startswith("[%d]:" % coil):
                return int(line.split(":", 1)[1].strip())
        raise TestFailure("mbpoll: no value line for coil %d in %r" % (coil, p.stdout))

    # ------------------------------------------------------------ fixture/config
    def fixture_text(self):
        lines = ["# generated by tests/integration/daemon/cbharness.py",
                 "bench: itest-bench", "", "relays:", "  - name: relay1",
                 "    kind: modbus-tcp", "    host: 127.0.0.1",
                 "    port: %d" % self.sim_port, "    unit: 1", "    timeout_ms: 500",
                 "    channels:"]
        for i in range(self.n_slots):
            lines.append("      - { name: dut%d.power, coil: %d, safe: off }" % (i + 1, 2 * i))
            lines.append("      - { name: dut%d.reset, coil: %d }" % (i + 1, 2 * i + 1))
        lines += ["", "slots:"]
        for i in range(self.n_slots):
            lines += ["  - name: dut%d" % (i + 1), "    power: dut%d.power" % (i + 1),
                      "    reset: dut%d.reset" % (i + 1)]
        return "\n".join(lines) + "\n"

    def write_fixture(self, text=None, name="bench.yaml"):
        self.fixture = os.path.join(self.tmp, name)
        with open(self.fixture, "w") as f:
            f.write(text if text is not None else self.fixture_text())
        return self.fixture

    def write_config(self, fixture_name=None, name="certbenchd.yaml"):
        self.state_dir = os.path.join(self.tmp, "state")
        os.makedirs(self.state_dir, exist_ok=True)
        self.cmd_ep = "ipc://%s/command" % self.tmp
        self.ev_ep = "ipc://%s/events" % self.tmp
        self.config = os.path.join(self.tmp, name)
        with open(self.config, "w") as f:
            f.write("bench_fixture: %s\n" % (fixture_name or os.path.basename(self.fixture)))
            f.write("state_dir: %s\n" % self.state_dir)
            f.write("command_endpoint: %s\n" % self.cmd_ep)
            f.write("event_endpoint: %s\n" % self.ev_ep)
            f.write("max_message_bytes: %d\n" % self.max_message_bytes)
            f.write("heartbeat_s: %d\n" % self.heartbeat_s)
        return self.config

    # ------------------------------------------------------------------- daemon
    def start_daemon(self, timeout=15):
        """Starts certbenchd, waits for its "ready:" line on stderr, then a ping."""
        self._daemon_starts += 1
        self.daemon_log = os.path.join(self.tmp, "daemon%d.log" % self._daemon_starts)
        self._daemon_log_f = open(self.daemon_log, "wb")
        self.daemon = subprocess.Popen([DAEMON, "-c", self.config], stdout=self._daemon_log_f,
                                       stderr=subprocess.STDOUT)
        end = dl(timeout)
        while True:
            with open(self.daemon_log, "rb") as f:
                text = f.read().decode(errors="replace")
            if "ready:" in text:
                break
            rc = self.daemon.poll()
            check(rc is None, "certbenchd exited rc=%s before ready:\n%s" % (rc, text))
            check(time.monotonic() < end, "certbenchd: no ready line within %ss:\n%s" % (timeout, text))
            time.sleep(0.01)
        self.reset_dealer()
        r = self.cmd("ping", timeout=timeout)
        check(r["ok"] and r["result"]["pong"] is True, "ping after ready failed: %r" % r)
        return self.daemon

    def daemon_output(self):
        if not self.daemon_log or not os.path.exists(self.daemon_log):
            return ""
        with open(self.daemon_log, "rb") as f:
            return f.read().decode(errors="replace")

    def stop_daemon(self, kill=False, timeout=15):
        """SIGKILL (kill=True) or SIGTERM; returns the exit code."""
        rc = None
        if self.daemon:
            if self.daemon.poll() is None:
                self.daemon.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
                try:
                    rc = self.daemon.wait(timeout * SCALE)
                except subprocess.TimeoutExpired:
                    self.daemon.kill()
                    self.daemon.wait()
                    rc = "hung"
            else:
                rc = self.daemon.returncode
            self.daemon = None
        if self._daemon_log_f:
            self._daemon_log_f.close()
            self._daemon_log_f = None
        return rc

    # ---------------------------------------------------------------- commands
    def socket(self, kind):
        s = self.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        self.sockets.append(s)
        return s

    def dealer(self):
        s = self.socket(zmq.DEALER)
        s.connect(self.cmd_ep)
        return s

    def reset_dealer(self):
        if self._dealer is not None:
            self._dealer.close(linger=0)
            self.sockets.remove(self._dealer)
        self._dealer = self.dealer()

    def cmd(self, cmd, args=None, timeout=10, sock=None):
        """Sends one request over a DEALER, returns the reply with our id."""
        s = sock or self._dealer
        rid = self._next_id
        self._next_id += 1
        req = {"id": rid, "cmd": cmd}
        if args is not None:
            req["args"] = args
        s.send(json.dumps(req).encode())
        end = dl(timeout)
        while True:
            left = end - time.monotonic()
            check(left > 0, "no reply to %s %r within %ss" % (cmd, args, timeout))
            if s.poll(int(left * 1000) + 1):
                rep = json.loads(s.recv())
                if rep.get("id") == rid:
                    return rep

    def ok(self, cmd, args=None, timeout=10):
        r = self.cmd(cmd, args, timeout)
        check(r.get("ok") is True, "%s %r failed: %r" % (cmd, args, r))
        return r["result"]

    def events_since(self, seq=0, page=10000):
        """Every stored event after `seq`, paged."""
        out = []
        while True:
            res = self.ok("events.since", {"seq": seq, "limit": page}, timeout=30)
            evs = res["events"]
            if not evs:
                return out
            out += evs
            seq = evs[-1]["seq"]

    def wait_run(self, run_id, timeout=30):
        end = dl(timeout)
        while True:
            run = self.ok("run.get", {"run_id": run_id})
            if run["state"] in ("FINISHED", "ABORTED"):
                return run
            check(time.monotonic() < end, "run %s not finished within %ss: %r" % (run_id, timeout, run))
            time.sleep(0.02)

    def start_run(self, slot, cases=("power.cycle",), params=None, serial="SN-ITEST"):
        args = {"slot": slot, "profile": PROFILE, "serial": serial, "cases": list(cases)}
        if params is not None:
            args["params"] = params
        return self.ok("run.start", args)["run_id"]

    # ------------------------------------------------------------------ events
    def subscriber(self, topic=b"", timeout=10):
        """A SUB socket that is known to receive: waits for a heartbeat."""
        s = self.socket(zmq.SUB)
        s.setsockopt(zmq.RCVHWM, 0)
        s.setsockopt(zmq.SUBSCRIBE, topic)
        if topic:
            s.setsockopt(zmq.SUBSCRIBE, b"heartbeat")
        s.connect(self.ev_ep)
        pending = []
        end = dl(timeout)
        while True:
            ev = recv_event(s, end)
            check(ev is not None, "subscriber got no heartbeat within %ss" % timeout)
            pending.append(ev)
            if ev["type"] == "heartbeat":
                return s, pending


def recv_event(sock, deadline):
    """One event (dict) from a SUB socket, or None at the deadline."""
    left = deadline - time.monotonic()
    if left <= 0 or not sock.poll(int(left * 1000) + 1):
        return None
    frames = sock.recv_multipart()
    check(len(frames) == 2, "event with %d frames" % len(frames))
    ev = json.loads(frames[1])
    check(frames[0].decode() == ev["type"], "topic %r != type %r" % (frames[0], ev["type"]))
    return ev


def wait_event(sock, pred, timeout, collected=None, what="event"):
    end = dl(timeout)
    while True:
        ev = recv_event(sock, end)
        check(ev is not None, "timeout (%ss) waiting for %s" % (timeout * SCALE, what))
        if collected is not None:
            collected.append(ev)
        if pred(ev):
            return ev


def main(fn):
    """Runs a test function with a fresh Bench-free signature fn(); exits 0/1."""
    t0 = time.monotonic()
    try:
        fn()
    except Exception:
        import traceback
        traceback.print_exc()
        log("FAIL %s (%.1f s)" % (fn.__name__, time.monotonic() - t0))
        sys.exit(1)
    log("PASS %s (%.1f s)" % (fn.__name__, time.monotonic() - t0))
    sys.exit(0)
