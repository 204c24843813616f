/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-proto.h: the tracker server's side of the tracker protocols:
 * HTTP announce and scrape queries in (BEP 3, 23, 7, 48), bencoded replies
 * out (BEP 23, 7, 24), BEP 15 UDP requests in and replies out, and
 * stateless UDP connection ids. Codecs only: no sockets, no clock (the
 * caller passes the time).
 */
#pragma once

#include <glib.h>

#include "tessera-codec.h"

G_BEGIN_DECLS

#define TSR_TRACKER_PROTO_ERROR (tsr_tracker_proto_error_quark ())
GQuark tsr_tracker_proto_error_quark (void);

/* Codes of TSR_TRACKER_PROTO_ERROR. An HTTP error's message is meant to be
 * sent back as the reply's "failure reason"; a UDP error's as the text of
 * an error packet. */
typedef enum
{
  TSR_TRACKER_PROTO_ERROR_TOO_LONG,      /* query past TSR_TRACKER_MAX_QUERY */
  TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE,    /* '%' not followed by two hex digits */
  TSR_TRACKER_PROTO_ERROR_MISSING,       /* info_hash, peer_id or port absent */
  TSR_TRACKER_PROTO_ERROR_INVALID,       /* a value of the wrong size or form */
  TSR_TRACKER_PROTO_ERROR_TOO_MANY,      /* scrape: more hashes than allowed */
  TSR_TRACKER_PROTO_ERROR_TRUNCATED,     /* UDP: datagram shorter than its action needs */
  TSR_TRACKER_PROTO_ERROR_BAD_PROTOCOL,  /* UDP: connect without BEP 15's magic */
  TSR_TRACKER_PROTO_ERROR_BAD_ACTION,    /* UDP: an action a client does not send */
} TsrTrackerProtoError;

/* Longer queries are refused before they are read. Real announces are
 * about 300 bytes; a scrape of TSR_TRACKER_MAX_SCRAPE hashes, every byte
 * escaped ("&info_hash=" and 60 characters each), takes 18,176, and 2 KiB
 * more leave room for a passkey and the like. */
#define TSR_TRACKER_MAX_QUERY        4096
#define TSR_TRACKER_MAX_SCRAPE       256
#define TSR_TRACKER_MAX_SCRAPE_QUERY (TSR_TRACKER_MAX_SCRAPE * 71 + 2048)
/* BEP 15: 74 hashes fill a scrape reply in one 908-byte datagram. */
#define TSR_TRACKER_UDP_MAX_SCRAPE   74

/* ------------------------------------------------------------------ */
/* HTTP (BEP 3, 23, 7, 48)                                             */

typedef struct
{
  guint8           info_hash[20];
  guint8           peer_id[20];
  guint16          port;          /* 1-65535 */
  guint64          uploaded;      /* 0 when absent */
  guint64          downloaded;    /* 0 when absent */
  guint64          left;          /* 0 when absent */
  TsrAnnounceEvent event;         /* unknown events ("paused", BEP 21) read as NONE */
  gboolean         compact;       /* BEP 23: compact=1 */
  gboolean         no_peer_id;
  gint32           numwant;       /* -1 when absent or negative */
  char            *ip;            /* (nullable): the client's claimed address, as sent; not checked */
  char            *key;           /* (nullable) as sent when printable, else in hex (aria2 sends bytes) */
  char            *tracker_id;    /* (nullable): "trackerid" */
} TsrTrackerAnnounceQuery;

/* Parses the query part of an announce URL (after the '?', not decoded).
 * Keys may repeat: the last one wins. Unknown keys are ignored. */
TsrTrackerAnnounceQuery *tsr_tracker_announce_query_parse (const char               *query,
                                                           gsize                     length,
                                                           GError                  **error);
void                     tsr_tracker_announce_query_free  (TsrTrackerAnnounceQuery  *query);

/* BEP 48 scrape query: every info_hash value, in order, as 20-byte hashes
 * one after another (none: the client asks for every torrent). */
GBytes                  *tsr_tracker_scrape_query_parse   (const char               *query,
                                                           gsize                     length,
                                                           GError                  **error);

/* What the server says to one announce. */
typedef struct
{
  gint64                interval;       /* seconds */
  gint64                min_interval;   /* seconds; -1 to leave out */
  gint64                complete;       /* seeders */
  gint64                incomplete;     /* leechers */
  const char           *tracker_id;     /* (nullable) */
  const char           *warning_message;/* (nullable) */
  const TsrPeerAddress *peers;          /* (array length=n_peers) */
  const guint8         *peer_ids;       /* (nullable) (array length=n_peers * 20): dictionary form only */
  guint                 n_peers;
  gboolean              compact;        /* BEP 23/7: "peers" and "peers6" strings */
  gboolean              no_peer_id;     /* dictionary form: leave "peer id" out */
  const TsrPeerAddress *external_ip;    /* (nullable): BEP 24, the client's address as seen */
} TsrTrackerAnnounceReply;

