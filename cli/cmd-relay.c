/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench relay set CHANNEL on|off [--json]\n"
        "       certbench relay get CHANNEL [--json]\n"
        "       certbench relay pulse CHANNEL MS [--json]\n\n"
        "Switch, read or pulse a relay channel of the bench fixture by name\n"
        "(\"dut1.power\"). A pulse inverts the channel for MS milliseconds\n"
        "(1..600000); the command returns when the pulse has ended.\n\n"
        "  --json               print the daemon's reply as JSON\n\n" CLI_GLOBAL_HELP;

int cmd_relay(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *args = NULL, *res = NULL;
        const char *action, *channel, *cmd;
        usec_t extra = 0;
        bool json = false;
        int c, r, nargs;

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
        nargs = argc - optind;
        if (nargs < 1)
                return cli_usage_error("relay: expected an action: set, get or pulse");
        action = argv[optind];
        if (nargs < 2 || !*argv[optind + 1])
                return cli_usage_error("relay %s: expected a CHANNEL name", action);
        channel = argv[optind + 1];

        if (strcmp(action, "set") == 0) {
                bool on;
                if (nargs != 3)
                        return cli_usage_error("relay set: expected CHANNEL on|off");
                if (cli_on_off_parse(argv[optind + 2], &on) < 0)
                        return cli_usage_error("relay set: expected on or off, got '%s'", argv[optind + 2]);
                cmd = "relay.set";
                args = json_pack("{s:s, s:b}", "channel", channel, "on", on);
        } else if (strcmp(action, "get") == 0) {
                if (nargs != 2)
                        return cli_usage_error("relay get: expected only CHANNEL, got extra '%s'",
                                               argv[optind + 2]);
                cmd = "relay.get";
                args = json_pack("{s:s}", "channel", channel);
        } else if (strcmp(action, "pulse") == 0) {
                uint64_t ms;
                if (nargs != 3)
                        return cli_usage_error("relay pulse: expected CHANNEL MS");
                if (cli_uint_parse(argv[optind + 2], 1, 600000, &ms) < 0)
                        return cli_usage_error("relay pulse: MS: expected milliseconds 1..600000, got '%s'",
                                               argv[optind + 2]);
                cmd = "relay.pulse";
                extra = ms * USEC_PER_MSEC;  /* the reply comes after the pulse */
                args = json_pack("{s:s, s:I}", "channel", channel, "width_ms", (json_int_t) ms);
        } else {
                return cli_usage_error("relay: unknown action '%s' (expected set, get or pulse)", action);
        }
        if (!args)
                return CLI_EXIT_ERROR;

        r = cli_connect(cli, false, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, cmd, args, extra, &res);
        if (r < 0)
                return cli_exit_for_bus_error(r);

        if (json) {
                report_render_json(stdout, res);
        } else if (strcmp(cmd, "relay.pulse") == 0) {
                printf("%s pulsed (%" JSON_INTEGER_FORMAT " us measured)\n",
                       strna(json_string_value(json_object_get(res, "channel"))),
                       json_integer_value(json_object_get(res, "width_us_measured")));
        } else {
                printf("%s %s", strna(json_string_value(json_object_get(res, "channel"))),
                       json_is_true(json_object_get(res, "on")) ? "on" : "off");
                if (json_is_integer(json_object_get(res, "latency_us")))
                        printf(" (%" JSON_INTEGER_FORMAT " us)",
                               json_integer_value(json_object_get(res, "latency_us")));
                fputc('\n', stdout);
        }
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
