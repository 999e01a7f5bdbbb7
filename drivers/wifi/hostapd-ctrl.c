/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hostapd-ctrl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/macros.h"
#include "common/hex.h"

#define EVENT_QUEUE_MAX 64

extern char **environ;

struct hostapd_ctrl {
        int fd;
        char *buf;                       /* HOSTAPD_CTRL_MSG_MAX + 1 */
        bool attached;
        struct hostapd_event queue[EVENT_QUEUE_MAX];
        size_t q_head, q_len;
        unsigned dropped;
};

void hostapd_event_clear(struct hostapd_event *e) {
        if (!e)
                return;
        free(e->text);
        free(e->name);
        *e = (struct hostapd_event) { .level = -1 };
}

int hostapd_parse_mac(const char *s, size_t len, uint8_t ret[6]) {
        uint8_t a[6];

        if (len != 17)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                int hi = unhexchar(s[3 * i]), lo = unhexchar(s[3 * i + 1]);

                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
                        return -EINVAL;
                a[i] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(ret, a, 6);
        return 0;
}

int hostapd_event_parse(const char *msg, size_t len, struct hostapd_event *ret) {
        struct hostapd_event e = { .level = -1 };
        size_t i = 0, name_end, arg, arg_end;
        int level = 0;

        /* The global control interface prefixes "IFNAME=wlan0 ". */
        if (len >= 7 && memcmp(msg, "IFNAME=", 7) == 0) {
                while (i < len && msg[i] != ' ')
                        i++;
                if (i < len)
                        i++;
        }
        if (i >= len || msg[i] != '<')
                return -EINVAL;
        i++;
        if (i >= len || msg[i] < '0' || msg[i] > '9')
                return -EINVAL;
        while (i < len && msg[i] >= '0' && msg[i] <= '9' && level < 1000)
                level = level * 10 + (msg[i++] - '0');
        if (i >= len || msg[i] != '>')
                return -EINVAL;
        i++;
        e.level = level;

        /* The text may hold anything hostapd relays (SSIDs): keep it as
         * bytes up to the first NUL, which no event carries on purpose. */
        e.text = strndup(msg + i, len - i);
        if (!e.text)
                return -ENOMEM;
        name_end = 0;
        while (e.text[name_end] && e.text[name_end] != ' ' && e.text[name_end] != '\n')
                name_end++;
        e.name = strndup(e.text, name_end);
        if (!e.name) {
                hostapd_event_clear(&e);
                return -ENOMEM;
        }
        arg = name_end;
        while (e.text[arg] == ' ')
                arg++;
        arg_end = arg;
        while (e.text[arg_end] && e.text[arg_end] != ' ' && e.text[arg_end] != '\n')
                arg_end++;
        if (hostapd_parse_mac(e.text + arg, arg_end - arg, e.addr) == 0)
                e.has_addr = true;
        *ret = e;
        return 0;
}

