#!/bin/bash
# Shared by the D-3 case tests in the kernel rig (sourced, bash): the bench
# of ../lib/bench.sh (relay simulator, certbenchd, run_case, check_case)
# with a fixture whose slot dut1 has its power on coil 0 and the Wi-Fi
# radio wlan1, and a simulated DUT that follows coil 0 (power on: start,
# power off: stop).
# Needs: CBD, CB, SIM (binaries), HERE (this folder); the test defines
# dut_start and dut_stop. Sets what bench.sh sets (W, OUT, EP ...).
# Every wait has a deadline (see bench.sh).
# shellcheck source=../lib/bench.sh source-path=SCRIPTDIR
. "$HERE/../lib/bench.sh"
bench_init wifi-cases /tmp/rig-wifi-cases

rig_wifi_setup() {
  local t n=$1
  bench_require --packages "hostapd, wpasupplicant, iproute2, python3" hostapd wpa_supplicant ip
  for ((t = 0; t < n; t++)); do
    [ -e /sys/class/net/wlan$t ] || { echo "FAIL: no wlan$t (mac80211_hwsim radios=$n not loaded?)"; ls /sys/class/net; exit 1; }
  done
  echo 4194304 >/proc/sys/net/core/rmem_default
  echo 4194304 >/proc/sys/net/core/rmem_max
  bench_keep+=(conf)
  bench_prepare
}

# At exit, the DUT of the moment goes too.
# shellcheck disable=SC2317  # run by the EXIT trap (bench_cleanup)
bench_on_cleanup() { [ "$(type -t dut_stop)" = function ] && dut_stop; }

start_bench() {
  bench_start rig-wifi --follow 0 dut_start dut_stop \
"radios:
  - { name: bench-wifi, kind: wifi, interface: wlan1 }
slots:
  - { name: dut1, power: dut1.power, radios: [bench-wifi] }" || exit 1
}
