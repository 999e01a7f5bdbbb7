#!/bin/bash
# The bench of an end-to-end kernel-rig test (sourced, bash; in the guest):
# the real relay simulator on loopback as the relay board, the real
# certbenchd with a fixture written here, optionally a simulated DUT that
# follows its power coil, and `certbench run --wait` / `certbench report`
# to drive and read runs, checked by case_check.py next to this file.
#
# Contract:
#   Needs: bash, CBD, CB, SIM (certbenchd, certbench, certbench-relaysim),
#     coreutils timeout and tail, /usr/bin/python3 (+ zmq for check_case and
#     report_has). The source tree is visible in the guest (the host root
#     over 9p), so callers source it as "$HERE/../lib/bench.sh".
#   Call order: bench_init TAG WORKDIR; [bench_require ...]; bench_prepare
#     (fresh WORKDIR, EXIT trap); bench_start ...; run_case / check_case /
#     report_has ...; finish NAME.
#   Sets: W (work dir), OUT ($RIG_OUT, else W), fails (count of bad), t_start,
#     bg_pids (killed at exit), bench_keep (file suffixes copied to OUT at
#     exit), EP (command endpoint), DAEMON_PID, RUN_ID, RUN_MS, RUN_RC.
#   Hooks (optional functions the test defines): bench_on_cleanup, run at exit
#     after the daemon and bg_pids are gone, before the copy to OUT.
#   Every wait has a deadline: wait_log (tail -F through inotify under
#     timeout), kill_wait (5 s, then SIGKILL, 5 s), the daemon's stop (15 s),
#     certbench run (BENCH_RUN_TIMEOUT, 240 s) and report (30 s), the
#     evidence fetch in case_check.py (10 s).
set -u
BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_init TAG WORKDIR: say's prefix and the work dir; no file touched.
bench_init() {
  BENCH_TAG=$1
  W=$2
  OUT=${RIG_OUT:-$W}
  fails=0
  t_start=$EPOCHREALTIME
  bg_pids=()
  bench_keep=(log yaml json txt)
  DAEMON_PID=
  SLOT=dut1
  BENCH_RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-240}
  CASE_CHECK=${CASE_CHECK:-$BENCH_LIB/case_check.py}
}

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
say() { echo "$BENCH_TAG: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# finish NAME: the summary; exit 0 ("PASS: NAME") when nothing was bad.
finish() {
  say "total $(ms_since "$t_start") ms in the guest, $fails failure(s)"
  [ "$fails" = 0 ] && { echo "PASS: $1"; exit 0; }
  exit 1
}

# bench_require [--packages TEXT] TOOL...: exit 77 (skip) unless timeout,
# tail, /usr/bin/python3 with zmq and each TOOL are there.
bench_require() {
  local t hint=
  [ "${1:-}" = --packages ] && { hint=" (packages $2)"; shift 2; }
  for t in timeout tail /usr/bin/python3 "$@"; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed$hint"; exit 77; }
  done
  /usr/bin/python3 -c 'import zmq' 2>/dev/null || { echo "SKIP: python3-zmq not installed"; exit 77; }
}

# bench_prepare: an empty W, OUT, /dev/fd (wait_log needs it), the EXIT trap.
bench_prepare() {
  [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
  rm -rf "$W"
  mkdir -p "$W" "$OUT"
  trap bench_cleanup EXIT
}

# wait_log FILE PATTERN COUNT SECONDS: until COUNT lines of FILE match the
# extended regex PATTERN (0), or the deadline (non-zero). FILE may not
# exist yet.
wait_log() {
  local f=$1 pat=$2 n=$3 t=$4 fd tpid c r
  exec {fd}< <(exec timeout "$t" tail -n +1 -F "$f" 2>/dev/null)
  tpid=$!
  # Counted through a pipe: grep 3.8 with its output on /dev/null and
  # -m above 1 reads on to EOF, i.e. to the deadline.
  c=$(grep -E -c -m "$n" -- "$pat" <&"$fd")
  [ "${c:-0}" -ge "$n" ]
  r=$?
  kill "$tpid" 2>/dev/null
  exec {fd}<&-
  return $r
}

# bench_kill_wait PID: SIGTERM, then until it is gone (5 s), then SIGKILL
# and until it is gone (5 s).
bench_kill_wait() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  timeout 5 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid" 2>/dev/null; timeout 5 tail --pid="$pid" -f /dev/null; }
}

# kill_wait PIDFILE: bench_kill_wait on the pid in PIDFILE (daemons started
# with -B -P); the file is removed.
kill_wait() {
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  rm -f "$1"
  bench_kill_wait "$pid"
}

# bench_stop: certbenchd (SIGTERM, until it is gone: 15 s), then bg_pids.
bench_stop() {
  local p
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null &&
    timeout 15 tail --pid="$DAEMON_PID" -f /dev/null
  DAEMON_PID=
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  bg_pids=()
}

# bench_save: W's files with a suffix in bench_keep, copied to OUT.
bench_save() {
  local s
  [ "$OUT" = "$W" ] && return 0
  for s in "${bench_keep[@]}"; do cp "$W"/*."$s" "$OUT"/ 2>/dev/null; done
  return 0
}

# The EXIT trap: everything this file started, the test's hook, daemons
# that left a pid file in W, then the evidence to OUT.
bench_cleanup() {
  local f
  bench_stop
  [ "$(type -t bench_on_cleanup)" = function ] && bench_on_cleanup
  for f in "$W"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  bench_save
}

# bench_power_follow COIL ON OFF: reads the relay simulator's coil log
# ("T coil=N value=V") on stdin and runs ON / OFF on COIL's edges, like a
# DUT on its power relay; logged to $W/dut-power.log. Runs in a subshell
# (a pipe): state the test's ON/OFF share with the main shell goes
# through files.
bench_power_follow() {
  local coil=$1 on=$2 off=$3 t c value dut_on=0
  while read -r t c value; do
    [ "$c" = "coil=$coil" ] || continue
    case $value in
      value=1) [ $dut_on = 1 ] || { echo "$t DUT power on" >>"$W/dut-power.log"; "$on"; dut_on=1; } ;;
      value=0) [ $dut_on = 0 ] || { echo "$t DUT power off" >>"$W/dut-power.log"; "$off"; dut_on=0; } ;;
    esac
  done
}

# bench_start BENCH [--channel NAME=COIL ...] [--follow COIL ON OFF] FIXTURE-TAIL
# The relay simulator (READY: 20 s), the power follower if asked, the
# fixture $W/bench.yaml (bench name BENCH, relay1 with the channels,
# default dut1.power=0, safe off; then FIXTURE-TAIL as is: radios,
# usb_ports, slots), certbenchd on it ("ready:": 30 s). Sets EP and
# DAEMON_PID. 1 after a "FAIL:" line when something did not come up.
bench_start() {
  local name=$1 port t=$EPOCHREALTIME follow=() channels=() ch
  shift
  while [ $# -gt 1 ]; do
    case $1 in
      --channel) channels+=("$2"); shift 2 ;;
      --follow) follow=("$2" "$3" "$4"); shift 4 ;;
      *) break ;;
    esac
  done
  [ ${#channels[@]} -gt 0 ] || channels=(dut1.power=0)
  : >"$W/sim.log"
  "$SIM" --port 0 --coils 4 --log "$W/sim.log" >"$W/sim.out" 2>"$W/sim.err" &
  bg_pids+=("$!")
  wait_log "$W/sim.out" '^READY port=' 1 20 || { echo "FAIL: relay simulator not ready: $(cat "$W/sim.err")"; return 1; }
  port=$(sed -n 's/^READY port=//p' "$W/sim.out")
  if [ ${#follow[@]} -gt 0 ]; then
    # From now on (the log is followed through inotify).
    tail -n +1 -F "$W/sim.log" 2>/dev/null | bench_power_follow "${follow[@]}" &
    bg_pids+=("$!")
  fi
  {
    echo "bench: $name"
    echo "relays:"
    echo "  - name: relay1"
    echo "    kind: modbus-tcp"
    echo "    host: 127.0.0.1"
    echo "    port: $port"
    echo "    unit: 1"
    echo "    channels:"
    for ch in "${channels[@]}"; do echo "      - { name: ${ch%%=*}, coil: ${ch#*=}, safe: off }"; done
    echo "$1"
  } >"$W/bench.yaml"
  EP="ipc://$W/command"
  cat >"$W/certbenchd.yaml" <<EOT
bench_fixture: bench.yaml
state_dir: $W/state
command_endpoint: $EP
event_endpoint: ipc://$W/events
heartbeat_s: 0
EOT
  mkdir -p "$W/state"
  : >"$W/certbenchd.log"
  "$CBD" -c "$W/certbenchd.yaml" >>"$W/certbenchd.log" 2>&1 &
  DAEMON_PID=$!
  wait_log "$W/certbenchd.log" 'ready:' 1 30 ||
    { echo "FAIL: certbenchd not ready within 30 s:"; cat "$W/certbenchd.log"; return 1; }
  say "relay simulator (port $port) and certbenchd ready in $(ms_since "$t") ms"
}

# run_case NAME EXPECT_RC CASE PROFILE [ARGS...]: one run of CASE on slot
# $SLOT through the CLI (exit 0 PASS, 1 FAIL, 2 ERROR/ABORTED), within
# BENCH_RUN_TIMEOUT; its output in $W/NAME.txt, then the report in
# $W/NAME.json. Sets RUN_RC, RUN_ID, RUN_MS. 1 (and bad) when the exit is
# not EXPECT_RC or the report cannot be had.
run_case() {
  local name=$1 want=$2 case=$3 profile=$4 t v
  shift 4
  t=$EPOCHREALTIME
  timeout "$BENCH_RUN_TIMEOUT" "$CB" --endpoint "$EP" --events "ipc://$W/events" --timeout 10 run --slot "$SLOT" \
    --profile "$profile" --serial "rig-$name" --case "$case" "$@" --wait >"$W/$name.txt" 2>&1
  RUN_RC=$?
  RUN_MS=$(ms_since "$t")
  sed 's/^/  | /' "$W/$name.txt"
  RUN_ID=$(head -n 1 "$W/$name.txt")
  v=$(sed -n 's/^verdict //p' "$W/$name.txt")
  say "$name: certbench run --wait exit $RUN_RC in $RUN_MS ms${v:+: $v}"
  [ "$RUN_RC" = "$want" ] || { bad "$name: certbench run exit $RUN_RC, expected $want"; return 1; }
  timeout 30 "$CB" --endpoint "$EP" report "$RUN_ID" --format json >"$W/$name.json" 2>"$W/$name.err" ||
    { bad "$name: certbench report failed: $(cat "$W/$name.err")"; return 1; }
  return 0
}

# check_case NAME CASE OUTCOME [--evidence FILE KEY=VALUE ...]: $CASE_CHECK
# (case_check.py) on $W/NAME.json; bad on a mismatch.
check_case() {
  local name=$1
  shift
  /usr/bin/python3 "$CASE_CHECK" "$W/$name.json" "$@" --endpoint "$EP" || bad "$name: report check failed"
}

# report_has NAME CASE PYTHON-EXPR: an assertion on CASE's result r in
# $W/NAME.json (r["reason"], evidence by name ev, measurements by name ms).
report_has() {
  /usr/bin/python3 "$BENCH_LIB/case_check.py" "$W/$1.json" "$2" --assert "$3" || bad "$1: report: $3"
}
