"""bt.pairing (D-4) end to end on this host.

btvirt -s runs in its own mount namespace (its socket paths under /tmp are
fixed; a second instance would steal another's sockets), reached through
/proc/PID/root/tmp/bt-server-bredr. certbench-bt-dut plays the DUT on one
emulated controller; the real certbenchd, with a fixture radio on the same
socket and the relay simulator for power, runs bt.pairing through
`certbench run --wait`. The evidence btsnoop must open in btmon and
tshark, and tshark must agree with us on IO capabilities and key type.

Usage: test_bt_pairing.py legacy-pin | ssp-just-works | ssp-numeric-comparison | abort
Exit 77 (skip) without btvirt or unshare.
"""

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

from cbharness import Bench, TestFailure, check, dl, log, wait_event, SCALE

CERTBENCH = os.environ.get("CERTBENCH", "certbench")
BT_DUT = os.environ.get("CERTBENCH_BT_DUT", "certbench-bt-dut")


def skip(why):
    print("SKIP: " + why, flush=True)
    sys.exit(77)


class Btvirt:
    def __init__(self):
        self.proc = None
        self.socket = None

    def start(self, timeout=10):
        # unshare and sh exec in place: the pid is btvirt's.
        self.proc = subprocess.Popen(["unshare", "--mount", "sh", "-c",
                                      "mount -t tmpfs x /tmp && exec btvirt -s"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.socket = "/proc/%d/root/tmp/bt-server-bredr" % self.proc.pid
        end = dl(timeout)
        while not os.path.exists(self.socket):
            rc = self.proc.poll()
            if rc is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                skip("btvirt -s in a private mount namespace did not start (rc %s): %s" % (rc, err.strip()))
            check(time.monotonic() < end, "btvirt: no %s within %ss" % (self.socket, timeout))
            time.sleep(0.01)
        return self.socket

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


class Dut:
    def __init__(self, socket, mode, pin=None):
        argv = [BT_DUT, "--interface", "unix:" + socket, "--mode", mode]
        if pin:
            argv += ["--pin", pin]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = []

    def ready(self, timeout=10):
        end = dl(timeout)
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = end - time.monotonic()
            check(left > 0, "bt-dut: no READY within %ss" % timeout)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.proc.wait(5)
                    raise TestFailure("bt-dut exited before READY (rc=%s): %s" %
                                      (self.proc.returncode, self.proc.stderr.read().decode(errors="replace")))
                buf += chunk
        line = buf.split(b"\n")[0].decode()
        check(line.startswith("READY bdaddr="), "bt-dut: unexpected first line %r" % line)
        return line.split()[1].split("=", 1)[1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        out = self.proc.stdout.read().decode(errors="replace")
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stdout.close()
        self.proc.stderr.close()
        return out, err


class BtBench(Bench):
    def __init__(self, socket):
        super().__init__(slots=1)
        self.bt_socket = socket

    def fixture_text(self):
        text = super().fixture_text()
        head, slots = text.split("\nslots:\n")
        return (head + "\nradios:\n  - name: bt0\n    kind: bluetooth\n"
                "    interface: \"unix:%s\"\n\nslots:\n" % self.bt_socket + slots +
                "    radios: [bt0]\n")


def profile(b, mode, address, pin):
    pairing = {"legacy-pin": "legacy-pin", "ssp-just-works": "ssp",
               "ssp-numeric-comparison": "ssp"}[mode]
    io = {"legacy-pin": "keyboard-only", "ssp-just-works": "display-yes-no",
          "ssp-numeric-comparison": "display-yes-no"}[mode]
    path = os.path.join(b.tmp, "profile-%s.yaml" % mode)
    lines = ["model: BT DUT", "manufacturer: certbench tests", 'firmware_version: "1.0"',
             "radios:", "  bluetooth:", "    modes: [br-edr]", "    pairing: %s" % pairing,
             "    io_capability: %s" % io]
    if address:
        lines.append("    address: %s" % address)
    if pin:
        lines.append('    pin: "%s"' % pin)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def tshark_fields(path):
    """Per frame: IO capabilities and link key types tshark decodes."""
    p = subprocess.run(["tshark", "-r", path, "-T", "fields", "-E", "separator=|",
                        "-e", "frame.number", "-e", "bthci_evt.code", "-e", "bthci_cmd.opcode",
                        "-e", "bthci_evt.io_capability", "-e", "bthci_cmd.io_capability",
                        "-e", "bthci_evt.key_type"],
                       capture_output=True, text=True, timeout=60 * SCALE)
    check(p.returncode == 0, "tshark -r failed rc=%d: %s" % (p.returncode, p.stderr))
    evt_io, cmd_io, keys = [], [], []
    for line in p.stdout.splitlines():
        f = line.split("|")
        if len(f) < 6:
            continue
        if f[3]:
            evt_io.append(int(f[3], 0))
        if f[4]:
            cmd_io.append(int(f[4], 0))
        if f[5]:
            keys.append(int(f[5], 0))
    return evt_io, cmd_io, keys, p.stdout


def run_abort():
    """No DUT: the case sits in its inquiry; run.abort ends it within
    500 ms (scaled) as ABORTED, the trace so far kept as evidence."""
    bv = Btvirt()
    try:
        sock = bv.start()
        with BtBench(sock) as b:
            b.start()
            prof = profile(b, "ssp-just-works", None, None)
            sub, _ = b.subscriber()
            rid = b.ok("run.start", {"slot": "dut1", "profile": prof, "serial": "SN-BT-ABORT",
                                     "cases": ["bt.pairing"], "params": {"bt.pairing": {"inquiry_s": 30}}})["run_id"]
            wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.progress"
                       and e["data"]["step"].startswith("inquiry"), 10 * SCALE, what="inquiry progress")
            t0 = time.monotonic()
            b.ok("run.abort", {"run_id": rid})
            cf = wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.finished", 10 * SCALE,
                            what="case.finished")
            lat = (time.monotonic() - t0) * 1000.0
            log("abort during inquiry: case.finished %s after %.1f ms" % (cf["data"]["outcome"], lat))
            check(cf["data"]["outcome"] == "ABORTED", "outcome %r" % cf["data"]["outcome"])
            check(lat < 500 * SCALE, "abort took %.1f ms" % lat)
            run = b.wait_run(rid)
            names = [e["name"] for e in run["results"][0]["evidence"]]
            check("bt-pairing.btsnoop" in names, "no trace kept on abort: %r" % names)
    finally:
        bv.stop()


def run_scenario(mode):
    for tool in ("btvirt", "unshare"):
        if not shutil.which(tool):
            skip("%s not installed" % tool)
    bv = Btvirt()
    dut = None
    try:
        sock = bv.start()
        with BtBench(sock) as b:
            b.start()
            pin = "1234" if mode == "legacy-pin" else None
            dut = Dut(sock, mode, pin)
            addr = dut.ready()
            log("DUT", mode, addr)
            # legacy: declare the address and a different PIN; SSP Just
            # Works: let the case find the DUT by inquiry.
            prof = profile(b, mode, None if mode == "ssp-just-works" else addr,
                           "9876" if mode == "legacy-pin" else None)
            t0 = time.monotonic()
            r = subprocess.run([CERTBENCH, "--config", b.config, "--timeout", str(30 * SCALE), "run",
                                "--slot", "dut1", "--profile", prof, "--serial", "SN-BT",
                                "--case", "bt.pairing", "--param", "bt.pairing.timeout_s=30", "--wait"],
                               capture_output=True, text=True, timeout=150 * SCALE)
            log("certbench run --wait (%.2f s):\n%s%s" % (time.monotonic() - t0, r.stdout, r.stderr))
            run_id = r.stdout.splitlines()[0] if r.stdout else ""
            check(run_id, "no run id: %r %r" % (r.stdout, r.stderr))
            run = b.ok("run.get", {"run_id": run_id})
            res = run["results"][0]
            ev = {e["name"]: e for e in res["evidence"]}
            check("bt-pairing.json" in ev and "bt-pairing.btsnoop" in ev, "evidence: %r" % list(ev))
            doc = json.loads(base64.b64decode(b.ok("evidence.get", {"id": ev["bt-pairing.json"]["id"]})["data_base64"]))
            log(json.dumps(doc, indent=2))
            snoop = b.ok("evidence.get", {"id": ev["bt-pairing.btsnoop"]["id"]})
            check(snoop["media_type"] == "application/octet-stream", "btsnoop media type %r" % snoop["media_type"])
            path = os.path.join(b.tmp, "evidence.btsnoop")
            with open(path, "wb") as f:
                f.write(base64.b64decode(snoop["data_base64"]))
            reason = res.get("reason") or ""
            outcome = res["outcome"]
            p = doc.get("pairing") or {}
            feats = doc.get("features") or {}
            check(feats.get("page0"), "no features page 0: %r" % feats)

            if mode == "legacy-pin":
                check(outcome == "FAIL", "legacy: outcome %s (%s)" % (outcome, reason))
                check(p.get("method") == "legacy-pin", "legacy: method %r" % p.get("method"))
                check(doc.get("pin_accepted") == "1234", "legacy: pin_accepted %r" % doc.get("pin_accepted"))
                tried = [t["pin"] for t in doc["pins_tried"]]
                check(tried[0] == "9876" and "1234" in tried, "legacy: pins tried %r" % tried)
                check(not doc["pins_tried"][0]["accepted"], "the declared (wrong) PIN was accepted?")
                check("1234" in reason and "legacy" in reason, "legacy: reason %r" % reason)
                check(feats.get("ssp_host") is False, "legacy DUT: ssp_host %r" % feats.get("ssp_host"))
            else:
                check(p.get("method") == "ssp", "ssp: method %r" % p.get("method"))
                want = "just-works" if mode == "ssp-just-works" else "numeric-comparison"
                check(p.get("association_model") == want, "association model %r, expected %s" %
                      (p.get("association_model"), want))
                check(outcome == "FAIL", "ssp under latest: outcome %s" % outcome)
                check("P-192" in reason and "Secure Connections" in reason, "ssp: reason %r" % reason)
                check(p.get("key_type") in (4, 5), "key type %r" % p.get("key_type"))
                dut_io = p["dut_io"]["io_capability"]
                check(dut_io == (3 if mode == "ssp-just-works" else 1), "DUT io %r" % dut_io)
                check(feats.get("ssp_host") is True, "ssp_host %r" % feats.get("ssp_host"))
                if mode == "ssp-just-works":
                    check(doc.get("just_works_on_io_capable_dut") is True, "JW on display-yes-no DUT not noted")

            # Independent readers.
            bm = subprocess.run(["btmon", "-r", path], capture_output=True, text=True, timeout=60 * SCALE)
            check(bm.returncode == 0 and "Authentication Requested" in bm.stdout,
                  "btmon -r: rc %d: %s" % (bm.returncode, (bm.stdout + bm.stderr)[-2000:]))
            if shutil.which("tshark"):
                evt_io, cmd_io, keys, raw = tshark_fields(path)
                if mode == "legacy-pin":
                    check("0x0016" in raw or "0x16" in raw, "tshark sees no PIN Code Request")
                else:
                    check(p["dut_io"]["io_capability"] in evt_io,
                          "tshark IO capabilities (events) %r, ours %r" % (evt_io, p["dut_io"]))
                    check(p["bench_io"]["io_capability"] in cmd_io,
                          "tshark IO capabilities (commands) %r, ours %r" % (cmd_io, p["bench_io"]))
                    check(p["key_type"] in keys, "tshark link key types %r, ours %r" % (keys, p["key_type"]))
            else:
                log("tshark not installed: the tshark cross-check is skipped")
            log("OK", mode, outcome, reason)
    finally:
        if dut:
            out, err = dut.stop()
            log("---- bt-dut ----\n" + out + err)
        bv.stop()


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("legacy-pin", "ssp-just-works", "ssp-numeric-comparison",
                                                  "abort"):
        print(__doc__)
        return 2
    for tool in ("btvirt", "unshare"):
        if not shutil.which(tool):
            skip("%s not installed" % tool)
    try:
        if sys.argv[1] == "abort":
            run_abort()
        else:
            run_scenario(sys.argv[1])
    except TestFailure as e:
        log("FAIL:", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
