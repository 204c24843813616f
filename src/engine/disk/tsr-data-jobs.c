/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-data-jobs.c: the whole-torrent disk jobs. Each is fenced on the
 * disk queue: a piece being hashed or written when the user moves,
 * removes or renames the torrent lands in the old place first, and is
 * then moved, deleted or renamed with the rest.
 */
#define G_LOG_DOMAIN "tsr-data-jobs"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "tsr-data-jobs.h"
#include "tsr-storage-files.h"

typedef struct
{
  TsrStorage *storage;      /* (owned) (nullable) */
  char       *resume_path;  /* (owned) (nullable) */
  gboolean    delete_data;
} DeleteJob;

static void
delete_job_free (DeleteJob *job)
{
  g_clear_object (&job->storage);
  g_free (job->resume_path);
  g_free (job);
}

static void
delete_run (GTask *task)
{
  DeleteJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (job->resume_path != NULL && g_unlink (job->resume_path) != 0 && errno != ENOENT)
    g_warning ("Cannot delete resume data “%s”: %s", job->resume_path, g_strerror (errno));
  if (job->delete_data && job->storage != NULL && !tsr_storage_delete_files (job->storage, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tsr_data_delete_async (TsrDiskQueue        *queue,
                       TsrStorage          *storage,
                       const char          *resume_path,
                       gboolean             delete_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DeleteJob *job = g_new0 (DeleteJob, 1);

  g_task_set_source_tag (task, tsr_data_delete_async);
  job->storage = storage != NULL ? g_object_ref (storage) : NULL;
  job->resume_path = g_strdup (resume_path);
  job->delete_data = delete_data;
  g_task_set_task_data (task, job, (GDestroyNotify) delete_job_free);
  tsr_disk_queue_fence (queue, task, delete_run);
}

gboolean
tsr_data_delete_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  TsrStorage      *storage;       /* (owned) */
  char            *destination;   /* (owned) */
  TsrResumeRecord *record;        /* (owned) (nullable) */
} MoveJob;

static void
move_job_free (MoveJob *job)
{
  g_object_unref (job->storage);
  g_free (job->destination);
  g_clear_pointer (&job->record, tsr_resume_record_free);
  g_free (job);
}

static void
move_run (GTask *task)
{
  MoveJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tsr_storage_move_files (job->storage, job->destination, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->record != NULL && !tsr_resume_record_write (job->record, &error))
    {
      g_warning ("Cannot save resume data: %s", error->message);
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

void
tsr_data_move_async (TsrDiskQueue        *queue,
                     TsrStorage          *storage,
                     const char          *destination,
                     TsrResumeRecord     *record,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  MoveJob *job = g_new0 (MoveJob, 1);

  g_task_set_source_tag (task, tsr_data_move_async);
  job->storage = g_object_ref (storage);
  job->destination = g_strdup (destination);
  job->record = record;
  if (record != NULL)
    {
      g_autofree char *canonical = g_canonicalize_filename (destination, NULL);

      tsr_resume_record_set_folder (record, canonical);
    }
  g_task_set_task_data (task, job, (GDestroyNotify) move_job_free);
  tsr_disk_queue_fence (queue, task, move_run);
}

gboolean
tsr_data_move_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  TsrStorage *storage;    /* (owned) */
  char       *path;       /* (owned) */
  char       *new_name;   /* (owned) */
} RenameJob;

static void
rename_job_free (RenameJob *job)
{
  g_object_unref (job->storage);
  g_free (job->path);
  g_free (job->new_name);
  g_free (job);
}

static void
rename_run (GTask *task)
{
  RenameJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tsr_storage_rename_path (job->storage, job->path, job->new_name, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tsr_data_rename_async (TsrDiskQueue        *queue,
                       TsrStorage          *storage,
                       const char          *path,
                       const char          *new_name,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RenameJob *job = g_new0 (RenameJob, 1);

  g_task_set_source_tag (task, tsr_data_rename_async);
  job->storage = g_object_ref (storage);
  job->path = g_strdup (path);
  job->new_name = g_strdup (new_name);
  g_task_set_task_data (task, job, (GDestroyNotify) rename_job_free);
  tsr_disk_queue_fence (queue, task, rename_run);
}

gboolean
tsr_data_rename_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
