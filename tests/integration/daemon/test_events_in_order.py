#!/usr/bin/python3
"""Two concurrent power.cycle runs: a SUB subscriber sees every event, in seq
order without gaps, each run's lifecycle in order; the simulator's own clock
shows each power coil off for 200..260 ms."""
from cbharness import Bench, check, log, main, recv_event, dl
import time

OFF_MS = 200


def events_in_order():
    with Bench(slots=2) as b:
        b.start()
        for ch in ("dut1.power", "dut2.power"):
            b.ok("relay.set", {"channel": ch, "on": True})
        sub, seen = b.subscriber()
        params = {"power.cycle": {"off_ms": OFF_MS, "settle_ms": 50}}
        runs = {slot: b.start_run(slot, params=params) for slot in ("dut1", "dut2")}
        finished = set()
        end = dl(30)
        while finished != set(runs.values()):
            ev = recv_event(sub, end)
            check(ev is not None, "runs did not finish; got %d events" % len(seen))
            seen.append(ev)
            if ev["type"] == "run.finished":
                finished.add(ev["run_id"])

        # every event, consecutive seq, from the first one seen
        seqs = [e["seq"] for e in seen]
        check(seqs == list(range(seqs[0], seqs[0] + len(seqs))),
              "subscriber seqs not consecutive: %r" % seqs)
        # and it equals the store's copy of the same range
        stored = b.events_since(seqs[0] - 1)
        stored = [e for e in stored if e["seq"] <= seqs[-1]]
        check(stored == seen, "published events differ from events.since")
        for e in seen:
            check(e["v"] == 1 and e["bench"] == "itest-bench", "bad envelope %r" % e)

        for slot, rid in runs.items():
            evs = [e for e in seen if e.get("run_id") == rid]
            types = [e["type"] for e in evs]
            log(slot, rid, " ".join(types))
            check(all(e["slot"] == slot for e in evs), "%s: event with wrong slot" % slot)
            check(types[:2] == ["run.started", "case.started"], "%s starts with %r" % (slot, types[:2]))
            check(types[-3:] == ["case.finished", "verdict", "run.finished"], "%s ends with %r" % (slot, types[-3:]))
            check(set(types[2:-3]) <= {"case.progress", "relay.changed", "evidence"}, "%s middle %r" % (slot, types))
            steps = [e["data"]["step"] for e in evs if e["type"] == "case.progress"]
            check(any(s.startswith("off for %d ms" % OFF_MS) for s in steps), "%s progress %r" % (slot, steps))
            cf = evs[-3]["data"]
            check(cf["case"] == "power.cycle" and cf["outcome"] == "PASS", "%s case.finished %r" % (slot, cf))
            check(evs[-2]["data"]["outcome"] == "PASS", "%s verdict %r" % (slot, evs[-2]))
            rf = evs[-1]["data"]
            check(rf["state"] == "FINISHED" and rf["outcome"] == "PASS", "%s run.finished %r" % (slot, rf))
            run = b.ok("run.get", {"run_id": rid})
            check(run["state"] == "FINISHED" and run["outcome"] == "PASS", "run.get %r" % run)

        # coils were switched on before the runs, so the sim logged 1, 0, 1
        sim = b.sim_events()
        for coil, slot in ((0, "dut1"), (2, "dut2")):
            ch = [(t, v) for t, c, v in sim if c == coil]
            check([v for _, v in ch] == [1, 0, 1], "coil %d (%s.power) changes %r" % (coil, slot, ch))
            off_ms = (ch[2][0] - ch[1][0]) / 1000.0
            log("%s.power off time in sim clock: %.3f ms" % (slot, off_ms))
            # Never shorter than asked; longer only within power.cycle's own
            # tolerance (250 ms), as a loaded machine may stretch it.
            check(OFF_MS <= off_ms <= OFF_MS + 250, "%s off time %.3f ms outside %d..%d" %
                  (slot, off_ms, OFF_MS, OFF_MS + 250))


if __name__ == "__main__":
    main(events_in_order)
