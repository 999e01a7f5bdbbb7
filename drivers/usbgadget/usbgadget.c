/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "usbgadget.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define CONFIGFS "/sys/kernel/config/usb_gadget"
#define UDC_CLASS "/sys/class/udc"
/* How often a wait re-reads sysfs attributes that offer no notification;
 * the abort fd ends the wait at once. */
#define TICK_USEC (20 * USEC_PER_MSEC)
#define BACKING_SIZE (4 * 1024 * 1024)

static const char *const function_table[_USBGADGET_FUNCTION_MAX] = {
        [USBGADGET_HID] = "hid",
        [USBGADGET_MASS_STORAGE] = "mass_storage",
        [USBGADGET_ECM] = "ecm",
        [USBGADGET_NCM] = "ncm",
        [USBGADGET_RNDIS] = "rndis",
        [USBGADGET_ACM] = "acm",
        [USBGADGET_PRINTER] = "printer",
        [USBGADGET_UAC2] = "uac2",
};

const char *usbgadget_function_to_string(enum usbgadget_function f) {
        return (unsigned) f < _USBGADGET_FUNCTION_MAX ? function_table[f] : NULL;
}

int usbgadget_function_from_string(const char *s) {
        for (int i = 0; i < _USBGADGET_FUNCTION_MAX; i++)
                if (s && strcmp(function_table[i], s) == 0)
                        return i;
        return -EINVAL;
}

struct usbgadget {
        enum usbgadget_function function;
        char *dir;            /* configfs gadget directory */
        char *fdir;           /* its function directory */
        char *link;           /* the function's link in configs/c.1 */
        char *udc;            /* bound to, or NULL */
        char *backing;        /* mass storage backing file */
        char *netdev;         /* ecm/ncm/rndis interface, once bound */
        int fd;               /* gadget-side device opened by observe */
        int state_fd;         /* the UDC's state, opened and read before binding */
};

/* Boot keyboard report descriptor (HID 1.11 appendix B.1). */
static const uint8_t hid_keyboard_desc[] = {
        0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
        0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x03, 0x95, 0x05, 0x75, 0x01,
        0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x03, 0x95, 0x06,
        0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
};

/* One write() of size bytes (configfs attributes take a whole value per
 * write; report_desc must arrive in one piece). */
static int write_attr(const char *dir, const char *name, const void *data, size_t size) {
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = write(fd, data, size);
        if (n < 0)
                return -errno;
        return (size_t) n == size ? 0 : -EIO;
}

static int write_str(const char *dir, const char *name, const char *value) {
        return write_attr(dir, name, value, strlen(value));
}

/* The attribute's first line, without the newline. */
static int read_attr(const char *path, char **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char buf[4096];
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int read_attrf(char **ret, const char *fmt, const char *a, const char *b) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, fmt, a, b) < 0)
                return -ENOMEM;
        return read_attr(p, ret);
}

static int read_u64(const char *fmt, const char *a, const char *b, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        char *end;
        int r = read_attrf(&s, fmt, a, b);

        if (r < 0)
                return r;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* Waits one step: until the abort fd fires, the deadline or TICK_USEC. */
static int wait_tick(int abort_fd, usec_t deadline, int fd, short events, short *ret_revents) {
        struct pollfd p[2] = { { .fd = abort_fd, .events = POLLIN }, { .fd = fd, .events = events } };
        usec_t now = mono_now(), until;
        int r;

        if (ret_revents)
                *ret_revents = 0;
        if (now >= deadline)
                return -ETIMEDOUT;
        until = deadline - now > TICK_USEC ? now + TICK_USEC : deadline;
        r = poll(p, 2, deadline_poll_ms(until));
        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        if (abort_fd >= 0 && (p[0].revents & POLLIN))
                return -ECANCELED;
        if (ret_revents)
                *ret_revents = p[1].revents;
        return 0;
}

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static int mkdir_under(const char *dir, const char *sub) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, sub) < 0)
                return -ENOMEM;
        return mkdir(p, 0755) < 0 ? -errno : 0;
}

