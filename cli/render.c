/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char *jstr(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

char *xml_escape(const char *s, bool attr) {
        _cleanup_(fclosep) FILE *f = NULL;
        char *buf = NULL;
        size_t size = 0;

        if (!s)
                s = "";
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&apos;", f); break;
                case '\t': fputs(attr ? "&#9;" : "\t", f); break;
                case '\n': fputs(attr ? "&#10;" : "\n", f); break;
                case '\r': fputs("&#13;", f); break;
                default:
                        if (*p < 0x20) {
                                fputs("\xEF\xBF\xBD", f);
                        } else if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
                                fputs("\xEF\xBF\xBD", f);  /* U+FFFE, U+FFFF */
                                p += 2;
                        } else {
                                fputc(*p, f);
                        }
                }
        }
        if (fflush(f) != 0 || ferror(f)) {
                fclose(TAKE_PTR(f));
                free(buf);
                return NULL;
        }
        fclose(TAKE_PTR(f));
        return buf;
}

int rfc3339_parse(const char *s, usec_t *ret) {
        struct tm tm = {};
        const char *p;
        usec_t frac = 0;
        long offset = 0;
        time_t t;

        if (!s)
                return -EINVAL;
        p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p)
                return -EINVAL;
        if (*p == '.') {
                usec_t scale = 100000;
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++) {
                        frac += (usec_t) (*p - '0') * scale;
                        scale /= 10;
                }
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int hh, mm, n = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
                        return -EINVAL;
                offset = (hh * 60L + mm) * 60L * (*p == '+' ? 1 : -1);
                p += 1 + n;
        } else {
                return -EINVAL;
        }
        if (*p)
                return -EINVAL;
        t = timegm(&tm);
        if (t == (time_t) -1 || t - offset < 0)
                return -EINVAL;
        *ret = (usec_t) (t - offset) * USEC_PER_SEC + frac;
        return 0;
}

/* Seconds between two RFC 3339 stamps of o, or negative when unknown. */
static double span_seconds(json_t *o) {
        usec_t a, b;

        if (rfc3339_parse(jstr(o, "started"), &a) < 0 ||
            rfc3339_parse(jstr(o, "finished"), &b) < 0 || b < a)
                return -1;
        return (double) (b - a) / USEC_PER_SEC;
}

static bool outcome_is(const char *o, const char *what) {
        return o && strcmp(o, what) == 0;
}

int run_exit_status(json_t *run) {
        json_t *results = json_object_get(run, "results"), *r;
        const char *outcome = jstr(run, "outcome");
        bool fail = false;
        size_t i;

        if (outcome_is(jstr(run, "state"), "ABORTED") || outcome_is(outcome, "ERROR") ||
            outcome_is(outcome, "ABORTED"))
                return CLI_EXIT_ERROR;
        fail = outcome_is(outcome, "FAIL");
        json_array_foreach(results, i, r) {
                const char *o = jstr(r, "outcome");
                if (outcome_is(o, "ERROR") || outcome_is(o, "ABORTED"))
                        return CLI_EXIT_ERROR;
                if (outcome_is(o, "FAIL"))
                        fail = true;
        }
        if (fail)
                return CLI_EXIT_FAIL;
        if (!outcome && json_array_size(results) == 0)
                return CLI_EXIT_ERROR;  /* no verdict at all */
        return CLI_EXIT_OK;
}

char *measurement_format(json_t *v) {
        char *s = NULL;
        json_t *value, *unit;

        switch (json_typeof(v)) {
        case JSON_STRING:
                return strdup(json_string_value(v));
        case JSON_OBJECT:
                value = json_object_get(v, "value");
                unit = json_object_get(v, "unit");
                if (value && !json_is_object(value) && !json_is_array(value) &&
                    (!unit || json_is_string(unit))) {
                        _cleanup_free_ char *vs = measurement_format(value);
                        if (!vs)
                                return NULL;
                        if (asprintf(&s, "%s%s%s", vs, unit ? " " : "",
                                     unit ? json_string_value(unit) : "") < 0)
                                return NULL;
                        return s;
                }
                break;
        default:
                break;
        }
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
}

