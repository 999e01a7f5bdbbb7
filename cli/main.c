/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/fixture/fixture.h"

#ifndef CERTBENCH_VERSION
#define CERTBENCH_VERSION "unknown"
#endif

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = 1;
}

void cli_signals_setup(void) {
        struct sigaction sa = { .sa_handler = on_signal };  /* no SA_RESTART */

        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

bool cli_interrupted(void) {
        return interrupted != 0;
}

int cli_usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("certbench: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return CLI_EXIT_USAGE;
}

int cli_usage_hint(const struct cli *cli) {
        fprintf(stderr, "Try '%s --help'.\n", cli->program);
        return CLI_EXIT_USAGE;
}

int cli_parse_global(struct cli *cli, int opt, const char *arg) {
        int r;

        switch (opt) {
        case CLI_ARG_ENDPOINT:
                if (!*arg)
                        return cli_usage_error("--endpoint: expected a ZeroMQ endpoint, got ''"), -EINVAL;
                cli->command_endpoint = arg;
                return 1;
        case CLI_ARG_EVENTS:
                if (!*arg)
                        return cli_usage_error("--events: expected a ZeroMQ endpoint, got ''"), -EINVAL;
                cli->event_endpoint = arg;
                return 1;
        case CLI_ARG_CONFIG:
                cli->config_path = arg;
                return 1;
        case CLI_ARG_TIMEOUT:
                r = cli_seconds_parse(arg, &cli->timeout);
                if (r < 0)
                        return cli_usage_error("--timeout: expected seconds (0 < N <= 86400), got '%s'",
                                               arg), -EINVAL;
                return 1;
        default:
                return 0;
        }
}

int cli_exit_for_bus_error(int r) {
        if (r == -EREMOTEIO)
                return CLI_EXIT_FAIL;
        return CLI_EXIT_ERROR;
}

static const char *pick(const char *explicit_value, const char *from_config, const char *env,
                        const char *fallback) {
        const char *e;

        if (explicit_value)
                return explicit_value;
        if (from_config)
                return from_config;
        e = getenv(env);
        if (e && *e)
                return e;
        return fallback;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct daemon_config *, daemon_config_free);

int cli_connect(struct cli *cli, bool want_events, struct bus_client **ret) {
        _cleanup_(daemon_config_freep) struct daemon_config *cfg = NULL;
        const char *cmd_ep, *ev_ep;
        int r;

        if (cli->config_path) {
                _cleanup_free_ char *error = NULL;
                r = daemon_config_load(cli->config_path, &cfg, &error);
                if (r < 0) {
                        fprintf(stderr, "certbench: --config: %s\n",
                                error ? error : strerror(-r));
                        return r;
                }
        }
        cmd_ep = pick(cli->command_endpoint, cfg ? cfg->command_endpoint : NULL,
                      "CERTBENCH_COMMAND", BUS_DEFAULT_COMMAND);
        ev_ep = pick(cli->event_endpoint, cfg ? cfg->event_endpoint : NULL,
                     "CERTBENCH_EVENTS", BUS_DEFAULT_EVENTS);

        r = bus_client_new(cmd_ep, want_events ? ev_ep : NULL, cli->timeout, ret);
        if (r < 0) {
                fprintf(stderr, "certbench: cannot connect to %s: %s\n", cmd_ep, strerror(-r));
                return r;
        }
        if (want_events) {
                r = bus_client_subscribe(*ret);
                if (r < 0) {
                        fprintf(stderr, "certbench: cannot subscribe to %s: %s\n", ev_ep,
                                strerror(-r));
                        *ret = bus_client_free(*ret);
                        return r;
                }
        }
        return 0;
}

int cmd_wifi_audit(struct cli *cli, int argc, char **argv);  /* cmd-wifi-audit.c */
int cmd_bt_audit(struct cli *cli, int argc, char **argv);  /* cmd-bt-audit.c */
int cmd_usb_audit(struct cli *cli, int argc, char **argv);  /* cmd-usb-audit.c */

struct verb {
        const char *name;
        int (*fn)(struct cli *cli, int argc, char **argv);
        const char *summary;
};

static const struct verb verbs[] = {
        { "run", cmd_run, "start a test run on a slot (optionally wait for the verdict)" },
        { "status", cmd_status, "show the slots and their states" },
        { "watch", cmd_watch, "follow the progress of every slot live" },
        { "abort", cmd_abort, "abort a run" },
        { "relay", cmd_relay, "set, read or pulse a relay channel" },
        { "events", cmd_events, "print stored events, optionally follow live" },
        { "report", cmd_report, "render a run as text, JSON or JUnit XML" },
        { "check", cmd_check, "validate fixture, profile and config files (no daemon needed)" },
        { "wifi-audit", cmd_wifi_audit, "classify the Wi-Fi security of every BSS in a capture (no daemon)" },
        { "bt-audit", cmd_bt_audit, "classify every Bluetooth pairing in an HCI trace (no daemon)" },
        { "usb-audit", cmd_usb_audit, "name the USB functions in a descriptor dump, D-6 verdict (no daemon)" },
};

static void main_help(FILE *f) {
        fputs("Usage: certbench [GLOBAL OPTIONS] COMMAND [ARGS...]\n\n"
              "Drive a certbenchd test bench over its ZeroMQ bus.\n\nCommands:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s  %s\n", verbs[i].name, verbs[i].summary);
        fputs("\n" CLI_GLOBAL_HELP
              "  --version            print the version\n\n"
              "Global options may also follow the command. 'certbench COMMAND --help'\n"
              "describes a command. Exit status: 0 success, 1 failure (FAIL verdict,\n"
              "invalid file, daemon refused), 2 usage error, daemon unreachable, or\n"
              "ERROR/ABORTED verdict.\n", f);
}

static const struct verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

static int verb_dispatch(struct cli *cli, const struct verb *v, int argc, char **argv) {
        _cleanup_free_ char **sub = NULL;
        _cleanup_free_ char *name = NULL;

        /* getopt names argv[0] in its messages: make that "certbench VERB". */
        if (asprintf(&name, "certbench %s", v->name) < 0)
                return CLI_EXIT_ERROR;
        sub = calloc(argc + 1, sizeof(char *));
        if (!sub)
                return CLI_EXIT_ERROR;
        sub[0] = name;
        for (int i = 1; i < argc; i++)
                sub[i] = argv[i];
        cli->program = name;
        optind = 0;
        return v->fn(cli, argc, sub);
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "version", no_argument, NULL, 'V' },
                {}
        };
        struct cli cli = { .timeout = BUS_DEFAULT_TIMEOUT, .program = "certbench" };
        const struct verb *v;
        int c, r;

        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
                r = cli_parse_global(&cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        main_help(stdout);
                        return CLI_EXIT_OK;
                case 'V':
                        printf("certbench %s\n", CERTBENCH_VERSION);
                        return CLI_EXIT_OK;
                default:
                        fputs("Try 'certbench --help'.\n", stderr);
                        return CLI_EXIT_USAGE;
                }
        }

        if (optind >= argc) {
                main_help(stderr);
                return CLI_EXIT_USAGE;
        }

        if (strcmp(argv[optind], "help") == 0) {
                if (optind + 1 >= argc) {
                        main_help(stdout);
                        return CLI_EXIT_OK;
                }
                v = verb_find(argv[optind + 1]);
                if (!v)
                        return cli_usage_error("help: unknown command '%s'", argv[optind + 1]);
                char *hargv[] = { argv[optind + 1], (char *) "--help", NULL };
                return verb_dispatch(&cli, v, 2, hargv);
        }

        v = verb_find(argv[optind]);
        if (!v) {
                cli_usage_error("unknown command '%s' (expected one of run, status, watch, abort, "
                                "relay, events, report, check, wifi-audit, usb-audit, bt-audit)", argv[optind]);
                return CLI_EXIT_USAGE;
        }
        return verb_dispatch(&cli, v, argc - optind, argv + optind);
}
