/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-storage.c: writing verified pieces into a torrent's files and
 * reading blocks back, on worker threads; pad files, wrong data, missing
 * files, the descriptor cache limit; and bitfields.
 */
#define _GNU_SOURCE   /* O_DIRECT */
#include "config.h"

#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-bitfield.h"
#include "tsr-creator.h"
#include "tsr-read-cache.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"
#include "tsr-verifier.h"

typedef struct
{
  char         *dir;
  char         *source;     /* data the torrent was made of */
  char         *target;     /* empty download folder */
  TsrMetainfo  *info;
  GMainLoop    *loop;
  gboolean      hash_ok;
  GError       *error;
  GBytes       *block;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  TsrCreateFormat format = GPOINTER_TO_INT (data);
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-storage-XXXXXX", NULL);
  f->source = g_build_filename (f->dir, "source", NULL);
  f->target = g_build_filename (f->dir, "target", NULL);
  root = g_build_filename (f->source, "pack", NULL);
  tsr_test_write_file (root, "a.bin", 40000, 1);
  tsr_test_write_file (root, "dir/b.bin", 5000, 2);
  tsr_test_write_file (root, "z.bin", 70000, 3);
  f->info = tsr_test_make_torrent (root, format, 16384);
  g_assert_cmpint (g_mkdir (f->target, 0755), ==, 0);
  f->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->source);
  g_free (f->target);
  tsr_metainfo_unref (f->info);
  g_main_loop_unref (f->loop);
  g_clear_error (&f->error);
  g_clear_pointer (&f->block, g_bytes_unref);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_error (&f->error);
  tsr_storage_write_piece_finish (TSR_STORAGE (source), result, &f->hash_ok, &f->error);
  g_main_loop_quit (f->loop);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_error (&f->error);
  g_clear_pointer (&f->block, g_bytes_unref);
  f->block = tsr_storage_read_block_finish (TSR_STORAGE (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

/* The piece's bytes, read from the source data with a second storage. */
static GBytes *
source_piece (Fixture *f,
              guint    index)
{
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  gsize size = tsr_metainfo_get_piece_size (f->info, index);
  guint8 *buffer = g_malloc (size);
  g_autoptr(GError) error = NULL;

  g_assert_true (tsr_storage_read (source, (guint64) index * f->info->piece_length, buffer, size, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
write_piece (Fixture    *f,
             TsrStorage *storage,
             guint       index,
             GBytes     *data)
{
  tsr_storage_write_piece_async (storage, index, data, NULL, on_written, f);
  g_main_loop_run (f->loop);
}

/* Torrents in one folder share its name (5000 idle torrents, one string);
 * each storage still has the canonical folder it was given. */
static void
test_folder_shared (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dotted = g_build_filename (f->dir, ".", "target", NULL);
  g_autoptr(TsrStorage) a = tsr_storage_new (f->info, f->target);
  g_autoptr(TsrStorage) b = tsr_storage_new (f->info, dotted);
  g_autoptr(TsrStorage) c = tsr_storage_new (f->info, f->source);

  g_assert_cmpstr (tsr_storage_get_folder (a), ==, f->target);
  g_assert_true (tsr_storage_get_folder (a) == tsr_storage_get_folder (b));
  g_assert_cmpstr (tsr_storage_get_folder (c), ==, f->source);
  g_clear_object (&a);
  g_assert_cmpstr (tsr_storage_get_folder (b), ==, f->target);
}

static void
test_write_all_then_verify (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
  g_autoptr(TsrHashJob) job = NULL;
  g_autoptr(TsrVerifyReport) report = NULL;
  g_autofree char *pad_folder = g_build_filename (f->target, "pack", ".pad", NULL);
  guint i;

  /* Out of order, as a swarm delivers. */
  for (i = f->info->piece_count; i > 0; i--)
    {
      g_autoptr(GBytes) piece = source_piece (f, i - 1);

      write_piece (f, storage, i - 1, piece);
      g_assert_no_error (f->error);
      g_assert_true (f->hash_ok);
    }
  job = tsr_verifier_prepare_job (f->info, f->target);
  g_assert_true (tsr_hash_job_run (job, 2, NULL, NULL));
  report = tsr_verifier_report (f->info, job);
  g_assert_cmpuint (report->good, ==, f->info->piece_count);
  /* BEP 47: pad files exist only in the stream, never on disk. */
  g_assert_false (g_file_test (pad_folder, G_FILE_TEST_EXISTS));
}

typedef struct
{
  TsrHashJob   *job;
  GCancellable *cancel_before_finish;  /* (nullable) cancelled in the callback */
  gboolean      done;
  gboolean      ok;
  GError       *error;
} AsyncCheck;

static void
on_check_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncCheck *check = user_data;

  if (check->cancel_before_finish != NULL)
    g_cancellable_cancel (check->cancel_before_finish);
  check->ok = tsr_hash_job_run_finish (check->job, result, &check->error);
  check->done = TRUE;
}

/* The asynchronous check, with the caller's cancellable: a run ends in
 * success; cancelled before it runs, or after it ran but before the
 * finish (a torrent stopped meanwhile), it ends in G_IO_ERROR_CANCELLED,
 * and nothing stays connected to the cancellable. */
static void
test_check_async_cancel (Fixture       *f,
                         gconstpointer  data)
{
  guint round;

  for (round = 0; round < 3; round++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(TsrHashJob) job = tsr_verifier_prepare_job (f->info, f->source);
      AsyncCheck check = { job, NULL, FALSE, FALSE, NULL };

      if (round == 1)
        g_cancellable_cancel (cancellable);
      if (round == 2)
        check.cancel_before_finish = cancellable;
      tsr_hash_job_run_async (job, 2, cancellable, on_check_done, &check);
      while (!check.done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (g_signal_has_handler_pending (cancellable, g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                                    0, FALSE));
      if (round == 0)
        {
          g_autoptr(TsrVerifyReport) report = tsr_verifier_report (f->info, job);

          g_assert_no_error (check.error);
          g_assert_true (check.ok);
          g_assert_cmpuint (report->good, ==, f->info->piece_count);
        }
      else
        {
          g_assert_error (check.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_false (check.ok);
        }
      g_clear_error (&check.error);
    }
}

static guint
count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
on_many_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncCheck *check = user_data;

  check->ok = tsr_hash_job_run_finish (check->job, result, &check->error);
  check->done = TRUE;
}

/* Thousands of torrents start at once: their checks queue on a pool as
 * wide as the machine, and take no more threads than that (GTask's pool
 * took ten and more, each with a malloc arena); each still answers. */
#define N_CHECKS 64
static void
test_many_checks_few_threads (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree AsyncCheck *checks = g_new0 (AsyncCheck, N_CHECKS);
  guint width = MAX (2, g_get_num_processors ());
  guint before = count_threads ();
  guint most = before;
  guint done = 0;
  guint i;

  for (i = 0; i < N_CHECKS; i++)
    {
      checks[i].job = tsr_verifier_prepare_job (f->info, f->source);
      tsr_hash_job_run_async (checks[i].job, 1, NULL, on_many_checked, &checks[i]);
    }
  while (done < N_CHECKS)
    {
      most = MAX (most, count_threads ());
      g_main_context_iteration (NULL, TRUE);
      for (done = 0, i = 0; i < N_CHECKS; i++)
        done += checks[i].done;
    }
  /* The pool's threads, and GLib's one that spawns them. */
  g_assert_cmpuint (most, <=, before + width + 1);
  for (i = 0; i < N_CHECKS; i++)
    {
      g_autoptr(TsrVerifyReport) report = tsr_verifier_report (f->info, checks[i].job);

      g_assert_no_error (checks[i].error);
      g_assert_true (checks[i].ok);
      g_assert_cmpuint (report->good, ==, f->info->piece_count);
      tsr_hash_job_free (checks[i].job);
    }
}

/* Pages of @path's first @length bytes that are in the page cache. */
static guint
resident_pages (const char *path,
                gsize       length)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize n = (length + page - 1) / page;
  g_autofree unsigned char *vector = g_malloc (n);
  int fd = g_open (path, O_RDONLY, 0);
  void *map;
  guint count = 0;
  gsize i;

  g_assert_cmpint (fd, >=, 0);
  map = mmap (NULL, length, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_cmpint (mincore (map, length, vector), ==, 0);
  for (i = 0; i < n; i++)
    count += vector[i] & 1;
  munmap (map, length);
  close (fd);
  return count;
}

static gboolean
supports_direct_io (const char *folder)
{
  g_autofree char *probe = g_build_filename (folder, "direct-probe", NULL);
  int fd = g_open (probe, O_WRONLY | O_CREAT | O_DIRECT, 0644);

  if (fd < 0)
    return FALSE;
  close (fd);
  g_unlink (probe);
  return TRUE;
}

/* With direct I/O on, pieces from aligned buffers reach the disk without
 * passing through the page cache, and every byte lands right, aligned or
 * not (file tails, files that start mid-piece, pad files). */
static void
test_direct_writes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
  g_autoptr(TsrHashJob) job = NULL;
  g_autoptr(TsrVerifyReport) report = NULL;
  g_autofree char *first = g_build_filename (f->target, "pack", "a.bin", NULL);
  guint i;

  tsr_storage_set_direct_io (storage, TRUE);
  for (i = f->info->piece_count; i > 0; i--)
    {
      g_autoptr(GBytes) piece = source_piece (f, i - 1);
      g_autoptr(GBytes) aligned = NULL;
      gsize size = g_bytes_get_size (piece);
      void *buffer = NULL;

      g_assert_cmpint (posix_memalign (&buffer, 4096, size), ==, 0);
      memcpy (buffer, g_bytes_get_data (piece, NULL), size);
      aligned = g_bytes_new_with_free_func (buffer, size, free, buffer);
      write_piece (f, storage, i - 1, aligned);
      g_assert_no_error (f->error);
      g_assert_true (f->hash_ok);
    }
  /* a.bin starts the torrent: its first two pieces went around the
   * page cache (the verifier below reads them back into it). */
  if (supports_direct_io (f->target))
    g_assert_cmpuint (resident_pages (first, 2 * 16384), ==, 0);
  else
    g_test_message ("%s refuses O_DIRECT: only the buffered fallback is checked", f->target);
  job = tsr_verifier_prepare_job (f->info, f->target);
  g_assert_true (tsr_hash_job_run (job, 2, NULL, NULL));
  report = tsr_verifier_report (f->info, job);
  g_assert_cmpuint (report->good, ==, f->info->piece_count);
}

static void
test_wrong_data_not_written (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
  g_autoptr(GBytes) piece = source_piece (f, 1);
  g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (piece, NULL), g_bytes_get_size (piece));
  g_autoptr(GBytes) bad_piece = NULL;
  g_autoptr(GBytes) short_piece = g_bytes_new_from_bytes (piece, 0, g_bytes_get_size (piece) - 1);
  g_autofree char *file = g_build_filename (f->target, "pack", NULL);

  bad[100] ^= 1;
  bad_piece = g_bytes_new (bad, g_bytes_get_size (piece));
  write_piece (f, storage, 1, bad_piece);
  g_assert_no_error (f->error);
  g_assert_false (f->hash_ok);
  write_piece (f, storage, 1, short_piece);
  g_assert_false (f->hash_ok);
  /* Nothing reached the disk. */
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_read_blocks (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  g_autoptr(GBytes) piece = source_piece (f, 2);

  /* Before the data is there: a clear "missing". */
  tsr_storage_read_block_async (storage, 2, 0, (guint32) MIN (16384, tsr_metainfo_get_piece_size (f->info, 2)),
                                NULL, on_read, f);
  g_main_loop_run (f->loop);
  g_assert_null (f->block);
  g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING);

  tsr_storage_read_block_async (source, 2, 100, 1000, NULL, on_read, f);
  g_main_loop_run (f->loop);
  g_assert_no_error (f->error);
  g_assert_cmpmem (g_bytes_get_data (f->block, NULL), 1000,
                   (const guint8 *) g_bytes_get_data (piece, NULL) + 100, 1000);

  tsr_storage_read_block_async (source, f->info->piece_count, 0, 16, NULL, on_read, f);
  g_main_loop_run (f->loop);
  g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE);
  tsr_storage_read_block_async (source, 0, 16380, 16, NULL, on_read, f);
  g_main_loop_run (f->loop);
  g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE);

  /* A whole block of each short piece (in v2, every file's last; else
   * the torrent's last): v2-only reads the padding after the file as
   * zeros (libtorrent asks for it); v1 and hybrid refuse what is past
   * the piece. */
  {
    guint i;
    guint short_pieces = 0;

    for (i = 0; i < f->info->piece_count; i++)
      {
        g_autoptr(GBytes) real = NULL;
        gsize size = tsr_metainfo_get_piece_size (f->info, i);
        const guint8 *got;
        gsize j;

        if (size == 16384)
          continue;
        short_pieces++;
        real = source_piece (f, i);
        tsr_storage_read_block_async (source, i, 0, 16384, NULL, on_read, f);
        g_main_loop_run (f->loop);
        if (f->info->has_v1)
          {
            g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE);
            continue;
          }
        g_assert_no_error (f->error);
        got = g_bytes_get_data (f->block, NULL);
        g_assert_cmpuint (g_bytes_get_size (f->block), ==, 16384);
        g_assert_cmpmem (got, size, g_bytes_get_data (real, NULL), size);
        for (j = size; j < 16384; j++)
          g_assert_cmpuint (got[j], ==, 0);
      }
    /* v2: a.bin, dir/b.bin and z.bin each end short; v1: the last piece;
     * hybrid: none (pad files fill every file's last piece). */
    g_assert_cmpuint (short_pieces, ==, !f->info->has_v1 ? 3 : f->info->has_v2 ? 0 : 1);
  }
}

