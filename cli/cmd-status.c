/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench status [--json]\n\n"
        "Show the bench, its slots and their states.\n\n"
        "  --json               print the daemon's status result as JSON\n\n" CLI_GLOBAL_HELP;

static const char *jstr(json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static void status_print(json_t *st) {
        json_t *slots = json_object_get(st, "slots"), *s, *boards = json_object_get(st, "boards");
        int wname = 4, wrun = 3;
        size_t i;

        printf("Bench %s, certbenchd %s (pid %" JSON_INTEGER_FORMAT "), up %" JSON_INTEGER_FORMAT
               " s, last event #%" JSON_INTEGER_FORMAT "\n",
               strna(jstr(st, "bench")), strna(jstr(st, "version")),
               json_integer_value(json_object_get(st, "pid")),
               json_integer_value(json_object_get(st, "uptime_s")),
               json_integer_value(json_object_get(st, "last_seq")));

        json_array_foreach(slots, i, s) {
                if (jstr(s, "name") && (int) strlen(jstr(s, "name")) > wname)
                        wname = (int) strlen(jstr(s, "name"));
                if (jstr(s, "run_id") && (int) strlen(jstr(s, "run_id")) > wrun)
                        wrun = (int) strlen(jstr(s, "run_id"));
        }
        json_array_foreach(boards, i, s)
                if (jstr(s, "name") && (int) strlen(jstr(s, "name")) > wname)
                        wname = (int) strlen(jstr(s, "name"));
        printf("\n%-*s  %-8s  %-*s  %s\n", wname, "SLOT", "STATE", wrun, "RUN", "CASE");
        json_array_foreach(slots, i, s) {
                json_t *idx = json_object_get(s, "case_index"), *count = json_object_get(s, "case_count");
                printf("%-*s  %-8s  %-*s  ", wname, strna(jstr(s, "name")), strna(jstr(s, "state")),
                       wrun, jstr(s, "run_id") ? jstr(s, "run_id") : "-");
                if (jstr(s, "case")) {
                        printf("%s", jstr(s, "case"));
                        if (json_is_integer(idx) && json_is_integer(count))
                                printf(" (%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT ")",
                                       json_integer_value(idx) + 1, json_integer_value(count));
                } else {
                        fputs("-", stdout);
                }
                fputc('\n', stdout);
        }
        if (json_array_size(boards) > 0) {
                printf("\n%-*s  %s\n", wname, "BOARD", "KIND");
                json_array_foreach(boards, i, s)
                        printf("%-*s  %s\n", wname, strna(jstr(s, "name")), strna(jstr(s, "kind")));
        }
}

int cmd_status(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *st = NULL;
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
                r = cli_parse_global(cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case 'j':
                        json = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind < argc)
                return cli_usage_error("status: unexpected argument '%s'", argv[optind]);

        r = cli_connect(cli, false, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, "status", NULL, 0, &st);
        if (r < 0)
                return cli_exit_for_bus_error(r);

        if (json)
                report_render_json(stdout, st);
        else
                status_print(st);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
