/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-bt-audit [-n REPS] [CERTBENCH [DATA_DIR]]: times
 * `certbench bt-audit FILE --json` against tshark decoding the same pairing
 * fields from the same file, trace by trace, in one run.
 *
 * Every trace in DATA_DIR/bt (default ../shared/data/bt beside the
 * checkout; *.source.txt skipped) is read straight from its file by both
 * programs, each run REPS times (default 5), whole processes, start-up
 * included; the median wall time of each is printed with the ratio
 * tshark / ours per trace and for the sum of medians.
 *
 * tshark's side: `tshark -n -r FILE -Y "btsmp || bthci_evt || bthci_cmd"
 * -T fields` with the fields bt-audit classifies from: HCI event code and
 * command opcode, BD_ADDRs, IO capability, OOB and authentication
 * requirements (events and commands), link key type, SMP opcode, IO
 * capability, OOB flags, AuthReq, max key size and Pairing Failed reason,
 * and the LE link layer addresses for a sniffed trace. `bthci_cmd` is in
 * the filter because the bench side of an SSP exchange (IO Capability
 * Request Reply) is a command. tshark prints the fields; it does not
 * classify, so it does less than bt-audit.
 *
 * Target: ours faster on the sum (ratio > 1).
 * Exit status: 0 target met, 1 missed, 2 the bench failed, 3 watchdog,
 * 77 tshark or the data folder is absent. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"

#ifndef CERTBENCH_PATH
#define CERTBENCH_PATH "certbench"
#endif
#ifndef SHARED_DATA
#define SHARED_DATA "../shared/data"
#endif

#define PROG "bench-bt-audit"

int main(int argc, char **argv) {
        const char *certbench = CERTBENCH_PATH, *data = SHARED_DATA;
        char dir[4096], **names = NULL;
        struct bench_totals sum = {};
        size_t n_names;
        int argi = 1, reps = 5, r;

        bench_watchdog_arm(PROG, 110);
        if (argc > 2 && strcmp(argv[1], "-n") == 0) {
                reps = atoi(argv[2]);
                if (reps < 1)
                        reps = 1;
                if (reps > BENCH_REPS_MAX)
                        reps = BENCH_REPS_MAX;
                argi = 3;
        }
        if (argi < argc)
                certbench = argv[argi++];
        if (argi < argc)
                data = argv[argi++];
        r = bench_tshark_data(data, "bt", "the shared Bluetooth traces sit beside the checkout, in ../shared/data/bt",
                              dir, sizeof(dir), &names);
        if (r < 0)
                return 77;
        n_names = (size_t) r;
        if (n_names == 0) {
                printf("SKIP: no trace in %s\n", dir);
                bench_names_free(names, n_names);
                return 77;
        }

        printf("bt-audit vs tshark, same traces read from their files, median of %d runs each\n", reps);
        printf("tshark: -n -r FILE -Y \"btsmp || bthci_evt || bthci_cmd\" -T fields (pairing fields)\n");
        printf("%-40s %9s %10s %10s %8s\n", "trace", "bytes", "ours ms", "tshark ms", "ratio");
        for (size_t i = 0; i < n_names; i++) {
                char path[8192];
                double ours, theirs;
                long bytes = -1;
                FILE *f;
                char *ours_argv[] = { (char *) certbench, (char *) "bt-audit", path, (char *) "--json", NULL };
                char *tshark_argv[] = {
                        (char *) "tshark", (char *) "-n", (char *) "-r", path, (char *) "-Y",
                        (char *) "btsmp || bthci_evt || bthci_cmd", (char *) "-T", (char *) "fields",
                        (char *) "-e", (char *) "frame.number", (char *) "-e", (char *) "bthci_evt.code",
                        (char *) "-e", (char *) "bthci_cmd.opcode", (char *) "-e", (char *) "bthci_evt.bd_addr",
                        (char *) "-e", (char *) "bthci_cmd.bd_addr", (char *) "-e", (char *) "bthci_evt.io_capability",
                        (char *) "-e", (char *) "bthci_cmd.io_capability", (char *) "-e",
                        (char *) "bthci_evt.oob_data_present", (char *) "-e", (char *) "bthci_cmd.oob_data_present",
                        (char *) "-e", (char *) "bthci_evt.auth_requirements", (char *) "-e",
                        (char *) "bthci_cmd.auth_requirements", (char *) "-e", (char *) "bthci_evt.key_type",
                        (char *) "-e", (char *) "btsmp.opcode", (char *) "-e", (char *) "btsmp.io_capability",
                        (char *) "-e", (char *) "btsmp.oob_data_flags", (char *) "-e", (char *) "btsmp.authreq",
                        (char *) "-e", (char *) "btsmp.max_enc_key_size", (char *) "-e", (char *) "btsmp.reason",
                        (char *) "-e", (char *) "btle.advertising_address", (char *) "-e",
                        (char *) "btle.initiator_address", NULL,
                };

                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                f = fopen(path, "rb");
                if (f) {
                        fseek(f, 0, SEEK_END);
                        bytes = ftell(f);
                        fclose(f);
                }
                ours = bench_run_median(PROG, ours_argv, -1, reps);
                theirs = bench_run_median(PROG, tshark_argv, -1, reps);
                if (!bench_totals_add(&sum, ours, theirs))
                        continue;
                bench_row_print(40, names[i], 9, bytes, ours, theirs);
        }
        bench_names_free(names, n_names);
        if (bench_totals_failed(PROG, &sum))
                return 2;
        printf("%-40s %9s %10.1f %10.1f %7.1fx  target: faster than tshark: %s\n", "total (sum of medians)", "",
               sum.ours * 1e3, sum.theirs * 1e3, sum.theirs / sum.ours, sum.theirs > sum.ours ? "PASS" : "MISS");
        return sum.theirs > sum.ours ? 0 : 1;
}
