/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-watch-folder.c: the watch folder on a real folder and GFileMonitor:
 * a .torrent there before watching and one written after are added once
 * each and renamed .added (other files left alone); in delete mode the
 * file goes; a broken file is reported once and not tried again while it
 * stays the same, and is added once fixed; a file written in several
 * writes over longer than the settling time is added once, whole; a
 * torrent already in the library counts as added (a real TsrLibrary).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tessera-engine.h"
#include "tsr-test-util.h"
#include "tsr-watch-folder.h"

#define SETTLE_MS 300

typedef struct
{
  char           *dir;
  char           *watched;
  GBytes         *torrent;   /* a valid .torrent file's bytes */
  GBytes         *other;     /* another one */
  TsrWatchFolder *watch;
  TsrLibrary     *library;   /* (nullable) when the test adds through one */
  guint           tries;     /* calls of the add function */
  guint           added;     /* "added" signals */
  guint           failed;    /* "failed" signals */
  GError         *error;     /* the last "failed" one */
} Fixture;

static gboolean
add_file (const char  *path,
          gpointer     user_data,
          GError     **error)
{
  Fixture *fixture = user_data;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autofree char *downloads = NULL;

  fixture->tries++;
  if (fixture->library != NULL)
    {
      downloads = g_build_filename (fixture->dir, "downloads", NULL);
      return tsr_library_add_file (fixture->library, path, downloads, TRUE, NULL, error) != NULL;
    }
  info = tsr_metainfo_new_from_file (path, error);
  return info != NULL;
}

static void
on_added (TsrWatchFolder *watch,
          const char     *path,
          Fixture        *fixture)
{
  fixture->added++;
}

static void
on_failed (TsrWatchFolder *watch,
           const char     *path,
           const GError   *error,
           Fixture        *fixture)
{
  fixture->failed++;
  g_clear_error (&fixture->error);
  fixture->error = g_error_copy (error);
}

static GBytes *
make_torrent (Fixture    *fixture,
              const char *name,
              guint       seed)
{
  g_autofree char *root = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "made.torrent", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  char *contents = NULL;
  gsize length = 0;

  tsr_test_write_file (root, "a.bin", 50000, seed);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_unlink (path);
  return g_bytes_new_take (contents, length);
}

static char *
watched_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->watched, name, NULL);
}

static void
put (Fixture    *fixture,
     const char *name,
     GBytes     *bytes)
{
  g_autofree char *path = watched_path (fixture, name);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), NULL));
}

static gboolean
exists (Fixture    *fixture,
        const char *name)
{
  g_autofree char *path = watched_path (fixture, name);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds. */
static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop until @name exists (or not, as @wanted), 10 s at most. */
static void
wait_for (Fixture    *fixture,
          const char *name,
          gboolean    wanted)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (exists (fixture, name) != wanted)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s %s after 10 s", name, wanted ? "does not exist" : "still exists");
      run_for (20);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  fixture->dir = g_dir_make_tmp ("tsr-watch-XXXXXX", NULL);
  fixture->watched = g_build_filename (fixture->dir, "watched", NULL);
  g_assert_cmpint (g_mkdir (fixture->watched, 0755), ==, 0);
  fixture->torrent = make_torrent (fixture, "Ubuntu ISO", 1);
  fixture->other = make_torrent (fixture, "Debian DVD", 2);
  fixture->watch = tsr_watch_folder_new (add_file, fixture);
  tsr_watch_folder_set_settle_time (fixture->watch, SETTLE_MS);
  g_signal_connect (fixture->watch, "added", G_CALLBACK (on_added), fixture);
  g_signal_connect (fixture->watch, "failed", G_CALLBACK (on_failed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  g_clear_object (&fixture->watch);
  if (fixture->library != NULL)
    tsr_library_shutdown (fixture->library);
  g_clear_object (&fixture->library);
  /* Cancelled operations finish on the main context. */
  run_for (50);
  tsr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->watched);
  g_bytes_unref (fixture->torrent);
  g_bytes_unref (fixture->other);
  g_clear_error (&fixture->error);
}

static void
test_adds_and_renames (Fixture       *fixture,
                       gconstpointer  unused)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);

  put (fixture, "before.torrent", fixture->torrent);
  put (fixture, "notes.txt", text);
  tsr_watch_folder_set_folder (fixture->watch, fixture->watched);
  /* The scan finds the file already there. */
  wait_for (fixture, "before.torrent.added", TRUE);
  g_assert_false (exists (fixture, "before.torrent"));
  put (fixture, "after.torrent", fixture->other);
  wait_for (fixture, "after.torrent.added", TRUE);
  g_assert_false (exists (fixture, "after.torrent"));
  run_for (3 * SETTLE_MS);
  g_assert_cmpuint (fixture->tries, ==, 2);
  g_assert_cmpuint (fixture->added, ==, 2);
  g_assert_cmpuint (fixture->failed, ==, 0);
  g_assert_true (exists (fixture, "notes.txt"));
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  unused)
{
  tsr_watch_folder_set_after (fixture->watch, TSR_WATCH_FOLDER_DELETE);
  tsr_watch_folder_set_folder (fixture->watch, fixture->watched);
  run_for (50);
  put (fixture, "gone.torrent", fixture->torrent);
  wait_for (fixture, "gone.torrent", FALSE);
  run_for (3 * SETTLE_MS);
  g_assert_false (exists (fixture, "gone.torrent.added"));
  g_assert_cmpuint (fixture->tries, ==, 1);
  g_assert_cmpuint (fixture->added, ==, 1);
  g_assert_cmpuint (fixture->failed, ==, 0);
}

