/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GPIO backend over the libgpiod 1.6 API. Lines are requested with the
 * channel's invert flag as active-low, so the kernel applies the
 * inversion. The board hands us physical levels; we convert back to the
 * logical value libgpiod expects. A libgpiod 2.x backend would sit beside
 * this one under another kind name with the same ops.
 *
 * Outputs are requested with their safe level, but a chip may show its own
 * power-up level for a moment first: hid-cp2112 sets the direction before
 * the value (measured in the rig: 1.5-8 ms of the latch level). A bench
 * wires its relays so the chip's power-up level is the safe one, or
 * programs that latch.
 *
 * After an error the board thread reconnects, which requests the lines
 * again: they are requested at the level last written, not the safe
 * level, so a failed read never switches a powered DUT off. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "common/log.h"
#include "common/macros.h"
#include "relay-internal.h"

struct relay_gpio_line {
        unsigned offset;
        bool invert, output, safe_on;
        bool written;                /* last_physical is what we last set */
        bool last_physical;
        struct gpiod_line *line;     /* owned by chip */
};

struct relay_gpio {
        char *board;
        char *chip_name;
        struct gpiod_chip *chip;
        struct relay_gpio_line *lines;
        size_t n_lines;
};

static void relay_gpio_disconnect(void *state) {
        struct relay_gpio *g = state;

        if (!g)
                return;
        for (size_t i = 0; i < g->n_lines; i++)
                if (g->lines[i].line) {
                        gpiod_line_release(g->lines[i].line);
                        g->lines[i].line = NULL;
                }
        if (g->chip) {
                gpiod_chip_close(g->chip);
                g->chip = NULL;
        }
}

static void relay_gpio_free(void *state) {
        struct relay_gpio *g = state;

        if (!g)
                return;
        relay_gpio_disconnect(g);
        free(g->lines);
        free(g->chip_name);
        free(g->board);
        free(g);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct relay_gpio *, relay_gpio_free);

static int relay_gpio_open(const struct fx_relay_board *cfg, void **ret_state) {
        _cleanup_(relay_gpio_freep) struct relay_gpio *g = NULL;

        if (!cfg->chip)
                return -EINVAL;
        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->board = strdup(cfg->name ? cfg->name : "relay");
        g->chip_name = strdup(cfg->chip);
        g->lines = calloc(cfg->n_channels ? cfg->n_channels : 1, sizeof(*g->lines));
        if (!g->board || !g->chip_name || !g->lines)
                return -ENOMEM;
        g->n_lines = cfg->n_channels;
        for (size_t i = 0; i < cfg->n_channels; i++)
                g->lines[i] = (struct relay_gpio_line) {
                        .offset = cfg->channels[i].index,
                        .invert = cfg->channels[i].invert,
                        .output = cfg->channels[i].output,
                        .safe_on = cfg->channels[i].safe_on,
                };
        *ret_state = TAKE_PTR(g);
        return 0;
}

/* GPIO calls are local ioctls that do not block; the deadline only
 * guards against starting late. */
static int relay_gpio_connect(void *state, usec_t deadline) {
        struct relay_gpio *g = state;
        int r;

        relay_gpio_disconnect(g);
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        g->chip = gpiod_chip_open_lookup(g->chip_name);
        if (!g->chip) {
                r = negative_errno();
                log_debug_errno(r, "relay %s: open %s: %m", g->board, g->chip_name);
                return r;
        }
        for (size_t i = 0; i < g->n_lines; i++) {
                struct relay_gpio_line *l = &g->lines[i];
                int flags = l->invert ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

                l->line = gpiod_chip_get_line(g->chip, l->offset);
                if (!l->line)
                        goto fail;
                bool initial = l->written ? l->last_physical ^ l->invert : l->safe_on;

                r = l->output ? gpiod_line_request_output_flags(l->line, "certbench", flags, initial)
                              : gpiod_line_request_input_flags(l->line, "certbench", flags);
                if (r < 0) {
                        l->line = NULL;
                        goto fail;
                }
        }
        return 0;
fail:
        r = negative_errno();
        log_debug_errno(r, "relay %s: request lines on %s: %m", g->board, g->chip_name);
        relay_gpio_disconnect(g);
        return r;
}

static struct relay_gpio_line *relay_gpio_find(struct relay_gpio *g, const struct fx_channel *ch) {
        for (size_t i = 0; i < g->n_lines; i++)
                if (g->lines[i].offset == ch->index)
                        return g->lines[i].line ? &g->lines[i] : NULL;
        return NULL;
}

static int relay_gpio_write(void *state, const struct fx_channel *ch, bool physical, usec_t deadline) {
        struct relay_gpio_line *l = relay_gpio_find(state, ch);

        if (!l)
                return -ENOTCONN;
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        if (gpiod_line_set_value(l->line, physical ^ l->invert) < 0)
                return negative_errno();
        l->written = true;
        l->last_physical = physical;
        return 0;
}

static int relay_gpio_read(void *state, const struct fx_channel *ch, bool *ret_physical, usec_t deadline) {
        struct relay_gpio_line *l = relay_gpio_find(state, ch);
        int v;

        if (!l)
                return -ENOTCONN;
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        v = gpiod_line_get_value(l->line);
        if (v < 0)
                return negative_errno();
        *ret_physical = (v != 0) ^ l->invert;
        return 0;
}

const struct relay_backend_ops relay_backend_gpio = {
        .kind = "gpio",
        .open = relay_gpio_open,
        .connect = relay_gpio_connect,
        .disconnect = relay_gpio_disconnect,
        .write = relay_gpio_write,
        .read = relay_gpio_read,
        .free = relay_gpio_free,
};
