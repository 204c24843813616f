/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-disk-queue.c: TsrDiskQueue against a fake owner that logs what it
 * hears, over real storage in a temporary folder: pieces written and
 * reported, hash failures, typed write errors, fences that wait for the
 * writes before them, detaching with writes in flight, and the move and
 * delete jobs fenced behind it.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-data-jobs.h"
#include "tsr-disk-queue.h"
#include "tsr-piece-buffer.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"

typedef struct
{
  char         *dir;
  char         *source;
  char         *target;
  TsrMetainfo  *info;
  TsrStorage   *storage;
  GString      *log;        /* the owner's callbacks, one line each */
  GError       *error;      /* the last failure reported */
  gboolean      done;       /* an async job answered */
  gboolean      ok;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-disk-queue-XXXXXX", NULL);
  f->source = g_build_filename (f->dir, "source", NULL);
  f->target = g_build_filename (f->dir, "target", NULL);
  root = g_build_filename (f->source, "pack", NULL);
  f->info = tsr_test_make_pack (root);
  g_assert_cmpint (g_mkdir (f->target, 0755), ==, 0);
  f->storage = tsr_storage_new (f->info, f->target);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->storage);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->source);
  g_free (f->target);
  tsr_metainfo_unref (f->info);
  g_string_free (f->log, TRUE);
  g_clear_error (&f->error);
}

static void
on_written (guint    index,
            gboolean hash_ok,
            gpointer user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "written %u %s\n", index, hash_ok ? "good" : "bad");
}

static void
on_failed (guint         index,
           const GError *error,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "failed %u\n", index);
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static const TsrDiskQueueFuncs funcs = {
  .written = on_written,
  .failed = on_failed,
};

/* Piece @index as the source data has it, in a pooled buffer. */
static GBytes *
piece_bytes (Fixture *f,
             guint    index,
             gboolean corrupt)
{
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  gsize size = tsr_metainfo_get_piece_size (f->info, index);
  guint8 *buffer = tsr_piece_buffer_take (size);
  g_autoptr(GError) error = NULL;

  g_assert_true (tsr_storage_read (source, (guint64) index * f->info->piece_length, buffer, size, &error));
  g_assert_no_error (error);
  if (corrupt)
    buffer[size / 2] ^= 0x5a;
  return tsr_piece_buffer_to_bytes (buffer, size);
}

static void
wait_until_pending (TsrDiskQueue *queue,
                    guint         pending)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (tsr_disk_queue_get_pending (queue) != pending)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_until_done (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!f->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Whether the target folder holds piece @index as the source has it. */
static gboolean
target_has_piece (Fixture *f,
                  guint    index)
{
  g_autoptr(GBytes) expected = piece_bytes (f, index, FALSE);
  g_autoptr(TsrStorage) target = tsr_storage_new (f->info, f->target);
  gsize size = g_bytes_get_size (expected);
  g_autofree guint8 *buffer = g_malloc (size);

  if (!tsr_storage_read (target, (guint64) index * f->info->piece_length, buffer, size, NULL))
    return FALSE;
  return memcmp (buffer, g_bytes_get_data (expected, NULL), size) == 0;
}

static void
test_written_and_bad (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autoptr(GBytes) good = piece_bytes (f, 1, FALSE);
  g_autoptr(GBytes) bad = piece_bytes (f, 2, TRUE);

  tsr_disk_queue_write (queue, 1, good);
  tsr_disk_queue_write (queue, 2, bad);
  g_assert_cmpuint (tsr_disk_queue_get_pending (queue), ==, 2);
  wait_until_pending (queue, 0);
  /* Both reported once, in whatever order the workers finished. */
  g_assert_nonnull (strstr (f->log->str, "written 1 good\n"));
  g_assert_nonnull (strstr (f->log->str, "written 2 bad\n"));
  g_assert_cmpuint (strlen (f->log->str), ==, strlen ("written 1 good\nwritten 2 bad\n"));
  g_assert_true (target_has_piece (f, 1));
  /* A piece that failed its hash is never written. */
  g_assert_false (target_has_piece (f, 2));
}

static void
test_error_typed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = NULL;
  g_autoptr(GBytes) good = piece_bytes (f, 0, FALSE);

  /* The download folder is a file: no piece can be written under it,
   * even as root. */
  g_assert_cmpint (g_rmdir (f->target), ==, 0);
  g_assert_true (g_file_set_contents (f->target, "x", 1, NULL));
  g_clear_object (&f->storage);
  f->storage = tsr_storage_new (f->info, f->target);
  queue = tsr_disk_queue_new (f->storage, &funcs, f);
  tsr_disk_queue_write (queue, 0, good);
  wait_until_pending (queue, 0);
  g_assert_cmpstr (f->log->str, ==, "failed 0\n");
  g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO);
}

typedef struct
{
  Fixture *f;
  guint    pieces_seen;   /* by the fence job, on its worker */
} FenceJob;

static void
fence_run (GTask *task)
{
  FenceJob *job = g_task_get_task_data (task);
  guint i;

  for (i = 0; i < 4; i++)
    if (target_has_piece (job->f, i))
      job->pieces_seen++;
  g_task_return_boolean (task, TRUE);
}

