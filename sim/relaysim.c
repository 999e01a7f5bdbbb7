/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench-relaysim: a Modbus TCP relay board for tests and benches.
 *
 * Serves N coils to any number of clients (one poll() loop, no threads).
 * Every coil change is logged as "<CLOCK_MONOTONIC µs> coil=<n> value=<0|1>",
 * stamped when the request arrived and written before the answer goes out,
 * so a client that got its answer can read the line at once, and so the
 * stamps compare directly with certbenchd's own monotonic clock.
 * --fail-writes COIL makes one coil acknowledge writes but ignore them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#include "common/macros.h"
#include "common/timeutil.h"

struct sim {
        modbus_t *ctx;
        modbus_mapping_t *map;
        int listen_fd;
        int sig_fd;
        int log_fd;
        long fail_coil;
        struct pollfd *fds;      /* [0] signals, [1] listener, then clients */
        size_t n_fds, n_alloc;
};

static void sim_log(struct sim *s, usec_t t, int coil, int value) {
        char line[96];
        int n;

        if (s->log_fd < 0)
                return;
        n = snprintf(line, sizeof(line), "%llu coil=%d value=%d\n", (unsigned long long) t, coil, value);
        /* One write() per line: a reader never sees half a line. */
        if (write(s->log_fd, line, (size_t) n) != n)
                fprintf(stderr, "relaysim: log write: %m\n");
}

static int sim_coil_ok(struct sim *s, int addr) {
        return addr >= 0 && addr < s->map->nb_bits;
}

/* Applies a write request's effect to the log before the reply goes out.
 * modbus_reply() then does the actual change (or answers an exception). */
static void sim_log_writes(struct sim *s, const uint8_t *q, int len, usec_t t) {
        int hl = modbus_get_header_length(s->ctx);
        int fn, addr;

        if (len < hl + 5)
                return;
        fn = q[hl];
        addr = (q[hl + 1] << 8) | q[hl + 2];
        if (fn == MODBUS_FC_WRITE_SINGLE_COIL) {
                int v = q[hl + 3] == 0xff;

                if (!sim_coil_ok(s, addr) || addr == s->fail_coil || s->map->tab_bits[addr] == v)
                        return;
                sim_log(s, t, addr, v);
        } else if (fn == MODBUS_FC_WRITE_MULTIPLE_COILS && len >= hl + 6) {
                int count = (q[hl + 3] << 8) | q[hl + 4];
                int bytes = q[hl + 5];

                if (count <= 0 || bytes * 8 < count || len < hl + 6 + bytes ||
                    !sim_coil_ok(s, addr) || !sim_coil_ok(s, addr + count - 1))
                        return;
                for (int i = 0; i < count; i++) {
                        int v = (q[hl + 6 + i / 8] >> (i % 8)) & 1;

                        if (addr + i != s->fail_coil && s->map->tab_bits[addr + i] != v)
                                sim_log(s, t, addr + i, v);
                }
        }
}

static int sim_add_fd(struct sim *s, int fd) {
        if (s->n_fds == s->n_alloc) {
                size_t n = s->n_alloc ? s->n_alloc * 2 : 8;
                struct pollfd *p = realloc(s->fds, n * sizeof(*p));

                if (!p)
                        return -ENOMEM;
                s->fds = p;
                s->n_alloc = n;
        }
        s->fds[s->n_fds++] = (struct pollfd) { .fd = fd, .events = POLLIN };
        return 0;
}

static void sim_drop_client(struct sim *s, size_t i) {
        close(s->fds[i].fd);
        s->fds[i] = s->fds[--s->n_fds];
}

static void sim_serve_client(struct sim *s, size_t i) {
        uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
        int len, saved = -1;
        usec_t t;

        modbus_set_socket(s->ctx, s->fds[i].fd);
        len = modbus_receive(s->ctx, q);
        t = mono_now();
        if (len < 0) {
                sim_drop_client(s, i);
                return;
        }
        if (len == 0)
                return;
        sim_log_writes(s, q, len, t);
        if (s->fail_coil >= 0 && sim_coil_ok(s, (int) s->fail_coil))
                saved = s->map->tab_bits[s->fail_coil];
        if (modbus_reply(s->ctx, q, len, s->map) < 0 && errno != EMBMDATA) {
                sim_drop_client(s, i);
                return;
        }
        if (saved >= 0)
                s->map->tab_bits[s->fail_coil] = (uint8_t) saved;
}

