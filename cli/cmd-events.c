/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench events [--since SEQ] [--follow] [--json]\n\n"
        "Print the events stored by the daemon with a seq greater than SEQ\n"
        "(default 0: all), oldest first, paging through events.since. With\n"
        "--follow, keep printing live events afterwards, without gap or\n"
        "duplicate, until interrupted (Ctrl-C exits with status 0).\n\n"
        "  --since SEQ          start after this seq\n"
        "  -f, --follow         continue with live events\n"
        "  --json               one JSON object per line\n\n" CLI_GLOBAL_HELP;

static int event_print(json_t *ev, bool json) {
        _cleanup_free_ char *line = NULL;

        line = json ? json_dumps(ev, JSON_COMPACT) : event_format_line(ev);
        if (!line)
                return -ENOMEM;
        if (puts(line) < 0 || fflush(stdout) != 0)
                return -EIO;
        return 0;
}

int cmd_events(struct cli *cli, int argc, char **argv) {
        enum { ARG_SINCE = CLI_ARG_FIRST_LOCAL };
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "since", required_argument, NULL, ARG_SINCE },
                { "follow", no_argument, NULL, 'f' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        bool json = false, follow = false;
        uint64_t since = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "hfj", options, NULL)) >= 0) {
                r = cli_parse_global(cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_SINCE:
                        if (cli_uint_parse(optarg, 0, INT64_MAX, &since) < 0)
                                return cli_usage_error("--since: expected an event seq (integer >= 0), got '%s'",
                                                       optarg);
                        break;
                case 'f':
                        follow = true;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind < argc)
                return cli_usage_error("events: unexpected argument '%s'", argv[optind]);

        r = cli_connect(cli, follow, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;

        if (!follow) {
                for (;;) {
                        _cleanup_json_ json_t *events = NULL;
                        uint64_t store_last = 0, seq = since;
                        json_t *ev;
                        size_t i, n;

                        r = bus_client_events_since(bus, since, BUS_EVENTS_PAGE, &events, &store_last);
                        if (r < 0)
                                return cli_exit_for_bus_error(r);
                        n = json_array_size(events);
                        json_array_foreach(events, i, ev) {
                                seq = bus_event_seq(ev);
                                if (seq <= since)
                                        continue;
                                if (event_print(ev, json) < 0)
                                        return CLI_EXIT_ERROR;
                                since = seq;
                        }
                        if (n == 0 || (n < BUS_EVENTS_PAGE && seq >= store_last))
                                return CLI_EXIT_OK;
                }
        }

        /* Subscribed before the first events.since: whatever is published
         * while paging is either in a page or arrives live after it. */
        cli_signals_setup();
        bus_client_set_last_seq(bus, since);
        for (;;) {
                _cleanup_json_ json_t *ev = NULL;

                r = bus_client_event_next(bus, USEC_INFINITY, &ev);
                if (r == -EINTR || cli_interrupted())
                        return CLI_EXIT_OK;
                if (r < 0)
                        return cli_exit_for_bus_error(r);
                if (event_print(ev, json) < 0)
                        return CLI_EXIT_ERROR;
        }
}
