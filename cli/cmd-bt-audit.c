/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench bt-audit: the D-4 pairing classifier over a saved HCI trace,
 * for labs that already capture. No daemon; the same decoders as the
 * bt.pairing case (drivers/bt, lib/btpair). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "drivers/bt/hci-pairing-events.h"
#include "lib/btpair/btpair.h"
#include "lib/btsnoop/btsnoop.h"

int cmd_bt_audit(struct cli *cli, int argc, char **argv);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct btsnoop_reader *, btsnoop_reader_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct btpair *, btpair_free);

static const char help[] =
        "Usage: certbench bt-audit [--json] FILE\n\n"
        "Classify every Bluetooth pairing in a saved HCI trace: btsnoop (as Android\n"
        "and btmon write it) or pcap/pcapng with the Bluetooth HCI H4 link types\n"
        "(187, 201), the Linux monitor (254) or an LE link layer sniff (256);\n"
        "gzip-compressed files too. Per pairing: peer address, BR/EDR or LE, the\n"
        "method (legacy PIN, SSP, SSP Secure Connections, LE legacy, LE Secure\n"
        "Connections), association model, both sides' IO capabilities and\n"
        "authentication requirements, link key type, outcome (docs/bluetooth.md).\n"
        "A bonded reconnect (a stored key reused) is not a pairing.\n"
        "Needs no daemon.\n\n"
        "Options:\n"
        "  --json     one JSON document for tools\n"
        "  -h, --help show this help\n\n"
        "Exit status: 0 the trace was read, 1 it could not be (or was cut short).\n";

static json_t *side_json(const struct btpair_side *s, enum btpair_transport t) {
        json_t *o;

        if (!s->known)
                return json_null();
        o = json_pack("{s:i, s:s, s:i, s:i, s:b}", "io_capability", s->io_cap, "io_capability_name",
                      bt_io_capability_to_string(s->io_cap), "oob", s->oob, "auth_req", s->auth_req, "mitm",
                      t == BTPAIR_TRANSPORT_LE ? (s->auth_req & BT_SMP_AUTH_MITM) != 0 : (s->auth_req & 1) != 0);
        if (o && t == BTPAIR_TRANSPORT_LE) {
                json_object_set_new(o, "bonding", json_boolean(s->auth_req & BT_SMP_AUTH_BONDING));
                json_object_set_new(o, "secure_connections", json_boolean(s->auth_req & BT_SMP_AUTH_SC));
                json_object_set_new(o, "keypress", json_boolean(s->auth_req & BT_SMP_AUTH_KEYPRESS));
                json_object_set_new(o, "ct2", json_boolean(s->auth_req & BT_SMP_AUTH_CT2));
                json_object_set_new(o, "max_key_size", json_integer(s->max_key_size));
                json_object_set_new(o, "init_key_dist", json_integer(s->init_key_dist));
                json_object_set_new(o, "resp_key_dist", json_integer(s->resp_key_dist));
        }
        return o;
}

static json_t *result_json(const struct btpair_result *r) {
        char addr[BT_ADDR_STR_MAX];
        json_t *o;

        o = json_pack("{s:I, s:I, s:I, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "first_record",
                      (json_int_t) r->first_record, "last_record", (json_int_t) r->last_record, "ts_usec",
                      (json_int_t) r->ts_usec, "index", r->index, "transport", btpair_transport_to_id(r->transport),
                      "method", btpair_method_to_id(r->method), "method_name", btpair_method_to_string(r->method),
                      "association_model", bt_assoc_model_to_id(r->model), "association_model_name",
                      bt_assoc_model_to_string(r->model), "initiator", side_json(&r->initiator, r->transport),
                      "responder", side_json(&r->responder, r->transport), "outcome",
                      btpair_outcome_to_id(r->outcome), "reason", r->reason ? r->reason : "");
        if (!o)
                return NULL;
        json_object_set_new(o, "peer", r->peer_known ? json_string(bt_addr_to_string(&r->peer, addr, sizeof(addr)))
                                                     : json_null());
        if (r->transport == BTPAIR_TRANSPORT_LE && r->peer_known)
                json_object_set_new(o, "peer_addr_type", json_string(r->peer_addr_type ? "random" : "public"));
        json_object_set_new(o, "handle", r->handle == 0xffff ? json_null() : json_integer(r->handle));
        json_object_set_new(o, "local_role", !r->local_known ? json_null()
                                             : json_string(r->local_is_initiator ? "initiator" : "responder"));
        json_object_set_new(o, "link_key_type", r->key_type_known ? json_integer(r->key_type) : json_null());
        if (r->key_type_known)
                json_object_set_new(o, "link_key_type_name", json_string(bt_link_key_type_to_string(r->key_type)));
        if (r->enc_key_size)
                json_object_set_new(o, "encryption_key_size", json_integer(r->enc_key_size));
        if (r->pin_known)
                json_object_set_new(o, "pin", json_string(r->pin));
        if (r->outcome == BTPAIR_OUTCOME_FAILURE)
                json_object_set_new(o, r->smp_reason ? "smp_reason" : "hci_status", json_integer(r->status));
        return o;
}

static void on_report(const struct btpair_result *r, void *userdata) {
        json_t *list = userdata;
        json_t *o = result_json(r);

        /* On -ENOMEM the entry is missing; cmd_bt_audit() compares counts. */
        if (o)
                json_array_append_new(list, o);
}

