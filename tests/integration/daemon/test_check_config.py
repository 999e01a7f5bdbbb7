#!/usr/bin/python3
"""certbenchd --check-config: 0 on a good config, non-zero with file:line:col
on stderr when the fixture has an error."""
import os
import re
import subprocess

from cbharness import Bench, DAEMON, SRCDIR, check, log, main, SCALE


def run(cfg):
    p = subprocess.run([DAEMON, "--check-config", "-c", cfg], capture_output=True, text=True,
                       timeout=30 * SCALE)
    log("$ certbenchd --check-config -c %s -> rc=%d\n  stdout: %s\n  stderr: %s" %
        (os.path.basename(cfg), p.returncode, p.stdout.strip(), p.stderr.strip()))
    return p


def check_config():
    with Bench(slots=2) as b:
        b.sim_port = 1502       # no simulator needed: the check does no I/O
        b.write_fixture()
        good = b.write_config()
        p = run(good)
        check(p.returncode == 0, "good config: rc %d" % p.returncode)
        check("ok" in p.stdout, "good config: no 'ok' on stdout")
        check(not os.listdir(b.state_dir), "check-config wrote into the state dir: %r" % os.listdir(b.state_dir))

        # the shipped example fixture is good too
        shipped = os.path.join(b.tmp, "shipped.yaml")
        with open(shipped, "w") as f:
            f.write("bench_fixture: %s\nstate_dir: %s\ncommand_endpoint: ipc://%s/c\nevent_endpoint: ipc://%s/e\n" %
                    (os.path.join(SRCDIR, "fixtures", "modbus-bench.yaml"), b.state_dir, b.tmp, b.tmp))
        check(run(shipped).returncode == 0, "shipped fixture rejected")

        text = b.fixture_text()
        broken = {
            # name: (fixture text, line the error must point at (1-based))
            "unknown channel in slot": (text.replace("    power: dut2.power", "    power: dut9.power"), None),
            "coil not a number": (text.replace("coil: 2,", "coil: two,"), None),
            "bad YAML": (text.replace("  - name: relay1", "  - name: [relay1"), None),
            "unknown key": (text.replace("    unit: 1", "    unit: 1\n    colour: red"), None),
        }
        for name, (ftext, _) in broken.items():
            fname = "broken-%s.yaml" % name.replace(" ", "-")
            b.write_fixture(ftext, name=fname)
            cfg = b.write_config(name="cfg-%s.yaml" % name.replace(" ", "-"))
            p = run(cfg)
            check(p.returncode != 0, "%s: rc 0" % name)
            m = re.search(re.escape(fname) + r":(\d+):(\d+)", p.stderr)
            check(m, "%s: no %s:line:col on stderr: %r" % (name, fname, p.stderr))
            line = int(m.group(1))
            lines = ftext.splitlines()
            check(1 <= line <= len(lines), "%s: line %d outside the file" % (name, line))
            log("  -> points at line %d: %r" % (line, lines[line - 1]))

        # the error line points at the offending node
        b.write_fixture(text.replace("    power: dut2.power", "    power: dut9.power"), name="bad-slot.yaml")
        p = run(b.write_config(name="cfg-bad-slot.yaml"))
        m = re.search(r"bad-slot\.yaml:(\d+):(\d+)", p.stderr)
        want = text.splitlines().index("    power: dut2.power") + 1
        check(m and int(m.group(1)) == want, "unknown channel: line %s, expected %d" % (m and m.group(1), want))
        check("dut9.power" in p.stderr, "message does not name dut9.power")

        # a config file with an error of its own
        cfg = os.path.join(b.tmp, "cfg-bad-key.yaml")
        with open(cfg, "w") as f:
            f.write("bench_fixture: bench.yaml\nstate_dir: %s\nheartbeat_s: often\n" % b.state_dir)
        p = run(cfg)
        check(p.returncode != 0, "config error: rc 0")
        check(re.search(r"cfg-bad-key\.yaml:3:\d+", p.stderr), "config error: no file:3:col in %r" % p.stderr)

        # a missing fixture file
        cfg = os.path.join(b.tmp, "cfg-missing.yaml")
        with open(cfg, "w") as f:
            f.write("bench_fixture: nope.yaml\nstate_dir: %s\n" % b.state_dir)
        p = run(cfg)
        check(p.returncode != 0 and "nope.yaml" in p.stderr, "missing fixture: rc %d %r" % (p.returncode, p.stderr))


if __name__ == "__main__":
    main(check_config)
