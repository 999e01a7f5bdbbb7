/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench-util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_CHILDREN 8

static const char *prog = "bench";
static char tmpdir[256];
static char cmd_ep[320], ev_ep[320];
static volatile pid_t children[MAX_CHILDREN];
static void *zctx;
static void *open_socks[32];
static size_t n_open_socks;

bu_usec bu_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (bu_usec) ts.tv_sec * 1000000u + (bu_usec) ts.tv_nsec / 1000u;
}

const char *bu_tmpdir(void) {
        return tmpdir;
}

const char *bu_cmd_endpoint(void) {
        return cmd_ep;
}

const char *bu_event_endpoint(void) {
        return ev_ep;
}

const char *bu_profile_path(void) {
        const char *p = getenv("CERTBENCH_PROFILE");
        return p ? p : CB_PROFILE;
}

static void child_add(pid_t pid) {
        for (size_t i = 0; i < MAX_CHILDREN; i++)
                if (!children[i]) {
                        children[i] = pid;
                        return;
                }
        kill(pid, SIGKILL);
        bu_die("too many children");
}

/* Async-signal-safe: the watchdog kills everything it started and has the
 * folder removed by a forked rm. */
static void on_fatal_signal(int sig) {
        static const char msg[] = ": watchdog/signal: killing children and giving up\n";
        pid_t p;

        (void) !write(2, prog, strlen(prog));
        (void) !write(2, msg, sizeof(msg) - 1);
        for (size_t i = 0; i < MAX_CHILDREN; i++)
                if (children[i] > 0)
                        kill(children[i], SIGKILL);
        if (tmpdir[0]) {
                p = fork();
                if (p == 0) {
                        char *const argv[] = { "rm", "-rf", tmpdir, NULL };
                        execv("/bin/rm", argv);
                        _exit(127);
                }
                if (p > 0)
                        waitpid(p, NULL, 0);
        }
        _exit(sig == SIGALRM ? 3 : 128 + sig);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        (void) remove(path);
        return 0;
}

static void stop_slot(size_t i) {
        pid_t pid = children[i];
        bu_usec deadline = bu_now() + 5000000;

        kill(pid, SIGTERM);
        while (waitpid(pid, NULL, WNOHANG) == 0) {
                if (bu_now() > deadline) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        break;
                }
                usleep(2000);
        }
        children[i] = 0;
}

void bu_child_stop(pid_t pid) {
        for (size_t i = 0; i < MAX_CHILDREN; i++)
                if (children[i] == pid && pid > 0)
                        stop_slot(i);
}

void bu_cleanup(void) {
        for (size_t i = 0; i < n_open_socks; i++)
                zmq_close(open_socks[i]);
        n_open_socks = 0;
        if (zctx) {
                zmq_ctx_term(zctx);
                zctx = NULL;
        }
        for (size_t i = 0; i < MAX_CHILDREN; i++)
                if (children[i] > 0)
                        stop_slot(i);
        if (tmpdir[0] && !getenv("BENCH_KEEP_TMP"))
                nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        tmpdir[0] = 0;
}

_Noreturn void bu_die(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s: error: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(2);
}

void bu_init(const char *name, unsigned timeout_s) {
        const char *base = getenv("TMPDIR");
        struct sigaction sa = { .sa_handler = on_fatal_signal };

        prog = name;
        setvbuf(stdout, NULL, _IOLBF, 0);
        /* ipc paths must fit in sun_path (108 bytes). */
        if (!base || strlen(base) > 60)
                base = "/tmp";
        snprintf(tmpdir, sizeof(tmpdir), "%s/cb-%s-XXXXXX", base, name);
        if (!mkdtemp(tmpdir)) {
                tmpdir[0] = 0;
                bu_die("mkdtemp: %m");
        }
        snprintf(cmd_ep, sizeof(cmd_ep), "ipc://%s/cmd", tmpdir);
        snprintf(ev_ep, sizeof(ev_ep), "ipc://%s/ev", tmpdir);
        atexit(bu_cleanup);
        sigaction(SIGALRM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        alarm(timeout_s);
}

static const char *binary(const char *env, const char *dflt) {
        const char *p = getenv(env);
        return p ? p : dflt;
}

/* fork + exec with the child dying with us; stdout/stderr redirected. */
static pid_t spawn(char *const argv[], int out_fd, int err_fd) {
        pid_t pid = fork();

        if (pid < 0)
                bu_die("fork: %m");
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);

                prctl(PR_SET_PDEATHSIG, SIGKILL);
                dup2(devnull, 0);
                dup2(out_fd >= 0 ? out_fd : devnull, 1);
                dup2(err_fd >= 0 ? err_fd : devnull, 2);
                execv(argv[0], argv);
                fprintf(stderr, "exec %s: %m\n", argv[0]);
                _exit(127);
        }
        child_add(pid);
        return pid;
}