int hostapd_reply_get(const char *reply, const char *key, char **ret_value) {
        size_t klen = strlen(key);

        for (const char *line = reply; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t n = nl ? (size_t) (nl - line) : strlen(line);

                if (n > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
                        char *v = strndup(line + klen + 1, n - klen - 1);

                        if (!v)
                                return -ENOMEM;
                        *ret_value = v;
                        return 0;
                }
                line = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

int hostapd_ctrl_open(const char *ctrl_dir, const char *ifname, struct hostapd_ctrl **ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct sockaddr_un local = { .sun_family = AF_UNIX };
        struct hostapd_ctrl *c;
        int n;

        if (!ifname || !*ifname || strchr(ifname, '/'))
                return -EINVAL;
        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s",
                     ctrl_dir ? ctrl_dir : HOSTAPD_CTRL_DIR_DEFAULT, ifname);
        if (n < 0 || (size_t) n >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->buf = malloc(HOSTAPD_CTRL_MSG_MAX + 1);
        c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (!c->buf || c->fd < 0) {
                int r = c->buf ? negative_errno() : -ENOMEM;
                hostapd_ctrl_free(c);
                return r;
        }
        /* Autobind (an abstract address chosen by the kernel): hostapd
         * replies to the sender's address, so ours must have one. */
        if (bind(c->fd, (struct sockaddr *) &local, sizeof(sa_family_t)) < 0 ||
            connect(c->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = negative_errno();
                hostapd_ctrl_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

struct hostapd_ctrl *hostapd_ctrl_free(struct hostapd_ctrl *c) {
        if (!c)
                return NULL;
        if (c->fd >= 0)
                close(c->fd);
        for (size_t i = 0; i < c->q_len; i++)
                hostapd_event_clear(&c->queue[(c->q_head + i) % EVENT_QUEUE_MAX]);
        free(c->buf);
        free(c);
        return NULL;
}

unsigned hostapd_ctrl_dropped(const struct hostapd_ctrl *c) {
        return c->dropped;
}

/* Waits for one datagram into c->buf. Returns its length, -ETIMEDOUT,
 * -ECANCELED, -EMSGSIZE (too large; consumed), -errno. */
static int ctrl_recv(struct hostapd_ctrl *c, usec_t deadline, int abort_fd) {
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = c->fd, .events = POLLIN },
                        { .fd = abort_fd, .events = POLLIN },
                };
                ssize_t n;
                int r;

                if (abort_fd >= 0) {
                        /* An abort wins over data already queued. */
                        struct pollfd a = { .fd = abort_fd, .events = POLLIN };
                        if (poll(&a, 1, 0) > 0)
                                return -ECANCELED;
                }
                n = recv(c->fd, c->buf, HOSTAPD_CTRL_MSG_MAX + 1, MSG_TRUNC);
                if (n >= 0) {
                        if (n > HOSTAPD_CTRL_MSG_MAX)
                                return -EMSGSIZE;
                        c->buf[n] = '\0';
                        return (int) n;
                }
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
                r = poll(p, abort_fd >= 0 ? 2 : 1, deadline_poll_ms(deadline));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (abort_fd >= 0 && (p[1].revents & POLLIN))
                        return -ECANCELED;
                if (p[0].revents & (POLLERR | POLLHUP) && !(p[0].revents & POLLIN)) {
                        int err = 0;
                        socklen_t l = sizeof(err);

                        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err)
                                return -err;
                }
        }
}

static void queue_event(struct hostapd_ctrl *c, const char *msg, size_t len) {
        struct hostapd_event e;

        if (hostapd_event_parse(msg, len, &e) < 0) {
                c->dropped++;
                return;
        }
        if (c->q_len == EVENT_QUEUE_MAX) {
                hostapd_event_clear(&c->queue[c->q_head]);
                c->q_head = (c->q_head + 1) % EVENT_QUEUE_MAX;
                c->q_len--;
                c->dropped++;
        }
        c->queue[(c->q_head + c->q_len) % EVENT_QUEUE_MAX] = e;
        c->q_len++;
}

int hostapd_ctrl_request(struct hostapd_ctrl *c, const char *cmd, usec_t deadline, int abort_fd,
                         char **ret_reply) {
        size_t len = strlen(cmd);
        char *reply;

        if (len == 0 || len > HOSTAPD_CTRL_MSG_MAX)
                return -EINVAL;
        if (send(c->fd, cmd, len, MSG_NOSIGNAL) < 0)
                return -errno;
        for (;;) {
                int n = ctrl_recv(c, deadline, abort_fd);

                if (n == -EMSGSIZE)
                        return n;
                if (n < 0)
                        return n;
                /* Events start with '<' (or "IFNAME=" on the global
                 * interface); no reply does. */
                if ((n > 0 && c->buf[0] == '<') || (n >= 7 && memcmp(c->buf, "IFNAME=", 7) == 0)) {
                        if (c->attached)
                                queue_event(c, c->buf, (size_t) n);
                        else
                                c->dropped++;
                        continue;
                }
                reply = strndup(c->buf, (size_t) n);
                if (!reply)
                        return -ENOMEM;
                *ret_reply = reply;
                return 0;
        }
}

int hostapd_ctrl_attach(struct hostapd_ctrl *c, usec_t deadline, int abort_fd) {
        _cleanup_free_ char *reply = NULL;
        int r;

        /* Set first: events may overtake the reply. */
        c->attached = true;
        r = hostapd_ctrl_request(c, "ATTACH", deadline, abort_fd, &reply);
        if (r < 0) {
                c->attached = false;
                return r;
        }
        if (strncmp(reply, "OK", 2) != 0) {
                c->attached = false;
                return -EPROTO;
        }
        return 0;
}

int hostapd_ctrl_next_event(struct hostapd_ctrl *c, usec_t deadline, int abort_fd,
                            struct hostapd_event *ret) {
        for (;;) {
                int n;

                if (c->q_len > 0) {
                        *ret = c->queue[c->q_head];
                        c->queue[c->q_head] = (struct hostapd_event) { .level = -1 };
                        c->q_head = (c->q_head + 1) % EVENT_QUEUE_MAX;
                        c->q_len--;
                        return 1;
                }
                n = ctrl_recv(c, deadline, abort_fd);
                if (n == -ETIMEDOUT)
                        return 0;
                if (n == -EMSGSIZE) {
                        c->dropped++;
                        continue;
                }
                if (n < 0)
                        return n;
                queue_event(c, c->buf, (size_t) n);
        }
}

/* ------------------------------------------------------------ the process */

struct hostapd_proc {
        pid_t pid;
        int pidfd;
        bool reaped;
        int status;
};

int hostapd_proc_fd(const struct hostapd_proc *p) {
        return p->pidfd;
}

pid_t hostapd_proc_pid(const struct hostapd_proc *p) {
        return p->pid;
}

int hostapd_proc_start(const char *hostapd_path, const char *conf_path, const char *log_path,
                       struct hostapd_proc **ret) {
        const char *bin = hostapd_path ? hostapd_path : "hostapd";
        char *argv[] = { (char *) bin, (char *) conf_path, NULL };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        struct hostapd_proc *p;
        pid_t pid;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->pidfd = -1;

        r = posix_spawn_file_actions_init(&fa);
        if (r != 0) {
                free(p);
                return -r;
        }
        posix_spawnattr_init(&attr);
        r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path,
                                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
        /* The daemon's threads block signals (signalfd); hostapd must get
         * SIGTERM with default handling and an empty mask. */
        sigemptyset(&none);
        sigfillset(&all);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &all);
        if (r == 0)
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (r == 0)
                r = strchr(bin, '/') ? posix_spawn(&pid, bin, &fa, &attr, argv, environ)
                                     : posix_spawnp(&pid, bin, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0) {
                free(p);
                return -r;
        }
        p->pid = pid;
        p->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (p->pidfd < 0) {
                r = negative_errno();
                kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int hostapd_proc_exited(struct hostapd_proc *p, int *ret_status) {
        if (!p->reaped) {
                int st;
                pid_t w = waitpid(p->pid, &st, WNOHANG);

                if (w == 0)
                        return 0;
                if (w < 0 && errno != ECHILD)
                        return -errno;
                p->reaped = true;
                p->status = w > 0 ? st : 0;
        }
        if (ret_status)
                *ret_status = p->status;
        return 1;
}

static int proc_wait(struct hostapd_proc *p, usec_t deadline) {
        for (;;) {
                struct pollfd pf = { .fd = p->pidfd, .events = POLLIN };
                int r = hostapd_proc_exited(p, NULL);

                if (r != 0)
                        return r < 0 ? r : 0;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
                if (poll(&pf, 1, deadline_poll_ms(deadline)) < 0 && errno != EINTR)
                        return -errno;
        }
}

int hostapd_proc_stop(struct hostapd_proc *p, usec_t deadline) {
        int r;

        if (hostapd_proc_exited(p, NULL) != 0)
                return 0;
        (void) syscall(SYS_pidfd_send_signal, p->pidfd, SIGTERM, NULL, 0);
        r = proc_wait(p, deadline);
        if (r != -ETIMEDOUT)
                return r;
        (void) syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
        (void) proc_wait(p, USEC_INFINITY);
        return -ETIMEDOUT;
}

struct hostapd_proc *hostapd_proc_free(struct hostapd_proc *p) {
        if (!p)
                return NULL;
        (void) hostapd_proc_stop(p, deadline_in(2 * USEC_PER_SEC));
        if (p->pidfd >= 0)
                close(p->pidfd);
        free(p);
        return NULL;
}

/* ------------------------------------------------------------- readiness */

int hostapd_wait_ready(struct hostapd_proc *p, const char *ctrl_dir, const char *ifname,
                       usec_t deadline, int abort_fd, struct hostapd_ctrl **ret_cmd,
                       struct hostapd_ctrl **ret_events, char **ret_state) {
        struct hostapd_ctrl *cmd = NULL, *ev = NULL;
        _cleanup_close_ int ino = -1;
        _cleanup_free_ char *state = NULL;
        int r;

        /* The socket appears when hostapd has set up the interface; wait
         * for its creation in ctrl_dir through inotify, not by polling. */
        ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (ino < 0)
                return -errno;
        if (inotify_add_watch(ino, ctrl_dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0)
                return -errno;

        for (;;) {
                struct pollfd pf[3] = {
                        { .fd = ino, .events = POLLIN },
                        { .fd = p->pidfd, .events = POLLIN },
                        { .fd = abort_fd, .events = POLLIN },
                };
                char drain[4096];

                r = hostapd_ctrl_open(ctrl_dir, ifname, &cmd);
                if (r == 0)
                        break;
                if (r != -ENOENT && r != -ECONNREFUSED)
                        return r;
                if (hostapd_proc_exited(p, NULL) > 0)
                        return -ECHILD;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
                if (poll(pf, abort_fd >= 0 ? 3 : 2, deadline_poll_ms(deadline)) < 0 && errno != EINTR)
                        return -errno;
                if (abort_fd >= 0 && (pf[2].revents & POLLIN))
                        return -ECANCELED;
                while (read(ino, drain, sizeof(drain)) > 0)
                        ;
        }

        r = hostapd_ctrl_open(ctrl_dir, ifname, &ev);
        if (r < 0)
                goto fail;
        r = hostapd_ctrl_attach(ev, deadline, abort_fd);
        if (r < 0)
                goto fail;

        /* AP-ENABLED may have come before ATTACH: ask STATUS first, then
         * wait for the event. */
        for (;;) {
                _cleanup_free_ char *reply = NULL;
                struct hostapd_event e;

                r = hostapd_ctrl_request(cmd, "STATUS", deadline, abort_fd, &reply);
                if (r < 0)
                        goto fail;
                free(state);
                state = NULL;
                r = hostapd_reply_get(reply, "state", &state);
                if (r == -ENOMEM)
                        goto fail;
                if (state && strcmp(state, "ENABLED") == 0)
                        break;
                if (hostapd_proc_exited(p, NULL) > 0) {
                        r = -ECHILD;
                        goto fail;
                }
                r = hostapd_ctrl_next_event(ev, deadline, abort_fd, &e);
                if (r == 0) {
                        r = state ? -EIO : -ETIMEDOUT;
                        goto fail;
                }
                if (r < 0)
                        goto fail;
                if (strcmp(e.name, "AP-DISABLED") == 0 || strcmp(e.name, "INTERFACE-DISABLED") == 0) {
                        hostapd_event_clear(&e);
                        r = -EIO;
                        goto fail;
                }
                hostapd_event_clear(&e);
        }
        if (ret_state)
                *ret_state = TAKE_PTR(state);
        *ret_cmd = cmd;
        *ret_events = ev;
        return 0;

fail:
        if (ret_state && state)
                *ret_state = TAKE_PTR(state);
        hostapd_ctrl_free(cmd);
        hostapd_ctrl_free(ev);
        return r;
}
