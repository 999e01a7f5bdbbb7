/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sd-notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "macros.h"

/* The journal's native socket; CERTBENCH_JOURNAL_SOCKET points elsewhere
 * (tests listen there). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static int unix_dgram_send(const char *path, const struct iovec *iov, size_t n_iov) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct msghdr mh = { .msg_name = &sa, .msg_iov = (struct iovec *) iov, .msg_iovlen = n_iov };
        size_t len = strlen(path);
        _cleanup_close_ int fd = -1;

        if (len == 0 || len >= sizeof(sa.sun_path))
                return -EINVAL;
        memcpy(sa.sun_path, path, len);
        /* "@name" is an abstract socket: a leading NUL, no terminator. */
        if (path[0] == '@')
                sa.sun_path[0] = 0;
        mh.msg_namelen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + (path[0] != '@'));

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                return -errno;
        return 0;
}

int notify_send(const char *state) {
        const char *path = getenv("NOTIFY_SOCKET");
        struct iovec iov = { .iov_base = (void *) state, .iov_len = strlen(state) };
        int r;

        if (!path)
                return 0;
        r = unix_dgram_send(path, &iov, 1);
        return r < 0 ? r : 1;
}

uint64_t notify_watchdog_usec(void) {
        const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
        char *end;
        unsigned long long v;

        if (!u)
                return 0;
        if (p && strtoul(p, NULL, 10) != (unsigned long) getpid())
                return 0;
        errno = 0;
        v = strtoull(u, &end, 10);
        if (errno || *end || v == 0)
                return 0;
        return v;
}

int journal_send(const struct journal_field *fields, size_t n) {
        /* The binary form of each field: KEY '\n' le64(len) value '\n',
         * which carries values with newlines as they are. */
        struct iovec iov[5 * 16];
        uint64_t lens[16];
        size_t k = 0;

        if (n > 16)
                n = 16;
        for (size_t i = 0; i < n; i++) {
                size_t vl = strlen(fields[i].value);

                lens[i] = htole64((uint64_t) vl);
                iov[k++] = (struct iovec) { (void *) fields[i].key, strlen(fields[i].key) };
                iov[k++] = (struct iovec) { (void *) "\n", 1 };
                iov[k++] = (struct iovec) { &lens[i], sizeof(lens[i]) };
                iov[k++] = (struct iovec) { (void *) fields[i].value, vl };
                iov[k++] = (struct iovec) { (void *) "\n", 1 };
        }
        const char *path = getenv("CERTBENCH_JOURNAL_SOCKET");

        return unix_dgram_send(path ? path : JOURNAL_SOCKET, iov, k);
}
