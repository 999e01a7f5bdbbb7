#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, mac80211_hwsim radios=3: the case wifi.security end to end.
# The DUT's access point is hostapd on wlan0, started and stopped by the
# DUT's power relay (coil 0 of the real relay simulator); the real
# certbenchd scans on wlan1 (the fixture's wifi radio) and classifies.
#   WPA3-SAE, profile without SSID (the BSS new after power-on) -> PASS
#   WPA-TKIP                                                  -> FAIL
#   WPA2-PSK without PMF, policy latest -> PASS; strict       -> FAIL
#   open                                                      -> FAIL
# Each through `certbench run --wait` (exit 0 / 1) and `certbench report
# --format json`, with the case's decoded evidence checked too.
# Usage: security.sh CERTBENCHD CERTBENCH RELAYSIM
CBD=${1:?usage: security.sh CERTBENCHD CERTBENCH RELAYSIM}
CB=${2:?}
SIM=${3:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
PASS=correct-horse-battery

rig_wifi_setup 2

# The DUT: hostapd on wlan0 with $W/dut-ap.conf, the mode of the moment.
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_start() {
  : >"$W/dut-ap.log"
  hostapd -B -P "$W/dut-ap.pid" -f "$W/dut-ap.log" "$W/dut-ap.conf" >>"$W/dut-power.log" 2>&1 ||
    echo "hostapd (DUT) did not start" >>"$W/dut-power.log"
}
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_stop() { kill_wait "$W/dut-ap.pid"; }

dut_mode() {
  local name=$1 t
  cp "$W/dut-ap.log" "$W/dut-ap-$PREV_MODE.log" 2>/dev/null
  PREV_MODE=$name
  {
    echo "interface=wlan0"
    echo "driver=nl80211"
    echo "ctrl_interface=$W/dut-hostapd"
    echo "hw_mode=g"
    echo "channel=1"
    echo "ssid=cb-dut"
    shift
    for t in "$@"; do echo "$t"; done
  } >"$W/dut-ap.conf"
  cp "$W/dut-ap.conf" "$W/dut-ap-$name.conf"
}
PREV_MODE=none

profile() {
  local f=$W/profile-$1.yaml
  {
    echo "model: Simulated access point"
    echo "manufacturer: certbench rig"
    echo 'firmware_version: "1"'
    echo "radios:"
    echo "  wifi:"
    echo "    roles: [ap]"
    echo "    security: [$2]"
    echo "    bands: [2.4ghz]"
    [ -n "$3" ] && echo "    ap_ssid: cb-dut"
    [ -n "$4" ] && echo "    policy: $4"
  } >"$f"
  echo "$f"
}

# The bench radio must be up to scan; first check that the case says so.
start_bench
if run_case sec-down 2 wifi.security "$(profile down wpa2-psk 1 "")" --param wifi.security.power_cycle=0; then
  check_case sec-down wifi.security ERROR
  grep -q 'wlan1 is down' "$W/sec-down.txt" || bad "sec-down: the reason does not say the radio is down"
fi
ip link set wlan1 up || { echo "FAIL: ip link set wlan1 up"; exit 1; }
P=(--param wifi.security.off_ms=1000 --param wifi.security.boot_s=60 --param wifi.security.scan_timeout_s=20)

# 1. WPA3-SAE; the profile names no SSID: the BSS that appears after
# power-on is the DUT's.
dut_mode wpa3 wpa=2 wpa_key_mgmt=SAE rsn_pairwise=CCMP ieee80211w=2 "sae_password=$PASS"
if run_case sec-wpa3 0 wifi.security "$(profile wpa3 wpa3-sae "" "")" "${P[@]}"; then
  check_case sec-wpa3 wifi.security PASS --evidence wifi-security.json 0.security=wpa3-sae \
    0.pmf=pmf-required 0.ssid=cb-dut 0.bssid=02:00:00:00:00:00 0.rsn.akm.0=00-0f-ac:8 0.declared_match=true
fi

# 2. WPA-TKIP (WPA1).
dut_mode tkip wpa=1 wpa_key_mgmt=WPA-PSK wpa_pairwise=TKIP "wpa_passphrase=$PASS"
if run_case sec-tkip 1 wifi.security "$(profile tkip wpa2-psk 1 "")" "${P[@]}" --param wifi.security.freq=2412; then
  check_case sec-tkip wifi.security FAIL --evidence wifi-security.json 0.security=wpa-tkip 0.n_wpa=1 \
    0.declared_match=false
fi

# 3./4. WPA2-PSK without PMF: PASS under the latest policy, FAIL under strict.
dut_mode wpa2 wpa=2 wpa_key_mgmt=WPA-PSK rsn_pairwise=CCMP "wpa_passphrase=$PASS"
if run_case sec-wpa2-latest 0 wifi.security "$(profile wpa2-latest wpa2-psk 1 latest)" "${P[@]}" --param wifi.security.freq=2412; then
  check_case sec-wpa2-latest wifi.security PASS --evidence wifi-security.json 0.security=wpa2-psk \
    0.pmf=pmf-none 0.policy=latest 0.rsn.mfpc=false
fi
if run_case sec-wpa2-strict 1 wifi.security "$(profile wpa2-strict wpa2-psk 1 strict)" "${P[@]}" --param wifi.security.freq=2412; then
  check_case sec-wpa2-strict wifi.security FAIL --evidence wifi-security.json 0.security=wpa2-psk \
    0.pmf=pmf-none 0.policy=strict
fi

# 5. Open.
dut_mode open
if run_case sec-open 1 wifi.security "$(profile open open 1 "")" "${P[@]}" --param wifi.security.freq=2412; then
  check_case sec-open wifi.security FAIL --evidence wifi-security.json 0.security=open 0.privacy=false
fi

# 6. A bench fault is ERROR, never FAIL: the DUT's SSID never appears.
if run_case sec-missing 2 wifi.security "$(profile open open 1 "")" "${P[@]}" --param wifi.security.freq=2412 \
     --param wifi.security.ssid=cb-nobody --param wifi.security.boot_s=8; then
  check_case sec-missing wifi.security ERROR
fi
cp "$W/dut-ap.log" "$W/dut-ap-$PREV_MODE.log" 2>/dev/null
finish wifi_case_security
