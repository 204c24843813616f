/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage.h: a torrent's files on disk. Maps the torrent's byte
 * stream onto its (sanitized) files under the download folder, creates
 * them sparse and opens them lazily through a bounded descriptor cache.
 *
 * Pieces are written whole, after their hash is checked, on a worker
 * thread: one hash from memory and a few large pwrite()s instead of a
 * write per 16 KiB block. Blocks for uploads are read on worker threads
 * too. Nothing here blocks the main loop.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-metainfo.h"
#include "tsr-io-pool.h"
#include "tsr-storage-error.h"

G_BEGIN_DECLS

/* Descriptors kept open at most, per storage. */
#define TSR_STORAGE_MAX_OPEN_FILES 64

#define TSR_TYPE_STORAGE (tsr_storage_get_type ())
G_DECLARE_FINAL_TYPE (TsrStorage, tsr_storage, TSR, STORAGE, GObject)

TsrStorage  *tsr_storage_new               (TsrMetainfo    *info,
                                            const char     *folder);
TsrMetainfo *tsr_storage_get_metainfo      (TsrStorage     *self);
const char  *tsr_storage_get_folder        (TsrStorage     *self);
/* Descriptors open right now (for tests and the peers view). */
/* Descriptors replaced while in use and not yet closed (for tests). */
guint        tsr_storage_get_n_retired     (TsrStorage          *self);
guint        tsr_storage_get_n_open_files  (TsrStorage     *self);

/* Writes of whole blocks at aligned offsets from aligned buffers skip
 * the page cache (O_DIRECT), where the file system allows it; off by
 * default. Set before the first write. */
void         tsr_storage_set_direct_io     (TsrStorage     *self,
                                            gboolean        direct);

/* Blocking: from worker threads only. Pad files read as zeros and are
 * never written. */
gboolean     tsr_storage_write             (TsrStorage     *self,
                                            guint64         offset,
                                            const guint8   *data,
                                            gsize           length,
                                            GError        **error);
gboolean     tsr_storage_read              (TsrStorage     *self,
                                            guint64         offset,
                                            guint8         *out,
                                            gsize           length,
                                            GError        **error);

/* Checks @piece (all its bytes) against the torrent's hashes (v1 SHA-1,
 * v2 layer or root when known) and, when it matches, writes it.
 * finish returns FALSE with an error for I/O failures; *@hash_ok tells
 * whether the data matched (a mismatch writes nothing). */
void         tsr_storage_write_piece_async (TsrStorage          *self,
                                            guint                index,
                                            GBytes              *piece,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     tsr_storage_write_piece_finish (TsrStorage         *self,
                                             GAsyncResult       *result,
                                             gboolean           *hash_ok,
                                             GError            **error);

/* Reads a block for a peer. */
void         tsr_storage_read_block_async  (TsrStorage          *self,
                                            guint                index,
                                            guint32              begin,
                                            guint32              length,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GBytes      *tsr_storage_read_block_finish (TsrStorage          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Creates the torrent's empty files, which no piece ever writes.
 * Blocking, but cheap: one open per empty file. */
gboolean     tsr_storage_create_empty_files (TsrStorage         *self,
                                             GError            **error);

/* Closes every cached descriptor not in use, before the files move or
 * go (tsr-storage-files.h). Any thread. */
void         tsr_storage_close_idle_files  (TsrStorage          *self);

/* Whether @data is what piece @index must hold (pure; any thread). */
gboolean     tsr_storage_piece_matches     (TsrStorage          *self,
                                            guint                index,
                                            const guint8        *data,
                                            gsize                length);

G_END_DECLS
