#!/usr/bin/python3
"""run.abort in the off phase of a 10 s power.cycle: case.finished ABORTED
arrives within 100 ms, the run is ABORTED, and the power stays safe (off)."""
import time

from cbharness import Bench, check, log, main, wait_event

LIMIT_MS = 100.0


def abort_latency():
    with Bench(slots=2) as b:
        b.start()
        b.ok("relay.set", {"channel": "dut1.power", "on": True})
        sub, _ = b.subscriber()
        rid = b.start_run("dut1", params={"power.cycle": {"off_ms": 10000}})
        wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.progress"
                   and e["data"]["step"].startswith("off for"), 10, what="'off for' progress")
        t0 = time.monotonic()
        r = b.ok("run.abort", {"run_id": rid})
        t_reply = time.monotonic()
        check(r == {"run_id": rid, "aborted": True}, "abort reply %r" % r)
        seen = []
        cf = wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.finished", 10,
                        collected=seen, what="case.finished")
        t1 = time.monotonic()
        lat = (t1 - t0) * 1000.0
        log("abort latency: %.3f ms to case.finished (reply after %.3f ms); outcome %s: %s" %
            (lat, (t_reply - t0) * 1000.0, cf["data"]["outcome"], cf["data"]["reason"]))
        check(cf["data"]["outcome"] == "ABORTED", "case outcome %r" % cf["data"]["outcome"])
        check(lat < LIMIT_MS, "abort latency %.3f ms >= %.0f ms" % (lat, LIMIT_MS))
        rest = []
        wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "run.finished", 10,
                   collected=rest, what="run.finished")
        types = [e["type"] for e in rest if e["run_id"] == rid]
        check(types[-2:] == ["verdict", "run.finished"], "after case.finished: %r" % types)
        check(rest[-1]["data"] == {"state": "ABORTED", "outcome": "ABORTED"}, "run.finished %r" % rest[-1]["data"])
        run = b.wait_run(rid)
        check(run["state"] == "ABORTED" and run["outcome"] == "ABORTED", "run.get %r/%r" % (run["state"], run["outcome"]))
        check(run["results"][0]["outcome"] == "ABORTED", "case result %r" % run["results"][0])
        st = b.ok("status")
        check(st["slots"][0]["state"] == "idle", "slot still %r" % st["slots"][0])

        # safe: the coil is off, and the abort did not switch it back on
        check(b.read_coil_pymodbus(0) == 0, "dut1.power is on after the abort")
        check(b.ok("relay.get", {"channel": "dut1.power"})["on"] is False, "relay.get says on")
        ev = [(c, v) for _, c, v in b.sim_events()]
        check(ev == [(0, 1), (0, 0)], "coil changes %r, expected on (test setup), off (case), nothing after" % ev)
        # and the slot takes a new run
        rid2 = b.start_run("dut1", params={"power.cycle": {"off_ms": 50, "settle_ms": 0}})
        check(b.wait_run(rid2)["outcome"] == "PASS", "run after abort did not pass")


if __name__ == "__main__":
    main(abort_latency)
