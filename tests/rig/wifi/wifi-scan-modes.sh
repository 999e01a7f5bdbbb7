#!/bin/bash
# Runs in the kernel rig (mac80211_hwsim radios=2 + ccm gcm cmac ctr loaded):
# one hostapd on wlan0 carries one BSS per security mode (open, WEP,
# WPA-TKIP, WPA2-PSK, WPA2-PSK with PMF required, WPA3-SAE, WPA3
# transition, OWE and an OWE transition pair when hostapd has OWE), our
# nl80211 scan (rig-wifi-scan, cb_wifi) runs on wlan1 and each BSS must show
# the expected privacy bit, RSN / WPA elements, AKMs and MFPC/MFPR, and our
# classifier (cb_ieee80211) must name its security mode, PMF state and group
# cipher. Before that: wlan1's radio capabilities (--caps) and a scan on
# the down interface (-ENETDOWN). Then wpa_supplicant on wlan1 joins
# the WPA2-PSK BSS and hostapd must report AP-STA-CONNECTED.
# Usage: wifi-scan-modes.sh PATH/TO/rig-wifi-scan
# Waits are on events (hostapd's log through inotify) with deadlines, never
# fixed sleeps. Evidence (scan output, hostapd and wpa_supplicant logs) goes
# to $RIG_OUT. Exit 0 pass, 1 fail, 77 skip.
set -u
scan=${1:?usage: wifi-scan-modes.sh RIG_WIFI_SCAN}
W=/tmp/rig-wifi
OUT=${RIG_OUT:-$W}
PASS=correct-horse-battery
fails=0
t_start=$EPOCHREALTIME

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
say() { echo "wifi: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in hostapd hostapd_cli wpa_supplicant ip timeout tail; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed (packages hostapd, wpasupplicant, iproute2)"; exit 77; }
done
[ -e /sys/class/net/wlan0 ] && [ -e /sys/class/net/wlan1 ] ||
  { echo "FAIL: no wlan0/wlan1 (mac80211_hwsim radios=2 not loaded?)"; ls /sys/class/net; exit 1; }

# Notification overruns made `iw scan` hang; the driver recovers from them
# anyway, a roomy default buffer makes them rare (RIG-NOTES).
echo 4194304 >/proc/sys/net/core/rmem_default
echo 4194304 >/proc/sys/net/core/rmem_max

# No udev in the guest: bash's process substitution needs /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

