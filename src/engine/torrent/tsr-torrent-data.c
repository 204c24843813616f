/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-data.c: a torrent's data and its resume record: its
 * folder (and another before there is data), where the record is kept
 * and writing it now or soon, the pieces on their way to disk, and
 * moving the data or forgetting it (the record, and the files if asked)
 * over the disk queue, so that pieces on their way to disk land first
 * (disk/tsr-data-jobs.c). It sees the torrent only through
 * tsr-torrent-parts-private.h.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-data-jobs.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-torrent.h"

static TsrResumeStore *
resume_of (TsrTorrent *self)
{
  return tsr_torrent_disk_get_resume (_tsr_torrent_get_disk (self));
}

const char *
tsr_torrent_get_folder (TsrTorrent *self)
{
  return tsr_torrent_disk_get_folder (_tsr_torrent_get_disk (self));
}

/* Only where nothing is yet: TsrTorrentDisk makes the storage anew, and
 * tells the torrent, whose uploads and hash requests read through it. */
gboolean
tsr_torrent_set_folder (TsrTorrent  *self,
                        const char  *folder,
                        GError     **error)
{
  TsrTorrentState state = tsr_torrent_get_state (self);
  TsrTorrentDisk *disk = _tsr_torrent_get_disk (self);

  if ((state != TSR_TORRENT_STOPPED && state != TSR_TORRENT_QUEUED) ||
      tsr_disk_queue_get_pending (tsr_torrent_disk_get_queue (disk)) > 0 ||
      tsr_bitfield_count (tsr_swarm_get_have (_tsr_torrent_get_swarm (self))) > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("The folder of a running torrent, or of one with data, is changed by moving its data"));
      return FALSE;
    }
  tsr_torrent_disk_set_folder (disk, folder);
  return TRUE;
}

void
tsr_torrent_save_resume_soon (TsrTorrent *self)
{
  tsr_torrent_disk_save_soon (_tsr_torrent_get_disk (self));
}

void
tsr_torrent_set_state_folder (TsrTorrent *self,
                              const char *folder)
{
  tsr_resume_store_set_state_folder (resume_of (self), folder);
}

gboolean
tsr_torrent_save_resume (TsrTorrent  *self,
                         GError     **error)
{
  return tsr_resume_store_save_now (resume_of (self), error);
}

guint
tsr_torrent_get_pending_writes (TsrTorrent *self)
{
  return tsr_disk_queue_get_pending (tsr_torrent_disk_get_queue (_tsr_torrent_get_disk (self)));
}

/* Removing ---------------------------------------------------------- */

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (tsr_data_delete_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tsr_torrent_forget_async (TsrTorrent          *self,
                          gboolean             delete_data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TsrTorrentDisk *disk = _tsr_torrent_get_disk (self);
  g_autofree char *resume_path = NULL;

  g_task_set_source_tag (task, tsr_torrent_forget_async);
  tsr_torrent_stop (self);
  /* A magnet still fetching has neither data nor record. */
  resume_path = tsr_resume_store_dup_path (resume_of (self));
  /* Never saved again: the record is about to go. */
  tsr_resume_store_set_state_folder (resume_of (self), NULL);
  tsr_data_delete_async (tsr_torrent_disk_get_queue (disk), tsr_torrent_disk_get_storage (disk), resume_path,
                         delete_data, NULL, on_deleted, task);
}

gboolean
tsr_torrent_forget_finish (TsrTorrent    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Moving ------------------------------------------------------------ */

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsrTorrent *self = g_task_get_source_object (task);
  gboolean was_running = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;

  if (tsr_data_move_finish (result, &error))
    tsr_torrent_disk_moved (_tsr_torrent_get_disk (self));
  if (was_running)
    tsr_torrent_start (self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tsr_torrent_move_data_async (TsrTorrent          *self,
                             const char          *folder,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TsrTorrentDisk *disk = _tsr_torrent_get_disk (self);
  gboolean was_running;

  g_task_set_source_tag (task, tsr_torrent_move_data_async);
  if (!tsr_torrent_has_metainfo (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The torrent’s files are not known yet"));
      g_object_unref (task);
      return;
    }
  was_running = tsr_torrent_get_state (self) != TSR_TORRENT_STOPPED &&
                tsr_torrent_get_state (self) != TSR_TORRENT_ERROR;
  g_task_set_task_data (task, GINT_TO_POINTER (was_running), NULL);
  tsr_torrent_stop (self);
  /* Pieces on their way to disk land in the old place first; on_moved
   * restarts the torrent and then answers the caller. */
  tsr_data_move_async (tsr_torrent_disk_get_queue (disk), tsr_torrent_disk_get_storage (disk), folder,
                       tsr_resume_store_snapshot (tsr_torrent_disk_get_resume (disk)), NULL, on_moved, task);
}

gboolean
tsr_torrent_move_data_finish (TsrTorrent    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
