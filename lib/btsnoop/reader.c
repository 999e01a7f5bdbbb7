/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader half of lib/btsnoop. The whole file is read (or inflated)
 * into memory first: btsnoop records are then walked with the pure
 * parser, pcap/pcapng goes through libpcap over fmemopen(). */

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "common/macros.h"
#include "lib/gunzip/gunzip.h"
#include "lib/btsnoop/btsnoop.h"

/* Neither a file nor its inflated form may exceed this. */
#define TRACE_MAX_SIZE ((size_t) 1 << 30)

struct btsnoop_reader {
        uint8_t *buf;
        size_t len;
        /* btsnoop */
        uint32_t datalink;
        size_t offset;
        /* pcap */
        pcap_t *pcap;
        int dlt;
        uint64_t number;
        char error[256];
};

struct btsnoop_reader *btsnoop_reader_free(struct btsnoop_reader *r) {
        if (!r)
                return NULL;
        if (r->pcap)
                pcap_close(r->pcap);    /* closes the memory FILE */
        free(r->buf);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct btsnoop_reader *, btsnoop_reader_free);

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static void set_error(char **ret_error, const char *name, const char *what) {
        if (ret_error && asprintf(ret_error, "%s: %s", name, what) < 0)
                *ret_error = NULL;
}

static bool dlt_supported(int dlt) {
        return dlt == BTSNOOP_DLT_H4 || dlt == BTSNOOP_DLT_H4_PHDR || dlt == BTSNOOP_DLT_MONITOR ||
               dlt == BTSNOOP_DLT_LE_LL_PHDR;
}

