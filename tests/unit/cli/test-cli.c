/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The pure parts of the certbench CLI (argument parsing, report and event
 * rendering, XML escaping) and the bus client's event ordering against an
 * in-process fake daemon. */

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"

static char *render(int (*fn)(FILE *, json_t *), json_t *run, int *ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        *ret = fn(f, run);
        fclose(f);
        return buf;
}

/* ---- arguments ---- */

START_TEST(test_param_parse) {
        json_t *params = json_object();
        char *err = NULL;

        ck_assert_int_eq(cli_param_parse("power.cycle.off_ms=500", params, &err), 0);
        ck_assert_int_eq(cli_param_parse("power.cycle.channel=dut1.power", params, &err), 0);
        ck_assert_int_eq(cli_param_parse("power.cycle.verify=true", params, &err), 0);
        ck_assert_int_eq(cli_param_parse("flood.text=\"42\"", params, &err), 0);
        ck_assert_int_eq(cli_param_parse("flood.empty=", params, &err), 0);
        ck_assert_int_eq(cli_param_parse("flood.eq=a=b", params, &err), 0);

        json_t *pc = json_object_get(params, "power.cycle");
        ck_assert(json_is_object(pc));
        ck_assert_int_eq(json_integer_value(json_object_get(pc, "off_ms")), 500);
        ck_assert_str_eq(json_string_value(json_object_get(pc, "channel")), "dut1.power");
        ck_assert(json_is_true(json_object_get(pc, "verify")));
        json_t *fl = json_object_get(params, "flood");
        ck_assert_str_eq(json_string_value(json_object_get(fl, "text")), "42");
        ck_assert_str_eq(json_string_value(json_object_get(fl, "empty")), "");
        ck_assert_str_eq(json_string_value(json_object_get(fl, "eq")), "a=b");
        ck_assert_ptr_null(err);
        json_decref(params);
}
END_TEST

START_TEST(test_param_parse_errors) {
        static const char *const bad[] = { "x", "nodot=1", ".key=1", "case.=1", "=1", "case.key" };
        json_t *params = json_object();

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *err = NULL;
                ck_assert_int_eq(cli_param_parse(bad[i], params, &err), -EINVAL);
                ck_assert_ptr_nonnull(err);
                ck_assert_msg(strstr(err, "--param: expected CASE.KEY=VALUE") != NULL, "%s", err);
                ck_assert_msg(strstr(err, bad[i]) != NULL, "%s does not name '%s'", err, bad[i]);
                free(err);
        }
        ck_assert_int_eq(json_object_size(params), 0);
        json_decref(params);

        char *err = NULL;
        params = json_object();
        ck_assert_int_eq(cli_param_parse("x", params, &err), -EINVAL);
        ck_assert_str_eq(err, "--param: expected CASE.KEY=VALUE, got 'x'");
        free(err);
        json_decref(params);
}
END_TEST

START_TEST(test_numbers) {
        usec_t u;
        uint64_t v;
        bool b;

        ck_assert_int_eq(cli_seconds_parse("5", &u), 0);
        ck_assert_uint_eq(u, 5 * USEC_PER_SEC);
        ck_assert_int_eq(cli_seconds_parse("0.25", &u), 0);
        ck_assert_uint_eq(u, 250000);
        ck_assert_int_lt(cli_seconds_parse("0", &u), 0);
        ck_assert_int_lt(cli_seconds_parse("-1", &u), 0);
        ck_assert_int_lt(cli_seconds_parse("5s", &u), 0);
        ck_assert_int_lt(cli_seconds_parse("", &u), 0);
        ck_assert_int_lt(cli_seconds_parse("nan", &u), 0);
        ck_assert_int_lt(cli_seconds_parse("1e9", &u), 0);

        ck_assert_int_eq(cli_uint_parse("600000", 1, 600000, &v), 0);
        ck_assert_uint_eq(v, 600000);
        ck_assert_int_lt(cli_uint_parse("600001", 1, 600000, &v), 0);
        ck_assert_int_lt(cli_uint_parse("0", 1, 600000, &v), 0);
        ck_assert_int_lt(cli_uint_parse("-5", 0, 10, &v), 0);
        ck_assert_int_lt(cli_uint_parse("12x", 0, 100, &v), 0);
        ck_assert_int_lt(cli_uint_parse("99999999999999999999999", 0, UINT64_MAX, &v), 0);

        ck_assert_int_eq(cli_on_off_parse("on", &b), 0);
        ck_assert(b);
        ck_assert_int_eq(cli_on_off_parse("OFF", &b), 0);
        ck_assert(!b);
        ck_assert_int_lt(cli_on_off_parse("maybe", &b), 0);
}
END_TEST

