/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench report RUN_ID [--format text|json|junit] [--output FILE]\n\n"
        "Render a run and its verdicts.\n\n"
        "  --format FORMAT      text (default: verdict table with reasons and\n"
        "                       measurements), json (the run as the daemon stores\n"
        "                       it) or junit (JUnit XML for CI)\n"
        "  -o, --output FILE    write to FILE (replaced atomically) instead of stdout\n\n"
        CLI_GLOBAL_HELP;

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_JUNIT };

static int render(FILE *f, enum report_format fmt, json_t *run) {
        switch (fmt) {
        case REPORT_TEXT:
                return report_render_text(f, run);
        case REPORT_JSON:
                return report_render_json(f, run);
        case REPORT_JUNIT:
                return report_render_junit(f, run);
        }
        return -EINVAL;
}

/* Writes through a temporary file renamed over FILE, so a reader never
 * sees half a report. */
static int render_to_file(const char *path, enum report_format fmt, json_t *run) {
        _cleanup_free_ char *tmp = NULL;
        FILE *f;
        int fd, r;

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkstemp(tmp);
        if (fd < 0)
                return negative_errno();
        (void) fchmod(fd, 0644);
        f = fdopen(fd, "w");
        if (!f) {
                r = negative_errno();
                close(fd);
                unlink(tmp);
                return r;
        }
        r = render(f, fmt, run);
        if (fclose(f) != 0 && r >= 0)
                r = -EIO;
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0)
                unlink(tmp);
        return r;
}

int cmd_report(struct cli *cli, int argc, char **argv) {
        enum { ARG_FORMAT = CLI_ARG_FIRST_LOCAL };
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *args = NULL, *run = NULL;
        enum report_format fmt = REPORT_TEXT;
        const char *output = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "ho:", options, NULL)) >= 0) {
                r = cli_parse_global(cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_FORMAT:
                        if (strcmp(optarg, "text") == 0)
                                fmt = REPORT_TEXT;
                        else if (strcmp(optarg, "json") == 0)
                                fmt = REPORT_JSON;
                        else if (strcmp(optarg, "junit") == 0)
                                fmt = REPORT_JUNIT;
                        else
                                return cli_usage_error("--format: expected text, json or junit, got '%s'",
                                                       optarg);
                        break;
                case 'o':
                        if (!*optarg)
                                return cli_usage_error("--output: expected a file name, got ''");
                        output = optarg;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind >= argc || !*argv[optind])
                return cli_usage_error("report: expected a RUN_ID");
        if (optind + 1 < argc)
                return cli_usage_error("report: unexpected argument '%s'", argv[optind + 1]);

        args = json_pack("{s:s}", "run_id", argv[optind]);
        if (!args)
                return CLI_EXIT_ERROR;
        r = cli_connect(cli, false, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, "run.get", args, 0, &run);
        if (r < 0)
                return cli_exit_for_bus_error(r);

        r = output ? render_to_file(output, fmt, run) : render(stdout, fmt, run);
        if (r < 0) {
                fprintf(stderr, "certbench: report: cannot write %s: %s\n",
                        output ? output : "stdout", strerror(-r));
                return CLI_EXIT_ERROR;
        }
        return CLI_EXIT_OK;
}
