/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* certbenchd: loads its config and bench fixture, puts DUT power in the
 * safe state, marks runs a crash interrupted as ABORTED, then serves the
 * command and event sockets from one poll loop until SIGTERM/SIGINT, when
 * it aborts what runs, drives power to the safe state again and stores
 * everything before it exits. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <zmq.h>

#include "common/log.h"
#include "common/sd-notify.h"
#include "daemon/bus-proto.h"
#include "daemon/daemon.h"

extern mailbox_item_free_fn daemon_msg_item_free_fn;

static const char *arg_config = "/etc/certbench/certbenchd.yaml";
static bool arg_check_config = false;

static void help(void) {
        printf("Usage: certbenchd [OPTIONS]\n\n"
               "The certbench daemon: drives the bench and serves the bus.\n\n"
               "  -c --config FILE     daemon config (default %s)\n"
               "     --check-config    validate the config and its bench fixture, then exit\n"
               "     --log-level LEVEL debug, info, notice, warning or err\n"
               "  -h --help            show this help\n"
               "     --version         show the version\n", arg_config);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_CHECK = 0x100, ARG_LOG_LEVEL, ARG_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, ARG_CHECK },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        static const char *const levels[] = {
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };
        int c;

        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_CHECK:
                        arg_check_config = true;
                        break;
                case ARG_LOG_LEVEL: {
                        bool found = false;
                        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                                if (levels[i] && strcmp(levels[i], optarg) == 0) {
                                        log_set_max_level((int) i);
                                        found = true;
                                }
                        if (!found) {
                                fprintf(stderr, "certbenchd: --log-level: unknown level '%s', expected "
                                        "debug, info, notice, warning or err\n", optarg);
                                return -EINVAL;
                        }
                        break;
                }
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("certbenchd %s\n", PROJECT_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "certbenchd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        if (mkdir(p, mode) < 0 && errno != EEXIST)
                                return -errno;
                        *s = '/';
                }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* For ipc endpoints, the socket's folder must exist. */
static int endpoint_prepare(const char *ep) {
        _cleanup_free_ char *dir = NULL;
        char *slash;

        if (strncmp(ep, "ipc://", 6) != 0 || ep[6] == '@')
                return 0;
        dir = strdup(ep + 6);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = 0;
        return mkdir_p(dir, 0750);
}

/* The bus carries commands that switch DUT power: off this machine it
 * needs CURVE with an allow-list, which this version does not have yet,
 * so only loopback TCP is accepted. */
static int endpoint_check_local(const char *cfg, const char *key, const char *ep) {
        static const char *const local[] = { "tcp://127.", "tcp://localhost:", "tcp://[::1]:" };

        if (strncmp(ep, "tcp://", 6) != 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(local); i++)
                if (strncmp(ep, local[i], strlen(local[i])) == 0)
                        return 0;
        return log_error_errno(EPERM, "%s: %s: %s is not on loopback; expected an ipc:// endpoint or "
                               "tcp://127.0.0.1:PORT (remote access needs CURVE, not supported yet)",
                               cfg, key, ep);
}

static int daemon_bind(struct daemon *d) {
        int linger0 = 0, linger_pub = 500, hwm = 1000000;
        int64_t maxmsg = (int64_t) d->config->max_message_bytes * 16;
        int r;

        d->zmq_ctx = zmq_ctx_new();
        if (!d->zmq_ctx)
                return -ENOMEM;
        d->cmd_sock = zmq_socket(d->zmq_ctx, ZMQ_ROUTER);
        d->pub_sock = zmq_socket(d->zmq_ctx, ZMQ_PUB);
        if (!d->cmd_sock || !d->pub_sock)
                return -ENOMEM;
        zmq_setsockopt(d->cmd_sock, ZMQ_LINGER, &linger0, sizeof(linger0));
        /* Frames up to 16x the limit are read and answered "too-large";
         * beyond that a peer is cut off before it costs us memory. */
        zmq_setsockopt(d->cmd_sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
        /* A bounded linger lets the last events of a shutdown leave. */
        zmq_setsockopt(d->pub_sock, ZMQ_LINGER, &linger_pub, sizeof(linger_pub));
        /* A subscriber that falls behind by more than this loses live
         * events, and gets them back through events.since. */
        zmq_setsockopt(d->pub_sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));

        r = endpoint_check_local(d->config->path, "command_endpoint", d->config->command_endpoint);
        if (r < 0)
                return r;
        r = endpoint_check_local(d->config->path, "event_endpoint", d->config->event_endpoint);
        if (r < 0)
                return r;
        r = endpoint_prepare(d->config->command_endpoint);
        if (r < 0)
                return log_error_errno(r, "%s: cannot create the folder of %s: %m", d->config->path,
                                       d->config->command_endpoint);
        r = endpoint_prepare(d->config->event_endpoint);
        if (r < 0)
                return log_error_errno(r, "%s: cannot create the folder of %s: %m", d->config->path,
                                       d->config->event_endpoint);
        if (zmq_bind(d->cmd_sock, d->config->command_endpoint) < 0)
                return log_error_errno(errno, "%s: command_endpoint %s: cannot bind: %s", d->config->path,
                                       d->config->command_endpoint, zmq_strerror(errno));
        if (zmq_bind(d->pub_sock, d->config->event_endpoint) < 0)
                return log_error_errno(errno, "%s: event_endpoint %s: cannot bind: %s", d->config->path,
                                       d->config->event_endpoint, zmq_strerror(errno));
        return 0;
}