rm -rf "$W"
mkdir -p "$W" "$OUT"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for f in "$W"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  cp "$W"/*.log "$W"/*.conf "$W"/*.txt "$OUT"/ 2>/dev/null
}
trap cleanup EXIT

# wait_log FILE PATTERN COUNT SECONDS: until COUNT lines of FILE match the
# extended regex PATTERN (tail -F follows through inotify), or the deadline.
wait_log() {
  local f=$1 pat=$2 n=$3 t=$4 fd tpid r
  exec {fd}< <(exec timeout "$t" tail -n +1 -F "$f" 2>/dev/null)
  tpid=$!
  grep -E -m "$n" -- "$pat" <&"$fd" >/dev/null
  r=$?
  kill "$tpid" 2>/dev/null
  exec {fd}<&-
  return $r
}

# OWE needs hostapd built with CONFIG_OWE; its config parser then knows
# owe_groups.
have_owe=0
grep -qa owe_groups "$(command -v hostapd)" && have_owe=1
[ $have_owe = 1 ] || say "SKIP OWE: this hostapd was built without OWE"

# One radio, one hostapd, one BSS per mode: one start and one scan instead
# of eight. WEP is the first BSS: static WEP keys are simplest there.
bss_names=(cb-wep cb-open cb-tkip cb-wpa2 cb-wpa2-pmf cb-wpa3 cb-wpa3-tr)
[ $have_owe = 1 ] && bss_names+=(cb-owe cb-owe-open)
{
  cat <<EOF
interface=wlan0
driver=nl80211
ctrl_interface=$W/hostapd
hw_mode=g
channel=1
ssid=cb-wep
wep_default_key=0
wep_key0="cbwep"
auth_algs=1

bss=wlan0_1
ssid=cb-open

bss=wlan0_2
ssid=cb-tkip
wpa=1
wpa_key_mgmt=WPA-PSK
wpa_pairwise=TKIP
wpa_passphrase=$PASS

bss=wlan0_3
ssid=cb-wpa2
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=$PASS

bss=wlan0_4
ssid=cb-wpa2-pmf
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
ieee80211w=2
wpa_passphrase=$PASS

bss=wlan0_5
ssid=cb-wpa3
wpa=2
wpa_key_mgmt=SAE
rsn_pairwise=CCMP
ieee80211w=2
sae_password=$PASS

bss=wlan0_6
ssid=cb-wpa3-tr
wpa=2
wpa_key_mgmt=WPA-PSK SAE
rsn_pairwise=CCMP
ieee80211w=1
wpa_passphrase=$PASS
sae_password=$PASS
EOF
  if [ $have_owe = 1 ]; then
    cat <<EOF

bss=wlan0_7
ssid=cb-owe
wpa=2
wpa_key_mgmt=OWE
rsn_pairwise=CCMP
ieee80211w=2
owe_transition_ifname=wlan0_8

bss=wlan0_8
ssid=cb-owe-open
owe_transition_ifname=wlan0_7
EOF
  fi
} >"$W/hostapd.conf"

t=$EPOCHREALTIME
: >"$W/hostapd.log"
hostapd -B -P "$W/hostapd.pid" -f "$W/hostapd.log" "$W/hostapd.conf" ||
  { echo "FAIL: hostapd did not start:"; sed 's/^/  | /' "$W/hostapd.log"; exit 1; }
# AP-ENABLED comes once per radio, after every BSS on it is set up.
if ! wait_log "$W/hostapd.log" 'wlan0: AP-ENABLED' 1 30; then
  echo "FAIL: hostapd: wlan0 not enabled within 30 s:"
  sed 's/^/  | /' "$W/hostapd.log"
  exit 1
fi
hostapd_cli -p "$W/hostapd" -i wlan0 status >"$W/hostapd-status.txt" 2>&1
for s in "${bss_names[@]}"; do
  grep -qx "ssid\[[0-9]*\]=$s" "$W/hostapd-status.txt" ||
    { echo "FAIL: hostapd status lacks $s:"; cat "$W/hostapd-status.txt" "$W/hostapd.log"; exit 1; }
done
grep -qx 'state=ENABLED' "$W/hostapd-status.txt" || { echo "FAIL: hostapd not ENABLED"; cat "$W/hostapd-status.txt"; exit 1; }
say "hostapd: ${#bss_names[@]} BSSes enabled in $(ms_since "$t") ms"

# The radio's capabilities, as nl80211 reports them for wlan1's wiphy.
# hwsim (mac80211_hwsim.c, hwsim_ciphers) offers every cipher mac80211 does
# in software and station, AP, monitor, mesh and P2P interfaces.
t=$EPOCHREALTIME
"$scan" wlan1 --caps --timeout 10 >"$W/caps.txt" 2>"$W/caps.err"
r=$?
cat "$W/caps.txt" "$W/caps.err"
[ $r = 0 ] || bad "radio capabilities of wlan1 failed (exit $r)"
for want in "IFTYPE ap" "IFTYPE monitor" "IFTYPE station" "BAND 2.4ghz" \
            "CIPHER 000fac04 " "CIPHER 000fac08 " "CIPHER 000fac02 " "CIPHER 000fac06 "; do
  grep -q "^$want" "$W/caps.txt" || bad "radio capabilities lack '$want'"
done
say "radio capabilities: $(ms_since "$t") ms: $(grep -c '^IFTYPE' "$W/caps.txt") interface types," \
    "$(grep -c '^CIPHER' "$W/caps.txt") ciphers"
"$scan" nosuchif0 --caps --timeout 5 >"$W/caps-nodev.txt" 2>&1
grep -q '^CAPS_END status=-19$' "$W/caps-nodev.txt" ||
  bad "capabilities of a missing interface: expected -ENODEV (-19): $(cat "$W/caps-nodev.txt")"

# A scan on a down interface is refused by the kernel with ENETDOWN; the
# driver must hand that errno back, not libnl's folded -EIO.
ip link set wlan1 down
"$scan" wlan1 --timeout 5 >"$W/scan-down.txt" 2>&1
r=$?
cat "$W/scan-down.txt"
[ $r = 1 ] && grep -q '^SCAN .* status=-100 ' "$W/scan-down.txt" ||
  bad "scan on the down wlan1: expected exit 1 and status=-100 (ENETDOWN), got exit $r"

ip link set wlan1 up || { echo "FAIL: ip link set wlan1 up"; exit 1; }

# A full scan (every channel, wildcard SSID), as the bench does by default.
# A scan dwells ~30 ms per channel: under TCG hostapd may answer only some
# of the eight probes in time and a beacon may fall outside the dwell, so
# one scan can miss a BSS (seen: 5 of 8 once in 10). Like the bench, scan
# again (at most 3 scans) until every BSS has been seen; the union counts.
all_seen() {
  local s
  for s in "${bss_names[@]}"; do grep -qF " ssid=\"$s\" " "$1" || return 1; done
}
t=$EPOCHREALTIME
: >"$W/scan-all.txt"
for try in 1 2 3; do
  "$scan" wlan1 --timeout 40 >>"$W/scan-all.txt" 2>>"$W/scan-all.err"
  r=$?
  [ $r = 0 ] || bad "full scan $try failed (exit $r): $(cat "$W/scan-all.err")"
  all_seen "$W/scan-all.txt" && break
done
cat "$W/scan-all.txt"
say "full scan: $(ms_since "$t") ms, $try scan(s)"

# rsn_parse HEX: RSN element body -> RSN_AKMS ("000fac02 000fac08"), RSN_CAPS.
rsn_parse() {
  local h=$1 o pc ac i
  RSN_AKMS="" RSN_CAPS=""
  o=12                                  # version (2) + group cipher (4)
  [ ${#h} -ge $((o + 4)) ] || return 1
  pc=$((16#${h:o+2:2}${h:o:2})); o=$((o + 4 + 8 * pc))
  [ ${#h} -ge $((o + 4)) ] || return 1
  ac=$((16#${h:o+2:2}${h:o:2})); o=$((o + 4))
  for ((i = 0; i < ac; i++)); do
    [ ${#h} -ge $((o + 8)) ] || return 1
    RSN_AKMS+="${RSN_AKMS:+ }${h:o:8}"; o=$((o + 8))
  done
  [ ${#h} -ge $((o + 4)) ] && RSN_CAPS=$((16#${h:o+2:2}${h:o:2}))
  return 0
}

# expect FILE SSID PRIVACY RSN WPA [AKMS MFPC MFPR]
expect() {
  local f=$1 ssid=$2 priv=$3 rsn=$4 wpa=$5 akms=${6:-} mfpc=${7:-} mfpr=${8:-} line body got
  line=$(grep -F " ssid=\"$ssid\" " "$f" | head -n 1)
  if [ -z "$line" ]; then bad "$ssid: not seen by the scan"; return; fi
  [[ $line == *" privacy=$priv "* ]] || bad "$ssid: privacy bit, expected $priv: $line"
  [[ $line == *" rsn=$rsn "* ]] || bad "$ssid: RSN element present=$rsn expected: $line"
  [[ $line == *" wpa=$wpa "* ]] || bad "$ssid: WPA element present=$wpa expected: $line"
  [ -n "$akms" ] || { say "ok $ssid"; return; }
  body=${line##* rsn_body=}
  if ! rsn_parse "$body"; then bad "$ssid: RSN element too short: $body"; return; fi
  [ "$RSN_AKMS" = "$akms" ] || bad "$ssid: AKMs '$RSN_AKMS', expected '$akms'"
  if [ -z "$RSN_CAPS" ]; then bad "$ssid: no RSN capabilities"; return; fi
  got="$(((RSN_CAPS >> 7) & 1))/$(((RSN_CAPS >> 6) & 1))"
  [ "$got" = "$mfpc/$mfpr" ] || bad "$ssid: MFPC/MFPR $got, expected $mfpc/$mfpr"
  say "ok $ssid akms='$RSN_AKMS' mfpc/mfpr=$got"
}

# classified FILE SSID SECURITY PMF GROUP: our classifier's verdict on the
# BSS (names of ieee80211_security_to_string / ieee80211_pmf_to_string).
classified() {
  local f=$1 ssid=$2 sec=$3 pmf=$4 group=$5 line got
  line=$(grep -F " ssid=\"$ssid\" " "$f" | head -n 1)
  [ -n "$line" ] || return 0            # reported by expect already
  got=$(echo "$line" | grep -o ' security=[^ ]* pmf=[^ ]* group=[^ ]*')
  if [ "$got" = " security=$sec pmf=$pmf group=$group" ]; then
    say "ok $ssid classified$got"
  else
    bad "$ssid: classified as '${got# }', expected 'security=$sec pmf=$pmf group=$group'"
  fi
}

check_all() {
  local f=$1
  expect "$f" cb-open 0 0 0
  expect "$f" cb-wep 1 0 0
  expect "$f" cb-tkip 1 0 1
  expect "$f" cb-wpa2 1 1 0 "000fac02" 0 0
  expect "$f" cb-wpa2-pmf 1 1 0 "000fac02" 1 1
  expect "$f" cb-wpa3 1 1 0 "000fac08" 1 1
  expect "$f" cb-wpa3-tr 1 1 0 "000fac02 000fac08" 1 0
  [ $have_owe = 1 ] && expect "$f" cb-owe 1 1 0 "000fac12" 1 1
  [ $have_owe = 1 ] && expect "$f" cb-owe-open 0 0 0
  classified "$f" cb-open open pmf-none none
  classified "$f" cb-wep wep pmf-none none
  classified "$f" cb-tkip wpa-tkip pmf-none 0050f202
  classified "$f" cb-wpa2 wpa2-psk pmf-none 000fac04
  # wpa_key_mgmt=WPA-PSK with ieee80211w=2 keeps AKM 2 (checked above), so
  # it is WPA2-PSK with PMF required, not PSK-SHA256.
  classified "$f" cb-wpa2-pmf wpa2-psk pmf-required 000fac04
  classified "$f" cb-wpa3 wpa3-sae pmf-required 000fac04
  classified "$f" cb-wpa3-tr wpa3-transition pmf-capable 000fac04
  if [ $have_owe = 1 ]; then
    classified "$f" cb-owe owe pmf-required 000fac04
    classified "$f" cb-owe-open owe-transition pmf-none none
  fi
}
check_all "$W/scan-all.txt"

# Abort: a scan of the 2.4 GHz band takes over a second; an abort fd that
# fires after 300 ms must end the wait then with -ECANCELED (the kernel
# finishes the scan; the directed scan below waits it out as EBUSY).
band=(--freq 2412 --freq 2417 --freq 2422 --freq 2427 --freq 2432 --freq 2437 --freq 2442
      --freq 2447 --freq 2452 --freq 2457 --freq 2462 --freq 2467 --freq 2472)
"$scan" wlan1 "${band[@]}" --abort-after 300 --timeout 30 >"$W/scan-abort.txt" 2>&1
r=$?
cat "$W/scan-abort.txt"
ms=$(sed -n 's/^SCAN .* ms=\([0-9]*\) .*/\1/p' "$W/scan-abort.txt")
if [ $r = 1 ] && grep -q '^SCAN .* status=-125 ' "$W/scan-abort.txt" && [ "${ms:-99999}" -lt 1500 ]; then
  say "abort fd: scan ended with -ECANCELED after $ms ms"