/* Symbolic links already in the download folder, at any depth, are never
 * followed: a write through them fails with an error, creates nothing
 * where they point, and reads through them fail too (nothing outside is
 * ever seeded). */
static void
test_symlinks_never_followed (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree char *pack = g_build_filename (f->target, "pack", NULL);
  g_autofree char *dir_link = g_build_filename (pack, "dir", NULL);
  g_autofree char *real_dir = g_build_filename (f->source, "pack", "dir", NULL);
  guint i;
  g_autoptr(GDir) listing = NULL;

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);

  /* 1. The torrent's top folder is a link to elsewhere. */
  g_assert_cmpint (symlink (outside, pack), ==, 0);
  {
    g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
    g_autoptr(GBytes) piece = source_piece (f, 0);

    write_piece (f, storage, 0, piece);
    g_assert_nonnull (f->error);
    g_assert_true (strstr (f->error->message, "symbolic link") != NULL);
  }
  g_assert_cmpint (g_unlink (pack), ==, 0);

  /* 2. A folder inside the torrent is a link to elsewhere: the files
   * beside it are written, the ones behind it are not. */
  g_assert_cmpint (g_mkdir (pack, 0755), ==, 0);
  g_assert_cmpint (symlink (outside, dir_link), ==, 0);
  {
    g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
    guint failed = 0;

    for (i = 0; i < f->info->piece_count; i++)
      {
        g_autoptr(GBytes) piece = source_piece (f, i);

        write_piece (f, storage, i, piece);
        if (f->error != NULL)
          failed++;
      }
    /* dir/b.bin's pieces failed; the others were written. */
    g_assert_cmpuint (failed, >, 0);
    g_assert_cmpuint (failed, <, f->info->piece_count);
  }
  listing = g_dir_open (outside, 0, NULL);
  g_assert_nonnull (listing);
  g_assert_null (g_dir_read_name (listing));

  /* 3. Seeding: data behind a link is not read (and so never sent). */
  g_assert_cmpint (g_unlink (dir_link), ==, 0);
  g_assert_cmpint (symlink (real_dir, dir_link), ==, 0);
  {
    g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
    const TsrFile *b = NULL;

    for (i = 0; i < f->info->n_files; i++)
      if (g_str_has_suffix (f->info->files[i].path, "b.bin"))
        b = &f->info->files[i];
    g_assert_nonnull (b);
    tsr_storage_read_block_async (storage, (guint) (b->offset / f->info->piece_length),
                                  (guint32) (b->offset % f->info->piece_length), 1000, NULL, on_read, f);
    g_main_loop_run (f->loop);
    g_assert_null (f->block);
    g_assert_nonnull (f->error);
  }
}

