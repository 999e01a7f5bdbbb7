#!/usr/bin/python3
"""A subscriber that loses events (drops seq first+5..first+9 on purpose, then
disconnects and reconnects in the middle of a 20000-event bench.flood) finds
the gaps by seq and fills them through events.since; the result is the same
gap-free set events.since returns from 0."""
import zmq

from cbharness import Bench, check, log, main, recv_event, dl

COUNT = 20000


def gap_recovery():
    with Bench(slots=2) as b:
        b.start()
        sub, first = b.subscriber()
        have = {}
        last = 0          # highest seq we hold with everything below it
        stats = {"gaps": 0, "recovered": 0, "dropped": 0}

        def fill(upto):
            """Fetches last+1 .. upto-1 through events.since."""
            nonlocal last
            while last + 1 < upto:
                want = min(upto - last - 1, 10000)
                evs = b.ok("events.since", {"seq": last, "limit": want}, timeout=30)["events"]
                check(evs, "events.since %d returned nothing, expected up to %d" % (last, upto - 1))
                for e in evs:
                    check(e["seq"] == last + 1, "events.since gap: %d after %d" % (e["seq"], last))
                    have[e["seq"]] = e
                    last = e["seq"]
                    stats["recovered"] += 1
                    note(e)

        def note(ev):
            nonlocal done
            if ev["type"] == "run.finished" and ev["run_id"] == rid:
                done = True

        def take(ev):
            nonlocal last
            s = ev["seq"]
            if s <= last:
                check(have[s] == ev, "seq %d received twice with different content" % s)
                return
            if s > last + 1:
                stats["gaps"] += 1
                fill(s)
            have[s] = ev
            last = s
            note(ev)

        drop_lo = first[0]["seq"] + 5
        rid = None
        done = False
        for ev in first:
            take(ev)
        rid = b.start_run("dut1", cases=["bench.flood"], params={"bench.flood": {"count": COUNT}})
        received = 0
        reconnected = False
        after = 0
        end = dl(60)
        while not done:
            ev = recv_event(sub, end)
            check(ev is not None, "flood not finished; last seq %d" % last)
            if drop_lo <= ev["seq"] <= drop_lo + 4:
                stats["dropped"] += 1        # "not processed"
                continue
            take(ev)
            received += 1
            if reconnected and ev["type"] == "bench.tick":
                after += 1
            if not reconnected and received == COUNT // 100:
                sub.close(linger=0)
                b.sockets.remove(sub)
                sub = b.socket(zmq.SUB)
                sub.setsockopt(zmq.RCVHWM, 0)
                sub.setsockopt(zmq.SUBSCRIBE, b"")
                sub.connect(b.ev_ep)
                reconnected = True
                log("reconnected after %d events, last seq %d" % (received, last))

        # (the events before we subscribed were the first gap: last started at 0)
        log("received %d live (%d ticks after the reconnect), dropped %d on purpose, %d gaps "
            "detected, %d events recovered, last seq %d" %
            (received, after, stats["dropped"], stats["gaps"], stats["recovered"], last))
        check(stats["dropped"] == 5, "the deliberate drop window was not hit")
        check(stats["gaps"] >= 1, "no gap detected although 5 events were dropped")
        seqs = sorted(have)
        check(seqs == list(range(1, last + 1)), "not gap-free after recovery")
        ref = [e for e in b.events_since(0) if e["seq"] <= last]
        check(len(ref) == last, "events.since from 0 has %d events, expected %d" % (len(ref), last))
        check([have[s] for s in seqs] == ref, "recovered set differs from events.since(0)")
        ticks = [e["data"]["i"] for e in ref if e["type"] == "bench.tick" and e["run_id"] == rid]
        check(ticks == list(range(COUNT)), "bench.tick payloads not 0..%d in order" % (COUNT - 1))
        run = b.ok("run.get", {"run_id": rid})
        check(run["state"] == "FINISHED" and run["outcome"] == "PASS", "run %r" % run)


if __name__ == "__main__":
    main(gap_recovery)