else
  bad "abort fd: expected exit 1, status=-125 (ECANCELED) within 1500 ms; got exit $r after ${ms:-?} ms"
fi

# A directed scan: one channel, probing for one SSID; only it may come back.
t=$EPOCHREALTIME
for try in 1 2 3; do
  "$scan" wlan1 --ssid cb-wpa3 --freq 2412 --timeout 30 >"$W/scan-ssid.txt" 2>"$W/scan-ssid.err"
  r=$?
  cat "$W/scan-ssid.txt" "$W/scan-ssid.err"
  [ $r = 0 ] || bad "directed scan failed (exit $r)"
  n=$(grep -c '^BSS ' "$W/scan-ssid.txt")
  [ "$n" = 0 ] || break
done
[ "$n" = 1 ] || bad "directed scan for cb-wpa3: $n BSSes, expected exactly 1"
expect "$W/scan-ssid.txt" cb-wpa3 1 1 0 "000fac08" 1 1
say "directed scan: $(ms_since "$t") ms"

# Two scanners at once on one radio (2.4 GHz band): the later trigger gets
# EBUSY, waits for the running scan to end and scans after it. Both must
# see every BSS.
t=$EPOCHREALTIME
"$scan" wlan1 "${band[@]}" --timeout 40 >"$W/scan-c1.txt" 2>&1 &
c1=$!
"$scan" wlan1 "${band[@]}" --timeout 40 >"$W/scan-c2.txt" 2>&1 &
c2=$!
pids+=("$c1" "$c2")
wait "$c1" || bad "concurrent scan 1 failed: $(cat "$W/scan-c1.txt")"
wait "$c2" || bad "concurrent scan 2 failed: $(cat "$W/scan-c2.txt")"
grep -h '^SCAN' "$W/scan-c1.txt" "$W/scan-c2.txt"
for f in "$W/scan-c1.txt" "$W/scan-c2.txt"; do
  grep -q '^SCAN .* n_bss=0 ' "$f" && bad "concurrent scan saw nothing: $(cat "$f")"
