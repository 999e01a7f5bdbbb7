/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus encoding and decoding: what a client sends, what it gets back. */

#include <check.h>
#include <errno.h>
#include <string.h>

#include "daemon/bus-proto.h"

struct bad_case {
        const char *input;
        enum bus_error error;
        const char *message;    /* must appear in the message */
};

static const struct bad_case bad_cases[] = {
        { "not json", BUS_ERROR_PARSE, "invalid JSON at line 1" },
        { "{\"cmd\":\"ping\"", BUS_ERROR_PARSE, "invalid JSON" },
        { "[1,2]", BUS_ERROR_BAD_REQUEST, "request is a JSON array, expected an object" },
        { "\"ping\"", BUS_ERROR_BAD_REQUEST, "request is a JSON string, expected an object" },
        { "42", BUS_ERROR_BAD_REQUEST, "request is a JSON integer, expected an object" },
        { "null", BUS_ERROR_BAD_REQUEST, "request is a JSON null, expected an object" },
        { "{}", BUS_ERROR_BAD_REQUEST, "cmd: missing" },
        { "{\"cmd\":5}", BUS_ERROR_BAD_REQUEST, "cmd: expected a non-empty string, got integer" },
        { "{\"cmd\":\"\"}", BUS_ERROR_BAD_REQUEST, "cmd: expected a non-empty string" },
        { "{\"cmd\":\"p\\u0000ng\"}", BUS_ERROR_PARSE, "invalid JSON" },
        { "{\"cmd\":\"ping\",\"args\":[]}", BUS_ERROR_BAD_REQUEST, "args: expected an object, got array" },
        { "{\"cmd\":\"ping\",\"id\":{}}", BUS_ERROR_BAD_REQUEST, "id: expected a string or integer, got object" },
        { "{\"cmd\":\"ping\",\"cmd\":\"status\"}", BUS_ERROR_PARSE, "duplicate" },
        { "{\"cmd\":\"ping\",\"argz\":{}}", BUS_ERROR_BAD_REQUEST, "unknown field 'argz'" },
        { "{\"cmd\":\"\xff\xfe\"}", BUS_ERROR_PARSE, "invalid JSON" },
};

START_TEST(test_bad_requests) {
        const struct bad_case *c = &bad_cases[_i];
        struct bus_request req = {};
        enum bus_error e = _BUS_ERROR_MAX;
        char *msg = NULL;
        int r;

        r = bus_request_parse(c->input, strlen(c->input), 4096, &req, &e, &msg, NULL);
        ck_assert_int_lt(r, 0);
        ck_assert_msg(e == c->error, "%s: got %s, expected %s", c->input, bus_error_to_string(e),
                      bus_error_to_string(c->error));
        ck_assert_ptr_nonnull(msg);
        ck_assert_msg(strstr(msg, c->message), "%s: message '%s' lacks '%s'", c->input, msg, c->message);
        free(msg);
}
END_TEST

START_TEST(test_too_large) {
        char buf[100];
        struct bus_request req = {};
        enum bus_error e;
        char *msg = NULL;

        memset(buf, ' ', sizeof(buf));
        ck_assert_int_eq(bus_request_parse(buf, sizeof(buf), 64, &req, &e, &msg, NULL), -EMSGSIZE);
        ck_assert_int_eq(e, BUS_ERROR_TOO_LARGE);
        ck_assert_str_eq(msg, "request is 100 bytes, the limit is 64");
        free(msg);
}
END_TEST

START_TEST(test_good_request_and_reply) {
        const char *in = "{\"id\":\"a1\",\"cmd\":\"relay.set\",\"args\":{\"channel\":\"dut1.power\",\"on\":true}}";
        struct bus_request req = {};
        enum bus_error e;
        char *msg = NULL, *reply;
        const char *ch = NULL;
        bool on = false;

        ck_assert_int_eq(bus_request_parse(in, strlen(in), 4096, &req, &e, &msg, NULL), 0);
        ck_assert_str_eq(req.cmd, "relay.set");
        ck_assert_str_eq(json_string_value(req.id), "a1");
        ck_assert_int_eq(bus_args_string(req.args, "channel", true, &ch, &msg), 0);
        ck_assert_str_eq(ch, "dut1.power");
        ck_assert_int_eq(bus_args_bool(req.args, "on", true, &on, &msg), 0);
        ck_assert(on);

        reply = bus_reply_ok(req.id, json_pack("{s:b}", "on", 1));
        ck_assert_str_eq(reply, "{\"id\":\"a1\",\"ok\":true,\"result\":{\"on\":true}}");
        free(reply);
        reply = bus_reply_error(req.id, BUS_ERROR_BUSY, "pulsing");
        ck_assert_str_eq(reply, "{\"id\":\"a1\",\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"pulsing\"}}");
        free(reply);
        bus_request_done(&req);
}
END_TEST

START_TEST(test_missing_args_object) {
        struct bus_request req = {};
        enum bus_error e;
        char *msg = NULL;

        ck_assert_int_eq(bus_request_parse("{\"cmd\":\"ping\"}", 14, 4096, &req, &e, &msg, NULL), 0);
        ck_assert(json_is_object(req.args));
        ck_assert(json_is_null(req.id));
        bus_request_done(&req);
}
END_TEST

