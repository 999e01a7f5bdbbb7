/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serial console probe: does a line break on the DUT's CDC-ACM port give a
 * shell without a login? */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/macros.h"
#include "probe.h"

#define BANNER_MAX 4096
/* Once a prompt is there, this much silence ends the capture early. */
#define QUIET_USEC (200 * USEC_PER_MSEC)

static int tty_name_in(const char *dir, char **ret_path) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int r = -ENOENT;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(ret_path, "/dev/%s", de->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = 0;
                break;
        }
        closedir(d);
        return r;
}

int usbprobe_acm_tty_find(const char *sysfs, const char *port_path, uint8_t config, uint8_t ifnum,
                          usec_t deadline, char **ret_path) {
        _cleanup_free_ char *dir = NULL;

        if (!port_path || !ret_path || strchr(port_path, '/') || deadline == USEC_INFINITY)
                return -EINVAL;
        if (asprintf(&dir, "%s/bus/usb/devices/%s:%u.%u/tty", sysfs ?: "/sys", port_path, config, ifnum) < 0)
                return -ENOMEM;
        for (;;) {
                int r = tty_name_in(dir, ret_path);

                if (r == 0 || r == -ENOMEM)
                        return r;
                /* sysfs has no change notification for this; cdc_acm binds a
                 * few ms after enumeration, so a short bounded poll. */
                if (deadline_poll_ms(deadline) == 0)
                        return -ETIMEDOUT;
                (void) poll(NULL, 0, deadline_poll_ms(deadline) < 20 ? deadline_poll_ms(deadline) : 20);
        }
}

static int tty_raw(int fd) {
        struct termios t;

        if (tcgetattr(fd, &t) < 0)
                return -errno;
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        (void) tcflush(fd, TCIFLUSH);   /* only what answers our line break counts */
        return 0;
}

int usbprobe_acm(const char *tty, usec_t banner_usec, usec_t deadline, struct usbprobe_report **ret) {
        _cleanup_(usbprobe_report_freep) struct usbprobe_report *rep = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0;
        usec_t end, last = 0;
        enum usbprobe_banner b;
        int r;

        if (!tty || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        rep = usbprobe_report_new(USBDESC_FN_CDC_ACM, 0);
        buf = malloc(BANNER_MAX);
        if (!rep || !buf)
                return -ENOMEM;
        fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = tty_raw(fd);
        if (r < 0)
                return r;
        if (write(fd, "\r\n", 2) != 2)
                return errno ? -errno : -EIO;
        end = deadline_in(banner_usec ?: USEC_PER_SEC);
        if (end > deadline)
                end = deadline;
        while (n < BANNER_MAX) {
                usec_t until = end;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t k;

                if (last && last + QUIET_USEC < until) {
                        enum usbprobe_banner seen = usbprobe_banner_classify(buf, n);

                        if (seen == USBPROBE_BANNER_SHELL || seen == USBPROBE_BANNER_LOGIN)
                                until = last + QUIET_USEC;
                }
                r = poll(&p, 1, deadline_poll_ms(until));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        break;
                k = read(fd, buf + n, BANNER_MAX - n);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (k < 0)
                        return -errno;   /* EIO: the port went away */
                if (k == 0)
                        break;
                n += (size_t) k;
                last = mono_now();
        }
        if (usbprobe_report_raw(rep, buf, n) < 0 || usbprobe_report_detail(rep, "tty=%s", tty) < 0 ||
            usbprobe_report_detail(rep, "banner_bytes=%zu", n) < 0)
                return -ENOMEM;
        b = usbprobe_banner_classify(buf, n);
        if (usbprobe_report_detail(rep, "banner=%s", usbprobe_banner_name(b)) < 0)
                return -ENOMEM;
        switch (b) {
        case USBPROBE_BANNER_SHELL:
                r = usbprobe_report_verdict(rep, USBPROBE_FAIL,
                                            "%s gives a shell prompt without a login", tty);
                break;
        case USBPROBE_BANNER_LOGIN:
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "%s asks for a login", tty);
                break;
        case USBPROBE_BANNER_NONE:
                r = usbprobe_report_verdict(rep, USBPROBE_PASS,
                                            "%s printed nothing after a line break (no console seen)", tty);
                break;
        case USBPROBE_BANNER_OTHER:
                r = usbprobe_report_verdict(rep, USBPROBE_PASS,
                                            "%s printed text but neither a shell nor a login prompt", tty);
                break;
        case _USBPROBE_BANNER_MAX:
                r = -EINVAL;
                break;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rep);
        return 0;
}
