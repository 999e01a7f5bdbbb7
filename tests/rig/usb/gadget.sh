# shellcheck shell=dash
# configfs USB gadgets for kernel-rig guest scripts (sourced; POSIX sh plus
# 'local', which dash, busybox sh and bash have).
# See README.md. Every function returns 0 on success, prints its result (if
# any) on stdout and a reason on stderr otherwise; every wait has a deadline.
#
#   gadget_create NAME VID PID [PRODUCT]      gadget with strings and config c.1
#   gadget_add_function NAME TYPE [INSTANCE]  TYPE: acm mass_storage hid ecm
#       ncm rndis ffs; loads the gadget function and the host-side class
#       driver (not with GADGET_NO_HOST_DRIVERS=1); prints: acm -> /dev/ttyGSn, mass_storage -> backing file,
#       ffs -> FunctionFS mount point (write descriptors to its ep0 before
#       gadget_bind), others -> the configfs function directory
#   gadget_preload TYPE...                   load the modules of several
#                                             types in one modprobe (faster)
#   gadget_bind NAME UDC                      UDC: dummy_udc.0, dummy_udc.1 ...
#   gadget_wait_enumerated VID PID SECONDS    prints the host-side sysfs device
#                                             directory (/sys/bus/usb/devices/X)
#   gadget_wait_driver SYSDEV IFNUM DRIVER SECONDS   interface bound to DRIVER
#   gadget_wait_path PATH SECONDS             e.g. /dev/ttyACM0 appears
#   gadget_unbind NAME ; gadget_remove NAME   (remove unbinds first)

GADGET_CONFIGFS=${GADGET_CONFIGFS:-/sys/kernel/config/usb_gadget}

_gadget_err() { echo "gadget: $*" >&2; return 1; }
_gadget_now_ms() { date +%s%3N; }
_gadget_write() { # FILE VALUE
  printf '%s\n' "$2" >"$1" 2>/dev/null || _gadget_err "cannot write '$2' to $1"
}

# Boot keyboard report descriptor (HID 1.11 appendix B.1), 63 bytes.
_gadget_hid_keyboard_desc() {
  printf '\005\001\011\006\241\001\005\007\031\340\051\347\025\000\045\001'
  printf '\165\001\225\010\201\002\225\001\165\010\201\003\225\005\165\001'
  printf '\005\010\031\001\051\005\221\002\225\001\165\003\221\003\225\006'
  printf '\165\010\025\000\045\145\005\007\031\000\051\145\201\000\300'
}

gadget_create() { # NAME VID PID [PRODUCT]
  local g
  [ $# -ge 3 ] || _gadget_err "usage: gadget_create NAME VID PID [PRODUCT]" || return
  g=$GADGET_CONFIGFS/$1
  [ -d "$GADGET_CONFIGFS" ] || modprobe libcomposite || _gadget_err "no libcomposite" || return
  mkdir "$g" 2>/dev/null || _gadget_err "cannot create gadget $1" || return
  _gadget_write "$g/idVendor" "0x$2" && _gadget_write "$g/idProduct" "0x$3" &&
    _gadget_write "$g/bcdUSB" 0x0200 && _gadget_write "$g/bcdDevice" 0x0100 &&
    # Misc/IAD device class: composite functions come with IADs.
    _gadget_write "$g/bDeviceClass" 0xef && _gadget_write "$g/bDeviceSubClass" 0x02 &&
    _gadget_write "$g/bDeviceProtocol" 0x01 &&
    mkdir "$g/strings/0x409" "$g/configs/c.1" "$g/configs/c.1/strings/0x409" &&
    _gadget_write "$g/strings/0x409/manufacturer" certbench &&
    _gadget_write "$g/strings/0x409/product" "${4:-certbench rig gadget}" &&
    _gadget_write "$g/strings/0x409/serialnumber" "rig-$1" &&
    _gadget_write "$g/configs/c.1/strings/0x409/configuration" "c1" &&
    _gadget_write "$g/configs/c.1/MaxPower" 100
}

# The modules of the function TYPEs, gadget side and (unless
# GADGET_NO_HOST_DRIVERS=1) host side, in one modprobe: no udev in the guest
# loads class drivers on hotplug. gadget_add_function calls it; calling it
# once with every type first saves a modprobe per function.
gadget_preload() { # TYPE...
  local t h mods=""
  for t in "$@"; do
    case $t in
      acm) mods="$mods usb_f_acm" h=cdc_acm ;;
      mass_storage) mods="$mods usb_f_mass_storage" h="usb_storage sd_mod" ;;
      hid) mods="$mods usb_f_hid" h="usbhid hid_generic" ;;
      ecm) mods="$mods usb_f_ecm" h=cdc_ether ;;
      ncm) mods="$mods usb_f_ncm" h=cdc_ncm ;;
      rndis) mods="$mods usb_f_rndis" h=rndis_host ;;
      ffs) mods="$mods usb_f_fs" h="" ;;
      *) _gadget_err "unknown function type $t"; return ;;
    esac
    [ "${GADGET_NO_HOST_DRIVERS:-0}" = 1 ] || mods="$mods $h"
  done
  # shellcheck disable=SC2086  # a list of names
  modprobe -a $mods || _gadget_err "modprobe -a$mods"
}

