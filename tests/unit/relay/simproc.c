/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "simproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/macros.h"

int simproc_start(struct simproc *s, const char *exe, unsigned port, unsigned coils,
                  const char *log, int fail_coil) {
        char port_s[16], coils_s[16], fail_s[16], buf[128];
        const char *argv[16];
        size_t n = 0, len = 0;
        usec_t deadline = deadline_in(10 * USEC_PER_SEC);
        int p[2], r;
        pid_t pid;

        snprintf(port_s, sizeof(port_s), "%u", port);
        snprintf(coils_s, sizeof(coils_s), "%u", coils);
        snprintf(fail_s, sizeof(fail_s), "%d", fail_coil);
        argv[n++] = exe;
        argv[n++] = "--port";
        argv[n++] = port_s;
        argv[n++] = "--coils";
        argv[n++] = coils_s;
        if (log) {
                argv[n++] = "--log";
                argv[n++] = log;
        }
        if (fail_coil >= 0) {
                argv[n++] = "--fail-writes";
                argv[n++] = fail_s;
        }
        argv[n++] = "--realtime";
        argv[n] = NULL;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() == 1)
                        _exit(127);
                dup2(p[1], STDOUT_FILENO);
                execv(exe, (char **) argv);
                _exit(127);
        }
        close(p[1]);
        s->pid = pid;
        s->port = 0;
        for (;;) {
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                char *nl;
                ssize_t k;

                r = poll(&pfd, 1, deadline_poll_ms(deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        r = r == 0 ? -ETIMEDOUT : -errno;
                        break;
                }
                k = read(p[0], buf + len, sizeof(buf) - 1 - len);
                if (k <= 0) {
                        r = -ECHILD;
                        break;
                }
                len += (size_t) k;
                buf[len] = 0;
                nl = strchr(buf, '\n');
                if (nl) {
                        unsigned got;

                        r = sscanf(buf, "READY port=%u", &got) == 1 ? 0 : -EBADMSG;
                        if (r == 0)
                                s->port = got;
                        break;
                }
                if (len == sizeof(buf) - 1) {
                        r = -EBADMSG;
                        break;
                }
        }
        close(p[0]);
        if (r < 0)
                simproc_stop(s, true);
        return r;
}

void simproc_stop(struct simproc *s, bool hard) {
        if (s->pid <= 0)
                return;
        kill(s->pid, hard ? SIGKILL : SIGTERM);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        s->pid = 0;
}

int simlog_read(const char *path, struct simlog_entry **ret, size_t *ret_n) {
        _cleanup_free_ struct simlog_entry *v = NULL;
        size_t n = 0, alloc = 0;
        unsigned long long t;
        int coil, value;
        FILE *f;

        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fscanf(f, "%llu coil=%d value=%d\n", &t, &coil, &value) == 3) {
                if (n == alloc) {
                        struct simlog_entry *nv;

                        alloc = alloc ? alloc * 2 : 64;
                        nv = realloc(v, alloc * sizeof(*v));
                        if (!nv) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        v = nv;
                }
                v[n++] = (struct simlog_entry) { .t = t, .coil = coil, .value = value };
        }
        fclose(f);
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int simproc_mkdtemp(char *buf, size_t size, const char *prefix) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

        if ((size_t) snprintf(buf, size, "%s/%s.XXXXXX", base, prefix) >= size)
                return -ENAMETOOLONG;
        return mkdtemp(buf) ? 0 : -errno;
}