/* Two paths that differ only in case: two files on a case-sensitive file
 * system (both written), one file on a case-insensitive one, which a hard
 * link between the two names stands in for here: then writing is refused
 * with an error naming both, and neither file's data is touched. */
static void
test_case_twins (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-storage-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "source", "pack", NULL);
  g_autofree char *target = g_build_filename (dir, "target", NULL);
  g_autofree char *upper = g_build_filename (target, "pack", "Case.bin", NULL);
  g_autofree char *lower = g_build_filename (target, "pack", "case.bin", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize length = 0;
  guint round;

  tsr_test_write_file (root, "Case.bin", 20000, 7);
  tsr_test_write_file (root, "case.bin", 20000, 8);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  for (round = 0; round < 2; round++)
    {
      g_autofree char *source_folder = g_path_get_dirname (root);
      g_autoptr(TsrStorage) source = tsr_storage_new (info, source_folder);
      g_autoptr(TsrStorage) storage = NULL;
      guint failed = 0;
      guint i;

      tsr_test_remove_tree (target);
      g_assert_cmpint (g_mkdir_with_parents (upper, 0755), ==, 0);
      g_assert_cmpint (g_rmdir (upper), ==, 0);
      g_assert_true (g_file_set_contents (upper, "keep me", -1, NULL));
      if (round == 1)
        g_assert_cmpint (link (upper, lower), ==, 0);
      storage = tsr_storage_new (info, target);
      for (i = 0; i < info->piece_count; i++)
        {
          gsize size = tsr_metainfo_get_piece_size (info, i);
          guint8 *buffer = g_malloc (size);
          g_autoptr(GBytes) piece = NULL;
          Fixture f = { 0 };

          g_assert_true (tsr_storage_read (source, (guint64) i * info->piece_length, buffer, size, NULL));
          piece = g_bytes_new_take (buffer, size);
          f.loop = loop;
          tsr_storage_write_piece_async (storage, i, piece, NULL, on_written, &f);
          g_main_loop_run (loop);
          if (f.error != NULL)
            {
              g_assert_true (strstr (f.error->message, "ignores case") != NULL);
              failed++;
            }
          g_clear_error (&f.error);
        }
      if (round == 0)
        g_assert_cmpuint (failed, ==, 0);
      else
        {
          g_assert_cmpuint (failed, >, 0);
          /* Every piece touching either name was refused: the file is as it was. */
          g_assert_cmpuint (failed, ==, info->piece_count);
          g_assert_true (g_file_get_contents (upper, &after, &length, NULL));
          g_assert_true (g_file_get_contents (lower, &before, NULL, NULL));
          g_assert_cmpstr (after, ==, "keep me");
          g_assert_cmpstr (before, ==, after);
        }
    }
  tsr_test_remove_tree (dir);
}

