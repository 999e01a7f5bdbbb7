/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The value of one hex digit (either case), -1 for anything else. Pure;
 * shared by the parsers of addresses and dumps. */
static inline int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}
