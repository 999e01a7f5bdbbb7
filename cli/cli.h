/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The certbench command-line client: shared state of one invocation, the
 * subcommand entry points and the pure helpers (argument parsing, report
 * and event rendering) that the unit tests exercise without a daemon.
 * Everything runs on the main thread. */

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "common/macros.h"
#include "common/timeutil.h"
#include "bus-client.h"

/* Exit statuses, see docs/cli.md. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1      /* a FAIL verdict, a bad file, the daemon said no */
#define CLI_EXIT_USAGE 2     /* bad arguments */
#define CLI_EXIT_ERROR 2     /* daemon unreachable or timed out, ERROR/ABORTED verdict */

struct cli {
        const char *command_endpoint;  /* --endpoint; NULL: config, env, default */
        const char *event_endpoint;    /* --events */
        const char *config_path;       /* --config */
        usec_t timeout;                /* --timeout, per request */
        const char *program;           /* argv[0] of the subcommand, for messages */
};

/* Long options every subcommand accepts besides its own. */
enum {
        CLI_ARG_ENDPOINT = 0x100,
        CLI_ARG_EVENTS,
        CLI_ARG_CONFIG,
        CLI_ARG_TIMEOUT,
        CLI_ARG_FIRST_LOCAL,           /* subcommands number their options from here */
};
#define CLI_GLOBAL_OPTIONS                                                   \
        { "endpoint", required_argument, NULL, CLI_ARG_ENDPOINT },           \
        { "events", required_argument, NULL, CLI_ARG_EVENTS },               \
        { "config", required_argument, NULL, CLI_ARG_CONFIG },               \
        { "timeout", required_argument, NULL, CLI_ARG_TIMEOUT },             \
        { "help", no_argument, NULL, 'h' }

#define CLI_GLOBAL_HELP                                                      \
        "Global options:\n"                                                  \
        "  --endpoint ENDPOINT  command socket (env CERTBENCH_COMMAND,\n"    \
        "                       default " BUS_DEFAULT_COMMAND ")\n"          \
        "  --events ENDPOINT    event socket (env CERTBENCH_EVENTS,\n"       \
        "                       default " BUS_DEFAULT_EVENTS ")\n"           \
        "  --config FILE        read both endpoints from a certbenchd.yaml\n" \
        "  --timeout SECONDS    reply deadline per request (default 5)\n"    \
        "  -h, --help           show this help\n"

/* Handles one global option. Returns 1 when opt was one (0 otherwise) or
 * -EINVAL after printing the usage error. */
int cli_parse_global(struct cli *cli, int opt, const char *arg);

/* Prints "certbench: ..." to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) _printf_(1, 2);

/* Prints "Try 'certbench VERB --help'." and returns CLI_EXIT_USAGE. */
int cli_usage_hint(const struct cli *cli);

/* Resolves the endpoints (--endpoint/--events, then --config, then the
 * environment, then the defaults) and creates a client. On failure prints
 * why and returns -errno. */
int cli_connect(struct cli *cli, bool want_events, struct bus_client **ret);

/* Maps a bus call's -errno to an exit status. */
int cli_exit_for_bus_error(int r);

/* Installs SIGINT/SIGTERM handlers without SA_RESTART so waits return
 * -EINTR; cli_interrupted() says whether one arrived. */
void cli_signals_setup(void);
bool cli_interrupted(void);

/* Subcommands: argv[0] is the subcommand name. Return an exit status. */
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_abort(struct cli *cli, int argc, char **argv);
int cmd_relay(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);

/* ---- args.c: pure argument parsing ---- */

/* "CASE.KEY=VALUE" into params[CASE][KEY]. The case id may itself hold
 * dots ("power.cycle.off_ms=500"): the key is what follows the last dot
 * before '='. VALUE is taken as JSON when it parses as a JSON value
 * (500, true, "text", [1,2]), otherwise as a plain string. Returns 0, or
 * -EINVAL with *ret_error (caller frees) naming what was expected. */
int cli_param_parse(const char *s, json_t *params, char **ret_error);

/* Seconds as a positive decimal ("5", "0.25"), at most one day. */
int cli_seconds_parse(const char *s, usec_t *ret);
/* Unsigned decimal integer in [min, max]. */
int cli_uint_parse(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
/* "on"/"off" (also 1/0, true/false). */
int cli_on_off_parse(const char *s, bool *ret);
/* Makes a path absolute: realpath() when it exists, else joined to the
 * working directory. Returns 0 or -errno. */
int cli_path_absolute(const char *path, char **ret);

/* ---- render.c: pure rendering ---- */

/* XML-escapes s for element content (attr false) or an attribute value
 * (attr true: also tab/newline/CR as character references). Characters
 * XML 1.0 cannot carry (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF)
 * become U+FFFD. Returns a new string or NULL on -ENOMEM. */
char *xml_escape(const char *s, bool attr);

/* "2026-11-27T08:00:00.123456Z" (or a numeric offset) to CLOCK_REALTIME
 * usec. Returns 0 or -EINVAL. */
int rfc3339_parse(const char *s, usec_t *ret);

/* Exit status for a finished run object (docs/bus.md): any ERROR or
 * ABORTED (case or run, or state ABORTED) or no result at all gives 2,
 * otherwise any FAIL gives 1, otherwise (PASS, SKIPPED) 0. */
int run_exit_status(json_t *run);

/* A measurement value as text: scalars as such, {"value", "unit"} as
 * "VALUE UNIT", anything else compact JSON. Caller frees. */
char *measurement_format(json_t *v);

/* Renders a run object (run.get result). Return 0 or -errno (-EIO when
 * the stream failed). */
int report_render_text(FILE *f, json_t *run);
int report_render_json(FILE *f, json_t *run);
int report_render_junit(FILE *f, json_t *run);

/* One human-readable line for an event (no trailing newline). Caller
 * frees. NULL only on -ENOMEM. */
char *event_format_line(json_t *event);