/* A file open read-only for a read in progress is reopened for writing:
 * the old descriptor is closed once the read lets go, never leaked. */
typedef struct
{
  TsrStorage    *storage;
  guint64        offset;
  gsize          size;
  volatile gint  stop;
  volatile gint  reads;
} Reader;

static gpointer
read_loop (gpointer data)
{
  Reader *reader = data;
  guint8 *buffer = g_malloc (reader->size);

  while (!g_atomic_int_get (&reader->stop))
    {
      g_assert_true (tsr_storage_read (reader->storage, reader->offset, buffer, reader->size, NULL));
      g_atomic_int_inc (&reader->reads);
    }
  g_free (buffer);
  return NULL;
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_upgrade_while_reading (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) piece = source_piece (f, 0);
  gsize size = g_bytes_get_size (piece);
  guint before;
  guint round;

  /* The target holds the data already: reads succeed, writes rewrite it. */
  {
    TsrStorage *copy = tsr_storage_new (f->info, f->target);
    guint i;

    for (i = 0; i < f->info->piece_count; i++)
      {
        g_autoptr(GBytes) each = source_piece (f, i);

        write_piece (f, copy, i, each);
        g_assert_no_error (f->error);
      }
    /* Gone, with its descriptors, once its last task let go. */
    g_object_add_weak_pointer (G_OBJECT (copy), (gpointer *) &copy);
    g_object_unref (copy);
    for (i = 0; copy != NULL && i < 5000; i++)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
    g_assert_null (copy);
  }
  before = count_fds ();
  for (round = 0; round < 20; round++)
    {
      g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->target);
      Reader reader = { storage, 0, MIN (size, 4096), 0, 0 };
      GThread *thread = g_thread_new ("reader", read_loop, &reader);

      while (g_atomic_int_get (&reader.reads) < 50)
        g_usleep (100);
      g_assert_true (tsr_storage_write (storage, 0, g_bytes_get_data (piece, NULL), MIN (size, 4096), NULL));
      g_atomic_int_set (&reader.stop, 1);
      g_thread_join (thread);
      g_assert_cmpuint (tsr_storage_get_n_retired (storage), ==, 0);
    }
  g_assert_cmpuint (count_fds (), ==, before);
}

