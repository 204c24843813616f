/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-watch-folder.h: a folder whose .torrent files are added as they
 * appear (a GFileMonitor, and a scan when the folder is set). A file is
 * added once it has stayed the same size and age for a settling time (it
 * may still be being written), then renamed NAME.torrent.added or
 * deleted. A file that cannot be added is reported once and left alone
 * until it changes; one already in the library counts as added.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TSR_WATCH_FOLDER_RENAME,   /* NAME.torrent becomes NAME.torrent.added */
  TSR_WATCH_FOLDER_DELETE,
} TsrWatchFolderAfter;

/* Adds the torrent file at @path as the user would, without a dialog;
 * FALSE with @error set when it cannot. G_IO_ERROR_EXISTS (already in
 * the library) counts as added. */
typedef gboolean (*TsrWatchFolderAddFunc) (const char  *path,
                                           gpointer     user_data,
                                           GError     **error);

#define TSR_TYPE_WATCH_FOLDER (tsr_watch_folder_get_type ())
G_DECLARE_FINAL_TYPE (TsrWatchFolder, tsr_watch_folder, TSR, WATCH_FOLDER, GObject)

/* Signals: "added" (const char *path) after @add took a file;
 * "failed" (const char *path, const GError *error), once for a file
 * that could not be added, or added but not renamed or deleted. */
TsrWatchFolder *tsr_watch_folder_new            (TsrWatchFolderAddFunc  add,
                                                 gpointer               user_data);
/* Watches @folder (nullable: none) from now on; set again to scan again. */
void            tsr_watch_folder_set_folder     (TsrWatchFolder        *self,
                                                 const char            *folder);
void            tsr_watch_folder_set_after      (TsrWatchFolder        *self,
                                                 TsrWatchFolderAfter    after);
/* How long a file must stay unchanged before it is added (default
 * 1000 ms: added 1 to 2 s after its last write). */
void            tsr_watch_folder_set_settle_time (TsrWatchFolder       *self,
                                                  guint                 milliseconds);

G_END_DECLS
