#!/usr/bin/python3
"""certbenchd SIGKILLed in the off phase of a run; the power coil is then set
on behind its back (unsafe). On restart with the same state dir the run is
ABORTED (results and evidence kept, a run.finished ABORTED event stored) and
the coil is back at its safe state, as independent clients read it."""
from cbharness import Bench, check, log, main, wait_event


def daemon_sigkill_recovery():
    with Bench(slots=2) as b:
        b.start()
        sub, _ = b.subscriber()
        # two cases: the first finishes (result + evidence stored), the
        # second is in its off phase when the daemon dies
        rid = b.start_run("dut1", cases=["power.cycle", "power.cycle"],
                          params={"power.cycle": {"off_ms": 5000, "settle_ms": 0}})
        wait_event(sub, lambda e: e["run_id"] == rid and e["type"] == "case.progress"
                   and e["data"]["idx"] == 1 and e["data"]["step"].startswith("off for"),
                   30, what="'off for' progress of case 1")
        before = b.ok("run.get", {"run_id": rid})
        check(before["state"] == "RUNNING", "run %r before the kill" % before["state"])
        r0 = before["results"][0]
        check(r0["outcome"] == "PASS" and r0["evidence"], "case 0 before the kill: %r" % r0)
        rc = b.stop_daemon(kill=True)
        log("daemon SIGKILLed in the off phase (rc %s)" % rc)
        check(rc == -9, "daemon exit %r" % rc)

        b.write_coil_pymodbus(0, 1)        # unsafe, behind the daemon's back
        check(b.read_coil_pymodbus(0) == 1, "could not make coil 0 unsafe")
        n_before = len(b.sim_events())

        b.start_daemon()
        # safe again, as two independent clients see it
        pm, mb = b.read_coil_pymodbus(0), b.read_coil_mbpoll(0)
        log("after restart: coil 0 pymodbus=%d mbpoll=%d" % (pm, mb))
        check(pm == 0 and mb == 0, "dut1.power not safe after restart: pymodbus %d mbpoll %d" % (pm, mb))
        after = [(c, v) for _, c, v in b.sim_events()[n_before:]]
        check(after == [(0, 0)], "coil changes after restart %r, expected [(0, 0)]" % after)

        run = b.ok("run.get", {"run_id": rid})
        log("recovered run: state %s outcome %s reason %r results %r" %
            (run["state"], run["outcome"], run["reason"], [(x["case"], x["outcome"]) for x in run["results"]]))
        check(run["state"] == "ABORTED" and run["outcome"] == "ABORTED", "run %r/%r" % (run["state"], run["outcome"]))
        check(run["finished"], "run has no finish time")
        k0 = run["results"][0]
        check(k0["outcome"] == "PASS" and k0["reason"] == r0["reason"] and
              k0["measurements"] == r0["measurements"], "case 0 result changed: %r vs %r" % (k0, r0))
        check(k0["evidence"] == r0["evidence"], "evidence list changed: %r vs %r" % (k0["evidence"], r0["evidence"]))
        evd = b.ok("evidence.get", {"id": r0["evidence"][0]["id"]})
        check(evd["name"] == "power-timeline.json" and evd["size"] == r0["evidence"][0]["size"], "evidence %r" % evd)
        if len(run["results"]) > 1:
            check(run["results"][1]["outcome"] in ("ABORTED", None), "case 1 result %r" % run["results"][1])

        evs = b.events_since(0)
        seqs = [e["seq"] for e in evs]
        check(seqs == list(range(1, len(seqs) + 1)), "seq gap across the crash")
        fin = [e for e in evs if e["type"] == "run.finished" and e["run_id"] == rid]
        check(len(fin) == 1 and fin[0]["data"]["state"] == "ABORTED" and fin[0]["data"]["outcome"] == "ABORTED",
              "run.finished events for the run: %r" % fin)
        starts = [e for e in evs if e["type"] == "daemon.started"]
        check(len(starts) == 2 and rid in starts[1]["data"]["recovered_runs"], "daemon.started %r" % starts)
        check(fin[0]["seq"] > starts[0]["seq"], "run.finished before the first start?")
        st = b.ok("status")
        check(st["slots"][0]["state"] == "idle", "slot %r" % st["slots"][0])
        # a second restart does not recover it again
        b.stop_daemon()
        b.start_daemon()
        evs2 = b.events_since(seqs[-1])
        st2 = [e for e in evs2 if e["type"] == "daemon.started"]
        check(st2 and st2[-1]["data"]["recovered_runs"] == [], "second restart recovered %r" % st2)
        check(not [e for e in evs2 if e["type"] == "run.finished"], "run.finished repeated")


if __name__ == "__main__":
    main(daemon_sigkill_recovery)
