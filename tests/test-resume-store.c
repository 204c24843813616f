/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-resume-store.c: TsrResumeStore against a fake owner: changes are
 * batched into one save after the delay, nothing is recorded before the
 * owner knows its pieces, an unchanged record is not rewritten, a failed
 * save stays dirty, and a record reads back only while the files on disk
 * still match it.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <utime.h>

#include "tsr-resume-store.h"
#include "tsr-test-util.h"

typedef struct
{
  char         *dir;
  char         *data;        /* the download folder */
  char         *state;       /* the state folder */
  TsrMetainfo  *info;
  TsrBitfield  *have;
  gboolean      known;       /* what the owner's snapshot says */
  guint         snapshots;
  TsrBitfield  *loaded;
  gboolean      done;
} Fixture;

static gboolean
snapshot (const char        **folder,
          const TsrBitfield **have,
          gpointer            user_data)
{
  Fixture *f = user_data;

  f->snapshots++;
  if (!f->known)
    return FALSE;
  *folder = f->data;
  *have = f->have;
  return TRUE;
}

static const TsrResumeStoreFuncs funcs = { .snapshot = snapshot };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-resume-store-XXXXXX", NULL);
  f->data = g_build_filename (f->dir, "data", NULL);
  f->state = g_build_filename (f->dir, "state", NULL);
  root = g_build_filename (f->data, "pack", NULL);
  f->info = tsr_test_make_pack (root);
  f->have = tsr_bitfield_new (f->info->piece_count);
  tsr_bitfield_set (f->have, 0, TRUE);
  tsr_bitfield_set (f->have, 3, TRUE);
  f->known = TRUE;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data);
  g_free (f->state);
  tsr_metainfo_unref (f->info);
  tsr_bitfield_free (f->have);
  g_clear_pointer (&f->loaded, tsr_bitfield_free);
}

static TsrResumeStore *
make_store (Fixture *f,
            guint    delay)
{
  TsrResumeStore *store = tsr_resume_store_new (delay, &funcs, f);

  tsr_resume_store_set_metainfo (store, f->info);
  tsr_resume_store_set_state_folder (store, f->state);
  return store;
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->loaded, tsr_bitfield_free);
  f->loaded = tsr_resume_store_load_finish (NULL, result, &error);
  g_assert_no_error (error);
  f->done = TRUE;
}