static void side_print(const char *label, json_t *side, const char *role) {
        if (json_is_null(side)) {
                printf("  %-10s not seen%s\n", label, role);
                return;
        }
        printf("  %-10s %s (0x%02llx), OOB %" JSON_INTEGER_FORMAT
               ", AuthReq 0x%02llx (MITM %s%s%s)%s\n",
               label, json_string_value(json_object_get(side, "io_capability_name")),
               (unsigned long long) json_integer_value(json_object_get(side, "io_capability")),
               json_integer_value(json_object_get(side, "oob")),
               (unsigned long long) json_integer_value(json_object_get(side, "auth_req")),
               json_is_true(json_object_get(side, "mitm")) ? "yes" : "no",
               json_object_get(side, "secure_connections") ? ", SC " : "",
               json_object_get(side, "secure_connections")
                       ? (json_is_true(json_object_get(side, "secure_connections")) ? "yes" : "no")
                       : "",
               role);
}

static void result_print(size_t i, json_t *o) {
        const char *role = json_string_value(json_object_get(o, "local_role"));
        json_t *v;

        printf("pairing %zu (records %" JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT ")\n", i + 1,
               json_integer_value(json_object_get(o, "first_record")),
               json_integer_value(json_object_get(o, "last_record")));
        v = json_object_get(o, "peer");
        printf("  peer       %s%s%s%s\n", json_is_string(v) ? json_string_value(v) : "unknown",
               json_object_get(o, "peer_addr_type") ? " (" : "",
               json_object_get(o, "peer_addr_type") ? json_string_value(json_object_get(o, "peer_addr_type")) : "",
               json_object_get(o, "peer_addr_type") ? ")" : "");
        printf("  transport  %s\n", streq_ptr(json_string_value(json_object_get(o, "transport")), "le") ? "LE" : "BR/EDR");
        printf("  method     %s\n", json_string_value(json_object_get(o, "method_name")));
        printf("  model      %s\n", json_string_value(json_object_get(o, "association_model_name")));
        side_print("initiator", json_object_get(o, "initiator"),
                   role ? (strcmp(role, "initiator") == 0 ? " [local]" : " [remote]") : "");
        side_print("responder", json_object_get(o, "responder"),
                   role ? (strcmp(role, "responder") == 0 ? " [local]" : " [remote]") : "");
        v = json_object_get(o, "link_key_type");
        if (json_is_integer(v))
                printf("  key type   0x%02llx (%s)\n", (unsigned long long) json_integer_value(v),
                       json_string_value(json_object_get(o, "link_key_type_name")));
        v = json_object_get(o, "encryption_key_size");
        if (json_is_integer(v))
                printf("  key size   %" JSON_INTEGER_FORMAT " octets\n", json_integer_value(v));
        v = json_object_get(o, "pin");
        if (json_is_string(v))
                printf("  PIN        %s\n", json_string_value(v));
        printf("  outcome    %s: %s", json_string_value(json_object_get(o, "outcome")),
               json_string_value(json_object_get(o, "reason")));
        if ((v = json_object_get(o, "smp_reason")))
                printf(" (SMP reason 0x%02llx)", (unsigned long long) json_integer_value(v));
        if ((v = json_object_get(o, "hci_status")))
                printf(" (HCI status 0x%02llx)", (unsigned long long) json_integer_value(v));
        fputc('\n', stdout);
}

int cmd_bt_audit(struct cli *cli, int argc, char **argv) {
        enum { ARG_JSON = CLI_ARG_FIRST_LOCAL };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(btsnoop_reader_freep) struct btsnoop_reader *reader = NULL;
        _cleanup_(btpair_freep) struct btpair *bp = NULL;
        _cleanup_(json_decrefp) json_t *list = NULL;
        _cleanup_free_ char *error = NULL;
        struct btsnoop_record rec;
        struct btpair_stats st;
        bool json = false, cut = false;
        int c, r, status = CLI_EXIT_OK;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind + 1 != argc) {
                cli_usage_error("bt-audit: expected exactly one FILE");
                return cli_usage_hint(cli);
        }

        r = btsnoop_reader_open(argv[optind], &reader, &error);
        if (r < 0) {
                fprintf(stderr, "certbench: %s\n", error ? error : strerror(-r));
                return CLI_EXIT_FAIL;
        }
        list = json_array();
        bp = btpair_new(on_report, list);
        if (!list || !bp)
                return CLI_EXIT_ERROR;
        while ((r = btsnoop_reader_next(reader, &rec)) > 0)
                btpair_feed(bp, &rec);
        if (r < 0) {
                fprintf(stderr, "certbench: %s: %s; reporting the records before it\n", argv[optind],
                        btsnoop_reader_error(reader));
                cut = true;
                status = CLI_EXIT_FAIL;
        }
        btpair_finish(bp);
        btpair_stats_get(bp, &st);
        if (json_array_size(list) != st.pairings)
                return CLI_EXIT_ERROR;  /* a result could not be rendered (ENOMEM) */

        if (json) {
                json_t *root = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:O}", "file", argv[optind], "format",
                                         btsnoop_reader_format(reader), "records", (json_int_t) st.records,
                                         "malformed", (json_int_t) st.malformed, "bonded_reconnects",
                                         (json_int_t) st.bonded_reconnects, "truncated", cut, "pairings", list);
                if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
                        json_decref(root);
                        return CLI_EXIT_ERROR;
                }
                json_decref(root);
                fputc('\n', stdout);
                return status;
        }
        printf("%s: %s, %" PRIu64 " records", argv[optind], btsnoop_reader_format(reader), st.records);
        if (st.malformed)
                printf(", %" PRIu64 " malformed packets skipped", st.malformed);
        if (st.bonded_reconnects)
                printf(", %" PRIu64 " bonded reconnects (not pairings)", st.bonded_reconnects);
        fputc('\n', stdout);
        if (json_array_size(list) == 0)
                printf("no pairing in this trace\n");
        for (size_t i = 0; i < json_array_size(list); i++)
                result_print(i, json_array_get(list, i));
        return status;
}
