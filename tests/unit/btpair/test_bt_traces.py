#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`certbench bt-audit` on the real traces in the shared data folder: the
expected classification per trace, and the IO capabilities, authentication
requirements and link key type cross-checked against tshark, an independent
dissector. Any difference fails the test and is printed. Skips (77) where
tshark or the data folder is absent.

Usage: test_bt_traces.py CERTBENCH SHARED_DATA_BT_DIR
"""

import json
import os
import shutil
import subprocess
import sys

SKIP = 77

# file: (expected pairings: list of dicts of fields that must match)
EXPECTED = {
    "manojshakti77_btsnoop_hci.log": [dict(transport="bredr", method="ssp", association_model="just-works",
                                           link_key_type=4, outcome="success", peer="00:02:5B:00:A5:A5")],
    "ec521_btsnoop_hci.log": [dict(transport="le", method="le-legacy", association_model="just-works",
                                   outcome="success", peer="CE:5D:95:7B:30:53")],
    "crackle_le_secure_connections.pcapng": [dict(transport="le", method="le-sc", association_model="just-works",
                                                  outcome="success")],
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def tshark(path, display_filter, fields):
    cmd = ["tshark", "-n", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def num(s):
    return int(s, 0) if s else None


def side_from_tshark(io, oob, auth):
    return (num(io), num(oob), num(auth))


def side_from_ours(s):
    if s is None:
        return None
    return (s["io_capability"], s["oob"], s["auth_req"])


def check_bredr(path, ours):
    # IO capabilities: the local reply (command) and the peer's response (event).
    rows = tshark(path, "bthci_cmd.opcode==0x042b || bthci_evt.code==0x32",
                  ["frame.number", "bthci_cmd.opcode", "bthci_cmd.io_capability", "bthci_cmd.oob_data_present",
                   "bthci_cmd.auth_requirements", "bthci_evt.io_capability", "bthci_evt.oob_data_present",
                   "bthci_evt.auth_requirements"])
    keys = tshark(path, "bthci_evt.code==0x18", ["frame.number", "bthci_evt.key_type"])
    for p in ours:
        if p["transport"] != "bredr":
            continue
        lo, hi = p["first_record"], p["last_record"]
        local = remote = None
        for r in rows:
            n = int(r[0])
            if not lo <= n <= hi:
                continue
            if r[1]:
                local = side_from_tshark(r[2], r[3], r[4])
            else:
                remote = side_from_tshark(r[5], r[6], r[7])
        role = p["local_role"]
        ours_local = side_from_ours(p["initiator"] if role == "initiator" else p["responder"])
        ours_remote = side_from_ours(p["responder"] if role == "initiator" else p["initiator"])
        if ours_local != local:
            fail(f"{os.path.basename(path)}: local IO capability/OOB/AuthReq ours {ours_local} tshark {local}")
        if ours_remote != remote:
            fail(f"{os.path.basename(path)}: remote IO capability/OOB/AuthReq ours {ours_remote} tshark {remote}")
        tkeys = [num(k[1]) for k in keys if lo <= int(k[0]) <= hi]
        tkey = tkeys[-1] if tkeys else None
        if p.get("link_key_type") != tkey:
            fail(f"{os.path.basename(path)}: link key type ours {p.get('link_key_type')} tshark {tkey}")
        print(f"  tshark agrees: local {local}, remote {remote}, key type {tkey}")


def check_le(path, ours):
    rows = tshark(path, "btsmp.opcode==0x01 || btsmp.opcode==0x02",
                  ["frame.number", "btsmp.opcode", "btsmp.io_capability", "btsmp.oob_data_flags", "btsmp.authreq",
                   "btsmp.max_enc_key_size"])
    for p in ours:
        if p["transport"] != "le":
            continue
        lo, hi = p["first_record"], p["last_record"]
        req = rsp = None
        for r in rows:
            if not lo <= int(r[0]) <= hi:
                continue
            side = (num(r[2]), num(r[3]), num(r[4]))
            if num(r[1]) == 1:
                req = side
            else:
                rsp = side
        if side_from_ours(p["initiator"]) != req:
            fail(f"{os.path.basename(path)}: Pairing Request ours {side_from_ours(p['initiator'])} tshark {req}")
        if side_from_ours(p["responder"]) != rsp:
            fail(f"{os.path.basename(path)}: Pairing Response ours {side_from_ours(p['responder'])} tshark {rsp}")
        if req and rsp:
            sc = bool(req[2] & rsp[2] & 0x08)
            if (p["method"] == "le-sc") != sc:
                fail(f"{os.path.basename(path)}: SC ours {p['method']} tshark AuthReq {req[2]:#x}/{rsp[2]:#x}")
        print(f"  tshark agrees: Pairing Request {req}, Pairing Response {rsp}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    certbench, data = sys.argv[1], sys.argv[2]
    if not os.path.isdir(data):
        print(f"SKIP: shared data folder {data} is absent (real traces are not part of the project)")
        return SKIP
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed")
        return SKIP
    seen = 0
    for name, expected in EXPECTED.items():
        path = os.path.join(data, name)
        if not os.path.exists(path):
            print(f"SKIP {name}: not in {data}")
            continue
        seen += 1
        print(f"{name}:")
        res = subprocess.run([certbench, "bt-audit", "--json", path], capture_output=True, text=True)
        if res.returncode != 0:
            fail(f"{name}: bt-audit exit {res.returncode}: {res.stderr.strip()}")
            continue
        doc = json.loads(res.stdout)
        ours = doc["pairings"]
        if len(ours) != len(expected):
            fail(f"{name}: {len(ours)} pairings, expected {len(expected)}: {json.dumps(ours)}")
            continue
        for got, want in zip(ours, expected):
            for k, v in want.items():
                if got.get(k) != v:
                    fail(f"{name}: {k} is {got.get(k)!r}, expected {v!r}")
            print(f"  {got['transport']} {got['method']} {got['association_model']} "
                  f"key type {got.get('link_key_type')} {got['outcome']}")
        if doc["malformed"]:
            fail(f"{name}: {doc['malformed']} packets our decoders refused")
        check_bredr(path, ours)
        check_le(path, ours)
    if seen == 0:
        print(f"SKIP: none of the traces is in {data}")
        return SKIP
    if failures:
        print(f"{len(failures)} mismatches")
        return 1
    print("all traces agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