/* Measurements are an object {name: value}; an array of {name, value,
 * unit} objects is accepted too. Calls back with (name, text). */
static int measurements_foreach(json_t *m, FILE *f, const char *indent, bool xml) {
        const char *key;
        json_t *v;
        size_t i;

        if (json_is_object(m)) {
                json_object_foreach(m, key, v) {
                        _cleanup_free_ char *text = measurement_format(v), *ek = NULL, *ev = NULL;
                        if (!text)
                                return -ENOMEM;
                        if (xml) {
                                ek = xml_escape(key, false);
                                ev = xml_escape(text, false);
                                if (!ek || !ev)
                                        return -ENOMEM;
                        }
                        fprintf(f, "%s%s = %s\n", indent, xml ? ek : key, xml ? ev : text);
                }
        } else if (json_is_array(m)) {
                json_array_foreach(m, i, v) {
                        const char *name = jstr(v, "name");
                        _cleanup_free_ char *text = measurement_format(v), *en = NULL, *ev = NULL;
                        if (!text)
                                return -ENOMEM;
                        if (!name)
                                name = "?";
                        if (xml) {
                                en = xml_escape(name, false);
                                ev = xml_escape(text, false);
                                if (!en || !ev)
                                        return -ENOMEM;
                        }
                        fprintf(f, "%s%s = %s\n", indent, xml ? en : name, xml ? ev : text);
                }
        }
        return 0;
}

static void requirements_join(json_t *reqs, FILE *f) {
        json_t *v;
        size_t i;

        json_array_foreach(reqs, i, v)
                fprintf(f, "%s%s", i ? ", " : "", strna(json_string_value(v)));
}

static int stream_status(FILE *f) {
        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}

int report_render_text(FILE *f, json_t *run) {
        json_t *results = json_object_get(run, "results"), *r;
        int wcase = 4;
        double total;
        size_t i;

        fprintf(f, "Run       %s\n", strna(jstr(run, "run_id")));
        fprintf(f, "Slot      %s\n", strna(jstr(run, "slot")));
        fprintf(f, "Serial    %s\n", strna(jstr(run, "dut_serial")));
        fprintf(f, "Profile   %s\n", strna(jstr(run, "profile_path")));
        fprintf(f, "State     %s\n", strna(jstr(run, "state")));
        fprintf(f, "Outcome   %s\n", jstr(run, "outcome") ? jstr(run, "outcome") : "(none)");
        if (jstr(run, "reason") && *jstr(run, "reason"))
                fprintf(f, "Reason    %s\n", jstr(run, "reason"));
        if (jstr(run, "started"))
                fprintf(f, "Started   %s\n", jstr(run, "started"));
        if (jstr(run, "finished")) {
                fprintf(f, "Finished  %s", jstr(run, "finished"));
                total = span_seconds(run);
                if (total >= 0)
                        fprintf(f, " (%.3f s)", total);
                fputc('\n', f);
        }

        if (json_array_size(results) == 0) {
                fputs("\nNo case results.\n", f);
                return stream_status(f);
        }

        json_array_foreach(results, i, r) {
                const char *c = jstr(r, "case");
                if (c && (int) strlen(c) > wcase)
                        wcase = (int) strlen(c);
        }

        fprintf(f, "\n%-3s  %-*s  %-8s %9s  %s\n", "#", wcase, "CASE", "OUTCOME", "TIME", "REASON");
        json_array_foreach(results, i, r) {
                json_t *idx = json_object_get(r, "idx"), *ev;
                double secs = span_seconds(r);
                char tbuf[32] = "-";
                size_t j;

                if (secs >= 0)
                        snprintf(tbuf, sizeof(tbuf), "%.3f s", secs);
                /* idx is 0-based on the bus; people count from 1. */
                fprintf(f, "%-3" JSON_INTEGER_FORMAT,
                        (json_is_integer(idx) ? json_integer_value(idx) : (json_int_t) i) + 1);
                fprintf(f, "  %-*s  %-8s %9s  %s\n", wcase, strna(jstr(r, "case")),
                        jstr(r, "outcome") ? jstr(r, "outcome") : "-", tbuf,
                        jstr(r, "reason") ? jstr(r, "reason") : "");
                if (json_array_size(json_object_get(r, "requirements")) > 0) {
                        fputs("     requirements: ", f);
                        requirements_join(json_object_get(r, "requirements"), f);
                        fputc('\n', f);
                }
                if (measurements_foreach(json_object_get(r, "measurements"), f, "     ", false) < 0)
                        return -ENOMEM;
                json_array_foreach(json_object_get(r, "evidence"), j, ev) {
                        json_t *size = json_object_get(ev, "size");
                        fprintf(f, "     evidence #%" JSON_INTEGER_FORMAT ": %s (%s",
                                json_integer_value(json_object_get(ev, "id")),
                                strna(jstr(ev, "name")), strna(jstr(ev, "media_type")));
                        if (json_is_integer(size))
                                fprintf(f, ", %" JSON_INTEGER_FORMAT " bytes", json_integer_value(size));
                        fputs(")\n", f);
                }
        }
        return stream_status(f);
}

