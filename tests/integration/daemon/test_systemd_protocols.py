#!/usr/bin/python3
"""certbenchd under systemd, with the two protocols it speaks itself: the
notify socket (READY=1, WATCHDOG=1 at the asked interval, STOPPING=1 on
SIGTERM) and the journal's native socket (entries with RUN_ID=, SLOT=,
DUT_SERIAL=, CASE= while a run goes). Both peers are plain unix datagram
sockets bound by this test, which is what systemd offers the daemon."""
import os
import socket
import struct
import subprocess
import time

from cbharness import Bench, check, dl, log, main, SCALE, DAEMON


def parse_journal(datagram):
    """The journal's native format: KEY=value lines, or KEY\\n le64 value\\n."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode()
            i = nl + 1
        else:
            (n,) = struct.unpack_from("<Q", datagram, nl + 1)
            start = nl + 1 + 8
            fields[line.decode()] = datagram[start:start + n].decode()
            check(datagram[start + n:start + n + 1] == b"\n", "journal field %r not closed" % line)
            i = start + n + 1
    return fields


def systemd_protocols():
    with Bench(slots=1, heartbeat_s=0) as b:
        b.start_sim()
        b.write_fixture()
        b.write_config()
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(b.tmp, "notify"))
        journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        journal.bind(os.path.join(b.tmp, "journal"))
        journal.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(b.tmp, "notify"),
                   JOURNAL_STREAM="8:1234", WATCHDOG_USEC="1000000",
                   CERTBENCH_JOURNAL_SOCKET=os.path.join(b.tmp, "journal"))
        log_path = os.path.join(b.tmp, "daemon-stderr.log")
        with open(log_path, "wb") as lf:
            b.daemon = subprocess.Popen([DAEMON, "-c", b.config], env=env, stdout=lf, stderr=subprocess.STDOUT)
        b.daemon_log = log_path

        def recv(sock, timeout):
            sock.settimeout(max(0.01, timeout))
            return sock.recv(65536)

        # READY=1 once serving; a ping must then be answered.
        end, got = dl(15), []
        while not any(m.startswith(b"READY=1") for m in got):
            check(time.monotonic() < end, "no READY=1 on the notify socket; got %r" % got)
            try:
                got.append(recv(notify, end - time.monotonic()))
            except socket.timeout:
                pass
        log("notify: %r" % got[-1])
        b.reset_dealer()
        check(b.ok("ping")["pong"] is True, "ping after READY=1")

        # WATCHDOG=1 at least twice within 2.5 s (the daemon pings every 1 s).
        t0, dogs = time.monotonic(), 0
        while dogs < 2 and time.monotonic() - t0 < 2.5 * SCALE:
            try:
                if recv(notify, 2.5 * SCALE - (time.monotonic() - t0)) == b"WATCHDOG=1":
                    dogs += 1
            except socket.timeout:
                break
        log("watchdog pings in %.2f s: %d" % (time.monotonic() - t0, dogs))
        check(dogs >= 2, "expected 2 WATCHDOG=1 within 2.5 s, got %d" % dogs)

        # A run: its log entries carry the structured fields.
        rid = b.start_run("dut1", params={"power.cycle": {"off_ms": 50, "settle_ms": 0}}, serial="SN-JOURNAL")
        b.wait_run(rid)
        entries, end = [], dl(10)
        while time.monotonic() < end:
            try:
                entries.append(parse_journal(recv(journal, 0.5)))
            except socket.timeout:
                if any(e.get("RUN_ID") == rid and e.get("CASE") == "power.cycle" for e in entries):
                    break
        ready = [e for e in entries if "ready:" in e.get("MESSAGE", "")]
        check(ready and ready[0]["PRIORITY"] == "6", "no 'ready:' entry at priority 6 in %r" % entries[:5])
        check(ready[0].get("SYSLOG_IDENTIFIER") == "certbenchd", "SYSLOG_IDENTIFIER %r" % ready[0])
        run_entries = [e for e in entries if e.get("RUN_ID") == rid]
        log("journal: %d entries, %d for the run; e.g. %r" % (len(entries), len(run_entries),
                                                               run_entries[-1] if run_entries else None))
        case = [e for e in run_entries if e.get("CASE") == "power.cycle"]
        check(case, "no entry with CASE=power.cycle for the run")
        check(all(e.get("SLOT") == "dut1" and e.get("DUT_SERIAL") == "SN-JOURNAL" for e in run_entries),
              "SLOT/DUT_SERIAL missing on a run entry: %r" % run_entries)
        check(any("PASS" in e["MESSAGE"] for e in case), "no PASS message for the case: %r" % case)

        # SIGTERM: STOPPING=1, then a clean exit.
        b.daemon.terminate()
        end, seen = dl(10), []
        while b"STOPPING=1" not in seen and time.monotonic() < end:
            try:
                seen.append(recv(notify, end - time.monotonic()))
            except socket.timeout:
                break
        check(b"STOPPING=1" in seen, "no STOPPING=1 after SIGTERM: %r" % seen)
        check(b.daemon.wait(10 * SCALE) == 0, "exit status after SIGTERM")
        with open(log_path, "rb") as f:
            stderr = f.read().decode(errors="replace")
        check("ready:" not in stderr, "log went to stderr, not the journal:\n" + stderr[-2000:])


if __name__ == "__main__":
    main(systemd_protocols)
