/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-rename.c: renaming a torrent's file or folder
 * (tsr_torrent_rename_path_async), through a library as the app does: a
 * file with data on disk and one without, a folder, the torrent's own
 * name; names refused and names taken; the new names kept across a
 * restart of the library, the data still checked good and seeded under
 * them; and nothing ever created, renamed or read outside the download
 * folder, a symlink in the way included.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "tsr-library.h"
#include "tsr-session.h"
#include "tsr-storage-error.h"
#include "tsr-test-util.h"

typedef struct
{
  char        *dir;
  char        *data;        /* the library's */
  char        *downloads;   /* the download folder */
  char        *outside;     /* beside it: must never change */
  char        *torrent_path;
  TsrMetainfo *info;
  TsrLibrary  *library;
  TsrTorrent  *torrent;     /* borrowed: the library's */
  guint        checks;
  gboolean     resumed;     /* the last check trusted the resume record */
  GPtrArray   *renamed;     /* "file-renamed" as "path>name" */
  guint        name_notifies;
} Fixture;

/* pack/a.bin 40000, pack/sub/c.bin 20000, pack/sub/d.bin 9000: a v1
 * torrent of 16 KiB pieces, made from data under made/ (moved into the
 * downloads folder by the tests that start with it). */
static void
make_torrent (Fixture *f)
{
  g_autofree char *root = g_build_filename (f->dir, "made", "pack", NULL);

  tsr_test_write_file (root, "a.bin", 40000, 1);
  tsr_test_write_file (root, "sub/c.bin", 20000, 2);
  tsr_test_write_file (root, "sub/d.bin", 9000, 3);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (f->info, f->torrent_path);
  g_assert_cmpuint (f->info->n_files, ==, 3);
  g_assert_cmpstr (f->info->files[0].path, ==, "pack/a.bin");
  g_assert_cmpstr (f->info->files[1].path, ==, "pack/sub/c.bin");
  g_assert_cmpstr (f->info->files[2].path, ==, "pack/sub/d.bin");
}

static void
on_checked (TsrTorrent *torrent,
            guint       have,
            gboolean    resumed,
            Fixture    *f)
{
  f->checks++;
  f->resumed = resumed;
}

static void
on_file_renamed (TsrTorrent *torrent,
                 const char *path,
                 const char *new_name,
                 Fixture    *f)
{
  g_ptr_array_add (f->renamed, g_strdup_printf ("%s>%s", path, new_name));
}

static void
count_name_notify (Fixture *f)
{
  f->name_notifies++;
}

static void
watch (Fixture    *f,
       TsrTorrent *torrent)
{
  f->torrent = torrent;
  g_signal_connect (torrent, "checked", G_CALLBACK (on_checked), f);
  g_signal_connect (torrent, "file-renamed", G_CALLBACK (on_file_renamed), f);
}

/* A library with the torrent added, saving into the downloads folder:
 * with its data there and seeding, or with none and stopped. */
static void
open_library (Fixture  *f,
              gboolean  with_data)
{
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;

  if (with_data)
    {
      g_autofree char *from = g_build_filename (f->dir, "made", "pack", NULL);
      g_autofree char *to = g_build_filename (f->downloads, "pack", NULL);

      g_assert_cmpint (g_mkdir_with_parents (f->downloads, 0755), ==, 0);
      g_assert_cmpint (g_rename (from, to), ==, 0);
    }
  f->library = tsr_library_new (f->data);
  torrent = tsr_library_add_file (f->library, f->torrent_path, f->downloads, !with_data, NULL, &error);
  g_assert_no_error (error);
  watch (f, torrent);
  if (with_data)
    TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (f->torrent) == TSR_TORRENT_SEEDING, 10, "seeding");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("tsr-rename-XXXXXX", NULL);
  f->data = g_build_filename (f->dir, "data", NULL);
  f->downloads = g_build_filename (f->dir, "downloads", NULL);
  f->outside = g_build_filename (f->dir, "outside", NULL);
  f->torrent_path = g_build_filename (f->dir, "pack.torrent", NULL);
  f->renamed = g_ptr_array_new_with_free_func (g_free);
  tsr_test_write_file (f->outside, "c.bin", 100, 7);
  make_torrent (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->library != NULL)
    tsr_library_shutdown (f->library);
  g_clear_object (&f->library);
  tsr_test_drain ();
  tsr_test_remove_tree (f->dir);
  g_clear_pointer (&f->info, tsr_metainfo_unref);
  g_ptr_array_unref (f->renamed);
  g_free (f->torrent_path);
  g_free (f->outside);
  g_free (f->downloads);
  g_free (f->data);
  g_free (f->dir);
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  if (tsr_torrent_rename_path_finish (TSR_TORRENT (source), result, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "done");
}