START_TEST(test_path_absolute) {
        char *p = NULL, *cwd = getcwd(NULL, 0), *want = NULL;

        ck_assert_int_eq(cli_path_absolute("no-such-dir/profile.yaml", &p), 0);
        ck_assert_int_ge(asprintf(&want, "%s/no-such-dir/profile.yaml", cwd), 0);
        ck_assert_str_eq(p, want);
        free(p);
        ck_assert_int_eq(cli_path_absolute("/", &p), 0);
        ck_assert_str_eq(p, "/");
        free(p);
        ck_assert_int_lt(cli_path_absolute("", &p), 0);
        free(want);
        free(cwd);
}
END_TEST

/* ---- rendering ---- */

START_TEST(test_xml_escape) {
        char *s;

        s = xml_escape("a<b>&\"c\"'d'", false);
        ck_assert_str_eq(s, "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
        free(s);
        s = xml_escape("line1\nline2\ttab\r", false);
        ck_assert_str_eq(s, "line1\nline2\ttab&#13;");
        free(s);
        s = xml_escape("line1\nline2\ttab", true);
        ck_assert_str_eq(s, "line1&#10;line2&#9;tab");
        free(s);
        /* C0 controls and U+FFFF cannot appear in XML 1.0 at all */
        s = xml_escape("\x01x\x1b[0m\xef\xbf\xbfy", false);
        ck_assert_str_eq(s, "\xef\xbf\xbdx\xef\xbf\xbd[0m\xef\xbf\xbdy");
        free(s);
        s = xml_escape("]]> caf\xc3\xa9", false);
        ck_assert_str_eq(s, "]]&gt; caf\xc3\xa9");
        free(s);
        s = xml_escape(NULL, false);
        ck_assert_str_eq(s, "");
        free(s);
}
END_TEST

START_TEST(test_rfc3339) {
        usec_t a, b;

        ck_assert_int_eq(rfc3339_parse("2026-11-27T08:00:00Z", &a), 0);
        ck_assert_uint_eq(a, 1795766400ULL * USEC_PER_SEC);
        ck_assert_int_eq(rfc3339_parse("2026-11-27T08:00:01.5Z", &b), 0);
        ck_assert_uint_eq(b - a, 1500000);
        ck_assert_int_eq(rfc3339_parse("2026-11-27T09:00:00.000001+01:00", &b), 0);
        ck_assert_uint_eq(b - a, 1);
        ck_assert_int_lt(rfc3339_parse("2026-11-27 08:00:00Z", &a), 0);
        ck_assert_int_lt(rfc3339_parse("2026-11-27T08:00:00", &a), 0);
        ck_assert_int_lt(rfc3339_parse("2026-11-27T08:00:00.Z", &a), 0);
        ck_assert_int_lt(rfc3339_parse("2026-11-27T08:00:00Zjunk", &a), 0);
        ck_assert_int_lt(rfc3339_parse(NULL, &a), 0);
}
END_TEST

static json_t *sample_run(void) {
        json_error_t e;
        json_t *run = json_loads(
                "{\"run_id\": \"R1\", \"slot\": \"dut1\", \"dut_serial\": \"SN<&>\\\"1\", "
                " \"profile_path\": \"/p/plug.yaml\", \"state\": \"FINISHED\", \"outcome\": \"FAIL\","
                " \"reason\": \"1 case failed\", \"created\": \"2026-11-27T08:00:00Z\","
                " \"started\": \"2026-11-27T08:00:00Z\", \"finished\": \"2026-11-27T08:00:10.250Z\","
                " \"results\": ["
                "  {\"idx\": 0, \"case\": \"power.cycle\", \"requirements\": [\"BENCH\"], \"outcome\": \"PASS\","
                "   \"reason\": \"ok\", \"measurements\": {\"off_time\": {\"value\": 2000.5, \"unit\": \"ms\"},"
                "   \"count\": 3}, \"started\": \"2026-11-27T08:00:00Z\", \"finished\": \"2026-11-27T08:00:02.5Z\","
                "   \"evidence\": [{\"id\": 7, \"name\": \"timeline.json\", \"media_type\": \"application/json\", \"size\": 154}]},"
                "  {\"idx\": 1, \"case\": \"usb.classes\", \"requirements\": [\"D-6\"], \"outcome\": \"FAIL\","
                "   \"reason\": \"exposes <mass-storage> & \\\"hid\\\" \\u0001 not declared\", \"measurements\": {},"
                "   \"started\": \"2026-11-27T08:00:03Z\", \"finished\": \"2026-11-27T08:00:04Z\", \"evidence\": []},"
                "  {\"idx\": 2, \"case\": \"wifi.akm\", \"requirements\": [\"D-3\"], \"outcome\": \"ERROR\","
                "   \"reason\": \"no radio\", \"measurements\": null, \"started\": null, \"finished\": null, \"evidence\": []},"
                "  {\"idx\": 3, \"case\": \"bt.pairing\", \"outcome\": \"SKIPPED\", \"reason\": \"no bluetooth declared\"},"
                "  {\"idx\": 4, \"case\": \"reset.wipe\", \"outcome\": \"ABORTED\", \"reason\": null}"
                " ]}", 0, &e);
        ck_assert_msg(run != NULL, "%s", e.text);
        return run;
}

START_TEST(test_report_text) {
        json_t *run = sample_run();
        int r;
        char *out = render(report_render_text, run, &r);

        ck_assert_int_eq(r, 0);
        ck_assert_msg(strstr(out, "Run       R1\n"), "%s", out);
        ck_assert_msg(strstr(out, "Outcome   FAIL\n"), "%s", out);
        ck_assert_msg(strstr(out, "(10.250 s)"), "%s", out);
        ck_assert_msg(strstr(out, "1    power.cycle  PASS       2.500 s  ok\n"), "%s", out);
        ck_assert_msg(strstr(out, "off_time = 2000.5 ms\n"), "%s", out);
        ck_assert_msg(strstr(out, "count = 3\n"), "%s", out);
        ck_assert_msg(strstr(out, "evidence #7: timeline.json (application/json, 154 bytes)"), "%s", out);
        ck_assert_msg(strstr(out, "3    wifi.akm     ERROR            -  no radio\n"), "%s", out);
        ck_assert_msg(strstr(out, "requirements: D-6\n"), "%s", out);
        free(out);
        json_decref(run);
}
END_TEST

static size_t count(const char *hay, const char *needle) {
        size_t n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

START_TEST(test_report_junit) {
        json_t *run = sample_run();
        int r;
        char *out = render(report_render_junit, run, &r);

        ck_assert_int_eq(r, 0);
        ck_assert_msg(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0, "%s", out);
        ck_assert_msg(strstr(out, "<testsuite name=\"R1\" tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"2\" time=\"10.250\""),
                      "%s", out);
        ck_assert_msg(strstr(out, "<property name=\"serial\" value=\"SN&lt;&amp;&gt;&quot;1\"/>"), "%s", out);
        ck_assert_msg(strstr(out, "<property name=\"slot\" value=\"dut1\"/>"), "%s", out);
        ck_assert_msg(strstr(out, "<property name=\"profile\" value=\"/p/plug.yaml\"/>"), "%s", out);
        ck_assert_msg(strstr(out, "<testcase name=\"power.cycle\" classname=\"certbench.dut1\" time=\"2.500\">"),
                      "%s", out);
        ck_assert_msg(strstr(out, "<failure message=\"exposes &lt;mass-storage&gt; &amp; &quot;hid&quot; \xef\xbf\xbd not declared\" type=\"FAIL\">"),
                      "%s", out);
        ck_assert_msg(strstr(out, "<error message=\"no radio\" type=\"ERROR\">no radio</error>"), "%s", out);
        ck_assert_msg(strstr(out, "<skipped message=\"no bluetooth declared\"/>"), "%s", out);
        ck_assert_msg(strstr(out, "<skipped message=\"ABORTED\"/>"), "%s", out);
        ck_assert_int_eq(count(out, "<testcase "), 5);
        ck_assert_int_eq(count(out, "</testcase>"), 5);
        ck_assert_msg(strstr(out, "off_time = 2000.5 ms"), "%s", out);
        ck_assert_ptr_null(strchr(out, '\x01'));
        ck_assert_msg(strstr(out, "</testsuite>\n</testsuites>\n"), "%s", out);
        free(out);
        json_decref(run);
}
END_TEST

START_TEST(test_report_junit_no_cases) {
        json_t *run = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "run_id", "R2", "slot", "dut2", "state",
                                "ABORTED", "outcome", "ABORTED", "results");
        int r;
        char *out = render(report_render_junit, run, &r);

        ck_assert_int_eq(r, 0);
        ck_assert_msg(strstr(out, "tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\""), "%s", out);
        ck_assert_msg(strstr(out, "<testcase name=\"(run)\""), "%s", out);
        free(out);
        json_decref(run);
}
END_TEST

START_TEST(test_exit_status) {
        json_t *run = sample_run();
        ck_assert_int_eq(run_exit_status(run), CLI_EXIT_ERROR);  /* has ERROR and ABORTED */
        json_decref(run);

        run = json_pack("{s:s, s:s, s:[{s:s}, {s:s}]}", "state", "FINISHED", "outcome", "FAIL", "results",
                        "outcome", "PASS", "outcome", "FAIL");
        ck_assert_int_eq(run_exit_status(run), CLI_EXIT_FAIL);
        json_decref(run);

        run = json_pack("{s:s, s:s, s:[{s:s}, {s:s}]}", "state", "FINISHED", "outcome", "PASS", "results",
                        "outcome", "PASS", "outcome", "SKIPPED");
        ck_assert_int_eq(run_exit_status(run), CLI_EXIT_OK);
        json_decref(run);

        run = json_pack("{s:s, s:s, s:[{s:s}]}", "state", "ABORTED", "outcome", "ABORTED", "results",
                        "outcome", "PASS");
        ck_assert_int_eq(run_exit_status(run), CLI_EXIT_ERROR);
        json_decref(run);

        run = json_pack("{s:s, s:n, s:[]}", "state", "FINISHED", "outcome", "results");
        ck_assert_int_eq(run_exit_status(run), CLI_EXIT_ERROR);
        json_decref(run);
}
END_TEST

START_TEST(test_measurement_format) {
        json_t *v;
        char *s;

        v = json_pack("{s:f, s:s}", "value", 117.0, "unit", "us");
        s = measurement_format(v);
        ck_assert_str_eq(s, "117.0 us");
        free(s);
        json_decref(v);
        v = json_pack("{s:i}", "a", 1);
        s = measurement_format(v);
        ck_assert_str_eq(s, "{\"a\":1}");
        free(s);
        json_decref(v);
        v = json_string("wpa2-psk");
        s = measurement_format(v);
        ck_assert_str_eq(s, "wpa2-psk");
        free(s);
        json_decref(v);
        v = json_true();
        s = measurement_format(v);
        ck_assert_str_eq(s, "true");
        free(s);
}
END_TEST

START_TEST(test_event_line) {
        json_t *ev = json_pack("{s:i, s:i, s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, s:s}}", "v", 1, "seq", 42,
                               "ts", "2026-11-27T08:00:00.000000Z", "type", "case.finished", "slot", "dut1",
                               "run_id", "R1", "data", "idx", 0, "case", "power.cycle", "outcome", "PASS",
                               "reason", "fine");
        char *s = event_format_line(ev);

        ck_assert_str_eq(s, "    42 2026-11-27T08:00:00.000000Z dut1     case.finished  [1] power.cycle PASS: fine");
        free(s);
        json_decref(ev);

        ev = json_pack("{s:i, s:s, s:s, s:n, s:{s:i}}", "seq", 7, "ts", "T", "type", "some.new.type", "slot",
                       "data", "x", 1);
        s = event_format_line(ev);
        ck_assert_str_eq(s, "     7 T -        some.new.type  {\"x\":1}");
        free(s);
        json_decref(ev);
}
END_TEST

/* ---- bus client against a fake daemon ---- */

#define N_STORED 10
#define FAKE_PAGE 3      /* the fake daemon caps pages: exercises paging */

struct fake {
        char command[256];
        char events[256];
        bool ready;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        unsigned since_calls;
};

static json_t *stored_event(uint64_t seq) {
        return json_pack("{s:i, s:I, s:s, s:s, s:s, s:n, s:n, s:{s:I}}", "v", 1, "seq", (json_int_t) seq,
                         "ts", "2026-11-27T08:00:00Z", "type", "heartbeat", "bench", "b", "slot", "run_id",
                         "data", "uptime_s", (json_int_t) seq);
}

static void *fake_daemon(void *userdata) {
        struct fake *f = userdata;
        void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER);
        int linger = 0;

        zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof(linger));
        ck_assert_int_eq(zmq_bind(router, f->command), 0);
        pthread_mutex_lock(&f->lock);
        f->ready = true;
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);

        for (;;) {
                char ident[256], body[4096];
                int ni = zmq_recv(router, ident, sizeof(ident), 0);
                int nb = zmq_recv(router, body, sizeof(body) - 1, 0);
                ck_assert_int_gt(ni, 0);
                ck_assert_int_ge(nb, 0);
                body[nb] = 0;
                json_t *req = json_loads(body, 0, NULL), *reply, *result;
                ck_assert_ptr_nonnull(req);
                const char *cmd = json_string_value(json_object_get(req, "cmd"));
                if (strcmp(cmd, "quit") == 0) {
                        json_decref(req);
                        break;
                }
                if (strcmp(cmd, "events.since") == 0) {
                        json_int_t after = json_integer_value(json_object_get(json_object_get(req, "args"), "seq"));
                        json_t *evs = json_array();
                        for (json_int_t s = after + 1; s <= N_STORED && json_array_size(evs) < FAKE_PAGE; s++)
                                json_array_append_new(evs, stored_event(s));
                        result = json_pack("{s:o, s:i}", "events", evs, "last_seq", N_STORED);
                        pthread_mutex_lock(&f->lock);
                        f->since_calls++;
                        pthread_mutex_unlock(&f->lock);
                } else if (strcmp(cmd, "silent") == 0) {
                        json_decref(req);
                        continue;  /* never answers: the client must time out */
                } else {
                        result = json_pack("{s:b}", "pong", 1);
                }
                /* a stale reply first: the client must skip it */
                reply = json_pack("{s:i, s:b, s:o}", "id", -1, "ok", 1, "result", json_object());
                char *text = json_dumps(reply, JSON_COMPACT);
                zmq_send(router, ident, ni, ZMQ_SNDMORE);
                zmq_send(router, text, strlen(text), 0);
                free(text);
                json_decref(reply);

                reply = json_pack("{s:O, s:b, s:o}", "id", json_object_get(req, "id"), "ok", 1, "result", result);
                text = json_dumps(reply, JSON_COMPACT);
                zmq_send(router, ident, ni, ZMQ_SNDMORE);
                zmq_send(router, text, strlen(text), 0);
                free(text);
                json_decref(reply);
                json_decref(req);
        }
        zmq_close(router);
        zmq_ctx_term(ctx);
        return NULL;
}

