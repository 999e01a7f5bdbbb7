/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a YAML file given to `certbench check`, as fixture, DUT
 * profile and daemon config. The loaders take paths, so the bytes go
 * through a memfd. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/fixture/fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fixture *f = NULL;
        struct dut_profile *p = NULL;
        struct daemon_config *c = NULL;
        char path[64], *err = NULL;
        int fd;

        fd = memfd_create("fuzz.yaml", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        if (write(fd, data, size) != (ssize_t) size) {
                close(fd);
                return 0;
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

        if (fixture_load(path, &f, &err) >= 0)
                fixture_free(f);
        free(err);
        err = NULL;
        if (profile_load(path, &p, &err) >= 0)
                profile_free(p);
        free(err);
        err = NULL;
        if (daemon_config_load(path, &c, &err) >= 0)
                daemon_config_free(c);
        free(err);
        err = NULL;
        (void) config_file_check(path, &err);
        free(err);
        close(fd);
        return 0;
}
