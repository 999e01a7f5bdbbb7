#!/usr/bin/python3
"""SIGTERM: certbenchd exits 0 within 5 s and leaves power coils safe (off),
also with a run in progress whose DUT is powered."""
import time

from cbharness import Bench, check, log, main, wait_event, SCALE


def sigterm_safe_state():
    with Bench(slots=2) as b:
        b.start()
        b.ok("relay.set", {"channel": "dut1.power", "on": True})
        check(b.read_coil_pymodbus(0) == 1, "coil 0 not on before SIGTERM")
        # dut2 runs a power.cycle and is in its (powered) settle phase
        sub, _ = b.subscriber()
        rid = b.start_run("dut2", params={"power.cycle": {"off_ms": 50, "settle_ms": 30000}})
        wait_event(sub, lambda e: e["type"] == "relay.changed" and e["run_id"] == rid and e["data"]["on"] is True,
                   10, what="dut2 power back on")
        check(b.read_coil_pymodbus(2) == 1, "coil 2 not on in the settle phase")

        t0 = time.monotonic()
        b.daemon.terminate()
        try:
            rc = b.daemon.wait(5 * SCALE)
        except Exception:
            rc = None
        dt = time.monotonic() - t0
        log("SIGTERM -> exit %r after %.3f s" % (rc, dt))
        check(rc == 0, "exit status %r (daemon output below)\n%s" % (rc, b.daemon_output()[-3000:]))
        check(dt < 5.0 * SCALE, "exit took %.3f s" % dt)
        for coil in (0, 2):
            pm, mb = b.read_coil_pymodbus(coil), b.read_coil_mbpoll(coil)
            log("coil %d after exit: pymodbus=%d mbpoll=%d" % (coil, pm, mb))
            check(pm == 0 and mb == 0, "coil %d not safe after SIGTERM" % coil)

        # the interrupted run is closed as ABORTED by the shutdown itself
        b.start_daemon()
        run = b.ok("run.get", {"run_id": rid})
        log("run after restart: %s %s %r" % (run["state"], run["outcome"], run["reason"]))
        check(run["state"] == "ABORTED" and run["outcome"] == "ABORTED", "run %r/%r" % (run["state"], run["outcome"]))
        fin = [e for e in b.events_since(0) if e["type"] == "run.finished" and e["run_id"] == rid]
        check(len(fin) == 1 and fin[0]["data"]["state"] == "ABORTED", "run.finished %r" % fin)


if __name__ == "__main__":
    main(sigterm_safe_state)