static void rmdirf(const char *fmt, const char *a) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, fmt, a) >= 0)
                (void) rmdir(p);
}

/* Best-effort removal of a gadget directory tree we created (or a stale
 * one of the same name): unbind, unlink functions from configurations,
 * then the directories leaves first. configfs refuses rm -r. */
static void gadget_dir_remove(const char *dir) {
        _cleanup_free_ char *cdir = NULL, *fdir = NULL;
        DIR *d;
        struct dirent *e;

        (void) write_str(dir, "UDC", "\n");
        if (asprintf(&cdir, "%s/configs", dir) < 0 || asprintf(&fdir, "%s/functions", dir) < 0)
                return;
        d = opendir(cdir);
        while (d && (e = readdir(d))) {
                _cleanup_free_ char *c = NULL;
                DIR *cd;
                struct dirent *ce;

                if (e->d_name[0] == '.' || asprintf(&c, "%s/%s", cdir, e->d_name) < 0)
                        continue;
                cd = opendir(c);
                while (cd && (ce = readdir(cd))) {
                        _cleanup_free_ char *l = NULL;
                        struct stat st;

                        if (asprintf(&l, "%s/%s", c, ce->d_name) >= 0 && lstat(l, &st) == 0 && S_ISLNK(st.st_mode))
                                (void) unlink(l);
                }
                if (cd)
                        closedir(cd);
                rmdirf("%s/strings/0x409", c);
                (void) rmdir(c);
        }
        if (d)
                closedir(d);
        d = opendir(fdir);
        while (d && (e = readdir(d))) {
                _cleanup_free_ char *f = NULL;

                if (e->d_name[0] != '.' && asprintf(&f, "%s/%s", fdir, e->d_name) >= 0)
                        (void) rmdir(f);
        }
        if (d)
                closedir(d);
        rmdirf("%s/strings/0x409", dir);
        (void) rmdir(dir);
}

void usbgadget_free(struct usbgadget *g) {
        if (!g)
                return;
        if (g->fd >= 0)
                close(g->fd);
        if (g->state_fd >= 0)
                close(g->state_fd);
        if (g->dir) {
                if (g->udc)
                        (void) write_str(g->dir, "UDC", "\n");
                if (g->link)
                        (void) unlink(g->link);
                gadget_dir_remove(g->dir);
        }
        if (g->backing)
                (void) unlink(g->backing);
        free(g->dir);
        free(g->fdir);
        free(g->link);
        free(g->udc);
        free(g->backing);
        free(g->netdev);
        free(g);
}

static int function_setup(struct usbgadget *g, const char *workdir) {
        int r;

        switch (g->function) {
        case USBGADGET_HID:
                r = write_str(g->fdir, "protocol", "1");
                if (r >= 0)
                        r = write_str(g->fdir, "subclass", "1");
                if (r >= 0)
                        r = write_str(g->fdir, "report_length", "8");
                if (r >= 0)
                        r = write_attr(g->fdir, "report_desc", hid_keyboard_desc, sizeof(hid_keyboard_desc));
                return r;
        case USBGADGET_MASS_STORAGE: {
                _cleanup_close_ int fd = -EBADF;
                struct timespec ts[2];

                if (asprintf(&g->backing, "%s/usbgadget-disk-XXXXXX", workdir) < 0)
                        return -ENOMEM;
                fd = mkostemp(g->backing, O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        g->backing = mfree(g->backing);
                        return r;
                }
                if (ftruncate(fd, BACKING_SIZE) < 0)
                        return -errno;
                /* atime a day before mtime: any read by the gadget's SCSI
                 * emulation moves it, under relatime too (docs/usb-host.md). */
                clock_gettime(CLOCK_REALTIME, &ts[0]);
                ts[0].tv_sec -= 86400;
                ts[1] = (struct timespec) { .tv_nsec = UTIME_OMIT };
                if (futimens(fd, ts) < 0)
                        return -errno;
                return write_str(g->fdir, "lun.0/file", g->backing);
        }
        case USBGADGET_PRINTER:
                return write_str(g->fdir, "pnp_string", "MFG:certbench;MDL:host-sweep;CMD:PJL;CLS:PRINTER;");
        case USBGADGET_ECM:
        case USBGADGET_NCM:
        case USBGADGET_RNDIS:
        case USBGADGET_ACM:
        case USBGADGET_UAC2:
                return 0;
        case _USBGADGET_FUNCTION_MAX:
                break;
        }
        return -EINVAL;
}

