#!/bin/sh
# The short libFuzzer run of the test command: every fuzz target built with
# clang's libFuzzer + ASan/UBSan (build-fuzz/) and run for SECONDS each
# (default 10) over its seed corpus. New inputs go to a scratch folder, so
# the seed corpora in the tree stay as they are. A crash, leak or sanitizer
# report fails it; the crashing input is kept and named.
# Usage: sh scripts/fuzz-short.sh [SECONDS]   (the long run: fuzz/README.md)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
# A fixed seed: the same inputs in the same order on every run, so the test
# command does not pass or fail by luck (FUZZ_SEED=0: a random one; the
# long runs in fuzz/README.md explore further).
seed=${FUZZ_SEED:-1}
command -v clang >/dev/null || { echo "SKIP: clang not installed (package clang)"; exit 0; }
CC=clang cmake -S . -B build-fuzz -DCERTBENCH_FUZZ=ON -DCERTBENCH_SANITIZE=ON >/dev/null
# target and its seed folders (as fuzz/CMakeLists.txt's replay tests use them)
targets="fuzz-bus-request:fuzz/corpus/bus
fuzz-config:fixtures,fixtures/profiles
fuzz-modbus-frame:fuzz/corpus/modbus
fuzz-hci-features:fuzz/corpus/hci-features
fuzz-ieee80211:fuzz/corpus/ieee80211
fuzz-pcap80211:fuzz/corpus/pcap80211
fuzz-usbdesc:fuzz/corpus/usbdesc
fuzz-btsnoop:fuzz/corpus/btsnoop
fuzz-btpair:fuzz/corpus/btsnoop
fuzz-usbprobe:fuzz/corpus/usbprobe"
names=$(echo "$targets" | cut -d: -f1 | tr '\n' ' ')
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $names
scratch=$(mktemp -d /tmp/certbench-fuzz.XXXXXX)
fails=0
for t in $targets; do
  name=${t%%:*}
  seeds=$(echo "${t#*:}" | tr ',' ' ')
  mkdir -p "$scratch/$name"
  # shellcheck disable=SC2086
  if build-fuzz/fuzz/$name -seed="$seed" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$scratch/$name-" \
       "$scratch/$name" $seeds >"$scratch/$name.log" 2>&1; then
    echo "fuzz: $name ${secs} s: $(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name.log") runs, cov $(grep -o 'cov: [0-9]*' "$scratch/$name.log" | tail -n 1 | cut -d' ' -f2), no crash"
  else
    echo "FAIL: $name: see $scratch/$name.log; inputs: $(ls "$scratch" | grep "^$name-" | tr '\n' ' ')"
    tail -n 30 "$scratch/$name.log"
    fails=$((fails + 1))
  fi
done
[ $fails = 0 ] && rm -rf "$scratch"
exit $((fails > 0))
