#!/usr/bin/python3
"""relay.set through the daemon, read back by two independent Modbus clients."""
from cbharness import Bench, check, log, main


def independent_readback():
    with Bench(slots=2) as b:
        b.start()
        for on, want in ((True, 1), (False, 0), (True, 1), (False, 0)):
            r = b.ok("relay.set", {"channel": "dut2.power", "on": on})
            check(r["channel"] == "dut2.power" and r["on"] is on, "relay.set reply %r" % r)
            g = b.ok("relay.get", {"channel": "dut2.power"})
            check(g["on"] is on, "relay.get says %r, expected %r" % (g, on))
            mb = b.read_coil_mbpoll(2)
            pm = b.read_coil_pymodbus(2)
            log("dut2.power on=%s: mbpoll=%d pymodbus=%d latency_us=%d" % (on, mb, pm, r["latency_us"]))
            check(mb == want, "mbpoll reads coil 2 = %d, expected %d" % (mb, want))
            check(pm == want, "pymodbus reads coil 2 = %d, expected %d" % (pm, want))
            # neighbours untouched
            check(b.read_coil_pymodbus(0) == 0, "coil 0 (dut1.power) changed")
            check(b.read_coil_pymodbus(3) == 0, "coil 3 (dut2.reset) changed")
        ev = b.sim_events()
        check([(c, v) for _, c, v in ev] == [(2, 1), (2, 0), (2, 1), (2, 0)],
              "sim log coil changes %r" % ev)


if __name__ == "__main__":
    main(independent_readback)