/* The read cache holds a piece after a read, keeps it while it is used,
 * and lets it go once no one asked for it since the time given. */
static void
on_cached_block (GBytes       *block,
                 const GError *error,
                 gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_no_error ((GError *) error);
  g_clear_pointer (&f->block, g_bytes_unref);
  f->block = g_bytes_ref (block);
  g_main_loop_quit (f->loop);
}

static void
test_read_cache_expiry (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  g_autoptr(TsrReadCache) cache = tsr_read_cache_new (source, 8 * 1024 * 1024, NULL);
  gint64 after_read;

  tsr_read_cache_get (cache, 0, 0, 1024, on_cached_block, f, NULL);
  if (f->block == NULL)
    g_main_loop_run (f->loop);
  g_assert_cmpuint (g_bytes_get_size (f->block), ==, 1024);
  g_assert_cmpuint (tsr_read_cache_get_n_reads (cache), ==, 1);
  g_assert_cmpuint (tsr_read_cache_get_size (cache), ==, tsr_metainfo_get_piece_size (f->info, 0));
  after_read = g_get_monotonic_time ();

  /* Used since: kept, and served from memory. */
  tsr_read_cache_expire (cache, after_read - G_USEC_PER_SEC);
  g_assert_cmpuint (tsr_read_cache_get_size (cache), >, 0);
  g_clear_pointer (&f->block, g_bytes_unref);
  tsr_read_cache_get (cache, 0, 1024, 1024, on_cached_block, f, NULL);
  g_assert_nonnull (f->block);
  g_assert_cmpuint (tsr_read_cache_get_n_reads (cache), ==, 1);

  /* Not used since: let go, and read again when asked. */
  tsr_read_cache_expire (cache, g_get_monotonic_time () + 1);
  g_assert_cmpuint (tsr_read_cache_get_size (cache), ==, 0);
  g_clear_pointer (&f->block, g_bytes_unref);
  tsr_read_cache_get (cache, 0, 0, 1024, on_cached_block, f, NULL);
  if (f->block == NULL)
    g_main_loop_run (f->loop);
  g_assert_cmpuint (tsr_read_cache_get_n_reads (cache), ==, 2);
}

