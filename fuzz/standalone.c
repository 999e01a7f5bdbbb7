/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Runs a libFuzzer target without libFuzzer (gcc builds, CTest): every
 * file of the given corpus folders as is, then a fixed number of seeded
 * mutations of each (bit flips, byte changes, truncation, splices), so the
 * ASan/UBSan test run exercises the target on hostile bytes every time.
 * Usage: fuzz-X [-n MUTATIONS] DIR|FILE... */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static int run_file(const char *path, long mutations) {
        FILE *f = fopen(path, "rb");
        uint8_t *buf, *m;
        long size;

        if (!f)
                return -1;
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t) size + 1);
        m = malloc((size_t) size * 2 + 64);
        if (!buf || !m || fread(buf, 1, (size_t) size, f) != (size_t) size) {
                fclose(f);
                free(buf);
                free(m);
                return -1;
        }
        fclose(f);

        LLVMFuzzerTestOneInput(buf, (size_t) size);
        for (long i = 0; i < mutations; i++) {
                size_t n = (size_t) size;
                int edits = 1 + (int) (next() % 4);

                memcpy(m, buf, n);
                for (int e = 0; e < edits && n > 0; e++) {
                        size_t at = next() % n;
                        switch (next() % 5) {
                        case 0: m[at] ^= (uint8_t) (1u << (next() % 8)); break;
                        case 1: m[at] = (uint8_t) next(); break;
                        case 2: n = at; break;                               /* truncate */
                        case 3: {                                            /* duplicate a run */
                                size_t len = next() % 16;
                                if (at + len <= n && n + len <= (size_t) size * 2 + 64) {
                                        memmove(m + at + len, m + at, n - at);
                                        n += len;
                                }
                                break;
                        }
                        default: m[at] = "{}[]:,\"-\n #&*!\\\x00\xff"[next() % 18]; break;
                        }
                }
                LLVMFuzzerTestOneInput(m, n);
        }
        free(buf);
        free(m);
        return 0;
}

int main(int argc, char *argv[]) {
        long mutations = 2000, files = 0;
        int i = 1;

        if (argc > 2 && strcmp(argv[1], "-n") == 0) {
                mutations = strtol(argv[2], NULL, 10);
                i = 3;
        }
        for (; i < argc; i++) {
                struct stat st;
                DIR *d;
                struct dirent *de;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: cannot read\n", argv[i]);
                        return 1;
                }
                if (!S_ISDIR(st.st_mode)) {
                        files += run_file(argv[i], mutations) == 0;
                        continue;
                }
                d = opendir(argv[i]);
                while (d && (de = readdir(d))) {
                        char p[4096];
                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
                        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
                                files += run_file(p, mutations) == 0;
                }
                if (d)
                        closedir(d);
        }
        if (files == 0) {
                fprintf(stderr, "no corpus files found\n");
                return 1;
        }
        printf("%ld corpus file(s), %ld mutation(s) each: no crash\n", files, mutations);
        return 0;
}
