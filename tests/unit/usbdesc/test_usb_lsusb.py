#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""certbench usb-audit against lsusb on every dump in ../shared/data/usb.

For each file the reference is independent of our C code:
  lsusb text (.txt)      the text itself
  raw (.bin)             `lsusb -v` run under umockdev-run on a recording made
                         from the bytes
  umockdev (.umockdev)   `lsusb -v` run under umockdev-run on the recording
  fwupd JSON (.json)     the JSON fields themselves
and for every file, in addition, `lsusb -v` under umockdev-run on the bytes
usb-audit says it decoded (a round trip through our readers).

Checked per device: the set of (interface, alternate setting) with class,
subclass and protocol; lsusb's class name for each mapped to ours; the IADs;
and the expected functions per file (DFU mode vs runtime, ADB vs fastboot,
RNDIS in an IAD, IAD grouping). Any mismatch is printed and fails.

Usage: test_usb_lsusb.py CERTBENCH DATA_DIR   (exit 77 = skipped)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77

# lsusb's class names (udev hwdb 20-usb-classes) -> usbdesc_class_name()
LSUSB_CLASS = {
    "Audio": "audio",
    "Communications": "communications",
    "Human Interface Device": "hid",
    "Physical Interface Device": "physical",
    "Imaging": "imaging",
    "Printer": "printer",
    "Mass Storage": "mass-storage",
    "Hub": "hub",
    "CDC Data": "cdc-data",
    "Chip/SmartCard": "smart-card",
    "Content Security": "content-security",
    "Video": "video",
    "Personal Healthcare": "personal-healthcare",
    "Audio/Video": "audio-video",
    "Billboard": "billboard",
    "Type-C Bridge": "usb-c-bridge",
    "Diagnostic": "diagnostic",
    "Wireless": "wireless",
    "Miscellaneous Device": "misc",
    "Application Specific Interface": "application-specific",
    "Vendor Specific Class": "vendor-specific",
}

# What each file must classify to: vid:pid -> functions of configuration 1
# in interface order, "name(interfaces)" with "+iad" when an IAD groups it.
# From the data README (what the devices are), not from our output.
EXPECTED = {
    "openocd_303a_1001_esp_usb_jtag.txt": {"303a:1001": ["cdc-acm(0,1)+iad", "vendor(2)"]},
    "openocd_0403_6001_ft232r.txt": {"0403:6001": ["vendor(0)"]},
    "openocd_0d28_0204_nxp_daplink.txt": {
        "0d28:0204": ["mass-storage(0)", "cdc-acm(1,2)+iad", "hid(3)"]},
    "openocd_0483_374b_stlinkv2.txt": {
        "0483:374b": ["vendor(0)", "mass-storage(1)", "cdc-acm(2,3)+iad"]},
    "uz801-4g-dongle_lsusb.txt": {
        "05c6:90b6": ["rndis(0,1)+iad", "vendor(2)", "vendor(3)", "adb(4)"]},
    "usbguard_0001.bin": {
        "1004:61fe": ["cdc-acm(0,1)+iad", "vendor(2)", "cdc-ecm(3,4)+iad"]},
    "umockdev_fido2.umockdev": {"1050:0120": ["hid(0)"]},
    "umockdev_usbkbd.umockdev": {"05f3:0007": ["hid-keyboard(0)", "hid(1)"]},
    "usbguard_devices.umockdev": {
        "5986:0706": ["video(0,1)+iad"],
        "047d:2048": ["hid-mouse(0)"],
        "1111:1111": ["hid-keyboard(0)", "hid(1)"],
    },
    "fwupd_mnt-pocket-reform-sysctl-setup.json": {"1209:6d07": ["cdc-acm(0,1)", "vendor(2)"]},
    "fwupd_dfu-gd32vf103-setup.json": {"28e9:0189": ["dfu(0)"]},
    "fwupd_fastboot-google-sargo-setup.json": {"18d1:4ee0": ["fastboot(0)"]},
}

failures = []
stats = {"files": 0, "devices": 0, "interfaces": 0, "names": 0, "roundtrip": 0, "live": 0}


def fail(where, msg):
    failures.append(f"{where}: {msg}")
    print(f"FAIL {where}: {msg}", flush=True)


