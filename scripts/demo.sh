#!/bin/sh
# The main job: installs what is needed, builds, then runs power.cycle on two
# bench slots at once against the Modbus relay simulator, with live progress,
# a verdict table and the reports. Stops everything it started.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

work=$(mktemp -d /tmp/certbench-demo.XXXXXX)
sim_pid= ; daemon_pid=
cleanup() {
  for p in $daemon_pid $sim_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# The relay board: a Modbus TCP server that logs every coil change.
mkfifo "$work/sim.ready"
build/sim/certbench-relaysim --port 0 --log "$work/relay-board.log" >"$work/sim.ready" 2>"$work/sim.err" &
sim_pid=$!
read -r ready <"$work/sim.ready"
port=${ready#READY port=}
echo "relay simulator: 127.0.0.1:$port (coil log: $work/relay-board.log)"

# The example fixture, pointed at the simulator's port.
sed "s/port: 1502/port: $port/" fixtures/modbus-bench.yaml >"$work/bench.yaml"
cat >"$work/certbenchd.yaml" <<CONF
bench_fixture: bench.yaml
state_dir: $work/state
command_endpoint: ipc://$work/command
event_endpoint: ipc://$work/events
heartbeat_s: 0
CONF
export CERTBENCH_COMMAND="ipc://$work/command" CERTBENCH_EVENTS="ipc://$work/events"

build/daemon/certbenchd -c "$work/certbenchd.yaml" 2>"$work/certbenchd.log" &
daemon_pid=$!
i=0
until build/cli/certbench status >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $daemon_pid 2>/dev/null; then
    echo "certbenchd did not come up:" >&2; cat "$work/certbenchd.log" >&2; exit 2
  fi
  sleep 0.1
done
echo "certbenchd: serving on $CERTBENCH_COMMAND"
echo

profile="$top/fixtures/profiles/example-smartplug.yaml"
run1=$(build/cli/certbench run --slot dut1 --profile "$profile" --serial SP1-0001 \
         --param power.cycle.off_ms=1500)
run2=$(build/cli/certbench run --slot dut2 --profile "$profile" --serial SP1-0002 \
         --param power.cycle.off_ms=2000)
echo "dut1: run $run1    dut2: run $run2"
build/cli/certbench watch --until-idle

echo
echo "== verdicts"
status=0
summary=""
for pair in "dut1 $run1" "dut2 $run2"; do
  set -- $pair
  build/cli/certbench report "$2" || true
  build/cli/certbench report "$2" --format json --output "$work/$1-report.json"
  build/cli/certbench report "$2" --format junit --output "$work/$1-report.xml"
  outcome=$(sed -n 's/^ *"outcome": "\([A-Z]*\)".*/\1/p' "$work/$1-report.json" | head -n1)
  case "$outcome" in
    PASS) ;;
    FAIL) [ $status -ge 1 ] || status=1 ;;
    *) status=2 ;;
  esac
  summary="$summary$(printf '%-6s %-28s %s' "$1" "$2" "${outcome:-ERROR}")
"
  echo
done
echo "== verdict table"
printf '%-6s %-28s %s\n' SLOT RUN VERDICT
printf '%s' "$summary"

kill $daemon_pid; wait $daemon_pid 2>/dev/null || true; daemon_pid=
# The radio and USB cases against compliant and non-compliant simulated
# DUTs. This machine's kernel may have no Wi-Fi or USB, so they run in the
# kernel rig, exactly as its tests do (one definition: tests/rig/*/CMakeLists.txt):
# D-3 wifi.security and wifi.downgrade (mac80211_hwsim, hostapd, wpa_supplicant),
# D-6 usb.exposure (configfs gadgets that follow the DUT's power relay) and
# usb.host-sweep (the guest's own host stack as the DUT's), D-4 bt.pairing
# (btvirt controllers through hci_vhci, certbench-bt-dut as the DUT).
rig_demo() { # TITLE CTEST-NAME
  echo
  echo "== $1"
  set +e
  ctest --test-dir build -R "^rig\.$2\$" -V --timeout 400 >"$work/rig-$2.log" 2>&1
  rc=$?
  set -e
  sed -n 's/^[0-9]*: //p' "$work/rig-$2.log" |
    grep -E '^(wifi-cases: (sec|dg)-|(wifi|usb|bt)\.[a-z-]+ [A-Z]+:|usb-cases: |usb-host: |bt-cases: [a-z-]+: DUT|PASS:|FAIL:|SKIP:|RIG )' || true
  if grep -q "\*\*\*Skipped" "$work/rig-$2.log"; then
    echo "SKIP: $2 needs the kernel rig (qemu, Debian's kernel; see $work/rig-$2.log)"
  elif [ $rc -ne 0 ]; then
    echo "$2: rig test failed (exit $rc), log: $work/rig-$2.log"; status=2
  fi
}
if sh scripts/rig-deps.sh >/dev/null 2>&1; then
  rig_demo "D-3 Wi-Fi security: wifi.security" wifi_case_security
  rig_demo "D-3 Wi-Fi security: wifi.downgrade" wifi_case_downgrade
  rig_demo "D-6 USB exposure: usb.exposure" usb_case_exposure
  rig_demo "D-6 USB host sweep: usb.host-sweep" usb_host_sweep
  rig_demo "D-4 Bluetooth pairing, BR/EDR: bt.pairing" bt_case_bredr
  rig_demo "D-4 Bluetooth pairing, LE: bt.pairing" bt_case_le
  rig_demo "D-4 Bluetooth pairing, dual-mode DUT: bt.pairing" bt_case_dual
else
  echo "SKIP: the D-3, D-4 and D-6 runs need the kernel rig (qemu, Debian's kernel: sh scripts/rig-deps.sh)"
fi

echo "reports: $work/dut1-report.json $work/dut1-report.xml $work/dut2-report.json $work/dut2-report.xml"
echo "store:   $work/state/certbench.db    daemon log: $work/certbenchd.log"
exit $status