static void publish(void *pub, uint64_t seq) {
        json_t *ev = stored_event(seq);
        char *text = json_dumps(ev, JSON_COMPACT);
        zmq_send(pub, "heartbeat", 9, ZMQ_SNDMORE);
        zmq_send(pub, text, strlen(text), 0);
        free(text);
        json_decref(ev);
}

START_TEST(test_bus_client_events) {
        char dir[] = "/tmp/test-cli-XXXXXX";
        struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
        struct bus_client *c = NULL;
        json_t *res = NULL, *err = NULL;
        pthread_t t;
        void *ctx, *pub;
        int linger = 0;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(f.command, sizeof(f.command), "ipc://%s/command", dir);
        snprintf(f.events, sizeof(f.events), "ipc://%s/events", dir);
        ck_assert_int_eq(pthread_create(&t, NULL, fake_daemon, &f), 0);
        pthread_mutex_lock(&f.lock);
        while (!f.ready)
                pthread_cond_wait(&f.cond, &f.lock);
        pthread_mutex_unlock(&f.lock);

        ctx = zmq_ctx_new();
        pub = zmq_socket(ctx, ZMQ_PUB);
        zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof(linger));
        ck_assert_int_eq(zmq_bind(pub, f.events), 0);

        ck_assert_int_eq(bus_client_new(f.command, f.events, 2 * USEC_PER_SEC, &c), 0);
        ck_assert_int_eq(bus_client_call(c, "ping", NULL, 0, &res, &err), 0);
        ck_assert(json_is_true(json_object_get(res, "pong")));
        json_decref(res);

        ck_assert_int_eq(bus_client_subscribe(c), 0);
        bus_client_set_last_seq(c, 2);
        /* Live traffic with a duplicate and a gap; whatever the SUB misses
         * while joining must come from events.since. */
        publish(pub, 3);
        publish(pub, 3);
        publish(pub, 7);
        publish(pub, 8);
        for (uint64_t want = 3; want <= N_STORED; want++) {
                json_t *ev = NULL;
                ck_assert_int_eq(bus_client_event_next(c, deadline_in(5 * USEC_PER_SEC), &ev), 0);
                ck_assert_uint_eq(bus_event_seq(ev), want);
                json_decref(ev);
                if (want == 9) {
                        publish(pub, 9);   /* late duplicates are dropped */
                        publish(pub, 10);
                }
        }
        json_t *ev = NULL;
        ck_assert_int_eq(bus_client_event_next(c, deadline_in(300 * USEC_PER_MSEC), &ev), -ETIMEDOUT);
        ck_assert_ptr_null(ev);
        ck_assert_uint_eq(bus_client_get_last_seq(c), N_STORED);
        ck_assert_uint_ge(f.since_calls, 3);  /* pages of FAKE_PAGE */

        /* A request nobody answers times out instead of hanging. */
        bus_client_free(c);
        ck_assert_int_eq(bus_client_new(f.command, NULL, 200 * USEC_PER_MSEC, &c), 0);
        usec_t t0 = mono_now();
        ck_assert_int_eq(bus_client_call(c, "silent", NULL, 0, &res, &err), -ETIMEDOUT);
        ck_assert_uint_ge(mono_now() - t0, 190 * USEC_PER_MSEC);
        ck_assert_int_eq(bus_client_call(c, "quit", NULL, 0, &res, &err), -ETIMEDOUT);
        bus_client_free(c);

        pthread_join(t, NULL);
        zmq_close(pub);
        zmq_ctx_term(ctx);
        char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
}
END_TEST