static int daemon_lock_state_dir(const char *dir) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/certbenchd.lock", dir) < 0)
                return -ENOMEM;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
                return log_error_errno(errno, "%s: cannot open: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "%s: another certbenchd uses this state directory", path);
        }
        return fd;   /* kept open for the life of the process */
}

static void daemon_safe_all(struct daemon *d, const char *when) {
        for (size_t i = 0; i < d->fixture->n_boards; i++) {
                int r = relay_board_apply_safe(d->boards[i], deadline_in(3 * USEC_PER_SEC));

                d->board_safe[i] = r >= 0;
                if (r < 0)
                        log_error_errno(r, "board %s: safe state %s NOT confirmed: %m",
                                        d->fixture->boards[i].name, when);
                else
                        log_info("board %s: safe state applied %s", d->fixture->boards[i].name, when);
                for (size_t c = 0; c < d->fixture->boards[i].n_channels; c++) {
                        const struct fx_channel *ch = &d->fixture->boards[i].channels[c];
                        if (!ch->output)
                                continue;
                        daemon_post_event(d, NULL, NULL, r < 0 ? "relay.error" : "relay.changed",
                                          r < 0 ? json_pack("{s:s, s:s, s:s}", "channel", ch->name, "error",
                                                            strerror(-r), "source", "safe-state")
                                                : json_pack("{s:s, s:b, s:s}", "channel", ch->name, "on",
                                                            ch->safe_on, "source", "safe-state"));
                }
        }
}

