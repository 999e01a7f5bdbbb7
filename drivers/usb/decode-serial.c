/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a serial console printed after a line break (pure; see probe.h). */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "probe.h"

static const char *const banner_names[_USBPROBE_BANNER_MAX] = {
        [USBPROBE_BANNER_NONE] = "none",
        [USBPROBE_BANNER_SHELL] = "shell",
        [USBPROBE_BANNER_LOGIN] = "login",
        [USBPROBE_BANNER_OTHER] = "other",
};

const char *usbprobe_banner_name(enum usbprobe_banner b) {
        return (unsigned) b < _USBPROBE_BANNER_MAX ? banner_names[b] : NULL;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix) {
        size_t k = strlen(suffix);

        return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* A line (without trailing whitespace) that looks like a shell prompt. */
static bool line_is_shell(const char *l, size_t n) {
        if (n == 0)
                return false;
        if (l[n - 1] == '#' || l[n - 1] == '$' || l[n - 1] == '%' || l[n - 1] == '>')
                /* "#", "$", "root@box:~#", "sh-5.1#", "/ #", "bash-5.2$", "msh>" ;
                 * but not "Password>" or a "# comment text #"-like line with spaces
                 * only: a prompt is short. */
                return n <= 64 && !ends_with_ci(l, n, "password>") && !ends_with_ci(l, n, "login>");
        /* l is not NUL-terminated: it ends at n, inside the line buffer. */
        if (n >= 5 && memcmp(l, "root@", 5) == 0)
                return true;
        return false;
}

static bool line_is_login(const char *l, size_t n) {
        return ends_with_ci(l, n, "login:") || ends_with_ci(l, n, "password:") ||
               ends_with_ci(l, n, "username:") || ends_with_ci(l, n, "user name:");
}

enum usbprobe_banner usbprobe_banner_classify(const uint8_t *buf, size_t len) {
        /* The last non-empty line decides; escape sequences and control bytes dropped. */
        char line[128];
        size_t n = 0, esc = 0;
        bool any = false;
        enum usbprobe_banner last = USBPROBE_BANNER_NONE;

        if (!buf)
                return USBPROBE_BANNER_NONE;
        for (size_t i = 0; i <= len; i++) {
                uint8_t c = i < len ? buf[i] : '\n';

                if (esc == 1) {   /* after ESC: CSI waits for a final byte */
                        esc = c == '[' ? 2 : 0;
                        continue;
                }
                if (esc == 2) {
                        if (c >= 0x40 && c <= 0x7e)
                                esc = 0;
                        continue;
                }
                if (c == 0x1b) {
                        esc = 1;
                        continue;
                }
                if (c == '\n' || c == '\r') {
                        while (n > 0 && isspace((unsigned char) line[n - 1]))
                                n--;
                        if (n > 0) {
                                size_t start = 0;

                                while (start < n && isspace((unsigned char) line[start]))
                                        start++;
                                any = true;
                                if (line_is_login(line + start, n - start))
                                        last = USBPROBE_BANNER_LOGIN;
                                else if (line_is_shell(line + start, n - start))
                                        last = USBPROBE_BANNER_SHELL;
                                else
                                        last = USBPROBE_BANNER_OTHER;
                        }
                        n = 0;
                        continue;
                }
                if (c < 0x20 && c != '\t')
                        continue;
                if (n < sizeof(line))
                        line[n++] = (char) c;
                else {   /* keep the tail: prompts end lines */
                        memmove(line, line + 1, sizeof(line) - 1);
                        line[sizeof(line) - 1] = (char) c;
                }
        }
        return any ? last : USBPROBE_BANNER_NONE;
}
