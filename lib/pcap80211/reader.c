/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader half of pcap80211: libpcap for pcap/pcapng, zlib in front of
 * it for gzip, the pure frame.c functions for every packet. */

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "common/macros.h"
#include "lib/gunzip/gunzip.h"
#include "lib/pcap80211/pcap80211.h"

/* A capture inflated beyond this is refused rather than exhausting memory. */
#define GZIP_MAX_SIZE ((size_t) 1 << 30)

struct pcap80211_reader {
        pcap_t *pcap;
        void *buffer;                           /* backs the FILE of an in-memory capture */
        int dlt;
        struct pcap80211_stats stats;
};

struct pcap80211_reader *pcap80211_reader_free(struct pcap80211_reader *r) {
        if (!r)
                return NULL;
        if (r->pcap)
                pcap_close(r->pcap);            /* closes the FILE too */
        free(r->buffer);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct pcap80211_reader *, pcap80211_reader_free);

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static bool dlt_supported(int dlt) {
        return dlt == PCAP80211_DLT_IEEE802_11 || dlt == PCAP80211_DLT_RADIOTAP || dlt == PCAP80211_DLT_PPI ||
               dlt == PCAP80211_DLT_AVS || dlt == PCAP80211_DLT_PRISM;
}

/* Takes f (closed on failure too). */
static int reader_from_file(const char *name, FILE *f, void *buffer, struct pcap80211_reader **ret,
                            char **ret_error) {
        _cleanup_(pcap80211_reader_freep) struct pcap80211_reader *r = NULL;
        char errbuf[PCAP_ERRBUF_SIZE] = "";

        r = calloc(1, sizeof(*r));
        if (!r) {
                fclose(f);
                free(buffer);
                return -ENOMEM;
        }
        r->buffer = buffer;
        r->pcap = pcap_fopen_offline(f, errbuf);
        if (!r->pcap) {
                fclose(f);
                if (ret_error && asprintf(ret_error, "%s: not a pcap or pcapng capture: %s", name, errbuf) < 0)
                        *ret_error = NULL;
                return -EBADMSG;
        }
        r->dlt = pcap_datalink(r->pcap);
        if (!dlt_supported(r->dlt)) {
                if (ret_error && asprintf(ret_error,
                                          "%s: link type %d (%s) carries no 802.11; expected 802.11, "
                                          "radiotap, PPI, AVS or Prism",
                                          name, r->dlt, strna(pcap_datalink_val_to_name(r->dlt))) < 0)
                        *ret_error = NULL;
                return -EPROTONOSUPPORT;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

static int reader_from_memory(const char *name, const uint8_t *data, size_t len, bool copy,
                              uint8_t *owned, struct pcap80211_reader **ret, char **ret_error) {
        _cleanup_free_ uint8_t *buf = owned;
        size_t buf_len = len;
        FILE *f;
        int r;

        if (gunzip_magic(data, len)) {
                uint8_t *plain;

                /* A capture cut short is read up to the cut, as libpcap does. */
                r = gunzip_buffer(data, len, GZIP_MAX_SIZE, &plain, &buf_len, NULL);
                if (r < 0) {
                        if (ret_error && asprintf(ret_error, "%s: gzip: %s", name,
                                                  r == -EFBIG ? "inflates beyond 1 GiB" : "corrupt or truncated") < 0)
                                *ret_error = NULL;
                        return r;
                }
                free(buf);
                buf = plain;
        } else if (copy) {
                buf = malloc(len ? len : 1);
                if (!buf)
                        return -ENOMEM;
                memcpy(buf, data, len);
        }
        if (buf_len == 0) {
                if (ret_error && asprintf(ret_error, "%s: empty file", name) < 0)
                        *ret_error = NULL;
                return -EBADMSG;
        }
        f = fmemopen(buf, buf_len, "rb");
        if (!f)
                return negative_errno();
        return reader_from_file(name, f, TAKE_PTR(buf), ret, ret_error);
}

int pcap80211_reader_open_memory(const void *data, size_t len, struct pcap80211_reader **ret, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        return reader_from_memory("<memory>", data, len, true, NULL, ret, ret_error);
}

int pcap80211_reader_open(const char *path, struct pcap80211_reader **ret, char **ret_error) {
        _cleanup_(fclosep) FILE *f = NULL;
        uint8_t magic[2];
        size_t n;

        if (ret_error)
                *ret_error = NULL;
        f = fopen(path, "rbe");
        if (!f) {
                int r = negative_errno();
                if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        n = fread(magic, 1, sizeof(magic), f);
        if (gunzip_magic(magic, n)) {
                _cleanup_free_ uint8_t *data = NULL;
                size_t len = 0, cap = 0;

                /* Read it whole, then inflate it in memory. */
                rewind(f);
                for (;;) {
                        if (len == cap) {
                                uint8_t *d;

                                if (cap >= GZIP_MAX_SIZE)
                                        return -EFBIG;
                                cap = cap ? cap * 2 : 65536;
                                d = realloc(data, cap);
                                if (!d)
                                        return -ENOMEM;
                                data = d;
                        }
                        n = fread(data + len, 1, cap - len, f);
                        len += n;
                        if (n == 0) {
                                if (ferror(f))
                                        return -EIO;
                                break;
                        }
                }
                return reader_from_memory(path, data, len, false, NULL, ret, ret_error);
        }
        rewind(f);
        return reader_from_file(path, TAKE_PTR(f), NULL, ret, ret_error);
}

int pcap80211_reader_next(struct pcap80211_reader *r, struct pcap80211_frame *ret) {
        for (;;) {
                struct pcap_pkthdr *h;
                const u_char *pkt;
                size_t off, flen;
                int k;

                k = pcap_next_ex(r->pcap, &h, &pkt);
                if (k == PCAP_ERROR_BREAK)
                        return 0;
                if (k < 0)
                        return -EIO;
                if (k == 0)
                        continue;               /* only live captures time out */
                r->stats.packets++;
                if (pcap80211_link_strip(r->dlt, pkt, h->caplen, &off, &flen) < 0) {
                        r->stats.bad_link++;
                        continue;
                }
                k = pcap80211_mgmt_parse(pkt + off, flen, &ret->mgmt);
                if (k == -EBADMSG)
                        r->stats.short_mgmt++;
                if (k < 0)
                        continue;
                ret->number = r->stats.packets;
                ret->dlt = r->dlt;
                r->stats.frames++;
                return 1;
        }
}

const char *pcap80211_reader_error(struct pcap80211_reader *r) {
        return pcap_geterr(r->pcap);
}

void pcap80211_reader_stats(const struct pcap80211_reader *r, struct pcap80211_stats *ret) {
        *ret = r->stats;
}

int pcap80211_reader_dlt(const struct pcap80211_reader *r) {
        return r->dlt;
}