static void
on_fence_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *f = user_data;

  f->ok = g_task_propagate_boolean (G_TASK (result), NULL);
  f->done = TRUE;
}

static void
test_fence_after_writes (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_fence_done, f);
  FenceJob job = { f, 0 };
  guint i;

  for (i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) piece = piece_bytes (f, i, FALSE);

      tsr_disk_queue_write (queue, i, piece);
    }
  g_task_set_task_data (task, &job, NULL);
  tsr_disk_queue_fence (queue, task, fence_run);
  wait_until_done (f);
  /* The fence saw every piece queued before it on disk. */
  g_assert_true (f->ok);
  g_assert_cmpuint (job.pieces_seen, ==, 4);
}

static void
test_fence_idle_runs_at_once (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_fence_done, f);
  g_autoptr(GTask) second = NULL;
  FenceJob job = { f, 0 };

  g_task_set_task_data (task, &job, NULL);
  tsr_disk_queue_fence (queue, task, fence_run);
  wait_until_done (f);
  g_assert_true (f->ok);
  g_assert_cmpuint (job.pieces_seen, ==, 0);
  /* No queue at all (a magnet before its metadata): at once too. */
  f->done = FALSE;
  second = g_task_new (NULL, NULL, on_fence_done, f);
  g_task_set_task_data (second, &job, NULL);
  tsr_disk_queue_fence (NULL, second, fence_run);
  wait_until_done (f);
  g_assert_true (f->ok);
  g_assert_cmpstr (f->log->str, ==, "");
}

static void
test_detach_still_lands (Fixture       *f,
                         gconstpointer  data)
{
  TsrDiskQueue *queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autoptr(GBytes) piece = piece_bytes (f, 3, FALSE);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_fence_done, f);
  FenceJob job = { f, 0 };

  tsr_disk_queue_write (queue, 3, piece);
  g_task_set_task_data (task, &job, NULL);
  tsr_disk_queue_fence (queue, task, fence_run);
  /* The owner goes away with the write in flight. */
  tsr_disk_queue_detach (queue);
  tsr_disk_queue_unref (queue);
  wait_until_done (f);
  g_assert_cmpuint (job.pieces_seen, ==, 1);
  g_assert_true (target_has_piece (f, 3));
  g_assert_cmpstr (f->log->str, ==, "");
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_error (&f->error);
  f->ok = g_task_get_source_tag (G_TASK (result)) == tsr_data_move_async
          ? tsr_data_move_finish (result, &f->error)
          : tsr_data_delete_finish (result, &f->error);
  f->done = TRUE;
}

static void
test_move_after_writes (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autofree char *moved = g_build_filename (f->dir, "moved", NULL);
  g_autoptr(TsrStorage) check = NULL;
  guint8 buffer[16384];
  guint i;

  for (i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) piece = piece_bytes (f, i, FALSE);

      tsr_disk_queue_write (queue, i, piece);
    }
  tsr_data_move_async (queue, f->storage, moved, NULL, NULL, on_job_done, f);
  wait_until_done (f);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  /* Every piece written before the move is in the new place. */
  check = tsr_storage_new (f->info, moved);
  for (i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) expected = piece_bytes (f, i, FALSE);
      gsize size = g_bytes_get_size (expected);

      g_assert_true (tsr_storage_read (check, (guint64) i * f->info->piece_length, buffer, size, NULL));
      g_assert_cmpmem (buffer, size, g_bytes_get_data (expected, NULL), size);
    }
  g_assert_cmpstr (tsr_storage_get_folder (f->storage), ==, moved);
}

static void
test_delete_after_writes (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TsrDiskQueue) queue = tsr_disk_queue_new (f->storage, &funcs, f);
  g_autoptr(GBytes) piece = piece_bytes (f, 0, FALSE);
  g_autofree char *file = g_build_filename (f->target, "pack", "a.bin", NULL);
  g_autofree char *record = g_build_filename (f->dir, "record.resume", NULL);

  g_assert_true (g_file_set_contents (record, "d4:test1:xe", -1, NULL));
  tsr_disk_queue_write (queue, 0, piece);
  tsr_data_delete_async (queue, f->storage, record, TRUE, NULL, on_job_done, f);
  wait_until_done (f);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  /* The piece landed first, then went with the rest: nothing is left. */
  g_assert_cmpstr (f->log->str, ==, "written 0 good\n");
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/disk-queue/written-and-bad", test_written_and_bad);
  ADD ("/disk-queue/error-typed", test_error_typed);
  ADD ("/disk-queue/fence/after-writes", test_fence_after_writes);
  ADD ("/disk-queue/fence/idle-runs-at-once", test_fence_idle_runs_at_once);
  ADD ("/disk-queue/detach-still-lands", test_detach_still_lands);
  ADD ("/disk-queue/move/after-writes", test_move_after_writes);
  ADD ("/disk-queue/delete/after-writes", test_delete_after_writes);
#undef ADD
  return g_test_run ();
}
