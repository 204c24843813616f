/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-store.h: how the library's files reach the disk — the
 * index (torrents.json) and the copies of added torrent files — off the
 * main loop, in an order a crash cannot break: a copy queued before an
 * index text is on disk before that index is.
 *
 * Index texts are made on the main thread (they read the torrents) by
 * the owner's TextFunc, at most once per turn of the loop, and, while
 * changes keep coming, at most once per TSR_LIBRARY_STORE_INTERVAL_MS: a
 * client adding five thousand torrents one request after another makes
 * a few dozen texts, not five thousand (each one lists every torrent).
 * Used by tsr-library.c only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TSR_LIBRARY_STORE_INTERVAL_MS 500

typedef struct _TsrLibraryStore TsrLibraryStore;

/* The index as text (owned by the caller), made on the main thread. */
typedef char *(*TsrLibraryStoreTextFunc) (gpointer user_data);

/* @owner (a TsrLibrary) is the source object of the store's I/O tasks,
 * which keep it, and so the store, alive until they are done. */
TsrLibraryStore *tsr_library_store_new        (GObject                 *owner,
                                               const char              *folder,
                                               const char              *index_path,
                                               TsrLibraryStoreTextFunc  text_func);
void             tsr_library_store_free       (TsrLibraryStore         *store);

/* Queues @bytes to be written to @path (0600) before the next index. */
void             tsr_library_store_keep_copy  (TsrLibraryStore         *store,
                                               const char              *path,
                                               GBytes                  *bytes);
/* A change: an index text soon (see above), written on the I/O pool. */
void             tsr_library_store_save_soon  (TsrLibraryStore         *store);
/* The index now, on the I/O pool, whatever is scheduled (shutdown). */
void             tsr_library_store_flush      (TsrLibraryStore         *store);
/* Blocking: the queued copies and the index now, on this thread. */
gboolean         tsr_library_store_save       (TsrLibraryStore         *store,
                                               GError                 **error);
/* While TRUE (restoring, shutting down) changes write nothing. */
void             tsr_library_store_set_paused (TsrLibraryStore         *store,
                                               gboolean                 paused);
/* Whether writes are scheduled or on their way to disk. */
gboolean         tsr_library_store_is_busy    (TsrLibraryStore         *store);

G_END_DECLS