START_TEST(test_arg_errors) {
        json_t *args = json_pack("{s:i, s:s, s:i}", "on", 1, "channel", "", "width_ms", 0);
        const char *s = NULL;
        bool b = false;
        int64_t i = 0;
        char *msg = NULL;
        static const char *const allowed[] = { "on", "channel", NULL };

        ck_assert_int_eq(bus_args_bool(args, "on", true, &b, &msg), -EINVAL);
        ck_assert_str_eq(msg, "args.on: expected a boolean, got integer");
        free(msg);
        ck_assert_int_eq(bus_args_string(args, "channel", true, &s, &msg), -EINVAL);
        ck_assert_str_eq(msg, "args.channel: expected a non-empty string without NUL bytes");
        free(msg);
        ck_assert_int_eq(bus_args_string(args, "slot", true, &s, &msg), -EINVAL);
        ck_assert_str_eq(msg, "args.slot: missing, expected a string");
        free(msg);
        ck_assert_int_eq(bus_args_int(args, "width_ms", true, 1, 600000, &i, &msg), -EINVAL);
        ck_assert_str_eq(msg, "args.width_ms: 0 is out of range, expected 1..600000");
        free(msg);
        ck_assert_int_eq(bus_args_only(args, allowed, &msg), -EINVAL);
        ck_assert_str_eq(msg, "args.width_ms: unknown argument, expected on, channel");
        free(msg);
        /* Optional and absent: untouched, no error. */
        i = 42;
        ck_assert_int_eq(bus_args_int(args, "limit", false, 1, 10, &i, &msg), 0);
        ck_assert_int_eq(i, 42);
        json_decref(args);
}
END_TEST

START_TEST(test_event_encode) {
        json_t *data = json_pack("{s:s}", "outcome", "PASS");
        char *s = bus_event_encode(42, 1795766400123456ULL, "verdict", "bench-a", "dut1", "R1", data);

        ck_assert_str_eq(s, "{\"v\":1,\"seq\":42,\"ts\":\"2026-11-27T08:00:00.123456Z\",\"type\":\"verdict\","
                            "\"bench\":\"bench-a\",\"slot\":\"dut1\",\"run_id\":\"R1\",\"data\":{\"outcome\":\"PASS\"}}");
        free(s);
        /* The caller keeps its reference to data. */
        ck_assert_int_eq(data->refcount, 1);
        s = bus_event_encode(1, 0, "heartbeat", "b", NULL, NULL, NULL);
        ck_assert_str_eq(s, "{\"v\":1,\"seq\":1,\"ts\":\"1970-01-01T00:00:00.000000Z\",\"type\":\"heartbeat\","
                            "\"bench\":\"b\",\"slot\":null,\"run_id\":null,\"data\":{}}");
        free(s);
        json_decref(data);
}
END_TEST

START_TEST(test_event_encode_escapes) {
        const char *nasty = "du\"t\\1\n\x01";
        char *s = bus_event_encode_text(7, 0, "case.progress", nasty, nasty, NULL, "{\"a\":[1,2]}");
        json_error_t err;
        json_t *o = json_loads(s, 0, &err);

        ck_assert_msg(o != NULL, "not JSON: %s (%s)", s, err.text);
        ck_assert_str_eq(json_string_value(json_object_get(o, "slot")), nasty);
        ck_assert_str_eq(json_string_value(json_object_get(o, "bench")), nasty);
        ck_assert(json_is_null(json_object_get(o, "run_id")));
        ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(json_object_get(o, "data"), "a"), 1)), 2);
        json_decref(o);
        free(s);
}
END_TEST

START_TEST(test_errno_mapping) {
        ck_assert_int_eq(bus_error_from_errno(-EHOSTUNREACH), BUS_ERROR_UNAVAILABLE);
        ck_assert_int_eq(bus_error_from_errno(-EBUSY), BUS_ERROR_BUSY);
        ck_assert_int_eq(bus_error_from_errno(-ETIMEDOUT), BUS_ERROR_TIMEOUT);
        ck_assert_int_eq(bus_error_from_errno(-ENOENT), BUS_ERROR_NOT_FOUND);
        ck_assert_int_eq(bus_error_from_errno(-EIO), BUS_ERROR_UNAVAILABLE);
        ck_assert_str_eq(bus_error_to_string(BUS_ERROR_INVALID_ARGS), "invalid-args");
}
END_TEST

int main(void) {
        Suite *s = suite_create("bus-proto");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_loop_test(tc, test_bad_requests, 0, (int) (sizeof(bad_cases) / sizeof(bad_cases[0])));
        tcase_add_test(tc, test_too_large);
        tcase_add_test(tc, test_good_request_and_reply);
        tcase_add_test(tc, test_missing_args_object);
        tcase_add_test(tc, test_arg_errors);
        tcase_add_test(tc, test_event_encode);
        tcase_add_test(tc, test_event_encode_escapes);
        tcase_add_test(tc, test_errno_mapping);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
