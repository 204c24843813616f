/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seed.h: downloads whole pieces from an HTTP(S) server: BEP 19
 * web seeds (url-list: the torrent's files on a plain web server, read
 * with Range requests) and BEP 17 HTTP seeds (httpseeds: a script that
 * answers ?info_hash=…&piece=N).
 *
 * A TsrWebSeed fetches one piece at a time. It does not hash: the caller
 * checks the piece (tsr_storage_write_piece_async does). It does check
 * that every reply has exactly the bytes asked for, and after a failure
 * it says when it may be asked again.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "tsr-metainfo.h"

G_BEGIN_DECLS

#define TSR_WEB_SEED_ERROR (tsr_web_seed_error_quark ())
GQuark tsr_web_seed_error_quark (void);

typedef enum
{
  TSR_WEB_SEED_ERROR_BAD_URL,        /* the seed's URL cannot make a request */
  TSR_WEB_SEED_ERROR_UNSUPPORTED,    /* BEP 17 needs a v1 info hash */
  TSR_WEB_SEED_ERROR_BUSY,           /* a fetch is already running */
  TSR_WEB_SEED_ERROR_HTTP_STATUS,    /* a status other than 200 or 206 */
  TSR_WEB_SEED_ERROR_UNAVAILABLE,    /* 503: come back later (see retry_at) */
  TSR_WEB_SEED_ERROR_BAD_LENGTH,     /* a body or file longer or shorter than asked */
  TSR_WEB_SEED_ERROR_BAD_RANGE,      /* Content-Range missing or not the range asked */
  TSR_WEB_SEED_ERROR_REDIRECT_LOOP,  /* too many redirects */
  TSR_WEB_SEED_ERROR_TIMED_OUT,      /* the piece took longer than TSR_WEB_SEED_MIN_RATE allows */
} TsrWebSeedError;

/* Back-off after failures: 30 s, doubling up to an hour. */
#define TSR_WEB_SEED_RETRY_MIN 30
#define TSR_WEB_SEED_RETRY_MAX 3600
/* Bytes a second a piece must come at, at least: a fetch has the
 * session's timeout plus a second for every TSR_WEB_SEED_MIN_RATE bytes
 * of the piece (76 s for 256 KiB with our 60 s), however the server
 * spaces its bytes to keep the connection alive. */
#define TSR_WEB_SEED_MIN_RATE (16 * 1024)

/* A server's Retry-After (or BEP 17 wait) is honoured up to a day. */
#define TSR_WEB_SEED_RETRY_AFTER_MAX (24 * 3600)

#define TSR_TYPE_WEB_SEED (tsr_web_seed_get_type ())
G_DECLARE_FINAL_TYPE (TsrWebSeed, tsr_web_seed, TSR, WEB_SEED, GObject)

/* @http_seed: TRUE for a BEP 17 httpseeds URL, FALSE for BEP 19 url-list.
 * @session: (nullable): shared with others; NULL makes one of our own
 * (60 s timeout, no proxy: like trackers and peers). */
TsrWebSeed  *tsr_web_seed_new               (TsrMetainfo          *info,
                                             const char           *url,
                                             gboolean              http_seed,
                                             SoupSession          *session);
const char  *tsr_web_seed_get_url           (TsrWebSeed           *self);
gboolean     tsr_web_seed_is_http_seed      (TsrWebSeed           *self);

/* Fetches piece @index: exactly tsr_metainfo_get_piece_size() bytes.
 * BEP 19 asks each file the piece spans for its range in turn (pad files
 * are zeros, empty files are not asked); BEP 17 asks for the piece.
 * One fetch at a time: a fetch while another runs fails at once with
 * TSR_WEB_SEED_ERROR_BUSY (and does not count as a failure). A fetch
 * during the back-off is not refused: the caller asks is_ready first.
 * Cancelling fails with G_IO_ERROR_CANCELLED, which is no failure either. */
void         tsr_web_seed_fetch_piece_async  (TsrWebSeed          *self,
                                              guint                index,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GBytes      *tsr_web_seed_fetch_piece_finish (TsrWebSeed          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

gboolean     tsr_web_seed_is_busy           (TsrWebSeed           *self);
/* When the seed may be asked again, in g_get_monotonic_time() seconds;
 * 0 when the last fetch succeeded (or none failed yet). */
gint64       tsr_web_seed_get_retry_at      (TsrWebSeed           *self);
/* Failures since the last success. */
guint        tsr_web_seed_get_n_failures    (TsrWebSeed           *self);
/* Not busy and not backing off at @now (monotonic seconds). */
gboolean     tsr_web_seed_is_ready          (TsrWebSeed           *self,
                                             gint64                now);
/* Body bytes read from the server so far (all of them, for rates). */
guint64      tsr_web_seed_get_bytes_received (TsrWebSeed          *self);

/* BEP 19: the URL of file @index (percent-encoded), or NULL for a pad
 * file or a BEP 17 seed. */
char        *tsr_web_seed_dup_file_url      (TsrWebSeed           *self,
                                             guint                 index);

G_END_DECLS