pid_t bu_sim_start(unsigned coils, unsigned *ret_port) {
        char coils_s[16], line[128];
        int pfd[2];
        size_t got = 0;
        bu_usec deadline = bu_now() + 5000000;
        pid_t pid;

        snprintf(coils_s, sizeof(coils_s), "%u", coils);
        char *const argv[] = { (char *) binary("CERTBENCH_RELAYSIM", CB_RELAYSIM), "--port", "0",
                               "--coils", coils_s, NULL };
        if (pipe2(pfd, O_CLOEXEC) < 0)
                bu_die("pipe: %m");
        pid = spawn(argv, pfd[1], -1);
        close(pfd[1]);
        while (!memchr(line, '\n', got)) {
                struct pollfd p = { .fd = pfd[0], .events = POLLIN };
                int left = (int) ((deadline - bu_now()) / 1000);
                ssize_t n;

                if (bu_now() >= deadline || poll(&p, 1, left > 0 ? left : 0) <= 0)
                        bu_die("relay simulator: no READY line within 5 s");
                n = read(pfd[0], line + got, sizeof(line) - 1 - got);
                if (n <= 0)
                        bu_die("relay simulator exited before READY");
                got += (size_t) n;
        }
        line[got] = 0;
        /* The simulator writes nothing more on stdout; the pipe stays open. */
        if (sscanf(line, "READY port=%u", ret_port) != 1)
                bu_die("relay simulator: unexpected line: %s", line);
        return pid;
}

static void write_file(const char *name, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                bu_die("cannot write %s: %m", path);
}

pid_t bu_daemon_start(unsigned n_slots, unsigned port, unsigned heartbeat_s) {
        char *fx = NULL, *cfg = NULL, cfg_path[512], log_path[512];
        size_t sz = 0;
        FILE *m = open_memstream(&fx, &sz);
        bu_usec deadline = bu_now() + 10000000;
        int log_fd;
        pid_t pid;

        fprintf(m, "bench: bench-%uslot\nrelays:\n  - name: relay1\n    kind: modbus-tcp\n"
                   "    host: 127.0.0.1\n    port: %u\n    unit: 1\n    timeout_ms: 500\n"
                   "    channels:\n", n_slots, port);
        for (unsigned k = 1; k <= n_slots; k++)
                fprintf(m, "      - { name: dut%u.power, coil: %u, safe: off }\n"
                           "      - { name: dut%u.reset, coil: %u }\n", k, 2 * (k - 1), k, 2 * k - 1);
        fprintf(m, "slots:\n");
        for (unsigned k = 1; k <= n_slots; k++)
                fprintf(m, "  - { name: dut%u, power: dut%u.power, reset: dut%u.reset }\n", k, k, k);
        fclose(m);
        write_file("fixture.yaml", fx);
        free(fx);
        if (asprintf(&cfg, "bench_fixture: fixture.yaml\nstate_dir: %s/state\ncommand_endpoint: %s\n"
                           "event_endpoint: %s\nmax_message_bytes: 65536\nheartbeat_s: %u\n",
                     tmpdir, cmd_ep, ev_ep, heartbeat_s) < 0)
                bu_die("out of memory");
        write_file("certbenchd.yaml", cfg);
        free(cfg);

        snprintf(cfg_path, sizeof(cfg_path), "%s/certbenchd.yaml", tmpdir);
        snprintf(log_path, sizeof(log_path), "%s/certbenchd.log", tmpdir);
        log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (log_fd < 0)
                bu_die("%s: %m", log_path);
        char *const argv[] = { (char *) binary("CERTBENCHD", CB_CERTBENCHD), "-c", cfg_path, NULL };
        pid = spawn(argv, -1, log_fd);
        close(log_fd);

        for (;;) {
                char buf[8192];
                int fd = open(log_path, O_RDONLY | O_CLOEXEC);
                ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

                if (fd >= 0)
                        close(fd);
                if (n > 0) {
                        buf[n] = 0;
                        if (strstr(buf, "ready: "))
                                return pid;
                }
                if (waitpid(pid, NULL, WNOHANG) == pid) {
                        for (size_t i = 0; i < MAX_CHILDREN; i++)
                                if (children[i] == pid)
                                        children[i] = 0;
                        bu_die("certbenchd exited before ready; its log:\n%s", n > 0 ? buf : "");
                }
                if (bu_now() > deadline)
                        bu_die("certbenchd not ready within 10 s; its log:\n%s", n > 0 ? buf : "");
                usleep(5000);
        }
}

