/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
        "Usage: certbench watch [--slot SLOT] [--json] [--until-idle]\n\n"
        "Follow every slot live: one line per slot, redrawn in place on a\n"
        "terminal, appended otherwise. Ctrl-C exits with status 0.\n\n"
        "  --slot SLOT          only this slot\n"
        "  --json               print each event as one JSON line instead\n"
        "  --until-idle         exit once every slot that ran (or runs) has\n"
        "                       finished its run\n\n" CLI_GLOBAL_HELP;

struct slot_view {
        char *name;
        char *state;             /* "idle", "running" */
        char *run_id;
        char *case_id;
        char *step;
        char *outcome;           /* verdict of the last finished run */
        long long idx;           /* 0-based, -1 unknown */
        long long count;
        bool ran;                /* a run was seen on this slot */
        bool busy;               /* that run has not finished yet */
        char *printed;           /* last line appended (not a tty) */
};

struct watch {
        struct slot_view *slots;
        size_t n_slots;
        const char *only;        /* --slot */
        bool tty;
        size_t drawn;            /* lines drawn last time (tty) */
};

static void set_str(char **p, const char *v) {
        free(*p);
        *p = v ? strdup(v) : NULL;
}

static const char *jstr(json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static void watch_done(struct watch *w) {
        for (size_t i = 0; i < w->n_slots; i++) {
                struct slot_view *s = &w->slots[i];
                free(s->name);
                free(s->state);
                free(s->run_id);
                free(s->case_id);
                free(s->step);
                free(s->outcome);
                free(s->printed);
        }
        free(w->slots);
}

static struct slot_view *watch_slot(struct watch *w, const char *name, bool add) {
        struct slot_view *n;

        if (!name)
                return NULL;
        if (w->only && strcmp(w->only, name) != 0)
                return NULL;
        for (size_t i = 0; i < w->n_slots; i++)
                if (strcmp(w->slots[i].name, name) == 0)
                        return &w->slots[i];
        if (!add)
                return NULL;
        n = realloc(w->slots, (w->n_slots + 1) * sizeof(*n));
        if (!n)
                return NULL;
        w->slots = n;
        n = &w->slots[w->n_slots];
        *n = (struct slot_view) { .idx = -1, .count = 0 };
        n->name = strdup(name);
        n->state = strdup("idle");
        if (!n->name || !n->state) {
                free(n->name);
                free(n->state);
                return NULL;
        }
        w->n_slots++;
        return n;
}

static char *slot_line(const struct watch *w, const struct slot_view *s) {
        int wname = 4;
        char *line = NULL;
        char pos[48] = "";

        for (size_t i = 0; i < w->n_slots; i++)
                if ((int) strlen(w->slots[i].name) > wname)
                        wname = (int) strlen(w->slots[i].name);
        if (!s->case_id)
                ;  /* status reports index 0 before the first case */
        else if (s->idx >= 0 && s->count > 0)
                snprintf(pos, sizeof(pos), "[%lld/%lld] ", s->idx + 1, s->count);
        else if (s->idx >= 0)
                snprintf(pos, sizeof(pos), "[%lld] ", s->idx + 1);

        if (s->busy || streq_ptr(s->state, "running")) {
                if (asprintf(&line, "%-*s  running  %s  %s%s%s%s", wname, s->name, strna(s->run_id), pos,
                             s->case_id ? s->case_id : "starting", s->step ? ": " : "",
                             s->step ? s->step : "") < 0)
                        return NULL;
        } else if (s->run_id && s->outcome) {
                if (asprintf(&line, "%-*s  idle     %s  finished: %s", wname, s->name, s->run_id,
                             s->outcome) < 0)
                        return NULL;
        } else {
                if (asprintf(&line, "%-*s  %-7s", wname, s->name, strna(s->state)) < 0)
                        return NULL;
        }
        return line;
}

static size_t terminal_columns(void) {
        struct winsize ws;

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
                return 80;
        return ws.ws_col;
}

static void watch_draw(struct watch *w, struct slot_view *changed) {
        if (!w->tty) {
                _cleanup_free_ char *line = NULL;
                if (!changed)
                        return;
                line = slot_line(w, changed);
                if (!line || streq_ptr(line, changed->printed))
                        return;
                puts(line);
                fflush(stdout);
                free(changed->printed);
                changed->printed = TAKE_PTR(line);
                return;
        }

        /* Redraw all lines in place; lines are cut to the terminal width
         * so none wraps and the cursor arithmetic holds. */
        size_t cols = terminal_columns();
        if (w->drawn > 0)
                printf("\033[%zuA", w->drawn);
        for (size_t i = 0; i < w->n_slots; i++) {
                _cleanup_free_ char *line = slot_line(w, &w->slots[i]);
                if (!line)
                        continue;
                size_t len = strlen(line);
                if (len >= cols) {
                        len = cols - 1;
                        while (len > 0 && ((unsigned char) line[len] & 0xC0) == 0x80)
                                len--;
                        line[len] = 0;
                }
                printf("\r\033[2K%s\n", line);
        }
        w->drawn = w->n_slots;
        fflush(stdout);
}

static struct slot_view *watch_apply(struct watch *w, json_t *ev) {
        const char *type = jstr(ev, "type");
        json_t *data = json_object_get(ev, "data");
        struct slot_view *s;

        if (!type)
                return NULL;
        s = watch_slot(w, jstr(ev, "slot"), strncmp(type, "run.", 4) == 0 ||
                                               strncmp(type, "case.", 5) == 0);
        if (!s)
                return NULL;

        if (strcmp(type, "run.started") == 0) {
                set_str(&s->state, "running");
                set_str(&s->run_id, jstr(ev, "run_id"));
                set_str(&s->case_id, NULL);
                set_str(&s->step, NULL);
                set_str(&s->outcome, NULL);
                s->idx = -1;
                s->count = (long long) json_array_size(json_object_get(data, "cases"));
                s->ran = s->busy = true;
        } else if (strcmp(type, "case.started") == 0) {
                set_str(&s->case_id, jstr(data, "case"));
                set_str(&s->step, NULL);
                if (json_is_integer(json_object_get(data, "idx")))
                        s->idx = json_integer_value(json_object_get(data, "idx"));
        } else if (strcmp(type, "case.progress") == 0) {
                set_str(&s->case_id, jstr(data, "case"));
                set_str(&s->step, jstr(data, "step"));
                if (json_is_integer(json_object_get(data, "idx")))
                        s->idx = json_integer_value(json_object_get(data, "idx"));
        } else if (strcmp(type, "case.finished") == 0) {
                _cleanup_free_ char *step = NULL;
                if (asprintf(&step, "%s", strna(jstr(data, "outcome"))) < 0)
                        return NULL;
                set_str(&s->step, step);
        } else if (strcmp(type, "verdict") == 0) {
                set_str(&s->outcome, jstr(data, "outcome"));
        } else if (strcmp(type, "run.finished") == 0) {
                set_str(&s->state, "idle");
                if (jstr(data, "outcome"))
                        set_str(&s->outcome, jstr(data, "outcome"));
                else if (!s->outcome)
                        set_str(&s->outcome, jstr(data, "state"));
                set_str(&s->run_id, jstr(ev, "run_id"));
                set_str(&s->case_id, NULL);
                set_str(&s->step, NULL);
                s->idx = -1;
                s->busy = false;
        } else {
                return NULL;
        }
        return s;
}

static bool watch_idle(const struct watch *w) {
        bool any = false;

        for (size_t i = 0; i < w->n_slots; i++) {
                if (w->slots[i].busy)
                        return false;
                any = any || w->slots[i].ran;
        }
        return any;
}

int cmd_watch(struct cli *cli, int argc, char **argv) {
        enum { ARG_SLOT = CLI_ARG_FIRST_LOCAL, ARG_UNTIL_IDLE };
        static const struct option options[] = {
                CLI_GLOBAL_OPTIONS,
                { "slot", required_argument, NULL, ARG_SLOT },
                { "json", no_argument, NULL, 'j' },
                { "until-idle", no_argument, NULL, ARG_UNTIL_IDLE },
                {}
        };
        _cleanup_(bus_client_freep) struct bus_client *bus = NULL;
        _cleanup_json_ json_t *st = NULL;
        struct watch w = {};
        bool json = false, until_idle = false;
        json_t *slots, *s, *last;
        int c, r, status = CLI_EXIT_OK;
        size_t i;

        while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
                r = cli_parse_global(cli, c, optarg);
                if (r < 0)
                        return CLI_EXIT_USAGE;
                if (r > 0)
                        continue;
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_SLOT:
                        if (!*optarg)
                                return cli_usage_error("--slot: expected a slot name, got ''");
                        w.only = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case ARG_UNTIL_IDLE:
                        until_idle = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind < argc)
                return cli_usage_error("watch: unexpected argument '%s'", argv[optind]);

        r = cli_connect(cli, true, &bus);
        if (r < 0)
                return CLI_EXIT_ERROR;
        r = bus_client_call_report(bus, "status", NULL, 0, &st);
        if (r < 0)
                return cli_exit_for_bus_error(r);
        last = json_object_get(st, "last_seq");
        bus_client_set_last_seq(bus, json_is_integer(last) && json_integer_value(last) > 0
                                             ? (uint64_t) json_integer_value(last) : 0);
        /* Start at the present: nothing before last_seq is replayed. */
        bus_client_set_catchup(bus, 1 * USEC_PER_SEC);

        slots = json_object_get(st, "slots");
        json_array_foreach(slots, i, s) {
                struct slot_view *v = watch_slot(&w, jstr(s, "name"), true);
                if (!v)
                        continue;
                set_str(&v->state, jstr(s, "state"));
                set_str(&v->run_id, jstr(s, "run_id"));
                set_str(&v->case_id, jstr(s, "case"));
                if (json_is_integer(json_object_get(s, "case_index")))
                        v->idx = json_integer_value(json_object_get(s, "case_index"));
                if (json_is_integer(json_object_get(s, "case_count")))
                        v->count = json_integer_value(json_object_get(s, "case_count"));
                if (streq_ptr(v->state, "running"))
                        v->ran = v->busy = true;
        }
        if (w.only && w.n_slots == 0) {
                watch_done(&w);
                return cli_usage_error("--slot: the bench has no slot '%s'", w.only);
        }

        w.tty = !json && isatty(STDOUT_FILENO);
        if (!json) {
                if (w.tty)
                        watch_draw(&w, NULL);
                else
                        for (i = 0; i < w.n_slots; i++)
                                watch_draw(&w, &w.slots[i]);
        }

        cli_signals_setup();
        while (!(until_idle && watch_idle(&w))) {
                _cleanup_json_ json_t *ev = NULL;
                struct slot_view *changed;

                r = bus_client_event_next(bus, USEC_INFINITY, &ev);
                if (r == -EINTR || cli_interrupted())
                        break;
                if (r < 0) {
                        status = cli_exit_for_bus_error(r);
                        break;
                }
                if (json) {
                        _cleanup_free_ char *line = NULL;
                        const char *slot = jstr(ev, "slot");
                        if (w.only && !streq_ptr(slot, w.only))
                                continue;
                        /* Keep the slot views current for --until-idle. */
                        (void) watch_apply(&w, ev);
                        line = json_dumps(ev, JSON_COMPACT);
                        if (line)
                                puts(line);
                        fflush(stdout);
                        continue;
                }
                changed = watch_apply(&w, ev);
                if (changed)
                        watch_draw(&w, changed);
        }
        watch_done(&w);
        return status;
}