/* Takes buf. */
static int reader_from_buffer(const char *name, uint8_t *buf, size_t len, struct btsnoop_reader **ret,
                              char **ret_error) {
        _cleanup_(btsnoop_reader_freep) struct btsnoop_reader *r = NULL;
        char errbuf[PCAP_ERRBUF_SIZE] = "";
        FILE *f;
        int k;

        r = calloc(1, sizeof(*r));
        if (!r) {
                free(buf);
                return -ENOMEM;
        }
        r->buf = buf;
        r->len = len;
        if (gunzip_magic(buf, len)) {
                uint8_t *plain;
                size_t plain_len;

                bool truncated = false;

                k = gunzip_buffer(buf, len, TRACE_MAX_SIZE, &plain, &plain_len, &truncated);
                if (k >= 0 && truncated) {
                        free(plain);
                        k = -EBADMSG;   /* a trace must be whole */
                }
                if (k < 0) {
                        set_error(ret_error, name, k == -EFBIG ? "gzip: inflates beyond 1 GiB"
                                                               : "gzip: corrupt or truncated");
                        return k;
                }
                free(r->buf);
                r->buf = plain;
                r->len = plain_len;
        }
        if (r->len == 0) {
                set_error(ret_error, name, "empty file");
                return -EBADMSG;
        }
        if (r->len >= 8 && memcmp(r->buf, "btsnoop\0", 8) == 0) {
                k = btsnoop_header_parse(r->buf, r->len, &r->datalink);
                if (k == -EPROTONOSUPPORT) {
                        set_error(ret_error, name,
                                  "btsnoop version or datalink not supported (expected version 1, "
                                  "datalink 1001, 1002 or 2001)");
                        return k;
                }
                if (k < 0) {
                        set_error(ret_error, name, "btsnoop header cut short");
                        return k;
                }
                r->offset = 16;
                *ret = TAKE_PTR(r);
                return 0;
        }

        f = fmemopen(r->buf, r->len, "rb");
        if (!f)
                return negative_errno();
        r->pcap = pcap_fopen_offline(f, errbuf);
        if (!r->pcap) {
                fclose(f);
                if (ret_error && asprintf(ret_error, "%s: not a btsnoop, pcap or pcapng file: %s", name,
                                          errbuf) < 0)
                        *ret_error = NULL;
                return -EBADMSG;
        }
        r->dlt = pcap_datalink(r->pcap);
        if (!dlt_supported(r->dlt)) {
                if (ret_error && asprintf(ret_error,
                                          "%s: link type %d (%s) is not a Bluetooth HCI or LE link layer "
                                          "one; expected 187, 201, 254 or 256",
                                          name, r->dlt, strna(pcap_datalink_val_to_name(r->dlt))) < 0)
                        *ret_error = NULL;
                return -EPROTONOSUPPORT;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

int btsnoop_reader_open_memory(const void *data, size_t len, struct btsnoop_reader **ret, char **ret_error) {
        uint8_t *buf;

        if (ret_error)
                *ret_error = NULL;
        buf = malloc(len ? len : 1);
        if (!buf)
                return -ENOMEM;
        if (len)
                memcpy(buf, data, len);
        return reader_from_buffer("<memory>", buf, len, ret, ret_error);
}

int btsnoop_reader_open(const char *path, struct btsnoop_reader **ret, char **ret_error) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_free_ uint8_t *data = NULL;
        size_t len = 0, cap = 0, n;

        if (ret_error)
                *ret_error = NULL;
        f = fopen(path, "rbe");
        if (!f) {
                int r = negative_errno();
                set_error(ret_error, path, strerror(-r));
                return r;
        }
        for (;;) {
                if (len == cap) {
                        uint8_t *d;

                        if (cap >= TRACE_MAX_SIZE) {
                                set_error(ret_error, path, "larger than 1 GiB");
                                return -EFBIG;
                        }
                        cap = cap ? cap * 2 : 65536;
                        d = realloc(data, cap);
                        if (!d)
                                return -ENOMEM;
                        data = d;
                }
                n = fread(data + len, 1, cap - len, f);
                len += n;
                if (n == 0) {
                        if (ferror(f)) {
                                set_error(ret_error, path, "read error");
                                return -EIO;
                        }
                        break;
                }
        }
        return reader_from_buffer(path, TAKE_PTR(data), len, ret, ret_error);
}

int btsnoop_reader_next(struct btsnoop_reader *r, struct btsnoop_record *ret) {
        struct btsnoop_record rec;
        int k;

        if (!r->pcap) {
                size_t size;

                if (r->offset >= r->len)
                        return 0;
                k = btsnoop_record_parse(r->datalink, r->buf + r->offset, r->len - r->offset, &rec, &size);
                if (k < 0) {
                        snprintf(r->error, sizeof(r->error),
                                 "record %" PRIu64 " at offset %zu is cut or corrupt", r->number + 1, r->offset);
                        r->offset = r->len;
                        return -EBADMSG;
                }
                r->offset += size;
                rec.number = ++r->number;
                *ret = rec;
                return 1;
        }
        for (;;) {
                struct pcap_pkthdr *h;
                const u_char *pkt;

                k = pcap_next_ex(r->pcap, &h, &pkt);
                if (k == PCAP_ERROR_BREAK)
                        return 0;
                if (k < 0) {
                        snprintf(r->error, sizeof(r->error), "packet %" PRIu64 ": %s", r->number + 1,
                                 pcap_geterr(r->pcap));
                        return -EBADMSG;
                }
                if (k == 0)
                        continue;
                r->number++;
                if (btsnoop_pcap_packet_parse(r->dlt, pkt, h->caplen, &rec) < 0) {
                        /* A packet too short for its pseudo header: yield it as
                         * "other" so numbering stays tshark's. */
                        rec = (struct btsnoop_record){ .type = BTSNOOP_TYPE_OTHER };
                }
                rec.truncated = rec.truncated || h->caplen < h->len;
                rec.number = r->number;
                rec.ts_usec = (uint64_t) h->ts.tv_sec * 1000000u + (uint64_t) h->ts.tv_usec;
                *ret = rec;
                return 1;
        }
}

const char *btsnoop_reader_error(struct btsnoop_reader *r) {
        return r->error;
}

const char *btsnoop_reader_format(const struct btsnoop_reader *r) {
        if (!r->pcap)
                switch (r->datalink) {
                case BTSNOOP_DATALINK_H4:
                        return "btsnoop H4";
                case BTSNOOP_DATALINK_HCI:
                        return "btsnoop HCI";
                default:
                        return "btsnoop monitor";
                }
        switch (r->dlt) {
        case BTSNOOP_DLT_H4:
                return "pcap H4";
        case BTSNOOP_DLT_H4_PHDR:
                return "pcap H4 with direction";
        case BTSNOOP_DLT_MONITOR:
                return "pcap Linux monitor";
        default:
                return "pcap LE link layer";
        }
}
