/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-uploader.h: one torrent's uploads. Each connection's requests wait
 * here in the order asked and are read (through the torrent's read-ahead
 * cache, which the uploader owns) while the connection's outgoing data
 * stays under a watermark; choking refuses them but for the BEP 6
 * allowed-fast pieces, a cancel takes one back, a flood is reported.
 * The uploader knows a connection only as an opaque pointer, and speaks
 * to its owner only through a table of functions.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-peer-address.h"
#include "tsr-read-cache.h"
#include "tsr-storage.h"

G_BEGIN_DECLS

/* A connection's requests being served at once, at most: more close it. */
#define TSR_UPLOADER_MAX_QUEUED_REQUESTS 2500
/* Bytes read ahead for one connection and not yet sent: half a second of
 * its rate, within these bounds. */
#define TSR_UPLOADER_LOW_WATER (256 * 1024)
#define TSR_UPLOADER_HIGH_WATER (1024 * 1024)
/* BEP 6: pieces a newcomer may ask of us while choked. */
#define TSR_UPLOADER_ALLOWED_FAST 10
/* Bytes of pieces read ahead, per torrent. */
#define TSR_UPLOADER_READ_CACHE (8 * 1024 * 1024)

typedef struct _TsrUploader TsrUploader;
/* One connection's uploads: from tsr_uploader_add_peer() until
 * tsr_uploader_remove_peer(). Reads still in flight keep the record (not
 * the connection) alive, and land harmlessly once it was removed. */
typedef struct _TsrUploaderPeer TsrUploaderPeer;

/* How the uploader reports to its owner and asks about a connection
 * (@conn, as given to tsr_uploader_add_peer()); all on the main context.
 * No function is called for a connection once it was removed, but
 * read_failed. */
typedef struct
{
  void     (*send_block)        (gpointer      conn,
                                 guint32       index,
                                 guint32       begin,
                                 GBytes       *block,
                                 gpointer      user_data);
  /* BEP 6: only to a connection with the fast extension, not closed. */
  void     (*send_reject)       (gpointer      conn,
                                 guint32       index,
                                 guint32       begin,
                                 guint32       length,
                                 gpointer      user_data);
  void     (*send_allowed_fast) (gpointer      conn,
                                 guint32       index,
                                 gpointer      user_data);
  /* Bytes given to the connection and not written to its socket yet. */
  guint64  (*queued)            (gpointer      conn,
                                 gpointer      user_data);
  /* Its current facts: we choke it, it speaks BEP 6, it is closed, and
   * the bytes a second we send it. */
  gboolean (*choking)           (gpointer      conn,
                                 gpointer      user_data);
  gboolean (*fast)              (gpointer      conn,
                                 gpointer      user_data);
  gboolean (*closed)            (gpointer      conn,
                                 gpointer      user_data);
  guint64  (*up_rate)           (gpointer      conn,
                                 gpointer      user_data);
  /* @bytes of a block were sent. */
  void     (*uploaded)          (gsize         bytes,
                                 gpointer      user_data);
  /* The data could not be read (never for a cancellation): @error is a
   * TSR_STORAGE_ERROR or a G_IO_ERROR. */
  void     (*read_failed)       (const GError *error,
                                 gpointer      user_data);
  /* The connection asked for more than TSR_UPLOADER_MAX_QUEUED_REQUESTS
   * at once; @reason says so, for a person. */
  void     (*flood)             (gpointer      conn,
                                 const char   *reason,
                                 gpointer      user_data);
} TsrUploaderFuncs;

TsrUploader     *tsr_uploader_new         (const TsrUploaderFuncs *funcs,
                                           gpointer                user_data);
/* Reads in flight are dropped (their records are let go). */
void             tsr_uploader_free        (TsrUploader            *self);
/* Where the data is read from (NULL: nowhere yet, as a magnet's torrent
 * before its metainfo); a new read cache, reads in flight dropped. */
void             tsr_uploader_set_storage (TsrUploader            *self,
                                           TsrStorage             *storage);
/* The session's budget for the read caches (NULL: none); a new cache. */
void             tsr_uploader_set_group   (TsrUploader            *self,
                                           TsrReadCacheGroup      *group);
/* Drops the reads in flight and the cached pieces (the torrent stopped:
 * the data may change before it starts again). */
void             tsr_uploader_reset       (TsrUploader            *self);
/* Lets go of cached pieces no one asked for since @before (monotonic µs),
 * and of the cache itself once it holds and reads nothing. */
void             tsr_uploader_expire      (TsrUploader            *self,
                                           gint64                  before);
/* Whether a read cache exists now: made by the first read (for tests). */
gboolean         tsr_uploader_has_cache   (TsrUploader            *self);
gsize            tsr_uploader_get_cache_size (TsrUploader         *self);

TsrUploaderPeer *tsr_uploader_add_peer    (TsrUploader            *self,
                                           gpointer                conn);
/* Its waiting requests go; reads in flight for it land harmlessly. */
void             tsr_uploader_remove_peer (TsrUploader            *self,
                                           TsrUploaderPeer        *peer);

/* A request: queued, or refused when we choke it (but for an
 * allowed-fast piece) or @allowed is FALSE (a piece we do not have,
 * uploads paused). */
void             tsr_uploader_request     (TsrUploader            *self,
                                           TsrUploaderPeer        *peer,
                                           guint32                 index,
                                           guint32                 begin,
                                           guint32                 length,
                                           gboolean                allowed);
/* BEP 3: takes back a waiting request; one already read goes anyway. */
void             tsr_uploader_cancel      (TsrUploader            *self,
                                           TsrUploaderPeer        *peer,
                                           guint32                 index,
                                           guint32                 begin,
                                           guint32                 length);
/* We just choked it: its waiting requests are refused, but for
 * allowed-fast pieces. */
void             tsr_uploader_choked      (TsrUploader            *self,
                                           TsrUploaderPeer        *peer);
/* Its socket took data: more may be read. */
void             tsr_uploader_drained     (TsrUploader            *self,
                                           TsrUploaderPeer        *peer);
/* BEP 6: offers a newcomer (fewer than TSR_UPLOADER_ALLOWED_FAST pieces,
 * @their_count) at IPv4 @address the pieces of its canonical
 * allowed-fast set for @info_hash that we have (@ours), once. */
void             tsr_uploader_offer_fast  (TsrUploader            *self,
                                           TsrUploaderPeer        *peer,
                                           const TsrPeerAddress   *address,
                                           const guint8           *info_hash,
                                           const TsrBitfield      *ours,
                                           guint                   their_count);

/* Its requests being read, and waiting. */
guint            tsr_uploader_peer_get_reads   (TsrUploaderPeer   *peer);
guint            tsr_uploader_peer_get_waiting (TsrUploaderPeer   *peer);

G_END_DECLS