gadget_add_function() { # NAME TYPE [INSTANCE]
  local g t i f out
  [ $# -ge 2 ] || _gadget_err "usage: gadget_add_function NAME TYPE [INSTANCE]" || return
  g=$GADGET_CONFIGFS/$1 t=$2 i=${3:-$1}
  [ -d "$g" ] || _gadget_err "no gadget $1" || return
  gadget_preload "$t" || return
  f=$g/functions/$t.$i
  mkdir "$f" 2>/dev/null || _gadget_err "cannot create function $t.$i" || return
  out=$f
  case $t in
    acm) out=/dev/ttyGS$(cat "$f/port_num") ;;
    mass_storage)
      out=/tmp/gadget-$1-$i.img
      # 1 MiB of zeros; the guest's /tmp is its own tmpfs.
      dd if=/dev/zero of="$out" bs=64k count=16 2>/dev/null &&
        _gadget_write "$f/lun.0/file" "$out" || return ;;
    hid)
      _gadget_write "$f/protocol" 1 && _gadget_write "$f/subclass" 1 &&
        _gadget_write "$f/report_length" 8 || return
      # report_desc is a plain attribute: each write() replaces it, so the
      # bytes must arrive in one write (cat of a file does that).
      _gadget_hid_keyboard_desc >"/tmp/gadget-$1-$i.hid" &&
        cat "/tmp/gadget-$1-$i.hid" >"$f/report_desc" || _gadget_err "report_desc" || return
      rm -f "/tmp/gadget-$1-$i.hid"
      [ "$(wc -c <"$f/report_desc")" = 63 ] || _gadget_err "report_desc not stored whole" || return ;;
    rndis)
      # The IAD as Windows matches it (Wireless Controller / Radio
      # Frequency / RNDIS); 6.1 applies these to the IAD only, the control
      # interface stays 02/02/ff, which rndis_host matches.
      if [ -e "$f/class" ]; then
        _gadget_write "$f/class" e0 && _gadget_write "$f/subclass" 01 &&
          _gadget_write "$f/protocol" 03 || return
      fi ;;
    ffs)
      out=/dev/ffs-$i
      mkdir -p "$out" && mount -t functionfs "$i" "$out" ||
        _gadget_err "cannot mount functionfs $i on $out" || return ;;
  esac
  ln -s "$f" "$g/configs/c.1/" || _gadget_err "cannot link $t.$i into c.1" || return
  echo "$out"
}

gadget_bind() { # NAME UDC
  [ -e "/sys/class/udc/$2" ] || _gadget_err "no UDC $2 (modprobe dummy_hcd num=2?)" || return
  _gadget_write "$GADGET_CONFIGFS/$1/UDC" "$2"
}

gadget_unbind() { # NAME
  local u
  u=$GADGET_CONFIGFS/$1/UDC
  [ -e "$u" ] || return 0
  [ -z "$(cat "$u")" ] || _gadget_write "$u" ""
}

gadget_remove() { # NAME: undoes gadget_create and gadget_add_function
  local g l f n
  g=$GADGET_CONFIGFS/$1
  [ -d "$g" ] || return 0
  gadget_unbind "$1" || return
  for l in "$g"/configs/c.1/*.*; do
    [ -L "$l" ] && rm "$l"
  done
  rmdir "$g/configs/c.1/strings/0x409" "$g/configs/c.1" 2>/dev/null
  for f in "$g"/functions/*.*; do
    [ -d "$f" ] || continue
    n=${f##*/}
    case $n in
      ffs.*) umount "/dev/ffs-${n#ffs.}" 2>/dev/null; rmdir "/dev/ffs-${n#ffs.}" 2>/dev/null ;;
      mass_storage.*) rm -f "/tmp/gadget-$1-${n#mass_storage.}.img" ;;
    esac
    rmdir "$f" || _gadget_err "cannot remove function $n" || return
  done
  rmdir "$g/strings/0x409" "$g" || _gadget_err "cannot remove gadget $1"
}

_gadget_find() { # VID PID: the host-side device directory, if enumerated
  local d
  for d in /sys/bus/usb/devices/*; do
    [ -r "$d/idVendor" ] || continue
    if [ "$(cat "$d/idVendor")" = "$1" ] && [ "$(cat "$d/idProduct")" = "$2" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# Polls every 50 ms until COMMAND succeeds or SECONDS have passed.
gadget_wait_for() { # SECONDS WHAT COMMAND [ARGS...]
  local end what
  end=$(( $(_gadget_now_ms) + $1 * 1000 )) what=$2
  shift 2
  while ! "$@"; do
    [ "$(_gadget_now_ms)" -lt "$end" ] || _gadget_err "timed out waiting for $what" || return
    sleep 0.05
  done
}

gadget_wait_enumerated() { # VID PID SECONDS
  gadget_wait_for "$3" "$1:$2 to enumerate" _gadget_find "$1" "$2"
}

_gadget_bound() { # SYSDEV IFNUM DRIVER
  local i
  for i in "$1":*."$2"; do
    [ "$(basename "$(readlink "$i/driver" 2>/dev/null)")" = "$3" ] && return 0
  done
  return 1
}

gadget_wait_driver() { # SYSDEV IFNUM DRIVER SECONDS
  gadget_wait_for "$4" "$3 on $1 interface $2" _gadget_bound "$1" "$2" "$3"
}

gadget_wait_path() { # PATH SECONDS
  gadget_wait_for "$2" "$1" test -e "$1"
}