done
busy=$(grep -ho ' busy=[0-9]*' "$W/scan-c1.txt" "$W/scan-c2.txt" | awk -F= '{ s += $2 } END { print s + 0 }')
say "concurrent scans: $(ms_since "$t") ms, EBUSY waited out $busy time(s)"

# Repeatability: ten single-channel scans in a row must all succeed and see
# something; how many saw every BSS is reported (see above for why not all).
t=$EPOCHREALTIME
"$scan" wlan1 --freq 2412 --count 10 --timeout 20 >"$W/scan-repeat.txt" 2>&1 ||
  bad "repeated scans: some failed: $(grep -v '^BSS' "$W/scan-repeat.txt")"
n=$(grep -c "^SCAN .* status=0 " "$W/scan-repeat.txt")
[ "$n" = 10 ] || bad "repeated scans: $n of 10 succeeded: $(grep '^SCAN' "$W/scan-repeat.txt")"
grep -q '^SCAN .* n_bss=0 ' "$W/scan-repeat.txt" && bad "repeated scans: a scan saw nothing"
full=$(grep -c "^SCAN .* n_bss=${#bss_names[@]} " "$W/scan-repeat.txt")
say "10 scans of 2412 MHz: $(ms_since "$t") ms, $full of 10 saw all ${#bss_names[@]} BSSes;" \
    "n_bss: $(grep -o ' n_bss=[0-9]*' "$W/scan-repeat.txt" | cut -d= -f2 | tr '\n' ' ')" \
    "recoveries: $(grep '^SCAN' "$W/scan-repeat.txt" | tail -n 1 | cut -d' ' -f6-)"

# End to end: a station joins the WPA2-PSK BSS.
t=$EPOCHREALTIME
cat >"$W/sta.conf" <<EOF
ctrl_interface=$W/wpas
network={
  ssid="cb-wpa2"
  key_mgmt=WPA-PSK
  psk="$PASS"
  scan_freq=2412
}
EOF
: >"$W/wpas.log"
if ! wpa_supplicant -B -i wlan1 -c "$W/sta.conf" -P "$W/wpas.pid" -f "$W/wpas.log"; then
  bad "wpa_supplicant did not start"
elif wait_log "$W/hostapd.log" 'wlan0_3: AP-STA-CONNECTED' 1 45; then
  say "wpa_supplicant joined cb-wpa2: AP-STA-CONNECTED after $(ms_since "$t") ms"
else
  bad "no AP-STA-CONNECTED on cb-wpa2 within 45 s"
  tail -n 30 "$W/wpas.log" | sed 's/^/  wpas | /'
  tail -n 30 "$W/hostapd.log" | sed 's/^/  hapd | /'
fi

say "total $(ms_since "$t_start") ms in the guest, $fails failure(s)"
[ $fails = 0 ] && { echo "PASS: wifi_scan"; exit 0; }
exit 1
