#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Cross-checks `certbench wifi-audit` against tshark, an independent 802.11
dissector, on every real capture in the shared data folder.

For every beacon and probe response (by frame number) and for every BSS
(its first frame, which is what wifi-audit reports per BSS), these must be
equal: the RSN AKM list, pairwise cipher list and group cipher, MFPC and
MFPR, the privacy bit, whether a WPA1 element is there, and the WPA1
element's AKM, unicast and multicast ciphers. Any difference fails the test
and is printed. Skips (77) where tshark or the data folder is absent.

Usage: test_wifi_tshark.py CERTBENCH SHARED_DATA_DIR
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import gzip

SKIP = 77

FIELDS = [
    "frame.number",
    "wlan.bssid",
    "wlan.rsn.akms.type",
    "wlan.rsn.pcs.type",
    "wlan.rsn.gcs.type",
    "wlan.rsn.capabilities.mfpr",
    "wlan.rsn.capabilities.mfpc",
    "wlan.fixed.capabilities.privacy",
    "wlan.wfa.ie.wpa.version",      # present only with a WPA1 vendor element
    "wlan.wfa.ie.wpa.type",         # the WPA1 AKM type (tshark 4.0 names it so)
    "wlan.wfa.ie.wpa.ucs.type",
    "wlan.wfa.ie.wpa.mcs.type",
    "wlan.wfa.ie.wpa.akms.type",    # the same in later tshark versions
]


def ints(s):
    return [int(x, 0) for x in s.split(",")] if s else []


def flag(s):
    # tshark 4.0 prints booleans as 1/0, later versions True/False.
    if s == "":
        return None
    return s.split(",")[0] in ("1", "True", "true")


def tshark_frames(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "wlan.fc.type_subtype==8 || wlan.fc.type_subtype==5",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = {}
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        rsn = bool(v[2] or v[3] or v[4] or v[5] or v[6])
        frames[int(v[0])] = {
            "bssid": v[1],
            "rsn": rsn,
            "akm": ints(v[2]),
            "pairwise": ints(v[3]),
            "group": ints(v[4]),
            "mfpr": flag(v[5]) if rsn else None,
            "mfpc": flag(v[6]) if rsn else None,
            "privacy": flag(v[7]),
            "wpa1": v[8] != "",
            "wpa1_akm": ints(v[9] or v[12]),
            "wpa1_pairwise": ints(v[10]),
            "wpa1_group": ints(v[11]),
        }
    return frames


def ours(entry):
    """The same fields from one wifi-audit JSON entry, shaped like tshark's.
    tshark lists every RSN element's fields; wifi-audit decodes the first and
    says whether the others are copies of it."""
    rsn = entry["rsn"]
    n = entry["n_rsn"]
    wpa = entry["wpa1_ie"]
    return {
        "bssid": entry["bssid"],
        "rsn": rsn is not None,
        "akm": rsn["akm"] * n if rsn else [],
        "pairwise": rsn["pairwise"] * n if rsn else [],
        "group": ([rsn["group"]] * n if rsn["group"] is not None else []) if rsn else [],
        "mfpr": entry["mfpr"] if rsn and rsn["capabilities"] is not None else None,
        "mfpc": entry["mfpc"] if rsn and rsn["capabilities"] is not None else None,
        "privacy": entry["privacy"],
        "wpa1": entry["wpa1"],
        "wpa1_akm": wpa["akm"] if wpa else [],
        "wpa1_pairwise": wpa["pairwise"] if wpa else [],
        "wpa1_group": [wpa["group"]] if wpa and wpa["group"] is not None else [],
    }


def audit(certbench, path, frames):
    cmd = [certbench, "wifi-audit", "--json"] + (["--frames"] if frames else []) + [path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def diff(a, b):
    return [f"{k}: tshark {a[k]!r}, certbench {b[k]!r}" for k in a if a[k] != b[k]]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    certbench, data = sys.argv[1], os.path.join(sys.argv[2], "wifi")
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed (apt install tshark)")
        return SKIP
    if not os.path.isdir(data):
        print(f"SKIP: {data} is absent (the shared captures sit beside the checkout, see ../shared/data/README.md)")
        return SKIP
    captures = sorted(f for f in os.listdir(data)
                      if not f.endswith(".source.txt") and not f.endswith(".md")
                      and os.path.isfile(os.path.join(data, f)))
    if not captures:
        print(f"SKIP: no captures in {data}")
        return SKIP

    failures = 0
    total_bss = total_frames = 0
    for name in captures:
        path = os.path.join(data, name)
        theirs = tshark_frames(path)
        doc = audit(certbench, path, True)
        mine = {e["frame"]: e for e in doc["frames_list"]}
        bad = []

        only_t = sorted(set(theirs) - set(mine))
        only_m = sorted(set(mine) - set(theirs))
        if only_t:
            bad.append(f"frames tshark sees as beacon/probe response but certbench does not: {only_t[:10]}")
        if only_m:
            bad.append(f"frames certbench yields that tshark does not: {only_m[:10]}")
        for num in sorted(set(theirs) & set(mine)):
            e = mine[num]
            if e["n_rsn"] > 1 and e["rsn_differs"]:
                bad.append(f"frame {num}: {e['n_rsn']} differing RSN elements, not comparable field by field")
                continue
            d = diff(theirs[num], ours(e))
            if d:
                bad.append(f"frame {num} ({theirs[num]['bssid']}): " + "; ".join(d))

        # Per BSS: wifi-audit's summary is the BSS's first frame.
        first = {}
        for num in sorted(theirs):
            first.setdefault(theirs[num]["bssid"], num)
        per_bss = {e["bssid"]: e for e in audit(certbench, path, False)["bss"]}
        if set(first) != set(per_bss):
            bad.append(f"BSS sets differ: tshark only {sorted(set(first) - set(per_bss))}, "
                       f"certbench only {sorted(set(per_bss) - set(first))}")
        agreed = 0
        for bssid, num in sorted(first.items()):
            e = per_bss.get(bssid)
            if not e:
                continue
            d = diff(theirs[num], ours(e))
            if e["first_frame"] != num:
                d.append(f"first frame: tshark {num}, certbench {e['first_frame']}")
            if d:
                bad.append(f"BSS {bssid}: " + "; ".join(d))
            else:
                agreed += 1

        total_bss += len(first)
        total_frames += len(theirs)
        if bad:
            failures += 1
            print(f"FAIL {name}: {len(bad)} difference(s)")
            for b in bad[:40]:
                print(f"    {b}")
        else:
            print(f"ok   {name}: {agreed}/{len(first)} BSS, {len(theirs)} frames agree")

    # The same capture gzip-compressed reads the same (in a temporary folder,
    # never in the project).
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(data, captures[-1])
        gz = os.path.join(tmp, captures[-1] + ".gz")
        with open(src, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        a, b = audit(certbench, src, False), audit(certbench, gz, False)
        if a["bss"] != b["bss"] or a["packets"] != b["packets"]:
            failures += 1
            print(f"FAIL {captures[-1]}.gz: the gzip-compressed capture reads differently")
        else:
            print(f"ok   {captures[-1]}.gz: gzip-compressed, same {len(b['bss'])} BSS")

    print(f"{len(captures) - failures}/{len(captures)} captures agree; {total_bss} BSS, {total_frames} frames compared")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
