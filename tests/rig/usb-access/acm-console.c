/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rig-acm-console TTY shell|login [--timeout SECONDS]
 *
 * A DUT's serial console on the gadget side of a CDC-ACM function
 * (/dev/ttyGSn): answers every line break with a root shell prompt
 * ("shell", what D-7 fails) or with a getty's login prompt ("login").
 * Prints "ready" once the tty is open; ends at the timeout or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/macros.h"
#include "common/timeutil.h"

int main(int argc, char **argv) {
        static const char shell[] = "\r\nroot@dut:~# ";
        static const char login[] = "\r\nDebian GNU/Linux 12 dut ttyGS0\r\n\r\ndut login: ";
        _cleanup_close_ int fd = -1;
        const char *reply;
        double timeout = 60;
        struct termios t;
        usec_t deadline;

        if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--timeout") == 0)) {
                fprintf(stderr, "usage: rig-acm-console TTY shell|login [--timeout SECONDS]\n");
                return 2;
        }
        if (strcmp(argv[2], "shell") == 0)
                reply = shell;
        else if (strcmp(argv[2], "login") == 0)
                reply = login;
        else
                return 2;
        if (argc == 5)
                timeout = atof(argv[4]);
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));
        fd = open(argv[1], O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "rig-acm-console: %s: %m\n", argv[1]);
                return 1;
        }
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                (void) tcsetattr(fd, TCSANOW, &t);
        }
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[256];
                ssize_t n;
                int r = poll(&p, 1, deadline_poll_ms(deadline));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0;
                n = read(fd, buf, sizeof(buf));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0)
                        return n < 0;
                /* One prompt per burst that holds a line break ("\r\n" is one). */
                if (memchr(buf, '\r', (size_t) n) || memchr(buf, '\n', (size_t) n)) {
                        fprintf(stderr, "rig-acm-console: line break, answering with the %s prompt\n", argv[2]);
                        if (write(fd, reply, strlen(reply)) < 0 && errno != EAGAIN)
                                return 1;
                }
        }
}
