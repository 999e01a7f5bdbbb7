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
# D-3: wifi.security and wifi.downgrade against compliant and non-compliant
# simulated DUTs. This machine's kernel may have no Wi-Fi, so they run in
# the kernel rig (mac80211_hwsim, hostapd, wpa_supplicant; docs/wifi-cases.md).
echo
echo "== D-3 Wi-Fi security (kernel rig: mac80211_hwsim, hostapd, wpa_supplicant)"
if ! sh scripts/rig-deps.sh >/dev/null 2>&1; then
  echo "SKIP: D-3 runs need the kernel rig (qemu, Debian's kernel: sh scripts/rig-deps.sh)"
else
  for t in security:2 downgrade:3; do
    name=${t%:*}; radios=${t#*:}
    set +e
    tests/rig/rig-run.sh --cache build/rig-cache --timeout 300 \
      --modules "mac80211_hwsim radios=$radios ccm gcm cmac ctr" --outdir "$work/rig-$name" \
      -- "$top/tests/rig/wifi-cases/$name.sh" "$top/build/daemon/certbenchd" \
         "$top/build/cli/certbench" "$top/build/sim/certbench-relaysim" >"$work/rig-$name.log" 2>&1
    rc=$?
    set -e
    grep -E '^(wifi-cases: (sec|dg)-|wifi\.(security|downgrade) [A-Z]+:|PASS:|FAIL:|SKIP:|RIG )' "$work/rig-$name.log" || true
    case $rc in
      0) ;;
      77) echo "SKIP: D-3 $name (see $work/rig-$name.log)" ;;
      *) echo "D-3 $name: rig test failed (exit $rc), log: $work/rig-$name.log"; status=2 ;;
    esac
  done
fi

# D-6: usb.exposure against a compliant and a non-compliant simulated DUT
# (configfs gadgets on dummy_hcd that follow the DUT's power relay), in the
# kernel rig (docs/usb-cases.md).
echo
echo "== D-6 USB exposure (kernel rig: dummy_hcd, configfs gadgets)"
if ! sh scripts/rig-deps.sh >/dev/null 2>&1; then
  echo "SKIP: D-6 runs need the kernel rig (qemu, Debian's kernel: sh scripts/rig-deps.sh)"
else
  set +e
  tests/rig/rig-run.sh --cache build/rig-cache --timeout 180 \
    --modules "dummy_hcd num=1 libcomposite" --outdir "$work/rig-usb-exposure" \
    -- "$top/tests/rig/usb-cases/exposure.sh" "$top/build/daemon/certbenchd" \
       "$top/build/cli/certbench" "$top/build/sim/certbench-relaysim" \
       "$top/build/tests/rig/usb-cases/rig-usb-ffs-adb" >"$work/rig-usb-exposure.log" 2>&1
  rc=$?
  set -e
  grep -E '^(usb-cases: (compliant|noncompliant|silent|total)|usb\.exposure [A-Z]+:|PASS:|FAIL:|SKIP:|RIG )' "$work/rig-usb-exposure.log" || true
  case $rc in
    0) ;;
    77) echo "SKIP: D-6 usb.exposure (see $work/rig-usb-exposure.log)" ;;
    *) echo "D-6 usb.exposure: rig test failed (exit $rc), log: $work/rig-usb-exposure.log"; status=2 ;;
  esac
fi

# D-6, the DUT as USB host: usb.host-sweep presents one function at a time
# and records what the DUT's host binds (docs/usb-host.md).
echo
echo "== D-6 USB host sweep (kernel rig: the guest's host stack behind dummy_hcd)"
if ! sh scripts/rig-deps.sh >/dev/null 2>&1; then
  echo "SKIP: D-6 host-sweep runs need the kernel rig (qemu, Debian's kernel: sh scripts/rig-deps.sh)"
else
  set +e
  tests/rig/rig-run.sh --cache build/rig-cache --timeout 240 \
    --modules "dummy_hcd num=1 libcomposite usb_f_hid usb_f_mass_storage usb_f_ecm usb_f_ncm usb_f_rndis usb_f_acm usb_f_printer usb_f_uac2" \
    --outdir "$work/rig-usb-host" \
    -- "$top/tests/rig/usb-host/host-sweep.sh" "$top/build/daemon/certbenchd" "$top/build/cli/certbench" \
       "$top/build/sim/certbench-relaysim" "$top/build/tests/rig/usb-host/rig-usbgadget-test" >"$work/rig-usb-host.log" 2>&1
  rc=$?
  set -e
  grep -E '^(usb-host: |PASS:|FAIL:|SKIP:|RIG )' "$work/rig-usb-host.log" || true
  case $rc in
    0) ;;
    77) echo "SKIP: D-6 usb.host-sweep (see $work/rig-usb-host.log)" ;;
    *) echo "D-6 usb.host-sweep: rig test failed (exit $rc), log: $work/rig-usb-host.log"; status=2 ;;
  esac
fi

echo "reports: $work/dut1-report.json $work/dut1-report.xml $work/dut2-report.json $work/dut2-report.xml"
echo "store:   $work/state/certbench.db    daemon log: $work/certbenchd.log"
exit $status