/* Reads piece @index through @cache and waits for its block. */
static void
cache_read (Fixture      *f,
            TsrReadCache *cache,
            guint         index)
{
  g_clear_pointer (&f->block, g_bytes_unref);
  tsr_read_cache_get (cache, index, 0, 1024, on_cached_block, f, NULL);
  if (f->block == NULL)
    g_main_loop_run (f->loop);
  g_assert_cmpuint (g_bytes_get_size (f->block), ==, 1024);
}

/* Caches in one group keep together to the group's budget: the piece
 * used least recently goes first, whichever cache holds it, and even when
 * another cache is the one reading. */
static void
test_read_cache_group (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  gsize piece0 = tsr_metainfo_get_piece_size (f->info, 0);
  gsize piece1 = tsr_metainfo_get_piece_size (f->info, 1);
  g_autoptr(TsrReadCacheGroup) group = tsr_read_cache_group_new (piece0 + piece1);
  TsrReadCache *a = tsr_read_cache_new (source, 8 * 1024 * 1024, group);
  TsrReadCache *b = tsr_read_cache_new (source, 8 * 1024 * 1024, group);

  g_assert_cmpuint (piece0, ==, piece1);
  cache_read (f, a, 0);
  cache_read (f, b, 1);
  g_assert_cmpuint (tsr_read_cache_group_get_size (group), ==, piece0 + piece1);

  /* A third piece: a's piece 0, the oldest, goes, not b's newer one. */
  cache_read (f, a, 1);
  g_assert_cmpuint (tsr_read_cache_group_get_size (group), ==, 2 * piece1);
  g_assert_cmpuint (tsr_read_cache_get_size (a), ==, piece1);
  g_assert_cmpuint (tsr_read_cache_get_size (b), ==, piece1);
  cache_read (f, b, 1);
  g_assert_cmpuint (tsr_read_cache_get_n_reads (b), ==, 1);
  cache_read (f, a, 0);
  g_assert_cmpuint (tsr_read_cache_get_n_reads (a), ==, 3);

  /* Now a's piece 1 was the oldest; b's is kept. */
  g_assert_cmpuint (tsr_read_cache_get_size (a), ==, piece0);
  g_assert_cmpuint (tsr_read_cache_get_size (b), ==, piece1);

  /* A cache that goes gives its bytes back. */
  tsr_read_cache_free (a);
  g_assert_cmpuint (tsr_read_cache_group_get_size (group), ==, piece1);
  tsr_read_cache_free (b);
  g_assert_cmpuint (tsr_read_cache_group_get_size (group), ==, 0);
}

