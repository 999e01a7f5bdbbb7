/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench run --slot SLOT --profile FILE --serial SERIAL\n"
        "                     [--case ID]... [--param CASE.KEY=VALUE]... [--wait] [--json]\n\n"
        "Start a test run of the DUT in SLOT and print its run id.\n\n"
        "  --slot SLOT          bench slot holding the DUT\n"
        "  --profile FILE       DUT profile (sent as an absolute path)\n"
        "  --serial SERIAL      DUT serial number\n"
        "  --case ID            test case to run, repeatable, in order\n"
        "                       (default: the daemon's, power.cycle)\n"
        "  --param CASE.KEY=VALUE\n"
        "                       parameter for a case, repeatable; VALUE is JSON when\n"
        "                       it parses as JSON (500, true, \"x\"), else a string\n"
        "  -w, --wait           follow the run, print progress and the verdict table;\n"
        "                       exit 0 all PASS, 1 any FAIL, 2 any ERROR/ABORTED\n"
        "  --json               print JSON ({\"run_id\"}, or the finished run with\n"
        "                       --wait; progress then goes to stderr)\n\n" CLI_GLOBAL_HELP;

static const char *jstr(json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

struct progress {
        FILE *out;
        const char *run_id;
        size_t n_cases;
};

static void progress_case(struct progress *p, json_t *data) {
        json_t *idx = json_object_get(data, "idx");

        /* idx is 0-based in the bus (the daemon's case index). */
        if (json_is_integer(idx) && p->n_cases > 0)
                fprintf(p->out, "[%" JSON_INTEGER_FORMAT "/%zu] ", json_integer_value(idx) + 1, p->n_cases);
        else if (json_is_integer(idx))
                fprintf(p->out, "[%" JSON_INTEGER_FORMAT "] ", json_integer_value(idx) + 1);
        fputs(strna(jstr(data, "case")), p->out);
}

/* Returns 1 once the run has finished. */
static int progress_event(struct progress *p, json_t *ev) {
        const char *type = jstr(ev, "type");
        json_t *data = json_object_get(ev, "data");

        if (type && strcmp(type, "daemon.started") == 0) {
                /* A restarted daemon marks our interrupted run ABORTED and
                 * names it here; no run.finished follows for it. */
                json_t *v;
                size_t i;
                json_array_foreach(json_object_get(data, "recovered_runs"), i, v)
                        if (streq_ptr(json_string_value(v), p->run_id)) {
                                fprintf(p->out, "certbenchd restarted; run %s was interrupted\n", p->run_id);
                                fflush(p->out);
                                return 1;
                        }
                return 0;
        }
        if (!type || !streq_ptr(jstr(ev, "run_id"), p->run_id))
                return 0;
        if (strcmp(type, "run.started") == 0) {
                if (json_array_size(json_object_get(data, "cases")) > 0)
                        p->n_cases = json_array_size(json_object_get(data, "cases"));
                fprintf(p->out, "run %s started on %s (%zu case%s)\n", p->run_id,
                        strna(jstr(ev, "slot")), p->n_cases, p->n_cases == 1 ? "" : "s");
        } else if (strcmp(type, "case.started") == 0) {
                progress_case(p, data);
                fputs(" ...\n", p->out);
        } else if (strcmp(type, "case.progress") == 0) {
                progress_case(p, data);
                fprintf(p->out, ": %s\n", strna(jstr(data, "step")));
        } else if (strcmp(type, "case.finished") == 0) {
                progress_case(p, data);
                fprintf(p->out, " %s", strna(jstr(data, "outcome")));
                if (jstr(data, "reason") && *jstr(data, "reason"))
                        fprintf(p->out, ": %s", jstr(data, "reason"));
                fputc('\n', p->out);
        } else if (strcmp(type, "verdict") == 0) {
                fprintf(p->out, "verdict %s", strna(jstr(data, "outcome")));
                if (jstr(data, "reason") && *jstr(data, "reason"))
                        fprintf(p->out, ": %s", jstr(data, "reason"));
                fputc('\n', p->out);
        } else if (strcmp(type, "run.finished") == 0) {
                fprintf(p->out, "run %s finished: %s %s\n", p->run_id, strna(jstr(data, "state")),
                        jstr(data, "outcome") ? jstr(data, "outcome") : "");
                fflush(p->out);
                return 1;
        }
        fflush(p->out);
        return 0;
}

int cmd_run(struct cli *cli, int argc, char **argv) {
        enum { ARG_SLOT = CLI_ARG_FIRST_LOCAL, ARG_PROFILE, ARG_SERIAL, ARG_CASE, ARG_PARAM };
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "slot", required_argument, NULL, ARG_SLOT },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "serial", required_argument, NULL, ARG_SERIAL },
                { "case", required_argument, NULL, ARG_CASE },
                { "param", required_argument, NULL, ARG_PARAM },
                { "wait", no_argument, NULL, 'w' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *cases = json_array(), *params = json_object(), *args = NULL,
                              *res = NULL, *st = NULL, *run = NULL, *get_args = NULL;
        _cleanup_free_ char *profile = NULL;
        const char *slot = NULL, *serial = NULL, *run_id;
        bool wait = false, json = false;
        json_t *last;
        int c, r;

        if (!cases || !params)
                return CLI_EXIT_ERROR;

        while ((c = getopt_long(argc, argv, "hwj", options, NULL)) >= 0) {
                r = cli_parse_global(cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_SLOT:
                        if (!*optarg)
                                return cli_usage_error("--slot: expected a slot name, got ''");
                        slot = optarg;
                        break;
                case ARG_PROFILE:
                        free(profile);
                        profile = NULL;
                        r = cli_path_absolute(optarg, &profile);
                        if (r < 0)
                                return cli_usage_error("--profile: expected a profile file, cannot use '%s': %s",
                                                       optarg, strerror(-r));
                        break;
                case ARG_SERIAL:
                        if (!*optarg)
                                return cli_usage_error("--serial: expected the DUT serial number, got ''");
                        serial = optarg;
                        break;
                case ARG_CASE:
                        if (!*optarg)
                                return cli_usage_error("--case: expected a case id, got ''");
                        if (json_array_append_new(cases, json_string(optarg)) < 0)
                                return cli_usage_error("--case: expected a UTF-8 case id, got '%s'", optarg);
                        break;
                case ARG_PARAM: {
                        _cleanup_free_ char *error = NULL;
                        r = cli_param_parse(optarg, params, &error);
                        if (r < 0)
                                return cli_usage_error("%s", error ? error : strerror(-r));
                        break;
                }
                case 'w':
                        wait = true;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind < argc)
                return cli_usage_error("run: unexpected argument '%s'", argv[optind]);
        if (!slot)
                return cli_usage_error("run: --slot SLOT is required");
        if (!profile)
                return cli_usage_error("run: --profile FILE is required");
        if (!serial)
                return cli_usage_error("run: --serial SERIAL is required");

        args = json_pack("{s:s, s:s, s:s}", "slot", slot, "profile", profile, "serial", serial);
        if (!args)
                return cli_usage_error("run: arguments must be valid UTF-8");
        if (json_array_size(cases) > 0 && json_object_set(args, "cases", cases) < 0)
                return CLI_EXIT_ERROR;
        if (json_object_size(params) > 0 && json_object_set(args, "params", params) < 0)
                return CLI_EXIT_ERROR;

        r = cli_connect(cli, wait, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;

        if (wait) {
                /* Subscribed already; the seq baseline from status makes
                 * anything the SUB missed while connecting come from
                 * events.since instead. */
                r = bus_client_call_report(bus, "status", NULL, 0, &st);
                if (r < 0)
                        return CLI_EXIT_ERROR;
                last = json_object_get(st, "last_seq");
                if (!json_is_integer(last) || json_integer_value(last) < 0) {
                        fprintf(stderr, "certbench: status: reply has no last_seq\n");
                        return CLI_EXIT_ERROR;
                }
                bus_client_set_last_seq(bus, (uint64_t) json_integer_value(last));
        }

        /* Any refusal is 2 too: 1 means the DUT failed, nothing else. */
        r = bus_client_call_report(bus, "run.start", args, 0, &res);
        if (r < 0)
                return CLI_EXIT_ERROR;
        run_id = jstr(res, "run_id");
        if (!run_id) {
                fprintf(stderr, "certbench: run.start: reply has no run_id\n");
                return CLI_EXIT_ERROR;
        }

        if (!wait) {
                if (json)
                        report_render_json(stdout, res);
                else
                        printf("%s\n", run_id);
                return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
        }

        struct progress p = {
                .out = json ? stderr : stdout,
                .run_id = run_id,
                .n_cases = json_array_size(cases),
        };
        if (!json)
                printf("%s\n", run_id);
        cli_signals_setup();
        for (;;) {
                _cleanup_json_ json_t *ev = NULL;

                r = bus_client_event_next(bus, USEC_INFINITY, &ev);
                if (r == -EINTR || cli_interrupted()) {
                        fprintf(stderr, "certbench: interrupted; run %s goes on "
                                "(stop it with: certbench abort --run %s)\n", run_id, run_id);
                        return CLI_EXIT_ERROR;
                }
                if (r < 0)
                        return CLI_EXIT_ERROR;
                if (progress_event(&p, ev) > 0)
                        break;
        }

        get_args = json_pack("{s:s}", "run_id", run_id);
        if (!get_args)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, "run.get", get_args, 0, &run);
        if (r < 0)
                return CLI_EXIT_ERROR;
        if (json) {
                report_render_json(stdout, run);
        } else {
                fputc('\n', stdout);
                report_render_text(stdout, run);
        }
        if (fflush(stdout) != 0)
                return CLI_EXIT_ERROR;
        return run_exit_status(run);
}