int report_render_json(FILE *f, json_t *run) {
        if (json_dumpf(run, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) < 0)
                return -EIO;
        fputc('\n', f);
        return stream_status(f);
}

/* Prints  name="escaped" . */
static int xml_attr(FILE *f, const char *name, const char *value) {
        _cleanup_free_ char *e = xml_escape(value ? value : "", true);
        if (!e)
                return -ENOMEM;
        fprintf(f, " %s=\"%s\"", name, e);
        return 0;
}

static int xml_property(FILE *f, const char *name, const char *value) {
        int r;

        if (!value)
                return 0;
        fputs("      <property", f);
        r = xml_attr(f, "name", name);
        if (r < 0)
                return r;
        r = xml_attr(f, "value", value);
        if (r < 0)
                return r;
        fputs("/>\n", f);
        return 0;
}

static int junit_case(FILE *f, json_t *r, const char *classname) {
        const char *outcome = jstr(r, "outcome"), *reason = jstr(r, "reason");
        _cleanup_free_ char *ereason = NULL;
        double secs = span_seconds(r);
        json_t *reqs = json_object_get(r, "requirements");
        bool has_out;
        int k;

        fputs("    <testcase", f);
        if ((k = xml_attr(f, "name", jstr(r, "case") ? jstr(r, "case") : "(unnamed)")) < 0 ||
            (k = xml_attr(f, "classname", classname)) < 0)
                return k;
        if (secs >= 0)
                fprintf(f, " time=\"%.3f\"", secs);
        fputs(">\n", f);

        ereason = xml_escape(reason ? reason : "", false);
        if (!ereason)
                return -ENOMEM;

        if (outcome_is(outcome, "FAIL") || outcome_is(outcome, "ERROR")) {
                const char *tag = outcome_is(outcome, "FAIL") ? "failure" : "error";
                fprintf(f, "      <%s", tag);
                if ((k = xml_attr(f, "message", reason ? reason : outcome)) < 0 ||
                    (k = xml_attr(f, "type", outcome)) < 0)
                        return k;
                fprintf(f, ">%s</%s>\n", ereason, tag);
        } else if (!outcome_is(outcome, "PASS")) {
                /* SKIPPED, ABORTED, or never finished */
                fputs("      <skipped", f);
                if ((k = xml_attr(f, "message", reason ? reason : outcome ? outcome : "not run")) < 0)
                        return k;
                fputs("/>\n", f);
        }

        has_out = json_array_size(reqs) > 0 || json_object_size(json_object_get(r, "measurements")) > 0 ||
                  json_array_size(json_object_get(r, "measurements")) > 0;
        if (has_out) {
                _cleanup_free_ char *buf = NULL, *ebuf = NULL;
                size_t size = 0;
                FILE *m = open_memstream(&buf, &size);
                if (!m)
                        return -ENOMEM;
                fprintf(m, "outcome: %s\n", outcome ? outcome : "(none)");
                if (json_array_size(reqs) > 0) {
                        fputs("requirements: ", m);
                        requirements_join(reqs, m);
                        fputc('\n', m);
                }
                k = measurements_foreach(json_object_get(r, "measurements"), m, "", false);
                fclose(m);
                if (k < 0 || !buf)
                        return -ENOMEM;
                ebuf = xml_escape(buf, false);
                if (!ebuf)
                        return -ENOMEM;
                fprintf(f, "      <system-out>%s</system-out>\n", ebuf);
        }
        fputs("    </testcase>\n", f);
        return 0;
}

