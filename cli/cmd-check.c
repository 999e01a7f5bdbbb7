/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/fixture/fixture.h"

static const char help[] =
        "Usage: certbench check FILE...\n\n"
        "Validate bench fixtures, DUT profiles and certbenchd configs (the kind\n"
        "is detected from the top-level keys). Prints \"FILE: ok\" for each good\n"
        "file and the error (file:line:col: ...) for each bad one. Needs no\n"
        "daemon. Exit status 1 when any file is bad.\n";

int cmd_check(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c, r, status = CLI_EXIT_OK;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind >= argc)
                return cli_usage_error("check: expected at least one FILE");

        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *error = NULL;

                r = config_file_check(argv[i], &error);
                if (r >= 0) {
                        printf("%s: ok\n", argv[i]);
                        continue;
                }
                fflush(stdout);
                if (error)
                        fprintf(stderr, "%s\n", error);
                else
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
                status = CLI_EXIT_FAIL;
        }
        if (fflush(stdout) != 0)
                return CLI_EXIT_ERROR;
        return status;
}
