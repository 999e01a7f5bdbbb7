/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench abort (--run ID | --slot SLOT) [--json]\n\n"
        "Abort a run, named by its id or by the slot it runs on. The DUT is\n"
        "put in its safe state by the daemon.\n\n"
        "  --run ID             the run to abort\n"
        "  --slot SLOT          abort whatever runs on SLOT\n"
        "  --json               print the daemon's reply as JSON\n\n" CLI_GLOBAL_HELP;

int cmd_abort(struct cli *cli, int argc, char **argv) {
        enum { ARG_RUN = CLI_ARG_FIRST_LOCAL, ARG_SLOT };
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "run", required_argument, NULL, ARG_RUN },
                { "slot", required_argument, NULL, ARG_SLOT },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *args = NULL, *res = NULL;
        const char *run = NULL, *slot = NULL;
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
                case ARG_RUN:
                        if (!*optarg)
                                return cli_usage_error("--run: expected a run id, got ''");
                        run = optarg;
                        break;
                case ARG_SLOT:
                        if (!*optarg)
                                return cli_usage_error("--slot: expected a slot name, got ''");
                        slot = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind < argc)
                return cli_usage_error("abort: unexpected argument '%s'", argv[optind]);
        if (!!run == !!slot)
                return cli_usage_error("abort: expected exactly one of --run ID or --slot SLOT");

        args = run ? json_pack("{s:s}", "run_id", run) : json_pack("{s:s}", "slot", slot);
        if (!args)
                return CLI_EXIT_ERROR;
        r = cli_connect(cli, false, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, "run.abort", args, 0, &res);
        if (r < 0)
                return cli_exit_for_bus_error(r);
        if (json)
                report_render_json(stdout, res);
        else
                printf("aborted run %s\n", strna(json_string_value(json_object_get(res, "run_id"))));
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