int report_render_junit(FILE *f, json_t *run) {
        json_t *results = json_object_get(run, "results"), *r;
        unsigned tests = 0, failures = 0, errors = 0, skipped = 0;
        _cleanup_free_ char *classname = NULL;
        const char *run_outcome = jstr(run, "outcome");
        double total = span_seconds(run);
        size_t i;
        int k;

        json_array_foreach(results, i, r) {
                const char *o = jstr(r, "outcome");
                tests++;
                if (outcome_is(o, "FAIL"))
                        failures++;
                else if (outcome_is(o, "ERROR"))
                        errors++;
                else if (!outcome_is(o, "PASS"))
                        skipped++;
        }
        /* A run that ended without any case (bad profile, aborted early)
         * still has to show up red in CI. */
        bool synthetic = tests == 0 && !outcome_is(run_outcome, "PASS");
        if (synthetic) {
                tests = 1;
                if (outcome_is(run_outcome, "FAIL"))
                        failures = 1;
                else if (outcome_is(run_outcome, "SKIPPED"))
                        skipped = 1;
                else
                        errors = 1;
        }

        if (asprintf(&classname, "certbench.%s", jstr(run, "slot") ? jstr(run, "slot") : "bench") < 0)
                return -ENOMEM;

        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite", f);
        if ((k = xml_attr(f, "name", jstr(run, "run_id") ? jstr(run, "run_id") : "run")) < 0)
                return k;
        fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\"", tests, failures,
                errors, skipped);
        if (total >= 0)
                fprintf(f, " time=\"%.3f\"", total);
        if (jstr(run, "started") && (k = xml_attr(f, "timestamp", jstr(run, "started"))) < 0)
                return k;
        fputs(">\n    <properties>\n", f);
        if ((k = xml_property(f, "run_id", jstr(run, "run_id"))) < 0 ||
            (k = xml_property(f, "serial", jstr(run, "dut_serial"))) < 0 ||
            (k = xml_property(f, "slot", jstr(run, "slot"))) < 0 ||
            (k = xml_property(f, "profile", jstr(run, "profile_path"))) < 0 ||
            (k = xml_property(f, "state", jstr(run, "state"))) < 0 ||
            (k = xml_property(f, "outcome", run_outcome)) < 0 ||
            (k = xml_property(f, "reason", jstr(run, "reason"))) < 0)
                return k;
        fputs("    </properties>\n", f);

        json_array_foreach(results, i, r)
                if ((k = junit_case(f, r, classname)) < 0)
                        return k;

        if (synthetic) {
                _cleanup_json_ json_t *pseudo = NULL;
                pseudo = json_pack("{s:s, s:s?, s:s?}", "case", "(run)",
                                   "outcome", run_outcome ? run_outcome : "ERROR",
                                   "reason", jstr(run, "reason") ? jstr(run, "reason")
                                                                 : "the run produced no case result");
                if (!pseudo)
                        return -ENOMEM;
                if ((k = junit_case(f, pseudo, classname)) < 0)
                        return k;
        }

        fputs("  </testsuite>\n</testsuites>\n", f);
        return stream_status(f);
}