def first_int(tok):
    tok = tok.strip().split()[0]
    return int(tok, 16) if tok.lower().startswith("0x") else int(tok)


def parse_lsusb(text):
    """lsusb -v text -> list of devices {vidpid, configs: [{alts, iads}]}"""
    devs, dev, cfg, sec, cur = [], None, None, None, None
    for line in text.splitlines():
        s = line.strip()
        if s == "Device Descriptor:":
            dev = {"vidpid": None, "configs": []}
            devs.append(dev)
            sec = "device"
            continue
        if dev is None:
            continue
        if s == "Configuration Descriptor:":
            cfg = {"alts": [], "iads": []}
            dev["configs"].append(cfg)
            sec = "config"
            continue
        if s == "Interface Association:" and cfg is not None:
            cur = {}
            cfg["iads"].append(cur)
            sec = "iad"
            continue
        if s == "Interface Descriptor:" and cfg is not None:
            cur = {}
            cfg["alts"].append(cur)
            sec = "intf"
            continue
        if s.endswith(":") or s.startswith("**"):
            sec = "other"
            continue
        m = re.match(r"(\w+)\s+(\S+)\s*(.*)$", s)
        if not m:
            continue
        key, val, rest = m.groups()
        if sec == "device" and key in ("idVendor", "idProduct"):
            dev[key] = first_int(val)
            if "idVendor" in dev and "idProduct" in dev:
                dev["vidpid"] = "%04x:%04x" % (dev["idVendor"], dev["idProduct"])
        elif sec == "iad" and key in ("bFirstInterface", "bInterfaceCount", "bFunctionClass",
                                      "bFunctionSubClass", "bFunctionProtocol"):
            cur[key] = first_int(val)
        elif sec == "intf" and key in ("bInterfaceNumber", "bAlternateSetting", "bInterfaceClass",
                                       "bInterfaceSubClass", "bInterfaceProtocol"):
            cur[key] = first_int(val)
            if key == "bInterfaceClass":
                cur["name"] = rest.strip()
    out = []
    for d in devs:
        configs = []
        for c in d["configs"]:
            configs.append({
                "alts": sorted((a["bInterfaceNumber"], a["bAlternateSetting"], a["bInterfaceClass"],
                                a["bInterfaceSubClass"], a["bInterfaceProtocol"]) for a in c["alts"]),
                "names": {(a["bInterfaceNumber"], a["bAlternateSetting"]): a.get("name", "") for a in c["alts"]},
                "iads": sorted((i["bFirstInterface"], i["bInterfaceCount"], i["bFunctionClass"],
                                i["bFunctionSubClass"], i["bFunctionProtocol"]) for i in c["iads"]),
            })
        out.append({"vidpid": d["vidpid"], "configs": configs})
    return out