int usbgadget_new(const char *name, enum usbgadget_function f, const char *workdir, struct usbgadget **ret) {
        _cleanup_(usbgadget_freep) struct usbgadget *g = NULL;
        _cleanup_free_ char *c = NULL, *product = NULL;
        const char *type = usbgadget_function_to_string(f);
        struct stat st;
        int r;

        if (!type || !name || !*name || strchr(name, '/') || !workdir)
                return -EINVAL;
        if (stat(CONFIGFS, &st) < 0)
                return -ENODEV;
        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->function = f;
        g->fd = -EBADF;
        g->state_fd = -EBADF;
        if (asprintf(&g->dir, CONFIGFS "/%s", name) < 0 || asprintf(&g->fdir, "%s/functions/%s.0", g->dir, type) < 0 ||
            asprintf(&c, "%s/configs/c.1", g->dir) < 0 || asprintf(&g->link, "%s/%s.0", c, type) < 0 ||
            asprintf(&product, "certbench %s", type) < 0)
                return -ENOMEM;
        if (stat(g->dir, &st) == 0)
                gadget_dir_remove(g->dir);
        if (mkdir(g->dir, 0755) < 0) {
                r = -errno;
                g->dir = mfree(g->dir);
                return r;
        }
        /* Linux Foundation's "Multifunction Composite Gadget" id, device
         * class ef/02/01 (IAD), as composite gadgets present themselves. */
        if ((r = write_str(g->dir, "idVendor", "0x1d6b")) < 0 || (r = write_str(g->dir, "idProduct", "0x0104")) < 0 ||
            (r = write_str(g->dir, "bcdUSB", "0x0200")) < 0 || (r = write_str(g->dir, "bcdDevice", "0x0100")) < 0 ||
            (r = write_str(g->dir, "bDeviceClass", "0xef")) < 0 || (r = write_str(g->dir, "bDeviceSubClass", "0x02")) < 0 ||
            (r = write_str(g->dir, "bDeviceProtocol", "0x01")) < 0)
                return r;
        if ((r = mkdir_under(g->dir, "strings/0x409")) < 0 ||
            (r = write_str(g->dir, "strings/0x409/manufacturer", "certbench")) < 0 ||
            (r = write_str(g->dir, "strings/0x409/product", product)) < 0 ||
            (r = write_str(g->dir, "strings/0x409/serialnumber", name)) < 0 ||
            (r = mkdir_under(g->dir, "configs/c.1")) < 0 || (r = mkdir_under(c, "strings/0x409")) < 0 ||
            (r = write_str(c, "strings/0x409/configuration", type)) < 0 || (r = write_str(c, "MaxPower", "100")) < 0)
                return r;
        /* The kernel loads usb_f_<type> on demand; no such module (or a
         * kernel built without it) is ENOENT. */
        if (mkdir(g->fdir, 0755) < 0)
                return errno == ENOENT ? -EOPNOTSUPP : -errno;
        r = function_setup(g, workdir);
        if (r < 0)
                return r;
        if (symlink(g->fdir, g->link) < 0) {
                r = -errno;
                g->link = mfree(g->link);
                return r;
        }
        *ret = TAKE_PTR(g);
        return 0;
}

/* Is udc bound to a gadget other than ours? A failed bind on a free UDC
 * is the function failing to bind there (dummy_hcd has no isochronous
 * endpoints for uac2, for one): the kernel's errno does not tell. */