static int format_event_details(FILE *f, const char *type, json_t *ev) {
        json_t *data = json_object_get(ev, "data"), *v;
        const char *run_id = jstr(ev, "run_id");
        size_t i;

        if (!type)
                type = "";
        if (strcmp(type, "daemon.started") == 0) {
                fprintf(f, "version %s pid %" JSON_INTEGER_FORMAT " recovered %zu run(s)",
                        strna(jstr(data, "version")), json_integer_value(json_object_get(data, "pid")),
                        json_array_size(json_object_get(data, "recovered_runs")));
        } else if (strcmp(type, "run.started") == 0) {
                fprintf(f, "run %s serial %s profile %s cases ", strna(run_id),
                        strna(jstr(data, "serial")), strna(jstr(data, "profile")));
                json_array_foreach(json_object_get(data, "cases"), i, v)
                        fprintf(f, "%s%s", i ? "," : "", strna(json_string_value(v)));
        } else if (strcmp(type, "case.started") == 0) {
                fprintf(f, "[%" JSON_INTEGER_FORMAT "] %s", json_integer_value(json_object_get(data, "idx")) + 1,
                        strna(jstr(data, "case")));
                if (json_array_size(json_object_get(data, "requirements")) > 0) {
                        fputs(" (", f);
                        requirements_join(json_object_get(data, "requirements"), f);
                        fputc(')', f);
                }
        } else if (strcmp(type, "case.progress") == 0) {
                fprintf(f, "[%" JSON_INTEGER_FORMAT "] %s: %s", json_integer_value(json_object_get(data, "idx")) + 1,
                        strna(jstr(data, "case")), strna(jstr(data, "step")));
        } else if (strcmp(type, "case.finished") == 0) {
                fprintf(f, "[%" JSON_INTEGER_FORMAT "] %s %s", json_integer_value(json_object_get(data, "idx")) + 1,
                        strna(jstr(data, "case")), strna(jstr(data, "outcome")));
                if (jstr(data, "reason") && *jstr(data, "reason"))
                        fprintf(f, ": %s", jstr(data, "reason"));
        } else if (strcmp(type, "verdict") == 0) {
                fprintf(f, "%s", strna(jstr(data, "outcome")));
                if (jstr(data, "reason") && *jstr(data, "reason"))
                        fprintf(f, ": %s", jstr(data, "reason"));
        } else if (strcmp(type, "run.finished") == 0) {
                fprintf(f, "run %s %s %s", strna(run_id), strna(jstr(data, "state")),
                        jstr(data, "outcome") ? jstr(data, "outcome") : "-");
        } else if (strcmp(type, "relay.changed") == 0) {
                fprintf(f, "%s %s (%s)", strna(jstr(data, "channel")),
                        json_is_true(json_object_get(data, "on")) ? "on" : "off",
                        strna(jstr(data, "source")));
        } else if (strcmp(type, "relay.error") == 0) {
                fprintf(f, "%s %s (%s)", strna(jstr(data, "channel")), strna(jstr(data, "error")),
                        strna(jstr(data, "source")));
        } else if (strcmp(type, "evidence") == 0) {
                fprintf(f, "[%" JSON_INTEGER_FORMAT "] %s evidence #%" JSON_INTEGER_FORMAT " %s (%s, %"
                        JSON_INTEGER_FORMAT " bytes)",
                        json_integer_value(json_object_get(data, "idx")) + 1, strna(jstr(data, "case")),
                        json_integer_value(json_object_get(data, "id")), strna(jstr(data, "name")),
                        strna(jstr(data, "media_type")), json_integer_value(json_object_get(data, "size")));
        } else if (strcmp(type, "heartbeat") == 0) {
                fprintf(f, "uptime %" JSON_INTEGER_FORMAT " s",
                        json_integer_value(json_object_get(data, "uptime_s")));
        } else if (data) {
                _cleanup_free_ char *s = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
                if (!s)
                        return -ENOMEM;
                fputs(s, f);
        }
        return 0;
}

char *event_format_line(json_t *ev) {
        _cleanup_(fclosep) FILE *f = NULL;
        char *buf = NULL;
        size_t size = 0;
        uint64_t seq = bus_event_seq(ev);

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        if (seq > 0)
                fprintf(f, "%6" PRIu64, seq);
        else
                fprintf(f, "%6s", "-");
        fprintf(f, " %s %-8s %-14s ", strna(jstr(ev, "ts")),
                jstr(ev, "slot") ? jstr(ev, "slot") : "-", strna(jstr(ev, "type")));
        if (format_event_details(f, jstr(ev, "type"), ev) < 0 || fflush(f) != 0 || ferror(f)) {
                fclose(TAKE_PTR(f));
                free(buf);
                return NULL;
        }
        fclose(TAKE_PTR(f));
        return buf;
}