def parse_fwupd(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for u in doc["UsbDevices"]:
        alts = sorted((i.get("InterfaceNumber", 0), i.get("AlternateSetting", 0), i.get("InterfaceClass", 0),
                       i.get("InterfaceSubClass", 0), i.get("InterfaceProtocol", 0))
                      for i in u.get("UsbInterfaces", []))
        out.append({"vidpid": "%04x:%04x" % (u.get("IdVendor", 0), u.get("IdProduct", 0)),
                    "configs": [{"alts": alts, "names": {}, "iads": []}]})
    return out


def umockdev_lsusb(recording):
    r = subprocess.run(["timeout", "60", "umockdev-run", "-d", recording, "--", "lsusb", "-v"],
                       capture_output=True, text=True)
    if r.returncode != 0 and not r.stdout:
        raise RuntimeError(f"umockdev-run lsusb -v: exit {r.returncode}: {r.stderr.strip()[:300]}")
    return r.stdout


def recording_from_hex(hexes, tmpdir):
    """A umockdev recording with one USB device per descriptor blob."""
    path = os.path.join(tmpdir, "dev.umockdev")
    with open(path, "w") as f:
        for n, h in enumerate(hexes, start=2):
            h = h.upper()
            f.write(f"P: /devices/pci0000:00/0000:00:14.0/usb1/1-{n}\n"
                    f"N: bus/usb/001/{n:03d}={h}\n"
                    f"E: DEVNAME=/dev/bus/usb/001/{n:03d}\nE: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\n"
                    f"E: BUSNUM=001\nE: DEVNUM={n:03d}\n"
                    f"A: busnum=1\\n\nA: devnum={n}\\n\nA: speed=480\\n\n"
                    f"H: descriptors={h}\n\n")
    return path


def ours_view(dev):
    configs = []
    for c in dev["configurations"]:
        alts, names, kinds = [], {}, {}
        for intf in c["interfaces"]:
            for a in intf["alternate_settings"]:
                key = (intf["number"], a["alternate_setting"])
                alts.append(key + (a["class"], a["subclass"], a["protocol"]))
                names[key] = a["class_name"]
        iads = sorted((i["first_interface"], i["interface_count"], i["class"], i["subclass"], i["protocol"])
                      for i in c["iads"])
        fns = ["%s(%s)%s" % (f["name"], ",".join(str(x) for x in f["interfaces"]), "+iad" if f["iad"] else "")
               for f in c["functions"]]
        configs.append({"alts": sorted(alts), "names": names, "iads": iads, "functions": fns})
    return {"vidpid": "%s:%s" % (dev["vendor_id"], dev["product_id"]), "configs": configs}


def match_devices(where, ours, ref):
    """Pairs our devices with the reference's by vid:pid, in order."""
    pairs, pool = [], list(ref)
    for o in ours:
        for i, r in enumerate(pool):
            if r["vidpid"] == o["vidpid"]:
                pairs.append((o, pool.pop(i)))
                break
        else:
            fail(where, f"device {o['vidpid']} not in the reference")
    for r in pool:
        fail(where, f"reference device {r['vidpid']} missing from usb-audit")
    return pairs


def compare(where, ours, ref, check_names):
    for o, r in match_devices(where, ours, ref):
        w = f"{where} {o['vidpid']}"
        if len(o["configs"]) != len(r["configs"]):
            fail(w, f"{len(o['configs'])} configurations, reference has {len(r['configs'])}")
            continue
        for n, (oc, rc) in enumerate(zip(o["configs"], r["configs"]), start=1):
            if oc["alts"] != rc["alts"]:
                fail(w, f"config {n}: interfaces {oc['alts']} != reference {rc['alts']}")
            if rc["iads"] is not None and oc["iads"] != rc["iads"]:
                fail(w, f"config {n}: IADs {oc['iads']} != reference {rc['iads']}")
            if check_names:
                for key, lname in rc["names"].items():
                    want = LSUSB_CLASS.get(lname)
                    got = oc["names"].get(key)
                    if want is None:
                        fail(w, f"interface {key}: lsusb class name '{lname}' has no mapping")
                    elif got != want:
                        fail(w, f"interface {key}: class name '{got}', lsusb says '{lname}' ({want})")
                    else:
                        stats["names"] += 1


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    certbench, data = sys.argv[1], os.path.join(sys.argv[2], "usb")
    if not os.path.isdir(data):
        print(f"SKIP: {data} is absent (the shared data folder beside the checkout)")
        return SKIP
    have_umockdev = shutil.which("umockdev-run") and shutil.which("lsusb") and shutil.which("timeout")
    if not have_umockdev:
        print("SKIP: umockdev-run, lsusb or timeout missing (apt-get install umockdev usbutils)")
        return SKIP

    # umockdev-run preloads its library ahead of ASan's runtime (sanitizer build)
    live_env = dict(os.environ)
    live_env["ASAN_OPTIONS"] = ":".join(x for x in (live_env.get("ASAN_OPTIONS"), "verify_asan_link_order=0") if x)

    files = sorted(f for f in os.listdir(data) if not f.endswith(".source.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            path = os.path.join(data, name)
            stats["files"] += 1
            r = subprocess.run([certbench, "usb-audit", "--json", path], capture_output=True, text=True)
            if r.returncode != 0:
                fail(name, f"usb-audit exit {r.returncode}: {r.stderr.strip()}")
                continue
            doc = json.loads(r.stdout)
            ours = [ours_view(d) for d in doc["devices"]]
            stats["devices"] += len(ours)
            stats["interfaces"] += sum(len(c["alts"]) for d in ours for c in d["configs"])

            # 1. the independent reference
            if name.endswith(".txt"):
                with open(path, errors="replace") as f:
                    ref, names = parse_lsusb(f.read()), True
            elif name.endswith(".json"):
                ref, names = parse_fwupd(path), False
            elif name.endswith(".umockdev"):
                ref, names = parse_lsusb(umockdev_lsusb(path)), True
            else:
                with open(path, "rb") as f:
                    rec = recording_from_hex([f.read().hex()], tmp)
                ref, names = parse_lsusb(umockdev_lsusb(rec)), True
            if name.endswith(".json"):
                for d in ref:
                    for c in d["configs"]:
                        c["iads"] = None   # fwupd records no IADs
            compare(name, ours, ref, names)

            # 2. lsusb on the bytes we decoded (round trip), class names too
            rec = recording_from_hex([d["descriptors"] for d in doc["devices"]], tmp)
            rt = parse_lsusb(umockdev_lsusb(rec))
            before = len(failures)
            compare(name + " [round trip]", ours, rt, True)
            if len(failures) == before:
                stats["roundtrip"] += 1

            # 3. the functions we name
            for vidpid, want in EXPECTED.get(name, {}).items():
                got = [o for o in ours if o["vidpid"] == vidpid]
                if not got:
                    fail(name, f"expected device {vidpid} not found")
                elif got[0]["configs"][0]["functions"] != want:
                    fail(name, f"{vidpid}: functions {got[0]['configs'][0]['functions']}, expected {want}")
            # 4. live mode (libusb + sysfs) under umockdev-run, for recordings
            if name.endswith((".umockdev", ".bin")):
                rec_live = path if name.endswith(".umockdev") else recording_from_hex(
                    [d["descriptors"] for d in doc["devices"]], tmp)
                for vidpid, want in EXPECTED.get(name, {}).items():
                    r = subprocess.run(["timeout", "60", "umockdev-run", "-d", rec_live, "--", certbench,
                                        "usb-audit", "--json", vidpid], capture_output=True, text=True,
                                       env=live_env)
                    try:
                        live = ours_view(json.loads(r.stdout)["devices"][0])
                        got = live["configs"][0]["functions"]
                    except (ValueError, KeyError, IndexError) as e:
                        fail(name + " [live]", f"{vidpid}: exit {r.returncode} ({e}): {r.stderr.strip()[:200]}")
                        continue
                    if got != want:
                        fail(name + " [live]", f"{vidpid}: functions {got}, expected {want}")
                    else:
                        stats["live"] += 1
            if name not in EXPECTED:
                fail(name, "no expectation for this file: add it to EXPECTED")

    # 4. the D-6 verdict: exit 1 and each undeclared function on FAIL
    profile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures",
                           "profiles", "example-smartplug.yaml")
    dongle = os.path.join(data, "uz801-4g-dongle_lsusb.txt")
    if os.path.exists(profile) and os.path.exists(dongle):
        with open(profile) as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            for classes, want_rc, want_undeclared in (("[cdc-acm]", 1, ["rndis", "vendor", "vendor", "adb"]),
                                                      ("[rndis, vendor, adb]", 0, [])):
                p = os.path.join(tmp, "profile.yaml")
                with open(p, "w") as f:
                    f.write(re.sub(r"classes: \[[^\]]*\]", "classes: " + classes, text, count=1))
                r = subprocess.run([certbench, "usb-audit", "--json", "--profile", p, dongle],
                                   capture_output=True, text=True)
                try:
                    v = json.loads(r.stdout)["verdict"]
                    got = [u["function"] for u in v["undeclared"]]
                except (ValueError, KeyError) as e:
                    fail("--profile", f"no verdict in the output ({e}): {r.stderr.strip()}")
                    continue
                if r.returncode != want_rc or got != want_undeclared:
                    fail("--profile", f"declared {classes}: exit {r.returncode}, undeclared {got}; "
                                      f"expected exit {want_rc}, undeclared {want_undeclared}")
    else:
        fail("--profile", f"{profile} or {dongle} missing")

    print(f"{stats['files']} files, {stats['devices']} devices, {stats['interfaces']} interface alt settings, "
          f"{stats['names']} class names checked against lsusb, {stats['roundtrip']} files round-tripped "
          f"through lsusb, {stats['live']} devices read live under umockdev; {len(failures)} mismatch(es)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
