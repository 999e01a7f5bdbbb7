#!/usr/bin/python3
"""8 slots (16 coils) flooding at once: the stored event stream is seq 1..N
strictly consecutive and holds exactly 5000 bench.tick per slot, in order."""
from cbharness import Bench, check, log, main
import time

SLOTS = 8
COUNT = 5000


def seq_gapfree_many_slots():
    with Bench(slots=SLOTS, coils=2 * SLOTS) as b:
        b.start()
        st = b.ok("status")
        check([s["name"] for s in st["slots"]] == ["dut%d" % (i + 1) for i in range(SLOTS)],
              "status slots %r" % st["slots"])
        t0 = time.monotonic()
        runs = {}
        for i in range(SLOTS):
            slot = "dut%d" % (i + 1)
            runs[slot] = b.start_run(slot, cases=["bench.flood"], params={"bench.flood": {"count": COUNT}})
        for slot, rid in runs.items():
            run = b.wait_run(rid, timeout=60)
            check(run["state"] == "FINISHED" and run["outcome"] == "PASS", "%s: %r" % (slot, run))
        t1 = time.monotonic()
        evs = b.events_since(0, page=1000)
        seqs = [e["seq"] for e in evs]
        n = len(seqs)
        check(seqs == list(range(1, n + 1)), "seq not 1..%d consecutive (first bad at %r)" %
              (n, next(((i, s) for i, s in enumerate(seqs) if s != i + 1), None)))
        last = b.ok("events.since", {"seq": n})
        check(last["events"] == [] or last["events"][0]["seq"] == n + 1, "tail %r" % last)
        log("%d events, %d slots x %d ticks in %.2f s" % (n, SLOTS, COUNT, t1 - t0))
        for slot, rid in runs.items():
            ticks = [e["data"]["i"] for e in evs if e["type"] == "bench.tick" and e["slot"] == slot]
            check(len(ticks) == COUNT, "%s: %d bench.tick events, expected %d" % (slot, len(ticks), COUNT))
            check(ticks == list(range(COUNT)), "%s: ticks out of order" % slot)
            check(all(e["run_id"] == rid for e in evs if e["type"] == "bench.tick" and e["slot"] == slot),
                  "%s: tick with foreign run_id" % slot)
            fin = [e for e in evs if e["type"] == "run.finished" and e["run_id"] == rid]
            check(len(fin) == 1 and fin[0]["data"]["outcome"] == "PASS", "%s run.finished %r" % (slot, fin))
        st = b.ok("status")
        check(st["last_seq"] >= n, "status.last_seq %d < %d" % (st["last_seq"], n))


if __name__ == "__main__":
    main(seq_gapfree_many_slots)