static void
test_broken_reported_once (Fixture       *fixture,
                           gconstpointer  unused)
{
  g_autoptr(GBytes) junk = g_bytes_new_static ("d4:junk", 7);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  tsr_watch_folder_set_folder (fixture->watch, fixture->watched);
  run_for (50);
  put (fixture, "broken.torrent", junk);
  while (fixture->failed == 0 && g_get_monotonic_time () < deadline)
    run_for (20);
  g_assert_cmpuint (fixture->failed, ==, 1);
  g_assert_nonnull (fixture->error);
  /* Left as it is, and not tried again: ten settling times later, and
   * after another file came and went. */
  put (fixture, "good.torrent", fixture->other);
  wait_for (fixture, "good.torrent.added", TRUE);
  run_for (10 * SETTLE_MS);
  g_assert_cmpuint (fixture->tries, ==, 2);
  g_assert_cmpuint (fixture->failed, ==, 1);
  g_assert_true (exists (fixture, "broken.torrent"));
  g_assert_false (exists (fixture, "broken.torrent.added"));
  /* Fixed, it is added. */
  put (fixture, "broken.torrent", fixture->torrent);
  wait_for (fixture, "broken.torrent.added", TRUE);
  g_assert_cmpuint (fixture->tries, ==, 3);
  g_assert_cmpuint (fixture->added, ==, 2);
  g_assert_cmpuint (fixture->failed, ==, 1);
}

/* Written in four parts, a settling time apart in all: added once, whole. */
static void
test_written_in_parts (Fixture       *fixture,
                       gconstpointer  unused)
{
  g_autofree char *path = watched_path (fixture, "slow.torrent");
  gsize size = g_bytes_get_size (fixture->torrent);
  const char *data = g_bytes_get_data (fixture->torrent, NULL);
  FILE *file;
  guint i;

  tsr_watch_folder_set_folder (fixture->watch, fixture->watched);
  run_for (50);
  file = fopen (path, "wb");
  g_assert_nonnull (file);
  for (i = 0; i < 4; i++)
    {
      gsize from = size * i / 4;
      gsize to = size * (i + 1) / 4;

      g_assert_cmpuint (fwrite (data + from, 1, to - from, file), ==, to - from);
      g_assert_cmpint (fflush (file), ==, 0);
      if (i < 3)
        run_for (SETTLE_MS / 2);
    }
  g_assert_cmpint (fclose (file), ==, 0);
  wait_for (fixture, "slow.torrent.added", TRUE);
  run_for (3 * SETTLE_MS);
  g_assert_cmpuint (fixture->tries, ==, 1);
  g_assert_cmpuint (fixture->added, ==, 1);
  g_assert_cmpuint (fixture->failed, ==, 0);
}

/* Already in the library: renamed as added, nothing reported. */
static void
test_duplicate (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *data = g_build_filename (fixture->dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (fixture->dir, "downloads", NULL);
  g_autofree char *first = g_build_filename (fixture->dir, "first.torrent", NULL);
  g_autoptr(GError) error = NULL;

  fixture->library = tsr_library_new (data);
  g_assert_true (g_file_set_contents (first, g_bytes_get_data (fixture->torrent, NULL),
                                      (gssize) g_bytes_get_size (fixture->torrent), NULL));
  g_assert_nonnull (tsr_library_add_file (fixture->library, first, downloads, TRUE, NULL, &error));
  g_assert_no_error (error);
  tsr_watch_folder_set_folder (fixture->watch, fixture->watched);
  run_for (50);
  put (fixture, "again.torrent", fixture->torrent);
  put (fixture, "new.torrent", fixture->other);
  wait_for (fixture, "again.torrent.added", TRUE);
  wait_for (fixture, "new.torrent.added", TRUE);
  g_assert_cmpuint (fixture->tries, ==, 2);
  g_assert_cmpuint (fixture->added, ==, 2);
  g_assert_cmpuint (fixture->failed, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->library)), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/watch-folder/adds-and-renames", Fixture, NULL, fixture_set_up, test_adds_and_renames,
              fixture_tear_down);
  g_test_add ("/watch-folder/delete", Fixture, NULL, fixture_set_up, test_delete, fixture_tear_down);
  g_test_add ("/watch-folder/broken-reported-once", Fixture, NULL, fixture_set_up, test_broken_reported_once,
              fixture_tear_down);
  g_test_add ("/watch-folder/written-in-parts", Fixture, NULL, fixture_set_up, test_written_in_parts,
              fixture_tear_down);
  g_test_add ("/watch-folder/duplicate", Fixture, NULL, fixture_set_up, test_duplicate, fixture_tear_down);
  return g_test_run ();
}