static void
load (Fixture        *f,
      TsrResumeStore *store)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  f->done = FALSE;
  tsr_resume_store_load_async (store, f->data, NULL, on_loaded, f);
  while (!f->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_for_file (const char *path,
               gint64      seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static void
test_batched (Fixture       *f,
              gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 1);
  g_autofree char *path = tsr_resume_store_dup_path (store);

  g_assert_nonnull (path);
  tsr_resume_store_changed (store);
  tsr_resume_store_changed (store);
  tsr_resume_store_changed (store);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  wait_for_file (path, 10);
  /* Three changes, one snapshot, one write. */
  g_assert_cmpuint (f->snapshots, ==, 1);
  g_assert_false (tsr_resume_store_is_dirty (store));
  load (f, store);
  g_assert_nonnull (f->loaded);
  g_assert_cmpuint (tsr_bitfield_count (f->loaded), ==, 2);
  g_assert_true (tsr_bitfield_get (f->loaded, 0));
  g_assert_true (tsr_bitfield_get (f->loaded, 3));
  tsr_resume_store_free (store);
}

static void
test_not_before_known (Fixture       *f,
                       gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 5);
  g_autofree char *path = tsr_resume_store_dup_path (store);
  g_autoptr(GError) error = NULL;

  f->known = FALSE;
  tsr_resume_store_changed (store);
  g_assert_true (tsr_resume_store_save_now (store, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Still owed: once the pieces are known it is written. */
  g_assert_true (tsr_resume_store_is_dirty (store));
  g_assert_null (tsr_resume_store_snapshot (store));
  f->known = TRUE;
  g_assert_true (tsr_resume_store_save_now (store, &error));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (tsr_resume_store_is_dirty (store));
  tsr_resume_store_free (store);
}

static void
test_unchanged_not_rewritten (Fixture       *f,
                              gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 5);
  g_autofree char *path = tsr_resume_store_dup_path (store);
  g_autoptr(GError) error = NULL;

  tsr_resume_store_mark_dirty (store);
  g_assert_true (tsr_resume_store_save_now (store, &error));
  g_assert_cmpuint (f->snapshots, ==, 1);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (tsr_resume_store_save_now (store, &error));
  g_assert_cmpuint (f->snapshots, ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  tsr_resume_store_free (store);
}

static void
test_failed_save_stays_dirty (Fixture       *f,
                              gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 5);
  g_autoptr(GError) error = NULL;

  /* The state folder is a file: the record cannot be written, even as
   * root. */
  g_assert_true (g_file_set_contents (f->state, "x", 1, NULL));
  tsr_resume_store_changed (store);
  g_assert_false (tsr_resume_store_save_now (store, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_true (tsr_resume_store_is_dirty (store));
  tsr_resume_store_free (store);
}

static void
wait_not_saving (TsrResumeStore *store)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (tsr_resume_store_is_saving (store))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Saves in the background: what the store shares with them exists only
 * while one is in flight; one that fails leaves the record owed; a store
 * freed while one is in flight is not touched by its end. */
static void
test_background_saves (Fixture       *f,
                       gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 5);
  g_autofree char *path = tsr_resume_store_dup_path (store);

  g_assert_false (tsr_resume_store_is_saving (store));
  tsr_resume_store_changed_now (store);
  while (!tsr_resume_store_is_saving (store) && !g_file_test (path, G_FILE_TEST_EXISTS))
    g_main_context_iteration (NULL, TRUE);
  wait_not_saving (store);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (tsr_resume_store_is_dirty (store));

  /* The state folder turned into a file: the next save fails, and the
   * record stays owed. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (f->state), ==, 0);
  g_assert_true (g_file_set_contents (f->state, "x", 1, NULL));
  tsr_resume_store_changed_now (store);
  while (!tsr_resume_store_is_saving (store))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (tsr_resume_store_is_dirty (store));
  wait_not_saving (store);
  g_assert_true (tsr_resume_store_is_dirty (store));

  /* Freed with a save in flight: its end reads nothing freed (ASan). */
  g_assert_cmpint (g_unlink (f->state), ==, 0);
  g_assert_cmpint (g_mkdir (f->state, 0755), ==, 0);
  tsr_resume_store_changed_now (store);
  while (!tsr_resume_store_is_saving (store))
    g_main_context_iteration (NULL, TRUE);
  tsr_resume_store_free (store);
  wait_for_file (path, 10);
  {
    guint i;

    for (i = 0; i < 100; i++)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
  }
}

static void
test_stale_record_ignored (Fixture       *f,
                           gconstpointer  unused)
{
  TsrResumeStore *store = make_store (f, 5);
  g_autofree char *file = g_build_filename (f->data, "pack", "b.bin", NULL);
  struct utimbuf times = { 1000000, 1000000 };

  tsr_resume_store_mark_dirty (store);
  g_assert_true (tsr_resume_store_save_now (store, NULL));
  load (f, store);
  g_assert_nonnull (f->loaded);
  /* A file changed behind the record's back: recheck instead. */
  g_assert_cmpint (g_utime (file, &times), ==, 0);
  load (f, store);
  g_assert_null (f->loaded);
  tsr_resume_store_free (store);
}

static void
test_disabled (Fixture       *f,
               gconstpointer  unused)
{
  TsrResumeStore *store = tsr_resume_store_new (1, &funcs, f);

  /* No metainfo yet (a magnet), then no state folder. */
  tsr_resume_store_set_state_folder (store, f->state);
  g_assert_false (tsr_resume_store_is_enabled (store));
  g_assert_null (tsr_resume_store_dup_path (store));
  load (f, store);
  g_assert_null (f->loaded);
  tsr_resume_store_set_metainfo (store, f->info);
  g_assert_true (tsr_resume_store_is_enabled (store));
  tsr_resume_store_set_state_folder (store, NULL);
  tsr_resume_store_changed (store);
  g_assert_true (tsr_resume_store_save_now (store, NULL));
  g_assert_false (g_file_test (f->state, G_FILE_TEST_EXISTS));
  tsr_resume_store_free (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/resume-store/batched", test_batched);
  ADD ("/resume-store/not-before-known", test_not_before_known);
  ADD ("/resume-store/unchanged-not-rewritten", test_unchanged_not_rewritten);
  ADD ("/resume-store/failed-save-stays-dirty", test_failed_save_stays_dirty);
  ADD ("/resume-store/stale-record-ignored", test_stale_record_ignored);
  ADD ("/resume-store/background-saves", test_background_saves);
  ADD ("/resume-store/disabled", test_disabled);
#undef ADD
  return g_test_run ();
}