static int daemon_setup(struct daemon *d) {
        _cleanup_free_ char *err = NULL, *dbpath = NULL;
        json_t *recovered = NULL;
        int r;

        r = fixture_load(d->config->bench_fixture, &d->fixture, &err);
        if (r < 0)
                return log_error_errno(r, "%s", err ? err : "cannot load the bench fixture");

        r = mkdir_p(d->config->state_dir, 0750);
        if (r < 0)
                return log_error_errno(r, "%s: state_dir %s: %m", d->config->path, d->config->state_dir);
        r = daemon_lock_state_dir(d->config->state_dir);
        if (r < 0)
                return r;

        if (asprintf(&dbpath, "%s/certbench.db", d->config->state_dir) < 0)
                return -ENOMEM;
        r = store_open(dbpath, &d->store);
        if (r < 0)
                return log_error_errno(r, "%s: cannot open the store: %m", dbpath);

        r = mailbox_new(daemon_msg_item_free_fn, DAEMON_MAILBOX_HIGH_WATER, &d->mailbox);
        if (r < 0)
                return r;

        /* Runs that were in progress when we last stopped without a
         * clean shutdown (a crash, SIGKILL, power loss). */
        r = store_runs_abort_interrupted(d->store, "the daemon stopped while the run was in progress",
                                         now_usec(CLOCK_REALTIME), &recovered);
        if (r < 0)
                return log_error_errno(r, "store: cannot recover interrupted runs: %m");
        if (json_array_size(recovered) > 0)
                log_warning("%zu interrupted run(s) marked ABORTED", json_array_size(recovered));

        d->boards = calloc(d->fixture->n_boards + 1, sizeof(*d->boards));
        d->board_safe = calloc(d->fixture->n_boards + 1, sizeof(*d->board_safe));
        if (!d->boards || !d->board_safe)
                return -ENOMEM;
        for (size_t i = 0; i < d->fixture->n_boards; i++) {
                r = relay_board_new(&d->fixture->boards[i], &d->boards[i]);
                if (r < 0)
                        return log_error_errno(r, "%s: board %s (%s): %m", d->fixture->path,
                                               d->fixture->boards[i].name, d->fixture->boards[i].kind);
        }
        daemon_safe_all(d, "at start");

        for (size_t i = 0; i < json_array_size(recovered); i++) {
                const char *id = json_string_value(json_array_get(recovered, i));
                daemon_post_event(d, NULL, id, "run.finished",
                                  json_pack("{s:s, s:s, s:s}", "state", "ABORTED", "outcome", "ABORTED",
                                            "reason", "the daemon stopped while the run was in progress"));
        }
        daemon_post_event(d, NULL, NULL, "daemon.started",
                          json_pack("{s:s, s:i, s:o}", "version", PROJECT_VERSION, "pid", (int) getpid(),
                                    "recovered_runs", recovered ? recovered : json_array()));

        d->n_slots = d->fixture->n_slots;
        d->slots = calloc(d->n_slots + 1, sizeof(*d->slots));
        if (!d->slots)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_slots; i++)
                d->slots[i].abort_fd = -1;
        for (size_t i = 0; i < d->n_slots; i++) {
                r = slot_start(d, &d->slots[i], &d->fixture->slots[i]);
                if (r < 0)
                        return log_error_errno(r, "slot %s: cannot start its worker: %m",
                                               d->fixture->slots[i].name);
        }
        return daemon_bind(d);
}

static void daemon_shutdown(struct daemon *d) {
        d->quitting = true;
        for (size_t i = 0; i < d->n_slots; i++)
                if (d->slots[i].busy)
                        slot_abort(&d->slots[i], "aborted because certbenchd was asked to stop (SIGTERM/SIGINT)");
        for (size_t i = 0; i < d->n_slots; i++)
                slot_request_quit(&d->slots[i]);
        if (d->store && d->mailbox && d->pub_sock) {
                usec_t deadline = deadline_in(10 * USEC_PER_SEC);

                for (;;) {
                        struct pollfd p = { .fd = mailbox_fd(d->mailbox), .events = POLLIN };
                        bool running = false;

                        daemon_flush(d);
                        for (size_t i = 0; i < d->n_slots; i++)
                                if (slot_try_join(&d->slots[i]) < 0)
                                        running = true;
                        if (!running)
                                break;
                        if (mono_now() >= deadline) {
                                /* Never kill a thread that may be mid-write
                                 * to a board; the process exits anyway. */
                                log_error("a slot worker did not stop within 10 s");
                                break;
                        }
                        (void) poll(&p, 1, 10);
                }
        }
        if (d->boards && d->store) {
                daemon_safe_all(d, "at exit");
                for (size_t i = 0; i < d->fixture->n_boards; i++)
                        relay_board_free(TAKE_PTR(d->boards[i]));
        }
        /* Everything queued is stored before we go: no event is lost. */
        if (d->store && d->mailbox && d->pub_sock)
                while (mailbox_pending(d->mailbox))
                        daemon_flush(d);
}

static void daemon_free(struct daemon *d) {
        if (d->boards)
                for (size_t i = 0; d->fixture && i < d->fixture->n_boards; i++)
                        relay_board_free(d->boards[i]);
        free(d->boards);
        free(d->board_safe);
        free(d->slots);
        mailbox_free(d->mailbox);
        store_free(d->store);
        if (d->cmd_sock)
                zmq_close(d->cmd_sock);
        if (d->pub_sock)
                zmq_close(d->pub_sock);
        if (d->zmq_ctx)
                zmq_ctx_term(d->zmq_ctx);
        fixture_free(d->fixture);
        daemon_config_free(d->config);
}