/* Renames and returns the error, or NULL when it worked. */
static GError *
rename_path (Fixture    *f,
             const char *path,
             const char *new_name)
{
  GError *error = NULL;

  tsr_torrent_rename_path_async (f->torrent, path, new_name, NULL, on_renamed, &error);
  TSR_TEST_WAIT_UNTIL (error != NULL, 10, "the rename to end");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_clear_error (&error);
      return NULL;
    }
  return error;
}

static gboolean
exists (const char *folder,
        const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The folder holds exactly @names (sorted, comma-separated). */
static void
assert_folder_holds (const char *folder,
                     const char *names)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (found, g_strdup (name));
  g_ptr_array_sort (found, compare_names);
  g_ptr_array_add (found, NULL);
  joined = g_strjoinv (",", (char **) found->pdata);
  g_assert_cmpstr (joined, ==, names);
}

/* Hashes the data again and asserts every piece is good. */
static void
assert_verifies (Fixture *f)
{
  guint checks = f->checks;

  tsr_torrent_verify (f->torrent);
  TSR_TEST_WAIT_UNTIL (f->checks > checks, 10, "the verify");
  g_assert_false (f->resumed);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (f->torrent), ==, f->info->piece_count);
}

/* A file with its data renamed while seeding: the file moves, the
 * torrent seeds on, and a verify finds every piece under the new name. */
static void
test_file_with_data (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pack = NULL;

  open_library (f, TRUE);
  error = rename_path (f, "pack/a.bin", "first.bin");
  g_assert_no_error (error);
  pack = g_build_filename (f->downloads, "pack", NULL);
  assert_folder_holds (pack, "first.bin,sub");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "pack/first.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "pack/sub/c.bin");
  g_assert_cmpuint (f->renamed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->renamed, 0), ==, "pack/a.bin>first.bin");
  /* The metainfo is the torrent's: only where its files land changed. */
  g_assert_cmpstr (tsr_torrent_get_metainfo (f->torrent)->files[0].path, ==, "pack/a.bin");
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (f->torrent) == TSR_TORRENT_SEEDING, 10, "seeding again");
  assert_verifies (f);
  assert_folder_holds (pack, "first.bin,sub");

  /* Its own name again: nothing to do, no signal. */
  error = rename_path (f, "pack/first.bin", "first.bin");
  g_assert_no_error (error);
  g_assert_cmpuint (f->renamed->len, ==, 1);
}

/* A folder, then the torrent's name (its top folder). */
static void
test_folder_and_top (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bundle = g_build_filename (f->downloads, "bundle", NULL);
  g_autofree char *parts = g_build_filename (bundle, "parts", NULL);

  open_library (f, TRUE);
  error = rename_path (f, "pack/sub", "parts");
  g_assert_no_error (error);
  g_assert_cmpstr (tsr_torrent_get_name (f->torrent), ==, "pack");
  g_signal_connect_swapped (f->torrent, "notify::name", G_CALLBACK (count_name_notify), f);
  error = rename_path (f, "pack", "bundle");
  g_assert_no_error (error);
  g_assert_cmpstr (tsr_torrent_get_name (f->torrent), ==, "bundle");
  g_assert_cmpuint (f->name_notifies, ==, 1);
  assert_folder_holds (f->downloads, "bundle");
  assert_folder_holds (bundle, "a.bin,parts");
  assert_folder_holds (parts, "c.bin,d.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "bundle/a.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "bundle/parts/c.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 2), ==, "bundle/parts/d.bin");
  /* The old paths name nothing now. */
  error = rename_path (f, "pack/a.bin", "x.bin");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (f->torrent) == TSR_TORRENT_SEEDING, 10, "seeding again");
  assert_verifies (f);
}

/* No data yet: the rename creates nothing; data that then appears under
 * the new names (as the download would write it) is found good. */