static bool udc_held_by_other(const char *ours, const char *udc) {
        DIR *d = opendir(CONFIGFS);
        struct dirent *e;
        bool held = false;

        while (d && !held && (e = readdir(d))) {
                _cleanup_free_ char *dir = NULL, *v = NULL;

                if (e->d_name[0] == '.' || asprintf(&dir, CONFIGFS "/%s", e->d_name) < 0 || streq(dir, ours))
                        continue;
                if (read_attrf(&v, "%s/%s", dir, "UDC") >= 0 && streq(v, udc))
                        held = true;
        }
        if (d)
                closedir(d);
        return held;
}

int usbgadget_bind(struct usbgadget *g, const char *udc) {
        _cleanup_free_ char *p = NULL;
        struct stat st;
        int r;

        if (!g || !udc || !*udc || strchr(udc, '/'))
                return -EINVAL;
        if (asprintf(&p, UDC_CLASS "/%s", udc) < 0)
                return -ENOMEM;
        if (stat(p, &st) < 0)
                return -ENODEV;
        /* Some UDCs (dummy_hcd) keep "configured" after the previous
         * gadget left; only a change notified after this read counts. */
        if (g->state_fd < 0) {
                char buf[64];
                _cleanup_free_ char *sp = NULL;

                if (asprintf(&sp, "%s/state", p) < 0)
                        return -ENOMEM;
                g->state_fd = open(sp, O_RDONLY | O_CLOEXEC);
                if (g->state_fd < 0)
                        return -errno;
                if (pread(g->state_fd, buf, sizeof(buf), 0) < 0)
                        return -errno;
        }
        r = write_str(g->dir, "UDC", udc);
        if (r < 0)
                return udc_held_by_other(g->dir, udc) ? -EBUSY : -EOPNOTSUPP;
        g->udc = strdup(udc);
        if (!g->udc)
                return -ENOMEM;
        switch (g->function) {
        case USBGADGET_ECM:
        case USBGADGET_NCM:
        case USBGADGET_RNDIS:
                /* The netdev is registered at bind; its name is known now. */
                r = read_attrf(&g->netdev, "%s/%s", g->fdir, "ifname");
                return r;
        case USBGADGET_HID:
        case USBGADGET_MASS_STORAGE:
        case USBGADGET_ACM:
        case USBGADGET_PRINTER:
        case USBGADGET_UAC2:
        case _USBGADGET_FUNCTION_MAX:
                break;
        }
        return 0;
}

int usbgadget_udc_state(const char *udc, char **ret) {
        if (!udc || strchr(udc, '/'))
                return -EINVAL;
        return read_attrf(ret, UDC_CLASS "/%s/%s", udc, "state");
}

int usbgadget_udc_default(char **ret) {
        struct dirent **list = NULL;
        int n = scandir(UDC_CLASS, &list, NULL, alphasort), r = -ENODEV;

        if (n < 0)
                return -ENODEV;
        for (int i = 0; i < n; i++) {
                if (r == -ENODEV && list[i]->d_name[0] != '.') {
                        *ret = strdup(list[i]->d_name);
                        r = *ret ? 0 : -ENOMEM;
                }
                free(list[i]);
        }
        free(list);
        return r;
}

int usbgadget_wait_configured(struct usbgadget *g, usec_t deadline, int abort_fd) {
        bool fresh = false;

        if (!g || !g->udc || g->state_fd < 0)
                return -EINVAL;
        /* The UDC core sysfs_notify()s "state" on every change: POLLPRI.
         * "configured" counts once the state changed after the bind (a
         * bus reset passes through "default"); the tick re-reads anyway. */
        for (;;) {
                char buf[64];
                ssize_t n = pread(g->state_fd, buf, sizeof(buf) - 1, 0);
                short rev;
                int r;

                if (n < 0)
                        return -errno;
                buf[n] = 0;
                if (strncmp(buf, "configured", 10) != 0)
                        fresh = true;
                else if (fresh)
                        return 0;
                r = wait_tick(abort_fd, deadline, g->state_fd, POLLPRI, &rev);
                if (r < 0)
                        return r;
                if (rev & (POLLPRI | POLLERR))
                        fresh = true;
        }
}