static void
test_open_file_limit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-storage-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "many", NULL);
  g_autofree char *target = g_build_filename (dir, "target", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrStorage) source = NULL;
  g_autoptr(TsrStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = NULL;
  guint i;

  for (i = 0; i < 150; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%03u", i);

      tsr_test_write_file (root, name, 1000 + i, i);
    }
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  source = tsr_storage_new (info, dir);
  storage = tsr_storage_new (info, target);
  buffer = g_malloc (info->stream_length);
  g_assert_true (tsr_storage_read (source, 0, buffer, info->stream_length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_storage_get_n_open_files (source), <=, TSR_STORAGE_MAX_OPEN_FILES);
  g_assert_true (tsr_storage_write (storage, 0, buffer, info->stream_length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_storage_get_n_open_files (storage), ==, TSR_STORAGE_MAX_OPEN_FILES);
  /* Written through the cache, every byte landed. */
  memset (buffer, 0, info->stream_length);
  g_assert_true (tsr_storage_read (storage, 0, buffer, info->stream_length, &error));
  for (i = 0; i < info->piece_count; i++)
    {
      gsize size = tsr_metainfo_get_piece_size (info, i);

      g_assert_true (tsr_storage_piece_matches (storage, i, buffer + (gsize) i * info->piece_length, size));
    }
  g_assert_false (tsr_storage_write (storage, info->stream_length - 1, buffer, 2, &error));
  g_assert_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE);
  g_clear_object (&storage);
  g_clear_object (&source);
  tsr_test_remove_tree (dir);
}

static void
test_bitfield (void)
{
  g_autoptr(TsrBitfield) bits = tsr_bitfield_new (10);
  g_autoptr(TsrBitfield) copy = NULL;
  const guint8 *bytes;
  gsize length = 0;
  static const guint8 good[2] = { 0x81, 0x40 };
  static const guint8 spare[2] = { 0x81, 0x41 };

  g_assert_cmpuint (tsr_bitfield_count (bits), ==, 0);
  tsr_bitfield_set (bits, 0, TRUE);
  tsr_bitfield_set (bits, 9, TRUE);
  tsr_bitfield_set (bits, 9, TRUE);
  g_assert_cmpuint (tsr_bitfield_count (bits), ==, 2);
  bytes = tsr_bitfield_get_bytes (bits, &length);
  g_assert_cmpuint (length, ==, 2);
  g_assert_cmpint (bytes[0], ==, 0x80);
  g_assert_cmpint (bytes[1], ==, 0x40);
  tsr_bitfield_set_all (bits, TRUE);
  g_assert_true (tsr_bitfield_is_full (bits));
  bytes = tsr_bitfield_get_bytes (bits, NULL);
  g_assert_cmpint (bytes[1], ==, 0xc0);   /* spare bits stay zero */
  g_assert_true (tsr_bitfield_set_bytes (bits, good, 2));
  g_assert_cmpuint (tsr_bitfield_count (bits), ==, 3);
  g_assert_true (tsr_bitfield_get (bits, 7));
  g_assert_false (tsr_bitfield_get (bits, 8));
  g_assert_false (tsr_bitfield_set_bytes (bits, spare, 2));
  g_assert_false (tsr_bitfield_set_bytes (bits, good, 1));
  g_assert_cmpuint (tsr_bitfield_count (bits), ==, 3);
  copy = tsr_bitfield_copy (bits);
  tsr_bitfield_set (bits, 0, FALSE);
  g_assert_cmpuint (tsr_bitfield_count (copy), ==, 3);
  g_assert_cmpuint (tsr_bitfield_count (bits), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  static const struct { const char *name; TsrCreateFormat format; } formats[] = {
    { "v1", TSR_CREATE_V1 }, { "v2", TSR_CREATE_V2 }, { "hybrid", TSR_CREATE_HYBRID },
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *a = g_strdup_printf ("/storage/%s/write-all-then-verify", formats[i].name);
      g_autofree char *b = g_strdup_printf ("/storage/%s/wrong-data-not-written", formats[i].name);
      g_autofree char *c = g_strdup_printf ("/storage/%s/read-blocks", formats[i].name);
      g_autofree char *d = g_strdup_printf ("/storage/%s/direct-writes", formats[i].name);
      g_autofree char *e = g_strdup_printf ("/storage/%s/symlinks-never-followed", formats[i].name);
      g_autofree char *u = g_strdup_printf ("/storage/%s/upgrade-while-reading", formats[i].name);
      g_autofree char *r = g_strdup_printf ("/storage/%s/read-cache-expiry", formats[i].name);
      g_autofree char *g = g_strdup_printf ("/storage/%s/read-cache-group", formats[i].name);

      g_test_add (a, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_write_all_then_verify, fixture_tear_down);
      g_test_add (b, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_wrong_data_not_written, fixture_tear_down);
      g_test_add (c, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_read_blocks, fixture_tear_down);
      g_test_add (d, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_direct_writes, fixture_tear_down);
      g_test_add (e, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_symlinks_never_followed,
                  fixture_tear_down);
      g_test_add (u, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_upgrade_while_reading,
                  fixture_tear_down);
      g_test_add (r, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_read_cache_expiry,
                  fixture_tear_down);
      g_test_add (g, Fixture, GINT_TO_POINTER (formats[i].format), fixture_set_up, test_read_cache_group,
                  fixture_tear_down);
    }
  g_test_add ("/storage/check-async-cancel", Fixture, GINT_TO_POINTER (TSR_CREATE_V1), fixture_set_up,
              test_check_async_cancel, fixture_tear_down);
  g_test_add ("/storage/many-checks-few-threads", Fixture, GINT_TO_POINTER (TSR_CREATE_V1), fixture_set_up,
              test_many_checks_few_threads, fixture_tear_down);
  g_test_add ("/storage/folder-shared", Fixture, GINT_TO_POINTER (TSR_CREATE_V1), fixture_set_up, test_folder_shared,
              fixture_tear_down);
  g_test_add_func ("/storage/open-file-limit", test_open_file_limit);
  g_test_add_func ("/storage/case-twins", test_case_twins);
  g_test_add_func ("/bitfield/basics", test_bitfield);

  return g_test_run ();
}