static void
test_without_data (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *made = g_build_filename (f->dir, "made", "pack", NULL);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  open_library (f, FALSE);
  error = rename_path (f, "pack/sub/c.bin", "third.bin");
  g_assert_no_error (error);
  error = rename_path (f, "pack", "renamed");
  g_assert_no_error (error);
  g_assert_false (exists (f->dir, "downloads/pack"));
  g_assert_false (exists (f->dir, "downloads/renamed"));
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "renamed/sub/third.bin");

  /* The data arrives under the new names. */
  from = g_build_filename (made, "sub", "c.bin", NULL);
  to = g_build_filename (made, "sub", "third.bin", NULL);
  g_assert_cmpint (g_rename (from, to), ==, 0);
  g_free (to);
  to = g_build_filename (f->downloads, "renamed", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->downloads, 0755), ==, 0);
  g_assert_cmpint (g_rename (made, to), ==, 0);
  assert_verifies (f);
}

/* Names that are not one safe component, paths the torrent does not
 * have, and names a sibling has: refused, nothing changed. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  static const char *const bad[] = { "", ".", "..", "a/b", "/", "x\\y", "con", "tail." };
  static const struct { const char *path; const char *name; GIOErrorEnum code; } refused[] = {
    { "pack/a.bin", "sub", G_IO_ERROR_EXISTS },        /* a sibling folder */
    { "pack/sub/c.bin", "d.bin", G_IO_ERROR_EXISTS },  /* a sibling file */
    { "pack/nothing", "x", G_IO_ERROR_NOT_FOUND },
    { "pack/a", "x", G_IO_ERROR_NOT_FOUND },           /* a prefix, not a component */
    { "pack/", "x", G_IO_ERROR_NOT_FOUND },
    { "", "x", G_IO_ERROR_NOT_FOUND },
    { "other", "x", G_IO_ERROR_NOT_FOUND },
  };
  g_autofree char *pack = NULL;
  guint i;

  open_library (f, TRUE);
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = rename_path (f, "pack/a.bin", bad[i]);

      g_test_message ("name “%s”", bad[i]);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, !=, "");
    }
  {
    g_autoptr(GError) error = rename_path (f, "pack/a.bin", NULL);

    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = rename_path (f, refused[i].path, refused[i].name);

      g_test_message ("“%s” to “%s”", refused[i].path, refused[i].name);
      g_assert_error (error, G_IO_ERROR, (gint) refused[i].code);
    }
  pack = g_build_filename (f->downloads, "pack", NULL);
  assert_folder_holds (pack, "a.bin,sub");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "pack/a.bin");
  g_assert_cmpuint (f->renamed->len, ==, 0);
  /* Refused before anything stopped. */
  g_assert_cmpint (tsr_torrent_get_state (f->torrent), ==, TSR_TORRENT_SEEDING);
}

/* A file the torrent does not name already has the new name on disk:
 * it keeps its data, and the torrent keeps its old name. */
static void
test_clash_on_disk (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pack = g_build_filename (f->downloads, "pack", NULL);
  g_autofree char *mine = g_build_filename (pack, "mine.txt", NULL);
  g_autofree char *contents = NULL;

  open_library (f, TRUE);
  g_assert_true (g_file_set_contents (mine, "keep me", -1, NULL));
  error = rename_path (f, "pack/a.bin", "mine.txt");
  g_assert_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "already there"));
  g_assert_true (g_file_get_contents (mine, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  assert_folder_holds (pack, "a.bin,mine.txt,sub");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "pack/a.bin");
  g_assert_cmpuint (f->renamed->len, ==, 0);
  /* It goes on as it was. */
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (f->torrent) == TSR_TORRENT_SEEDING, 10, "seeding again");
  assert_verifies (f);
}

/* The new names are in the library's index: a new library over the same
 * data folder has them, trusts the resume record written for them (no
 * recheck), seeds, and verifies every piece under them. */
