/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-disk.c: a torrent's data on disk. Each check is a record
 * of its own that owns its hash job until the worker is done with it: a
 * check cancelled (a stop, a new check, the torrent gone) still returns
 * on the main context, finds its owner gone or moved on, and reports
 * nothing. Checks take turns, a few at a time for the whole process: a
 * library of thousands started at once would otherwise read every
 * resume record and make every hash job, with their tasks, file lists
 * and the workers' replies, at once (about 1 KiB a torrent, and what the
 * heap grows to stays); a waiting check is its record alone.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include "tsr-torrent-disk.h"
#include "tsr-verifier.h"

typedef struct _Check Check;

struct _TsrTorrentDisk
{
  char                      *folder;       /* (owned) */
  TsrMetainfo               *info;         /* (owned) (nullable) */
  TsrMetainfo               *disk_info;    /* (owned) (nullable) info with the files' renamed paths, or info */
  TsrStorage                *storage;      /* (owned) (nullable) made with the metainfo */
  TsrDiskQueue              *queue;        /* (owned) (nullable) pieces on their way to disk; made by the first */
  TsrResumeStore            *resume;       /* (owned) when and where the resume record is written */
  GCancellable              *cancellable;  /* (owned) (nullable) of the check running */
  Check                     *check;        /* (nullable) the check running; it owns itself */
  const TsrTorrentDiskFuncs *funcs;
  gpointer                   user_data;
};

struct _Check
{
  TsrTorrentDisk *owner;   /* (nullable) NULL once cancelled or its owner gone */
  TsrHashJob     *job;     /* (owned) (nullable) hashing, else reading the resume record */
  gboolean        hash;    /* hash even when a resume record exists */
};

/* Each hash job runs on every processor already, but a check waits on a
 * worker twice and on the main context between: with fewer in flight,
 * 5000 idle torrents (tests/bench/limits.sh) load twice as slowly. */
#define CHECKS_AT_ONCE TSR_TORRENT_DISK_CHECKS_AT_ONCE

/* The main context's: checks running, and those waiting their turn. */
static guint running;
static GQueue waiting = G_QUEUE_INIT;

static void
on_queue_written (guint    index,
                  gboolean hash_ok,
                  gpointer user_data)
{
  TsrTorrentDisk *self = user_data;

  self->funcs->written (index, hash_ok, self->user_data);
}

static void
on_queue_failed (guint         index,
                 const GError *error,
                 gpointer      user_data)
{
  TsrTorrentDisk *self = user_data;

  self->funcs->failed (error, self->user_data);
}

static const TsrDiskQueueFuncs queue_funcs = {
  .written = on_queue_written,
  .failed = on_queue_failed,
};

static gboolean
resume_snapshot (const char        **folder,
                 const TsrBitfield **have,
                 gpointer            user_data)
{
  TsrTorrentDisk *self = user_data;

  /* Before the check ends "have" says nothing: never record it. */
  *have = self->funcs->have (self->user_data);
  *folder = self->folder;
  return *have != NULL;
}

static const TsrResumeStoreFuncs resume_funcs = {
  .snapshot = resume_snapshot,
};

TsrTorrentDisk *
tsr_torrent_disk_new (const char                *folder,
                      guint                      resume_delay,
                      const TsrTorrentDiskFuncs *funcs,
                      gpointer                   user_data)
{
  TsrTorrentDisk *self = g_new0 (TsrTorrentDisk, 1);

  self->folder = g_strdup (folder);
  self->funcs = funcs;
  self->user_data = user_data;
  self->resume = tsr_resume_store_new (resume_delay, &resume_funcs, self);
  return self;
}

/* The queue goes; its last writes land, unreported. */
static void
drop_storage (TsrTorrentDisk *self)
{
  if (self->queue != NULL)
    tsr_disk_queue_detach (self->queue);
  g_clear_pointer (&self->queue, tsr_disk_queue_unref);
  g_clear_object (&self->storage);
}

void
tsr_torrent_disk_free (TsrTorrentDisk *self)
{
  if (self == NULL)
    return;
  tsr_torrent_disk_cancel (self);
  drop_storage (self);
  g_clear_pointer (&self->resume, tsr_resume_store_free);
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_pointer (&self->disk_info, tsr_metainfo_unref);
  g_free (self->folder);
  g_free (self);
}

static void
make_storage (TsrTorrentDisk *self)
{
  self->storage = tsr_storage_new (self->disk_info, self->folder);
  tsr_storage_set_direct_io (self->storage, TRUE);
  self->funcs->storage (self->storage, self->user_data);
}

void
tsr_torrent_disk_set_metainfo (TsrTorrentDisk *self,
                               TsrMetainfo    *info)
{
  g_return_if_fail (self->info == NULL);
  self->info = tsr_metainfo_ref (info);
  self->disk_info = tsr_metainfo_ref (info);
  make_storage (self);
  tsr_resume_store_set_metainfo (self->resume, info);
}

void
tsr_torrent_disk_set_paths (TsrTorrentDisk     *self,
                            const char * const *paths)
{
  g_return_if_fail (self->info != NULL);
  g_clear_pointer (&self->disk_info, tsr_metainfo_unref);
  self->disk_info = tsr_metainfo_new_renamed (self->info, paths);
  /* The record stats the files by their new names from now on. */
  tsr_resume_store_set_metainfo (self->resume, self->disk_info);
  tsr_resume_store_mark_dirty (self->resume);
  drop_storage (self);
  make_storage (self);
}

const char *
tsr_torrent_disk_get_name (TsrTorrentDisk *self)
{
  return self->disk_info != NULL ? self->disk_info->name : NULL;
}

