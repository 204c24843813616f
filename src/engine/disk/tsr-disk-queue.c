/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-disk-queue.c: pieces go to the storage's async write (hash on a
 * worker, then pwrite); the queue counts them and holds back fences
 * until the count drops to zero, since deleting or moving files under a
 * write would leave pieces behind. Each write holds a reference, so the
 * owner may drop the queue at any time (after detaching it).
 */
#define G_LOG_DOMAIN "tsr-disk-queue"

#include "config.h"

#include "tsr-disk-queue.h"

struct _TsrDiskQueue
{
  gint                     ref_count;
  TsrStorage              *storage;    /* (owned) */
  const TsrDiskQueueFuncs *funcs;      /* (nullable) NULL once detached */
  gpointer                 user_data;
  guint                    pending;
  GPtrArray               *fences;     /* (owned) (element-type Fence) waiting for pending == 0 */
};

typedef struct
{
  GTask     *task;   /* (owned) */
  TsrIoFunc  run;
} Fence;

typedef struct
{
  TsrDiskQueue *queue;   /* (owned) */
  guint         index;
} Write;

TsrDiskQueue *
tsr_disk_queue_new (TsrStorage              *storage,
                    const TsrDiskQueueFuncs *funcs,
                    gpointer                 user_data)
{
  TsrDiskQueue *self = g_new0 (TsrDiskQueue, 1);

  g_return_val_if_fail (TSR_IS_STORAGE (storage), NULL);
  self->ref_count = 1;
  self->storage = g_object_ref (storage);
  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

TsrDiskQueue *
tsr_disk_queue_ref (TsrDiskQueue *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
tsr_disk_queue_unref (TsrDiskQueue *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  /* Fences wait only on writes, and each write holds a reference: none
   * can be left here. */
  g_assert (self->fences == NULL || self->fences->len == 0);
  g_clear_pointer (&self->fences, g_ptr_array_unref);
  g_object_unref (self->storage);
  g_free (self);
}

void
tsr_disk_queue_detach (TsrDiskQueue *self)
{
  self->funcs = NULL;
  self->user_data = NULL;
}

guint
tsr_disk_queue_get_pending (TsrDiskQueue *self)
{
  return self != NULL ? self->pending : 0;
}

static void
run_fences (TsrDiskQueue *self)
{
  g_autoptr(GPtrArray) fences = g_steal_pointer (&self->fences);
  guint i;

  for (i = 0; fences != NULL && i < fences->len; i++)
    {
      Fence *fence = g_ptr_array_index (fences, i);

      tsr_io_pool_run (fence->task, fence->run);
      g_object_unref (fence->task);
      g_free (fence);
    }
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Write *write = user_data;
  TsrDiskQueue *self = write->queue;
  guint index = write->index;
  g_autoptr(GError) error = NULL;
  gboolean hash_ok = FALSE;
  gboolean ok;

  g_free (write);
  ok = tsr_storage_write_piece_finish (TSR_STORAGE (source), result, &hash_ok, &error);
  self->pending--;
  if (self->pending == 0)
    run_fences (self);
  if (self->funcs != NULL)
    {
      if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->funcs->failed (index, error, self->user_data);
      else if (ok)
        self->funcs->written (index, hash_ok, self->user_data);
    }
  tsr_disk_queue_unref (self);
}

void
tsr_disk_queue_write (TsrDiskQueue *self,
                      guint         index,
                      GBytes       *piece)
{
  Write *write = g_new0 (Write, 1);

  write->queue = tsr_disk_queue_ref (self);
  write->index = index;
  self->pending++;
  tsr_storage_write_piece_async (self->storage, index, piece, NULL, on_written, write);
}

void
tsr_disk_queue_fence (TsrDiskQueue *self,
                      GTask        *task,
                      TsrIoFunc     run)
{
  Fence *fence;

  if (self == NULL || self->pending == 0)
    {
      tsr_io_pool_run (task, run);
      return;
    }
  fence = g_new0 (Fence, 1);
  fence->task = g_object_ref (task);
  fence->run = run;
  if (self->fences == NULL)
    self->fences = g_ptr_array_new ();
  g_ptr_array_add (self->fences, fence);
}