static void
test_survives_restart (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTorrent) restored = NULL;

  open_library (f, TRUE);
  error = rename_path (f, "pack/sub", "parts");
  g_assert_no_error (error);
  error = rename_path (f, "pack/a.bin", "first.bin");
  g_assert_no_error (error);
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (f->torrent) == TSR_TORRENT_SEEDING, 10, "seeding again");
  tsr_library_shutdown (f->library);
  g_clear_object (&f->library);
  tsr_test_drain ();

  f->library = tsr_library_new (f->data);
  f->checks = 0;
  tsr_library_restore (f->library);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (f->library)), ==, 1);
  restored = g_list_model_get_item (tsr_library_get_torrents (f->library), 0);
  watch (f, restored);
  g_assert_cmpstr (tsr_torrent_get_file_path (restored, 0), ==, "pack/first.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (restored, 1), ==, "pack/parts/c.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (restored, 2), ==, "pack/parts/d.bin");
  g_assert_cmpstr (tsr_torrent_get_name (restored), ==, "pack");
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (restored) == TSR_TORRENT_SEEDING, 10, "seeding after the restart");
  g_assert_cmpuint (f->checks, ==, 1);
  g_assert_true (f->resumed);
  assert_verifies (f);
  g_assert_false (exists (f->downloads, "pack/a.bin"));
  g_assert_false (exists (f->downloads, "pack/sub"));
}

/* Kept paths are checked as a rename is: a hand-edited index cannot
 * send a file out of the folder, onto another, or deeper. */
