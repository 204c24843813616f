/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-data-jobs.h: moving a torrent's data to another folder, deleting
 * it (with its resume record) and renaming a file or folder of it, each
 * on the I/O pool behind the torrent's disk queue, so that no piece
 * still on its way lands in a folder that is gone.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-disk-queue.h"
#include "tsr-resume.h"
#include "tsr-storage.h"

G_BEGIN_DECLS

/* Deletes the resume record at @resume_path (nullable; a missing one is
 * fine) and, when @delete_data, @storage's files. @queue and @storage
 * may be NULL (a magnet still fetching has neither). */
void     tsr_data_delete_async  (TsrDiskQueue         *queue,
                                 TsrStorage           *storage,
                                 const char           *resume_path,
                                 gboolean              delete_data,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean tsr_data_delete_finish (GAsyncResult         *result,
                                 GError              **error);

/* Moves @storage's files under @destination (see tsr_storage_move_files)
 * and then writes @record (taken; nullable), rewritten for the new
 * folder: renames keep the files' times, so a restart trusts it instead
 * of rechecking. A record that cannot be written is only a warning. */
void     tsr_data_move_async    (TsrDiskQueue         *queue,
                                 TsrStorage           *storage,
                                 const char           *destination,
                                 TsrResumeRecord      *record,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean tsr_data_move_finish   (GAsyncResult         *result,
                                 GError              **error);

/* Renames @path (a file or folder of @storage's) to @new_name in place
 * (see tsr_storage_rename_path); @queue may be NULL. */
void     tsr_data_rename_async  (TsrDiskQueue         *queue,
                                 TsrStorage           *storage,
                                 const char           *path,
                                 const char           *new_name,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean tsr_data_rename_finish (GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
