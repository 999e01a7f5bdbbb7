#!/usr/bin/python3
"""The relay board dies (SIGKILL of the simulator) in the off phase of a
power.cycle: the case is ERROR (never FAIL) and says the relay is
unreachable; relay.set is refused promptly while the board is down and is
not replayed later; after the simulator is back on the same port a new run
passes."""
import re
import time

from cbharness import Bench, check, log, main, wait_event


def sim_killed_mid_run():
    with Bench(slots=2) as b:
        b.start()
        port = b.sim_port
        sub, _ = b.subscriber()
        rid = b.start_run("dut1", params={"power.cycle": {"off_ms": 1500, "settle_ms": 50}})
        wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.progress"
                   and e["data"]["step"].startswith("off for"), 10, what="'off for' progress")
        b.stop_sim()                      # SIGKILL, in the off phase
        log("simulator killed in the off phase")

        # while the board is down: relay.set is refused, promptly
        t0 = time.monotonic()
        r = b.cmd("relay.set", {"channel": "dut2.power", "on": True}, timeout=10)
        dt = time.monotonic() - t0
        log("relay.set while down: %.3f s -> %r" % (dt, r))
        check(r["ok"] is False, "relay.set succeeded with the board down: %r" % r)
        check(r["error"]["code"] in ("unavailable", "timeout"), "error code %r" % r["error"])
        check("dut2.power" in r["error"]["message"], "message does not name the channel")
        check(dt < 3.0, "relay.set refusal took %.3f s (>= 3 s)" % dt)

        cf = wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.finished", 15,
                        what="case.finished")["data"]
        log("case.finished: %s: %s" % (cf["outcome"], cf["reason"]))
        check(cf["outcome"] == "ERROR", "case outcome %r, expected ERROR (a bench fault is never FAIL)" % cf["outcome"])
        check(re.search(r"unreachable|relay|board", cf["reason"], re.I), "reason %r" % cf["reason"])
        run = b.wait_run(rid)
        check(run["state"] == "FINISHED" and run["outcome"] == "ERROR", "run %r/%r" % (run["state"], run["outcome"]))
        check(run["results"][0]["outcome"] == "ERROR", "result %r" % run["results"][0])

        # the board comes back on the same port; the daemon reconnects
        b.start_sim(port=port)
        check(b.sim_port == port, "simulator came back on %d, not %d" % (b.sim_port, port))
        rid2 = b.start_run("dut1", params={"power.cycle": {"off_ms": 200, "settle_ms": 20}})
        run2 = b.wait_run(rid2)
        log("run after restart: %s %s: %s" % (run2["state"], run2["outcome"], run2["results"][0]["reason"]))
        check(run2["state"] == "FINISHED" and run2["outcome"] == "PASS", "new run %r" % run2)
        r = b.ok("relay.set", {"channel": "dut1.reset", "on": True})
        check(r["on"] is True, "relay.set after restart %r" % r)

        # the refused relay.set was not replayed onto the new board
        ev = b.sim_events()
        log("sim log after restart: %r" % ev)
        check(not [e for e in ev if e[1] == 2], "dut2.power (coil 2) changed after restart: %r" % ev)
        check(b.read_coil_pymodbus(2) == 0, "coil 2 is on")
        check([(c, v) for _, c, v in ev] == [(0, 1), (1, 1)], "unexpected coil changes %r" % ev)
        check(b.daemon.poll() is None, "daemon died")


if __name__ == "__main__":
    main(sim_killed_mid_run)
