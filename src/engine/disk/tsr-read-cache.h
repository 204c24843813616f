/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-read-cache.h: the seed's read-ahead. A request for one block reads
 * its whole piece on a worker thread; the blocks peers ask for next come
 * from memory. Peers ask for a piece's blocks in order, so one large read
 * replaces dozens of small ones and their trips through the thread pool.
 * Pieces are kept, least recently used first out, within a byte budget.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-storage.h"

G_BEGIN_DECLS

typedef struct _TsrReadCache TsrReadCache;

/* A byte budget shared by the read caches of a session: when their
 * pieces together pass it, the least recently used piece of any of them
 * goes first. Main-thread only. */
typedef struct _TsrReadCacheGroup TsrReadCacheGroup;

TsrReadCacheGroup *tsr_read_cache_group_new      (gsize              budget);
TsrReadCacheGroup *tsr_read_cache_group_ref      (TsrReadCacheGroup *self);
void               tsr_read_cache_group_unref    (TsrReadCacheGroup *self);
/* Bytes held by all its caches now. */
gsize              tsr_read_cache_group_get_size (TsrReadCacheGroup *self);

/* Called once per request, on the main context: @block is a slice of the
 * piece (NULL with @error set when the read failed or was cancelled). */
typedef void (*TsrReadCacheFunc) (GBytes       *block,
                                  const GError *error,
                                  gpointer      user_data);

/* Keeps at most @budget bytes of pieces, and stays within @group's
 * budget with the group's other caches; pieces larger than a quarter of
 * @budget are read block by block, uncached. */
TsrReadCache *tsr_read_cache_new      (TsrStorage       *storage,
                                       gsize             budget,
                                       TsrReadCacheGroup *group);
/* Pending requests get their @destroy, never their @func. */
void          tsr_read_cache_free     (TsrReadCache     *self);

/* Reads @length bytes at @begin of piece @index: at once when the piece
 * is in memory (before this returns), else once it is read. */
void          tsr_read_cache_get      (TsrReadCache     *self,
                                       guint             index,
                                       guint32           begin,
                                       guint32           length,
                                       TsrReadCacheFunc  func,
                                       gpointer          user_data,
                                       GDestroyNotify    destroy);
/* Lets go of the pieces no one asked for since @before (monotonic µs):
 * a torrent whose peers went quiet holds no memory for them. */
void          tsr_read_cache_expire   (TsrReadCache     *self,
                                       gint64            before);
/* Holds no piece and reads none: freeing it loses nothing. */
gboolean      tsr_read_cache_is_idle  (TsrReadCache     *self);
/* Bytes of pieces held now, and reads from disk so far (for tests). */
gsize         tsr_read_cache_get_size    (TsrReadCache  *self);
guint         tsr_read_cache_get_n_reads (TsrReadCache  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrReadCache, tsr_read_cache_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrReadCacheGroup, tsr_read_cache_group_unref)

G_END_DECLS
