# D-7 access probes (issue 5, docs/usb-access.md). Included by whichever
# CMakeLists.txt needs the targets first; guarded so it is defined once.
# cb_usbprobe_decode: the pure decoders (no I/O; fuzzed by fuzz-usbprobe).
# cb_usbprobe: the probes (libusb, the ACM tty), each bounded by a deadline.
if(NOT TARGET cb_usbprobe)
  if(NOT TARGET cb_usbdesc)
    add_subdirectory(${CMAKE_SOURCE_DIR}/lib/usbdesc ${CMAKE_BINARY_DIR}/lib/usbdesc)
  endif()
  set(_probe_dir ${CMAKE_CURRENT_LIST_DIR})
  add_library(cb_usbprobe_decode STATIC
    ${_probe_dir}/decode-adb.c ${_probe_dir}/decode-bot.c ${_probe_dir}/decode-dfu.c
    ${_probe_dir}/decode-hid.c ${_probe_dir}/decode-serial.c)
  target_include_directories(cb_usbprobe_decode PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(cb_usbprobe_decode PUBLIC cb_usbdesc cb_common)
  add_library(cb_usbprobe STATIC
    ${_probe_dir}/probe-util.c ${_probe_dir}/probe-acm.c ${_probe_dir}/probe-adb.c
    ${_probe_dir}/probe-msc.c ${_probe_dir}/probe-dfu.c ${_probe_dir}/probe-hid.c
    ${_probe_dir}/probe-device.c)
  target_link_libraries(cb_usbprobe PUBLIC cb_usbprobe_decode cb_usbdesc cb_common PkgConfig::LIBUSB)
endif()