typedef struct
{
  guint8  info_hash[20];
  gint64  complete;      /* seeders */
  gint64  downloaded;    /* completed downloads */
  gint64  incomplete;    /* leechers */
} TsrTrackerScrapeEntry;

GBytes   *tsr_tracker_announce_reply_encode (const TsrTrackerAnnounceReply *reply);
GBytes   *tsr_tracker_scrape_reply_encode   (const TsrTrackerScrapeEntry   *entries,
                                             guint                          n_entries);
/* {"failure reason": @reason} */
GBytes   *tsr_tracker_failure_reply_encode  (const char                    *reason);

/* ------------------------------------------------------------------ */
/* UDP (BEP 15)                                                        */

typedef struct
{
  TsrUdpAction     action;          /* CONNECT, ANNOUNCE or SCRAPE */
  guint32          transaction_id;
  guint64          connection_id;   /* ANNOUNCE, SCRAPE: still to be checked */
  /* ANNOUNCE */
  guint8           info_hash[20];
  guint8           peer_id[20];
  guint64          downloaded;
  guint64          left;
  guint64          uploaded;
  TsrAnnounceEvent event;
  guint8           ip[4];           /* 0.0.0.0: the sender's */
  guint32          key;
  gint32           num_want;        /* -1: the tracker's default */
  guint16          port;
  /* SCRAPE */
  guint            n_hashes;        /* 1 to TSR_TRACKER_UDP_MAX_SCRAPE */
  guint8           info_hashes[TSR_TRACKER_UDP_MAX_SCRAPE][20];
} TsrTrackerUdpRequest;

/* Parses a request datagram. On failure @request->transaction_id is still
 * set when the datagram has one (16 bytes or more), so that the error can
 * be answered; it is 0 otherwise. */
gboolean  tsr_tracker_udp_request_parse     (const guint8          *data,
                                             gsize                  length,
                                             TsrTrackerUdpRequest  *request,
                                             GError               **error);

void      tsr_tracker_udp_write_connect     (GByteArray            *out,
                                             guint32                transaction_id,
                                             guint64                connection_id);
/* Only @peers of @family (4: 6-byte entries, 6: 18-byte; the family the
 * request came over) are written; the caller keeps the datagram small. */
void      tsr_tracker_udp_write_announce    (GByteArray            *out,
                                             guint32                transaction_id,
                                             guint32                interval,
                                             guint32                leechers,
                                             guint32                seeders,
                                             const TsrPeerAddress  *peers,
                                             guint                  n_peers,
                                             guint                  family);
/* Counts past 2^32 - 1 are written as 2^32 - 1. */
void      tsr_tracker_udp_write_scrape      (GByteArray            *out,
                                             guint32                transaction_id,
                                             const TsrTrackerScrapeEntry *entries,
                                             guint                  n_entries);
void      tsr_tracker_udp_write_error       (GByteArray            *out,
                                             guint32                transaction_id,
                                             const char            *message);

/* ------------------------------------------------------------------ */
/* UDP connection ids without state                                    */

/* An id is the first 8 bytes of HMAC-SHA256 (key, family || address ||
 * port || minute number): only the holder of the key can make one, and
 * it is good for one address and port. It is accepted in the minute it
 * was made and the next (BEP 15: at least a minute, here 60 to 120 s). */
#define TSR_CONNECTION_ID_WINDOW 60

typedef struct _TsrConnectionIds TsrConnectionIds;

TsrConnectionIds *tsr_connection_ids_new   (const guint8      key[32]);
void              tsr_connection_ids_free  (TsrConnectionIds *self);
/* @family 4 (@address 4 bytes) or 6 (16 bytes); @now in seconds, >= 0. */
guint64           tsr_connection_ids_make  (TsrConnectionIds *self,
                                            guint             family,
                                            const guint8     *address,
                                            guint16           port,
                                            gint64            now);
gboolean          tsr_connection_ids_check (TsrConnectionIds *self,
                                            guint             family,
                                            const guint8     *address,
                                            guint16           port,
                                            guint64           connection_id,
                                            gint64            now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTrackerAnnounceQuery, tsr_tracker_announce_query_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrConnectionIds, tsr_connection_ids_free)

G_END_DECLS