static void
test_set_file_paths (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { const char *paths[3]; GIOErrorEnum code; } refused[] = {
    { { "../a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },
    { { "pack/../../a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },
    { { "/tmp/a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },
    { { "a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },             /* another depth */
    { { "pack/x/a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },
    { { "pack//a.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },
    { { "pack/sub/c.bin", NULL, NULL }, G_IO_ERROR_INVALID_ARGUMENT },   /* deeper */
    { { "pack/x.bin", "pack/x.bin/c.bin", NULL }, G_IO_ERROR_EXISTS },    /* a file where a folder is */
    { { NULL, "pack/sub/d.bin", NULL }, G_IO_ERROR_EXISTS },              /* two files on one path */
  };
  const char *good[3] = { "elsewhere/a.bin", NULL, "pack/other/d.bin" };
  guint i;

  open_library (f, FALSE);
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u", i);
      g_assert_false (tsr_torrent_set_file_paths (f->torrent, refused[i].paths, &error));
      g_assert_error (error, G_IO_ERROR, (gint) refused[i].code);
      g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "pack/a.bin");
      g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "pack/sub/c.bin");
    }
  g_assert_true (tsr_torrent_set_file_paths (f->torrent, good, NULL));
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "elsewhere/a.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "pack/sub/c.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 2), ==, "pack/other/d.bin");
}

/* A running torrent's paths change only by renaming its files. */
static void
test_set_file_paths_running (Fixture       *f,
                             gconstpointer  data)
{
  const char *paths[3] = { "pack/x.bin", NULL, NULL };
  g_autoptr(GError) error = NULL;

  open_library (f, TRUE);
  g_assert_false (tsr_torrent_set_file_paths (f->torrent, paths, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 0), ==, "pack/a.bin");
}

/* A second rename asked for while the first is on the disk is refused,
 * not planned against paths about to change; the first one lands. */
static void
test_one_at_a_time (Fixture       *f,
                    gconstpointer  data)
{
  GError *first = NULL;
  GError *second = NULL;

  open_library (f, TRUE);
  tsr_torrent_rename_path_async (f->torrent, "pack/sub", "parts", NULL, on_renamed, &first);
  tsr_torrent_rename_path_async (f->torrent, "pack/sub/c.bin", "x.bin", NULL, on_renamed, &second);
  TSR_TEST_WAIT_UNTIL (first != NULL && second != NULL, 10, "both renames to end");
  g_assert_error (first, G_IO_ERROR, G_IO_ERROR_PENDING);   /* done */
  g_assert_error (second, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&first);
  g_clear_error (&second);
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "pack/parts/c.bin");
  g_assert_true (exists (f->downloads, "pack/parts/c.bin"));
  /* Once it is done, the next one goes. */
  second = rename_path (f, "pack/parts/c.bin", "x.bin");
  g_assert_no_error (second);
  g_assert_true (exists (f->downloads, "pack/parts/x.bin"));
}

/* A single-file torrent: its name is its file. */
static void
test_single_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *made = g_build_filename (f->dir, "single", NULL);
  g_autofree char *file = g_build_filename (made, "movie.mkv", NULL);
  g_autofree char *torrent_path = g_build_filename (f->dir, "single.torrent", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;

  tsr_test_write_file (made, "movie.mkv", 50000, 5);
  info = tsr_test_make_torrent (file, TSR_CREATE_V1, 16384);
  g_assert_cmpuint (info->n_files, ==, 1);
  g_assert_cmpstr (info->files[0].path, ==, "movie.mkv");
  tsr_test_write_torrent_file (info, torrent_path);
  g_assert_cmpint (g_mkdir_with_parents (f->downloads, 0755), ==, 0);
  {
    g_autofree char *to = g_build_filename (f->downloads, "movie.mkv", NULL);

    g_assert_cmpint (g_rename (file, to), ==, 0);
  }
  f->library = tsr_library_new (f->data);
  torrent = tsr_library_add_file (f->library, torrent_path, f->downloads, FALSE, NULL, &error);
  g_assert_no_error (error);
  watch (f, torrent);
  g_clear_pointer (&f->info, tsr_metainfo_unref);
  f->info = tsr_metainfo_ref (info);
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (torrent) == TSR_TORRENT_SEEDING, 10, "seeding");

  error = rename_path (f, "movie.mkv", "film.mkv");
  g_assert_no_error (error);
  assert_folder_holds (f->downloads, "film.mkv");
  g_assert_cmpstr (tsr_torrent_get_file_path (torrent, 0), ==, "film.mkv");
  g_assert_cmpstr (tsr_torrent_get_name (torrent), ==, "film.mkv");
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (torrent) == TSR_TORRENT_SEEDING, 10, "seeding again");
  assert_verifies (f);
}

/* A symlink planted where a folder of the torrent is: the rename does
 * not go through it, and what it points at is untouched. */
static void
test_nothing_outside (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *real = NULL;

  open_library (f, TRUE);
  tsr_torrent_stop (f->torrent);
  sub = g_build_filename (f->downloads, "pack", "sub", NULL);
  real = g_build_filename (f->downloads, "pack", "real-sub", NULL);
  g_assert_cmpint (g_rename (sub, real), ==, 0);
  g_assert_cmpint (symlink (f->outside, sub), ==, 0);

  error = rename_path (f, "pack/sub/c.bin", "moved.bin");
  g_assert_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO);
  g_clear_error (&error);
  assert_folder_holds (f->outside, "c.bin");
  g_assert_cmpstr (tsr_torrent_get_file_path (f->torrent, 1), ==, "pack/sub/c.bin");

  /* Renaming the link itself (a folder of the torrent) renames the link,
   * beneath the folder, never its target. */
  error = rename_path (f, "pack/sub", "linked");
  g_assert_no_error (error);
  g_assert_true (g_file_test (sub, G_FILE_TEST_EXISTS) == FALSE);
  assert_folder_holds (f->outside, "c.bin");
  assert_folder_holds (f->dir, "data,downloads,made,outside,pack.torrent");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/torrent-rename/file-with-data", Fixture, NULL, fixture_set_up, test_file_with_data,
              fixture_tear_down);
  g_test_add ("/torrent-rename/folder-and-top", Fixture, NULL, fixture_set_up, test_folder_and_top,
              fixture_tear_down);
  g_test_add ("/torrent-rename/without-data", Fixture, NULL, fixture_set_up, test_without_data, fixture_tear_down);
  g_test_add ("/torrent-rename/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/torrent-rename/clash-on-disk", Fixture, NULL, fixture_set_up, test_clash_on_disk,
              fixture_tear_down);
  g_test_add ("/torrent-rename/survives-restart", Fixture, NULL, fixture_set_up, test_survives_restart,
              fixture_tear_down);
  g_test_add ("/torrent-rename/set-file-paths", Fixture, NULL, fixture_set_up, test_set_file_paths,
              fixture_tear_down);
  g_test_add ("/torrent-rename/set-file-paths-running", Fixture, NULL, fixture_set_up, test_set_file_paths_running,
              fixture_tear_down);
  g_test_add ("/torrent-rename/one-at-a-time", Fixture, NULL, fixture_set_up, test_one_at_a_time,
              fixture_tear_down);
  g_test_add ("/torrent-rename/single-file", Fixture, NULL, fixture_set_up, test_single_file, fixture_tear_down);
  g_test_add ("/torrent-rename/nothing-outside", Fixture, NULL, fixture_set_up, test_nothing_outside,
              fixture_tear_down);
  return g_test_run ();
}