static void usage(FILE *f) {
        fputs("usage: certbench-relaysim [--host ADDR] [--port N] [--coils N] [--log FILE]\n"
              "                          [--ready-fd FD] [--fail-writes COIL] [--realtime]\n"
              "  --port 0 (default) picks a free port; the port is announced as\n"
              "  \"READY port=N\" on stdout, or on --ready-fd FD, once listening.\n"
              "  --log FILE gets \"<CLOCK_MONOTONIC µs> coil=<n> value=<0|1>\" per change.\n"
              "  --fail-writes COIL acknowledges writes to COIL but ignores them.\n"
              "  --realtime asks for SCHED_FIFO (best effort) for precise timestamps.\n", f);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "host", required_argument, NULL, 'H' },
                { "port", required_argument, NULL, 'p' },
                { "coils", required_argument, NULL, 'c' },
                { "log", required_argument, NULL, 'l' },
                { "ready-fd", required_argument, NULL, 'r' },
                { "fail-writes", required_argument, NULL, 'f' },
                { "realtime", no_argument, NULL, 'R' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct sim s = { .listen_fd = -1, .sig_fd = -1, .log_fd = -1, .fail_coil = -1 };
        const char *host = "127.0.0.1", *log_path = NULL;
        long port = 0, coils = 16, ready_fd = -1;
        bool realtime = false;
        struct sockaddr_in sa;
        socklen_t sl = sizeof(sa);
        sigset_t mask;
        char ready[64];
        int c, ret = EXIT_FAILURE, n;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                char *end;
                long v = 0;

                if (c != 'H' && c != 'l' && c != 'R' && c != 'h' && c != '?') {
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 0) {
                                fprintf(stderr, "relaysim: bad number for --%s: %s\n",
                                        opts[c == 'p' ? 1 : c == 'c' ? 2 : c == 'r' ? 4 : 5].name, optarg);
                                return EXIT_FAILURE;
                        }
                }
                switch (c) {
                case 'H': host = optarg; break;
                case 'p': port = v; break;
                case 'c': coils = v; break;
                case 'l': log_path = optarg; break;
                case 'r': ready_fd = v; break;
                case 'f': s.fail_coil = v; break;
                case 'R': realtime = true; break;
                case 'h': usage(stdout); return EXIT_SUCCESS;
                default: usage(stderr); return EXIT_FAILURE;
                }
        }
        if (port > 65535 || coils < 1 || coils > 65536) {
                fprintf(stderr, "relaysim: --port 0..65535, --coils 1..65536\n");
                return EXIT_FAILURE;
        }

        if (realtime) {
                struct sched_param sp = { .sched_priority = 1 };

                /* Best effort: the log's timestamps are only as good as
                 * our wake-up on a busy machine. */
                if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
                        fprintf(stderr, "relaysim: --realtime: %m (continuing without)\n");
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGPIPE);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        s.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (s.sig_fd < 0) {
                fprintf(stderr, "relaysim: signalfd: %m\n");
                goto out;
        }
        if (log_path) {
                s.log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
                if (s.log_fd < 0) {
                        fprintf(stderr, "relaysim: %s: %m\n", log_path);
                        goto out;
                }
        }
        s.ctx = modbus_new_tcp(host, (int) port);
        s.map = modbus_mapping_new((int) coils, 0, 0, 0);
        if (!s.ctx || !s.map) {
                fprintf(stderr, "relaysim: out of memory\n");
                goto out;
        }
        s.listen_fd = modbus_tcp_listen(s.ctx, 16);
        if (s.listen_fd < 0 || getsockname(s.listen_fd, (struct sockaddr *) &sa, &sl) < 0) {
                fprintf(stderr, "relaysim: listen on %s:%ld: %s\n", host, port, modbus_strerror(errno));
                goto out;
        }
        if (sim_add_fd(&s, s.sig_fd) < 0 || sim_add_fd(&s, s.listen_fd) < 0)
                goto out;

        n = snprintf(ready, sizeof(ready), "READY port=%u\n", (unsigned) ntohs(sa.sin_port));
        if (ready_fd >= 0) {
                if (write((int) ready_fd, ready, (size_t) n) != n)
                        fprintf(stderr, "relaysim: ready-fd: %m\n");
                close((int) ready_fd);
        } else {
                fputs(ready, stdout);
                fflush(stdout);
        }

        for (;;) {
                if (poll(s.fds, s.n_fds, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "relaysim: poll: %m\n");
                        goto out;
                }
                if (s.fds[0].revents) {
                        struct signalfd_siginfo si;

                        if (read(s.sig_fd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGPIPE)
                                break;
                }
                if (s.fds[1].revents & POLLIN) {
                        int fd = accept4(s.listen_fd, NULL, NULL, SOCK_CLOEXEC);

                        /* Answers go out at once, as a relay board's do;
                         * Nagle would hold a pipelined second answer until
                         * the client ACKs the first. */
                        if (fd >= 0)
                                (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof(int));
                        if (fd >= 0 && sim_add_fd(&s, fd) < 0)
                                close(fd);
                }
                /* Backwards, so dropping a client (swap with last) is safe. */
                for (size_t i = s.n_fds; i-- > 2;)
                        if (s.fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                                sim_serve_client(&s, i);
        }
        ret = EXIT_SUCCESS;
out:
        for (size_t i = 2; i < s.n_fds; i++)
                close(s.fds[i].fd);
        free(s.fds);
        if (s.listen_fd >= 0)
                close(s.listen_fd);
        if (s.ctx) {
                modbus_set_socket(s.ctx, -1);
                modbus_free(s.ctx);
        }
        modbus_mapping_free(s.map);
        if (s.sig_fd >= 0)
                close(s.sig_fd);
        if (s.log_fd >= 0)
                close(s.log_fd);
        return ret;
}
