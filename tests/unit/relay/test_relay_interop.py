#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Independent clients read back what our driver set on the simulator:
pymodbus (python3-pymodbus 3.0) and mbpoll (needs -0 for 0-based coils)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from pymodbus.client import ModbusTcpClient

sim_exe, helper_exe = sys.argv[1], sys.argv[2]
EXPECTED = [1, 1, 0, 1, 0, 1, 0, 0]   # c0=1, i1=0 (coil 1 energised), c3=1, i5=0

tmp = tempfile.mkdtemp(prefix="relay-interop.", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
sim = subprocess.Popen([sim_exe, "--port", "0", "--coils", "8", "--log", os.path.join(tmp, "sim.log")],
                       stdout=subprocess.PIPE, text=True)
try:
    line = sim.stdout.readline()        # blocks until READY (or EOF if it died)
    m = re.fullmatch(r"READY port=(\d+)\n", line)
    assert m, f"simulator did not become ready: {line!r}"
    port = int(m.group(1))

    subprocess.run([helper_exe, str(port), "c0=1", "i1=0", "c3=1", "i5=0", "c2=0"],
                   check=True, timeout=30)

    client = ModbusTcpClient("127.0.0.1", port=port)
    assert client.connect(), "pymodbus could not connect"
    rr = client.read_coils(0, 8, slave=1)
    client.close()
    assert not rr.isError(), f"pymodbus read failed: {rr}"
    got = [int(b) for b in rr.bits[:8]]
    assert got == EXPECTED, f"pymodbus read {got}, expected {EXPECTED}"
    print(f"pymodbus: {got}")

    mbpoll = shutil.which("mbpoll")
    if mbpoll:
        out = subprocess.run([mbpoll, "-0", "-m", "tcp", "-p", str(port), "-a", "1", "-t", "0",
                              "-r", "0", "-c", "8", "-1", "127.0.0.1"],
                             check=True, capture_output=True, text=True, timeout=30).stdout
        vals = {int(a): int(v) for a, v in re.findall(r"^\[(\d+)\]:\s+(\d+)", out, re.M)}
        got = [vals.get(i) for i in range(8)]
        assert got == EXPECTED, f"mbpoll read {got}, expected {EXPECTED}\n{out}"
        print(f"mbpoll:   {got}")
    else:
        print("mbpoll not installed: skipped that client")
    print("OK")
finally:
    sim.send_signal(signal.SIGTERM)
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()
    shutil.rmtree(tmp, ignore_errors=True)
