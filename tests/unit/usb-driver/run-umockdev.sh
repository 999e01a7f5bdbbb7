#!/bin/sh
# run-umockdev.sh TEST-BINARY RECORDING "VID:PID PORT-PATH FUNCTIONS"
# Runs the drivers/usb unit test with libusb seeing the devices of a
# umockdev recording. Skips (77) without the shared data or umockdev-run.
# Always under timeout: a libusb spin under umockdev must not hang CTest.
bin=$1 rec=$2 expect=$3
if [ ! -f "$rec" ]; then
    echo "SKIP: $rec absent (../shared/data)"; exit 77
fi
if ! command -v umockdev-run >/dev/null 2>&1; then
    echo "SKIP: umockdev-run not installed (apt-get install umockdev)"; exit 77
fi
# Under ASan the umockdev preload must come after the ASan runtime, and then
# libusb's enumeration under umockdev-run does not finish (seen: 60 s
# timeouts); the normal build runs these, the sanitizer build skips them.
if ldd "$bin" 2>/dev/null | grep -q libasan; then
    echo "SKIP: umockdev-run with an ASan binary (runs in the normal build)"; exit 77
fi
CB_USB_EXPECT=$expect exec timeout -k 5 60 umockdev-run -d "$rec" -- "$bin"