void usbgadget_use_done(struct usbgadget_use *u) {
        if (!u)
                return;
        free(u->signal);
        free(u->detail);
        *u = (struct usbgadget_use) {};
}

static int use_set(struct usbgadget_use *u, bool observable, bool used, const char *signal, char *detail) {
        u->observable = observable;
        u->used = used;
        u->signal = strdup(signal);
        u->detail = detail;
        return u->signal ? 0 : -ENOMEM;
}

/* /dev node of a char device attribute "major:minor", through
 * /sys/dev/char/M:m/uevent DEVNAME (no udev needed, devtmpfs names). */
static int chardev_path(const char *dev_attr, char **ret) {
        _cleanup_free_ char *mm = NULL, *p = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        char line[256];
        int r = read_attr(dev_attr, &mm);

        if (r < 0)
                return r;
        if (asprintf(&p, "/sys/dev/char/%s/uevent", mm) < 0)
                return -ENOMEM;
        f = fopen(p, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, "DEVNAME=", 8) != 0)
                        continue;
                line[strcspn(line, "\n")] = 0;
                return asprintf(ret, "/dev/%s", line + 8) < 0 ? -ENOMEM : 0;
        }
        return -ENOENT;
}

static char *hex(const uint8_t *b, size_t n) {
        char *s = malloc(n * 2 + 1);

        for (size_t i = 0; s && i < n; i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        if (s)
                s[n * 2] = 0;
        return s;
}

/* HID keyboard: all-zero input reports (no key pressed) are queued on the
 * interrupt IN endpoint; f_hid reports POLLOUT again once the host read
 * the last one, which a host only does with a driver that opened the
 * device. Two are written: a UDC may take the first into its FIFO at once
 * (dummy_hcd does). An output report (keyboard LEDs) shows as POLLIN. */
static int observe_hid(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        _cleanup_free_ char *attr = NULL, *dev = NULL;
        static const uint8_t report[8] = {};
        uint8_t out[64];
        ssize_t n_out = -1;
        bool read_in = false;
        int r;

        if (asprintf(&attr, "%s/dev", g->fdir) < 0)
                return -ENOMEM;
        r = chardev_path(attr, &dev);
        if (r < 0)
                return r;
        g->fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (g->fd < 0)
                return -errno;
        for (unsigned written = 0; written < 2;) {
                if (write(g->fd, report, sizeof(report)) >= 0) {
                        written++;
                        continue;
                }
                /* ESHUTDOWN: the host has not enabled the interface (yet);
                 * EAGAIN: the first report is still queued. */
                if (errno != ESHUTDOWN && errno != EAGAIN)
                        return -errno;
                r = wait_tick(abort_fd, deadline, -1, 0, NULL);
                if (r == -ETIMEDOUT)
                        return use_set(ret, true, false, written ? "the host read no input report" :
                                       "the host did not enable the HID interface", NULL);
                if (r < 0)
                        return r;
        }
        for (;;) {
                short rev;

                r = wait_tick(abort_fd, deadline, g->fd, POLLIN | POLLOUT, &rev);
                if (r == -ETIMEDOUT)
                        break;
                if (r < 0)
                        return r;
                if (rev & POLLIN) {
                        n_out = read(g->fd, out, sizeof(out));
                        if (n_out < 0 && errno != EAGAIN)
                                return -errno;
                }
                if (rev & POLLOUT)
                        read_in = true;
                if (read_in)
                        break;
        }
        _cleanup_free_ char *o = n_out > 0 ? hex(out, (size_t) n_out) : NULL;
        char *detail = NULL;
        if (asprintf(&detail, "input report read by host: %s; output report from host: %s", read_in ? "yes" : "no",
                     o ? o : "none") < 0)
                detail = NULL;
        return use_set(ret, true, read_in || n_out > 0,
                       read_in ? "the host read an input report from the interrupt IN endpoint (a driver opened the keyboard)"
                       : n_out > 0 ? "the host sent an output report (keyboard LEDs)"
                                   : "no input report read and no output report from the host",
                       detail);
}

/* Mass storage: f_mass_storage reads the backing file for every SCSI
 * READ; the file's atime (set a day back at creation) moves. */
static int observe_mass_storage(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        struct stat st0, st;
        int r;

        if (!g->backing || stat(g->backing, &st0) < 0)
                return -ENOENT;
        for (;;) {
                if (stat(g->backing, &st) < 0)
                        return -errno;
                if (st.st_atim.tv_sec != st0.st_atim.tv_sec || st.st_atim.tv_nsec != st0.st_atim.tv_nsec)
                        break;
                r = wait_tick(abort_fd, deadline, -1, 0, NULL);
                if (r == -ETIMEDOUT)
                        return use_set(ret, true, false, "no SCSI READ of the backing file (its atime did not move)", NULL);
                if (r < 0)
                        return r;
        }
        return use_set(ret, true, true, "the host issued SCSI READs (the backing file's atime moved)", NULL);
}

static int netdev_up(const char *ifname) {
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {};

        if (s < 0)
                return -errno;
        if (strlen(ifname) >= sizeof(ifr.ifr_name))
                return -EINVAL;
        strcpy(ifr.ifr_name, ifname);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP;
        return ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* ECM/NCM/RNDIS: the gadget's netdev. ECM and NCM get carrier when the
 * host selects the data interface's alternate setting 1, which cdc_ether
 * and cdc_ncm do when they bind (alternate 0 has no endpoints). RNDIS has
 * carrier from SET_CONFIGURATION on, so for it only received packets
 * count. */
static int observe_net(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        bool carrier_counts = g->function != USBGADGET_RNDIS;
        uint64_t rx = 0, carrier = 0;
        char *detail = NULL;
        int r;

        if (!g->netdev)
                return -ENODEV;
        r = netdev_up(g->netdev);
        if (r < 0)
                return r;
        for (;;) {
                (void) read_u64("/sys/class/net/%s/%s", g->netdev, "carrier", &carrier);
                (void) read_u64("/sys/class/net/%s/%s", g->netdev, "statistics/rx_packets", &rx);
                if (rx > 0 || (carrier_counts && carrier))
                        break;
                r = wait_tick(abort_fd, deadline, -1, 0, NULL);
                if (r == -ETIMEDOUT)
                        break;
                if (r < 0)
                        return r;
        }
        if (asprintf(&detail, "%s: carrier %u, rx_packets %llu", g->netdev, (unsigned) carrier,
                     (unsigned long long) rx) < 0)
                detail = NULL;
        if (rx > 0)
                return use_set(ret, true, true, "the host sent packets on the network interface", detail);
        if (carrier_counts && carrier)
                return use_set(ret, true, true, "the host selected the data interface (alternate setting 1): a network driver bound", detail);
        return use_set(ret, true, false,
                       carrier_counts ? "the host did not select the data interface and sent no packets"
                                      : "the host sent no packets (RNDIS control traffic is not visible to the gadget)", detail);
}

/* ACM: the host's class driver only moves data when something on the host
 * opened the port; line coding and DTR stay inside f_acm (6.1). Watched:
 * data from the host. The port is opened raw and nothing is written. */
static int observe_acm(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        _cleanup_free_ char *port = NULL, *dev = NULL;
        struct termios t;
        uint8_t buf[64];
        ssize_t n = 0;
        int r = read_attrf(&port, "%s/%s", g->fdir, "port_num");

        if (r < 0)
                return r;
        if (asprintf(&dev, "/dev/ttyGS%s", port) < 0)
                return -ENOMEM;
        g->fd = open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (g->fd < 0)
                return -errno;
        if (tcgetattr(g->fd, &t) == 0) {
                cfmakeraw(&t);
                (void) tcsetattr(g->fd, TCSANOW, &t);
        }
        for (;;) {
                short rev;

                r = wait_tick(abort_fd, deadline, g->fd, POLLIN, &rev);
                if (r == -ETIMEDOUT)
                        break;
                if (r < 0)
                        return r;
                if (rev & POLLIN) {
                        n = read(g->fd, buf, sizeof(buf));
                        if (n > 0)
                                break;
                        n = 0;
                }
        }
        _cleanup_free_ char *h = n > 0 ? hex(buf, (size_t) n) : NULL;
        char *detail = NULL;
        if (h && asprintf(&detail, "%s: first bytes from the host %s", dev, h) < 0)
                detail = NULL;
        return use_set(ret, true, n > 0,
                       n > 0 ? "the host opened the serial port and sent data"
                             : "no data from the host on the serial port (a driver that binds but never opens the port is not visible)",
                       detail);
}

/* Printer: GET_DEVICE_ID and GET_PORT_STATUS are answered inside
 * f_printer; what the gadget sees is print data from the host. */
static int observe_printer(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        DIR *d = opendir("/sys/class/usb_printer_gadget");
        struct dirent *e;
        _cleanup_free_ char *dev = NULL;
        uint8_t buf[64];
        ssize_t n = 0;
        int r;

        while (d && (e = readdir(d)))
                if (e->d_name[0] != '.' && !dev && asprintf(&dev, "/dev/%s", e->d_name) < 0)
                        dev = NULL;
        if (d)
                closedir(d);
        if (!dev)
                return -ENOENT;
        /* f_printer refuses opens (ENODEV) until the host enabled it. */
        while ((g->fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
                if (errno != ENODEV)
                        return -errno;
                r = wait_tick(abort_fd, deadline, -1, 0, NULL);
                if (r == -ETIMEDOUT)
                        return use_set(ret, true, false, "the host did not enable the printer interface", NULL);
                if (r < 0)
                        return r;
        }
        for (;;) {
                short rev;

                r = wait_tick(abort_fd, deadline, g->fd, POLLIN, &rev);
                if (r == -ETIMEDOUT)
                        break;
                if (r < 0)
                        return r;
                if ((rev & POLLIN) && (n = read(g->fd, buf, sizeof(buf))) > 0)
                        break;
                n = 0;
        }
        return use_set(ret, true, n > 0,
                       n > 0 ? "the host sent print data"
                             : "no print data from the host (the device ID request is answered by the kernel, not visible)",
                       NULL);
}

int usbgadget_observe(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret) {
        struct usbgadget_use u = {};
        int r = -EINVAL;

        if (!g || !g->udc || !ret)
                return -EINVAL;
        switch (g->function) {
        case USBGADGET_HID:
                r = observe_hid(g, deadline, abort_fd, &u);
                break;
        case USBGADGET_MASS_STORAGE:
                r = observe_mass_storage(g, deadline, abort_fd, &u);
                break;
        case USBGADGET_ECM:
        case USBGADGET_NCM:
        case USBGADGET_RNDIS:
                r = observe_net(g, deadline, abort_fd, &u);
                break;
        case USBGADGET_ACM:
                r = observe_acm(g, deadline, abort_fd, &u);
                break;
        case USBGADGET_PRINTER:
                r = observe_printer(g, deadline, abort_fd, &u);
                break;
        case USBGADGET_UAC2:
                /* Streaming would select alternate settings, but u_audio
                 * offers no portable view of it: enumeration only. */
                r = use_set(&u, false, false, "not observable from the gadget side (audio streaming not watched)", NULL);
                break;
        case _USBGADGET_FUNCTION_MAX:
                break;
        }
        if (r < 0) {
                usbgadget_use_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}
