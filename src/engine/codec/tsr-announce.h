/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-announce.h: tracker protocol codecs, shared by the tracker clients
 * and the tracker server: HTTP announce URLs and replies (BEP 3, compact
 * peers BEP 23, IPv6 peers BEP 7, external IP BEP 24), scrape (BEP 48),
 * and UDP tracker packets (BEP 15). Codecs only: no sockets, no timers.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

#define TSR_ANNOUNCE_ERROR (tsr_announce_error_quark ())
GQuark tsr_announce_error_quark (void);

typedef enum
{
  TSR_ANNOUNCE_ERROR_MALFORMED,      /* not a tracker reply */
  TSR_ANNOUNCE_ERROR_BAD_PEERS,      /* peers of a size that is not a multiple of 6 or 18 */
  TSR_ANNOUNCE_ERROR_WRONG_ACTION,   /* UDP: an action we did not ask for */
  TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION, /* UDP: a reply to another request */
  TSR_ANNOUNCE_ERROR_TRACKER,        /* UDP: the tracker's own error message */
  TSR_ANNOUNCE_ERROR_TOO_LARGE,      /* more than TSR_ANNOUNCE_MAX_VALUES values */
} TsrAnnounceError;

typedef enum
{
  TSR_ANNOUNCE_EVENT_NONE,
  TSR_ANNOUNCE_EVENT_COMPLETED,
  TSR_ANNOUNCE_EVENT_STARTED,
  TSR_ANNOUNCE_EVENT_STOPPED,
} TsrAnnounceEvent;   /* in BEP 15's numbering */

typedef struct
{
  guint8           info_hash[20];
  guint8           peer_id[20];
  guint16          port;
  guint64          uploaded;
  guint64          downloaded;
  guint64          left;
  TsrAnnounceEvent event;
  guint32          key;
  gint32           numwant;       /* -1: the tracker's default */
  const char      *tracker_id;    /* (nullable): from an earlier reply */
} TsrAnnounceRequest;

/* Peers taken from one reply, compact, dictionaries and IPv6 together;
 * the rest are ignored. We ask for 200 (numwant): five times that leaves
 * room for trackers that ignore it, and a reply of hundreds of thousands
 * costs no more than this. */
#define TSR_ANNOUNCE_MAX_PEERS 1000

/* Bencoded values (keys counted) an HTTP reply may hold before it is
 * decoded. Each costs about 140 bytes once decoded: 2 MiB of empty
 * dictionaries would be 140 MB. A thousand peers with ids are 7000;
 * this bounds a decoded reply near 14 MB. */
#define TSR_ANNOUNCE_MAX_VALUES 100000

/* A peer of a reply: its address, and the "peer id" the dictionary form
 * may give with it. */
typedef struct
{
  TsrPeerAddress address;
  gboolean       has_peer_id;
  guint8         peer_id[20];
} TsrAnnouncePeer;

typedef struct
{
  char    *failure_reason;   /* (nullable): the tracker refused; nothing else is set */
  char    *warning_message;  /* (nullable) */
  gint64   interval;         /* seconds, -1 when absent */
  gint64   min_interval;     /* seconds, -1 when absent */
  char    *tracker_id;       /* (nullable) */
  gint64   complete;         /* seeders, -1 when absent */
  gint64   incomplete;       /* leechers, -1 when absent */
  GArray  *peers;            /* (element-type TsrAnnouncePeer) */
  gboolean has_external_ip;  /* BEP 24 */
  TsrPeerAddress external_ip;
} TsrAnnounceReply;

/* The announce URL for @request: @announce_url with the query appended
 * (after its own query, if any), binary values percent-encoded. */
char             *tsr_announce_build_url   (const char               *announce_url,
                                            const TsrAnnounceRequest *request);
TsrAnnounceReply *tsr_announce_reply_parse (GBytes                   *body,
                                            GError                  **error);
void              tsr_announce_reply_free  (TsrAnnounceReply         *reply);

/* Parses BEP 23 compact peers (6 bytes each) or BEP 7 peers6 (18 bytes)
 * and appends them to @peers (of TsrAnnouncePeer), until it holds
 * TSR_ANNOUNCE_MAX_PEERS. */
gboolean          tsr_peers_parse_compact  (const guint8             *data,
                                            gsize                     length,
                                            guint                     family,
                                            GArray                   *peers,
                                            GError                  **error);

/* BEP 48 scrape: the URL (NULL when the announce URL's last path part does
 * not start with "announce") and the reply's counts for one info hash. */
char             *tsr_scrape_build_url     (const char               *announce_url,
                                            const guint8             *info_hash);
gboolean          tsr_scrape_reply_parse   (GBytes                   *body,
                                            const guint8             *info_hash,
                                            gint64                   *complete,
                                            gint64                   *incomplete,
                                            gint64                   *downloaded,
                                            GError                  **error);

/* ------------------------------------------------------------------ */
/* UDP trackers (BEP 15)                                               */

#define TSR_UDP_PROTOCOL_ID  G_GUINT64_CONSTANT (0x41727101980)

typedef enum
{
  TSR_UDP_CONNECT  = 0,
  TSR_UDP_ANNOUNCE = 1,
  TSR_UDP_SCRAPE   = 2,
  TSR_UDP_ERROR    = 3,
} TsrUdpAction;

void      tsr_udp_write_connect        (GByteArray               *out,
                                        guint32                   transaction_id);
void      tsr_udp_write_announce       (GByteArray               *out,
                                        guint64                   connection_id,
                                        guint32                   transaction_id,
                                        const TsrAnnounceRequest *request);
void      tsr_udp_write_scrape         (GByteArray               *out,
                                        guint64                   connection_id,
                                        guint32                   transaction_id,
                                        const guint8             *info_hashes,
                                        guint                     n_hashes);
gboolean  tsr_udp_parse_connect        (const guint8             *data,
                                        gsize                     length,
                                        guint32                   transaction_id,
                                        guint64                  *connection_id,
                                        GError                  **error);
/* @family: 6 when the reply came over IPv6 (18-byte peers), else 4. */
TsrAnnounceReply *tsr_udp_parse_announce (const guint8           *data,
                                          gsize                   length,
                                          guint32                 transaction_id,
                                          guint                   family,
                                          GError                **error);
/* The first hash's counts of a scrape reply (or the tracker's error). */
gboolean  tsr_udp_parse_scrape         (const guint8             *data,
                                        gsize                     length,
                                        guint32                   transaction_id,
                                        gint64                   *complete,
                                        gint64                   *downloaded,
                                        gint64                   *incomplete,
                                        GError                  **error);
/* BEP 15 retransmission: 15 * 2^n seconds for attempt n (0-8). */
guint     tsr_udp_timeout_seconds      (guint                     attempt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrAnnounceReply, tsr_announce_reply_free)

G_END_DECLS