const char *
tsr_torrent_disk_get_path (TsrTorrentDisk *self,
                           guint           index)
{
  g_return_val_if_fail (self->disk_info != NULL && index < self->disk_info->n_files, NULL);
  return self->disk_info->files[index].path;
}

void
tsr_torrent_disk_set_folder (TsrTorrentDisk *self,
                             const char     *folder)
{
  g_free (self->folder);
  self->folder = g_strdup (folder);
  tsr_resume_store_mark_dirty (self->resume);
  if (self->info == NULL)
    return;
  drop_storage (self);
  make_storage (self);
}

void
tsr_torrent_disk_save_soon (TsrTorrentDisk *self)
{
  if (self->funcs->have (self->user_data) != NULL)
    tsr_resume_store_changed (self->resume);
}

void
tsr_torrent_disk_moved (TsrTorrentDisk *self)
{
  g_free (self->folder);
  self->folder = g_strdup (tsr_storage_get_folder (self->storage));
  tsr_resume_store_mark_dirty (self->resume);
}

const char *
tsr_torrent_disk_get_folder (TsrTorrentDisk *self)
{
  return self->folder;
}

/* Back on the main context: the check may report only if it is still
 * its owner's. */
static TsrTorrentDisk *
check_end (Check *check)
{
  TsrTorrentDisk *owner = check->owner;

  if (owner != NULL)
    {
      owner->check = NULL;
      g_clear_object (&owner->cancellable);
    }
  return owner;
}

static void
check_free (Check *check)
{
  g_clear_pointer (&check->job, tsr_hash_job_free);
  g_free (check);
}

static void check_done (void);

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrVerifyReport) report = NULL;
  g_autoptr(TsrBitfield) good = NULL;
  gboolean ok = tsr_hash_job_run_finish (check->job, result, &error);
  TsrTorrentDisk *self = check_end (check);
  guint i;

  check_done ();
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      check_free (check);
      return;
    }
  if (ok)
    {
      report = tsr_verifier_report (self->disk_info, check->job);
      good = tsr_bitfield_new (self->info->piece_count);
      for (i = 0; i < report->n_pieces; i++)
        if (report->pieces[i] == TSR_PIECE_CHECK_GOOD)
          tsr_bitfield_set (good, i, TRUE);
    }
  check_free (check);
  if (ok)
    self->funcs->checked (good, FALSE, self->user_data);
  else
    self->funcs->failed (error, self->user_data);
}

static void
hash_data (TsrTorrentDisk *self,
           Check          *check)
{
  check->job = tsr_verifier_prepare_job (self->disk_info, self->folder);
  tsr_hash_job_run_async (check->job, 0, self->cancellable, on_hashed, check);
}

static void
on_resume_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Check *check = user_data;
  TsrTorrentDisk *self = check->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBitfield) have = NULL;

  /* Not finished when nobody waits: the task frees what it read. */
  if (self != NULL)
    have = tsr_resume_store_load_finish (self->resume, result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      check_end (check);
      check_free (check);
      check_done ();
      return;
    }
  if (have == NULL)
    {
      /* No record, or one that does not fit: hash. */
      hash_data (self, check);
      return;
    }
  check_end (check);
  check_free (check);
  check_done ();
  self->funcs->checked (have, TRUE, self->user_data);
}

static void
check_run (TsrTorrentDisk *self,
           Check          *check)
{
  running++;
  if (tsr_resume_store_is_enabled (self->resume) && !check->hash)
    tsr_resume_store_load_async (self->resume, self->folder, self->cancellable, on_resume_loaded, check);
  else
    hash_data (self, check);
}

/* A check ended: the next waiting one still wanted runs; those
 * cancelled meanwhile just go. */
static void
check_done (void)
{
  Check *check;

  running--;
  while ((check = g_queue_pop_head (&waiting)) != NULL)
    {
      if (check->owner != NULL)
        {
          check_run (check->owner, check);
          return;
        }
      check_free (check);
    }
}

void
tsr_torrent_disk_check (TsrTorrentDisk *self,
                        gboolean        hash)
{
  Check *check;

  g_return_if_fail (self->info != NULL);
  tsr_torrent_disk_cancel (self);
  check = g_new0 (Check, 1);
  check->owner = self;
  check->hash = hash;
  self->check = check;
  self->cancellable = g_cancellable_new ();
  if (running < CHECKS_AT_ONCE)
    check_run (self, check);
  else
    g_queue_push_tail (&waiting, check);
}

void
tsr_torrent_disk_count_checks (guint *running_now,
                               guint *waiting_now)
{
  *running_now = running;
  *waiting_now = waiting.length;
}

void
tsr_torrent_disk_cancel (TsrTorrentDisk *self)
{
  if (self->check != NULL)
    self->check->owner = NULL;
  self->check = NULL;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

void
tsr_torrent_disk_write (TsrTorrentDisk *self,
                        guint           index,
                        GBytes         *piece)
{
  /* An idle torrent (most of a large library) keeps no queue. */
  if (self->queue == NULL)
    self->queue = tsr_disk_queue_new (self->storage, &queue_funcs, self);
  tsr_disk_queue_write (self->queue, index, piece);
}

TsrStorage *
tsr_torrent_disk_get_storage (TsrTorrentDisk *self)
{
  return self->storage;
}

TsrDiskQueue *
tsr_torrent_disk_get_queue (TsrTorrentDisk *self)
{
  return self->queue;
}

TsrResumeStore *
tsr_torrent_disk_get_resume (TsrTorrentDisk *self)
{
  return self->resume;
}
