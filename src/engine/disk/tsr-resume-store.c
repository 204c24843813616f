/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-resume-store.c: a torrent's resume record changes with every
 * verified piece; writing it each time would cost an fsync per piece, so
 * changes mark it dirty and a timer writes it at most once per delay, on
 * the I/O pool. At exit the owner saves what is still dirty at once.
 */
#define G_LOG_DOMAIN "tsr-resume"

#include "config.h"

#include "tsr-io-pool.h"
#include "tsr-resume-store.h"

struct _TsrResumeStore
{
  const TsrResumeStoreFuncs *funcs;
  gpointer                   user_data;
  guint                      delay;
  TsrMetainfo               *info;           /* (owned) (nullable) */
  char                      *state_folder;   /* (owned) (nullable) an interned GRefString: shared */
  gboolean                   dirty;          /* changed since the record was last written */
  guint                      timer;
  /* (owned) (nullable) g_rc_box shared with the saves in flight, NULLed
   * at free; made by the first of them, let go by the last to end. */
  TsrResumeStore           **link;
  guint                      n_saving;
};

TsrResumeStore *
tsr_resume_store_new (guint                      delay_seconds,
                      const TsrResumeStoreFuncs *funcs,
                      gpointer                   user_data)
{
  TsrResumeStore *self = g_new0 (TsrResumeStore, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->delay = delay_seconds;
  return self;
}

void
tsr_resume_store_free (TsrResumeStore *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->link != NULL)
    {
      *self->link = NULL;
      g_rc_box_release (self->link);
    }
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_pointer (&self->state_folder, g_ref_string_release);
  g_free (self);
}

void
tsr_resume_store_set_metainfo (TsrResumeStore *self,
                               TsrMetainfo    *info)
{
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  self->info = info != NULL ? tsr_metainfo_ref (info) : NULL;
}

void
tsr_resume_store_set_state_folder (TsrResumeStore *self,
                                   const char     *state_folder)
{
  g_clear_pointer (&self->state_folder, g_ref_string_release);
  self->state_folder = state_folder != NULL ? g_ref_string_new_intern (state_folder) : NULL;
  if (state_folder == NULL)
    g_clear_handle_id (&self->timer, g_source_remove);
}

gboolean
tsr_resume_store_is_enabled (TsrResumeStore *self)
{
  return self->state_folder != NULL && self->info != NULL;
}

char *
tsr_resume_store_dup_path (TsrResumeStore *self)
{
  return tsr_resume_store_is_enabled (self) ? tsr_resume_path (self->info, self->state_folder) : NULL;
}

TsrResumeRecord *
tsr_resume_store_snapshot (TsrResumeStore *self)
{
  g_autofree char *path = NULL;
  const char *folder = NULL;
  const TsrBitfield *have = NULL;

  if (!tsr_resume_store_is_enabled (self) || !self->funcs->snapshot (&folder, &have, self->user_data))
    return NULL;
  path = tsr_resume_path (self->info, self->state_folder);
  return tsr_resume_record_new (self->info, folder, path, have);
}

static void
save_run (GTask *task)
{
  GError *error = NULL;

  if (tsr_resume_record_write (g_task_get_task_data (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  TsrResumeStore **link = user_data;
  TsrResumeStore *self = *link;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Kept to be tried again at the next save, or at exit. */
      if (self != NULL)
        self->dirty = TRUE;
      g_message ("Cannot save resume data: %s", error->message);
    }
  /* The last save in flight: an idle torrent keeps no link. */
  if (self != NULL && --self->n_saving == 0)
    g_clear_pointer (&self->link, g_rc_box_release);
  g_rc_box_release (link);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrResumeStore *self = user_data;
  TsrResumeRecord *record;
  g_autoptr(GTask) task = NULL;

  self->timer = 0;
  record = tsr_resume_store_snapshot (self);
  if (record == NULL)
    return G_SOURCE_REMOVE;
  self->dirty = FALSE;
  if (self->link == NULL)
    {
      self->link = g_rc_box_new (TsrResumeStore *);
      *self->link = self;
    }
  self->n_saving++;
  task = g_task_new (NULL, NULL, on_saved, g_rc_box_acquire (self->link));
  g_task_set_task_data (task, record, (GDestroyNotify) tsr_resume_record_free);
  tsr_io_pool_run (task, save_run);
  return G_SOURCE_REMOVE;
}

gboolean
tsr_resume_store_is_saving (TsrResumeStore *self)
{
  return self->n_saving > 0;
}

void
tsr_resume_store_changed (TsrResumeStore *self)
{
  self->dirty = TRUE;
  if (self->state_folder != NULL && self->timer == 0)
    self->timer = g_timeout_add_seconds (self->delay, on_timer, self);
}

void
tsr_resume_store_changed_now (TsrResumeStore *self)
{
  self->dirty = TRUE;
  if (self->state_folder == NULL)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_idle_add (on_timer, self);
}

void
tsr_resume_store_mark_dirty (TsrResumeStore *self)
{
  self->dirty = TRUE;
}

gboolean
tsr_resume_store_is_dirty (TsrResumeStore *self)
{
  return self->dirty;
}

gboolean
tsr_resume_store_save_now (TsrResumeStore  *self,
                           GError         **error)
{
  TsrResumeRecord *record;
  gboolean ok;

  if (!self->dirty)
    return TRUE;
  record = tsr_resume_store_snapshot (self);
  if (record == NULL)
    return TRUE;
  g_clear_handle_id (&self->timer, g_source_remove);
  ok = tsr_resume_record_write (record, error);
  tsr_resume_record_free (record);
  self->dirty = !ok;
  return ok;
}

static void
load_run (GTask *task)
{
  g_task_return_pointer (task, tsr_resume_record_read (g_task_get_task_data (task)),
                         (GDestroyNotify) tsr_bitfield_free);
}

void
tsr_resume_store_load_async (TsrResumeStore      *self,
                             const char          *folder,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *path = tsr_resume_store_dup_path (self);

  g_task_set_source_tag (task, tsr_resume_store_load_async);
  if (path == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_set_task_data (task, tsr_resume_record_new (self->info, folder, path, NULL),
                        (GDestroyNotify) tsr_resume_record_free);
  tsr_io_pool_run (task, load_run);
}

TsrBitfield *
tsr_resume_store_load_finish (TsrResumeStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
