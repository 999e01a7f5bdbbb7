#!/bin/sh
# run.sh TEST-BINARY VARIANT
# Runs the umockdev probe test with libumockdev-preload loaded and always
# under timeout: a libusb event loop that the emulated device never
# answers must not hang CTest.
# A sanitizer build (-DCERTBENCH_SANITIZE=ON) needs the ASan runtime first
# in the initial library list, before umockdev's preload; umockdev-wrapper
# puts its library first, so then LD_PRELOAD is set here instead.
bin=$1 variant=$2
if [ -z "$bin" ]; then
    echo "SKIP: libumockdev-dev (umockdev-1.0.pc) or umockdev-wrapper missing at configure time" \
         "(apt-get install libumockdev-dev umockdev)"
    exit 77
fi
asan=$(ldd "$bin" 2>/dev/null | sed -n 's|.*=> \(/[^ ]*libasan[^ ]*\) .*|\1|p' | head -n 1)
if [ -n "$asan" ]; then
    LD_PRELOAD="$asan:libumockdev-preload.so.0${LD_PRELOAD:+:$LD_PRELOAD}" \
        exec timeout -k 5 60 "$bin" "$variant"
fi
exec timeout -k 5 60 umockdev-wrapper "$bin" "$variant"