void *bu_zmq_ctx(void) {
        if (!zctx && !(zctx = zmq_ctx_new()))
                bu_die("zmq_ctx_new: %m");
        return zctx;
}

void bu_socket_close(void *s) {
        for (size_t i = 0; i < n_open_socks; i++)
                if (open_socks[i] == s) {
                        open_socks[i] = open_socks[--n_open_socks];
                        zmq_close(s);
                        return;
                }
}

void *bu_socket(int type) {
        int zero = 0;
        void *s = zmq_socket(bu_zmq_ctx(), type);

        if (!s)
                bu_die("zmq_socket: %s", zmq_strerror(errno));
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof(zero));
        zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof(zero));
        if (n_open_socks < sizeof(open_socks) / sizeof(open_socks[0]))
                open_socks[n_open_socks++] = s;
        return s;
}

int bu_rpc_raw(void *dealer, const char *req, size_t len, char *buf, size_t cap, int timeout_ms) {
        zmq_pollitem_t it = { .socket = dealer, .events = ZMQ_POLLIN };
        int n;

        if (zmq_send(dealer, req, len, 0) < 0)
                return -1;
        if (zmq_poll(&it, 1, timeout_ms) <= 0)
                return -1;
        n = zmq_recv(dealer, buf, cap - 1, 0);
        if (n < 0)
                return -1;
        if ((size_t) n > cap - 1)
                n = (int) cap - 1;
        buf[n] = 0;
        return n;
}

json_t *bu_call(void *dealer, const char *cmd, json_t *args, int timeout_ms, bool allow_error) {
        static long next_id = 1;
        json_t *req = json_pack("{s:I, s:s, s:o}", "id", (json_int_t) next_id++, "cmd", cmd,
                                "args", args ? args : json_object());
        char *text = json_dumps(req, JSON_COMPACT);
        static char buf[1 << 20];
        json_t *rep;
        int n;

        json_decref(req);
        if (!text)
                bu_die("json_dumps failed");
        n = bu_rpc_raw(dealer, text, strlen(text), buf, sizeof(buf), timeout_ms);
        free(text);
        if (n < 0)
                bu_die("%s: no reply within %d ms", cmd, timeout_ms);
        rep = json_loads(buf, 0, NULL);
        if (!rep)
                bu_die("%s: reply is not JSON: %s", cmd, buf);
        if (!allow_error && !json_is_true(json_object_get(rep, "ok")))
                bu_die("%s failed: %s", cmd, buf);
        return rep;
}

static int cmp_usec(const void *a, const void *b) {
        bu_usec x = *(const bu_usec *) a, y = *(const bu_usec *) b;
        return x < y ? -1 : x > y;
}

bu_usec bu_percentile(bu_usec *v, size_t n, double p) {
        size_t k;

        if (!n)
                return 0;
        qsort(v, n, sizeof(*v), cmp_usec);
        /* Nearest rank: the smallest value with at least p% at or below it. */
        k = (size_t) (p / 100.0 * (double) n + 0.999999);
        if (k < 1)
                k = 1;
        if (k > n)
                k = n;
        return v[k - 1];
}

long bu_proc_status_kb(pid_t pid, const char *field) {
        char path[64], line[256];
        size_t fl = strlen(field);
        long v = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (!strncmp(line, field, fl) && line[fl] == ':') {
                        v = strtol(line + fl + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return v;
}
