#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Kernel rig, mac80211_hwsim radios=3: the case wifi.downgrade end to end.
# The real certbenchd runs hostapd on wlan1 (the fixture's wifi radio) as
# the DUT's own network "cb-home", first in WPA2/WPA3 (the control), then
# WEP, WPA-TKIP, open. The DUT is wpa_supplicant on wlan2, started and
# stopped by the DUT's power relay (coil 0 of the real relay simulator):
#   accepting only WPA2/WPA3 (proto RSN, CCMP, PMF)             -> PASS
#   permissive (WPA1/TKIP, a WEP network, an open network)      -> FAIL
#   hostapd that cannot start                                   -> ERROR
# Each through `certbench run --wait` (exit 0 / 1 / 2) and `certbench
# report --format json`, with the case's evidence checked per mode.
# Usage: downgrade.sh CERTBENCHD CERTBENCH RELAYSIM
CBD=${1:?usage: downgrade.sh CERTBENCHD CERTBENCH RELAYSIM}
CB=${2:?}
SIM=${3:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
PASS=correct-horse-battery
STA=02:00:00:00:02:00

rig_wifi_setup 3
[ "$(cat /sys/class/net/wlan2/address)" = $STA ] || { echo "FAIL: wlan2 is $(cat /sys/class/net/wlan2/address), expected $STA"; exit 1; }

# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_start() {
  : >"$W/dut-sta.log"
  wpa_supplicant -B -i wlan2 -c "$W/dut-sta.conf" -P "$W/dut-sta.pid" -f "$W/dut-sta.log" >>"$W/dut-power.log" 2>&1 ||
    echo "wpa_supplicant (DUT) did not start" >>"$W/dut-power.log"
}
# shellcheck disable=SC2317  # run by the power follower (bench_power_follow)
dut_stop() { kill_wait "$W/dut-sta.pid"; }

cat >"$W/dut-sta-strict.conf" <<EOT
ctrl_interface=$W/dut-wpas
network={
  ssid="cb-home"
  proto=RSN
  key_mgmt=WPA-PSK SAE
  pairwise=CCMP
  group=CCMP
  ieee80211w=1
  psk="$PASS"
  scan_freq=2412
}
EOT
cat >"$W/dut-sta-permissive.conf" <<EOT
ctrl_interface=$W/dut-wpas
network={
  ssid="cb-home"
  proto=WPA RSN
  key_mgmt=WPA-PSK NONE
  pairwise=TKIP CCMP
  group=TKIP CCMP
  psk="$PASS"
  scan_freq=2412
}
network={
  ssid="cb-home"
  key_mgmt=NONE
  auth_alg=OPEN
  wep_key0="0123456789abc"
  wep_tx_keyidx=0
  scan_freq=2412
}
network={
  ssid="cb-home"
  key_mgmt=NONE
  scan_freq=2412
}
EOT

cat >"$W/profile-sta.yaml" <<EOT
model: Simulated station
manufacturer: certbench rig
firmware_version: "1"
radios:
  wifi:
    roles: [sta]
    security: [wpa2-psk, wpa3-sae]
    pmf: optional
    sta_ssid: cb-home
    sta_passphrase: $PASS
EOT

start_bench
P=(--param wifi.downgrade.wait_s=20 --param wifi.downgrade.off_ms=500 --param wifi.downgrade.ready_s=40)

# 1. Accepts only WPA2/WPA3: joins the control, none of the weakened APs.
cp "$W/dut-sta-strict.conf" "$W/dut-sta.conf"
if run_case dg-strict 0 wifi.downgrade "$W/profile-sta.yaml" "${P[@]}"; then
  check_case dg-strict wifi.downgrade PASS --evidence wifi-downgrade.json \
    modes.0.mode=control modes.0.joined=true modes.0.station=$STA \
    modes.1.mode=wep modes.1.joined=false modes.2.mode=tkip modes.2.joined=false \
    modes.3.mode=open modes.3.joined=false
fi
cp "$W/dut-sta.log" "$W/dut-sta-strict.log" 2>/dev/null

# 2. Permissive: joins WEP, WPA-TKIP and open. Only the DUT's MAC counts.
cp "$W/dut-sta-permissive.conf" "$W/dut-sta.conf"
if run_case dg-permissive 1 wifi.downgrade "$W/profile-sta.yaml" "${P[@]}" --param wifi.downgrade.station=$STA; then
  check_case dg-permissive wifi.downgrade FAIL --evidence wifi-downgrade.json \
    modes.0.joined=true modes.1.mode=wep modes.1.joined=true modes.1.station=$STA \
    modes.2.mode=tkip modes.2.joined=true modes.3.mode=open modes.3.joined=true
fi
cp "$W/dut-sta.log" "$W/dut-sta-permissive.log" 2>/dev/null

# 3. A bench fault is ERROR, never FAIL: hostapd cannot be started.
if run_case dg-nohostapd 2 wifi.downgrade "$W/profile-sta.yaml" "${P[@]}" \
     --param wifi.downgrade.hostapd=/nonexistent/hostapd; then
  check_case dg-nohostapd wifi.downgrade ERROR
fi
finish wifi_case_downgrade