static int daemon_loop(struct daemon *d, int sfd, int tfd) {
        uint64_t watchdog_usec = 0;
        unsigned ticks = 0;

        char *ready = NULL;

        watchdog_usec = notify_watchdog_usec();
        if (asprintf(&ready, "READY=1\nSTATUS=serving %zu slot(s) on %s", d->n_slots,
                     d->config->command_endpoint) >= 0) {
                (void) notify_send(ready);
                free(ready);
        }
        log_info("ready: bench %s, %zu slot(s), commands on %s, events on %s", d->fixture->bench,
                 d->n_slots, d->config->command_endpoint, d->config->event_endpoint);

        for (;;) {
                zmq_pollitem_t items[] = {
                        { .socket = d->cmd_sock, .events = ZMQ_POLLIN },
                        { .fd = mailbox_fd(d->mailbox), .events = ZMQ_POLLIN },
                        { .fd = sfd, .events = ZMQ_POLLIN },
                        { .fd = tfd, .events = ZMQ_POLLIN },
                };

                if (zmq_poll(items, ELEMENTSOF(items), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "zmq_poll: %m");
                }

                if (items[1].revents & ZMQ_POLLIN)
                        daemon_flush(d);

                if (items[0].revents & ZMQ_POLLIN)
                        /* Bounded, so a flood of commands cannot starve the store. */
                        for (int i = 0; i < 256; i++) {
                                int ev = 0;
                                size_t sz = sizeof(ev);

                                daemon_handle_command(d);
                                if (zmq_getsockopt(d->cmd_sock, ZMQ_EVENTS, &ev, &sz) < 0 ||
                                    !(ev & ZMQ_POLLIN))
                                        break;
                        }

                if (items[2].revents & ZMQ_POLLIN) {
                        struct signalfd_siginfo si;

                        if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                log_info("signal %u: shutting down, DUT power to the safe state", si.ssi_signo);
                                (void) notify_send("STOPPING=1");
                                return 0;
                        }
                }

                if (items[3].revents & ZMQ_POLLIN) {
                        uint64_t n;

                        (void) !read(tfd, &n, sizeof(n));
                        ticks++;
                        if (watchdog_usec)
                                (void) notify_send("WATCHDOG=1");
                        if (d->config->heartbeat_s && ticks % d->config->heartbeat_s == 0)
                                daemon_post_event(d, NULL, NULL, "heartbeat",
                                                  json_pack("{s:I}", "uptime_s",
                                                            (json_int_t) ((mono_now() - d->started_mono) / USEC_PER_SEC)));
                }
        }
}

int main(int argc, char *argv[]) {
        struct daemon d = { .started_mono = mono_now() };
        _cleanup_free_ char *err = NULL;
        _cleanup_close_ int sfd = -1, tfd = -1;
        struct itimerspec tick = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
        sigset_t mask;
        int r;

        log_set_target(getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID") ? LOG_TARGET_JOURNAL
                                                                           : LOG_TARGET_STDERR);
        log_parse_environment();
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        r = daemon_config_load(arg_config, &d.config, &err);
        if (r < 0) {
                log_error("%s", err ? err : arg_config);
                return 1;
        }
        if (arg_check_config) {
                struct fixture *f = NULL;
                _cleanup_free_ char *ferr = NULL;

                r = fixture_load(d.config->bench_fixture, &f, &ferr);
                if (r < 0) {
                        fprintf(stderr, "%s\n", ferr ? ferr : d.config->bench_fixture);
                        daemon_config_free(d.config);
                        return 1;
                }
                printf("%s: ok\n%s: ok (bench %s, %zu board(s), %zu slot(s))\n", d.config->path,
                       f->path, f->bench, f->n_boards, f->n_slots);
                fixture_free(f);
                daemon_config_free(d.config);
                return 0;
        }

        /* Signals arrive through the loop; threads inherit the mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &tick, NULL) < 0) {
                log_error_errno(errno, "cannot set up signals and timers: %m");
                return 1;
        }

        /* A handful of threads that allocate little: one malloc arena is
         * plenty, and spares a Raspberry Pi the per-thread ones. */
        mallopt(M_ARENA_MAX, 1);

        r = daemon_setup(&d);
        if (r >= 0) {
                daemon_flush(&d);
                /* Start-up (YAML, migrations) is the peak; give it back. */
                malloc_trim(0);
                r = daemon_loop(&d, sfd, tfd);
        }
        daemon_shutdown(&d);
        daemon_free(&d);
        return r < 0 ? 1 : 0;
}