START_TEST(test_bus_client_unreachable) {
        struct bus_client *c = NULL;
        json_t *res = NULL, *err = NULL;

        ck_assert_int_eq(bus_client_new("ipc:///nonexistent/certbench/command", NULL, 150 * USEC_PER_MSEC, &c), 0);
        ck_assert_int_eq(bus_client_call(c, "ping", NULL, 0, &res, &err), -ETIMEDOUT);
        ck_assert_ptr_null(res);
        bus_client_free(c);
        ck_assert_int_lt(bus_client_new("bogus://x", NULL, USEC_PER_SEC, &c), 0);
        ck_assert_ptr_null(bus_client_free(NULL));
}
END_TEST

int main(void) {
        Suite *s = suite_create("cli");
        TCase *tc = tcase_create("pure");
        tcase_add_test(tc, test_param_parse);
        tcase_add_test(tc, test_param_parse_errors);
        tcase_add_test(tc, test_numbers);
        tcase_add_test(tc, test_path_absolute);
        tcase_add_test(tc, test_xml_escape);
        tcase_add_test(tc, test_rfc3339);
        tcase_add_test(tc, test_report_text);
        tcase_add_test(tc, test_report_junit);
        tcase_add_test(tc, test_report_junit_no_cases);
        tcase_add_test(tc, test_exit_status);
        tcase_add_test(tc, test_measurement_format);
        tcase_add_test(tc, test_event_line);
        suite_add_tcase(s, tc);
        tc = tcase_create("bus");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_bus_client_events);
        tcase_add_test(tc, test_bus_client_unreachable);
        suite_add_tcase(s, tc);

        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
