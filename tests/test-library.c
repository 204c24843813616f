/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-library.c: the torrents across runs (the app's, `tessera-cli peer
 * --library`'s), with no display needed: a torrent added, with
 * its folder, file priorities, own limits and stopped state, comes back
 * the same in a new library over the same data folder; a torrent already
 * in the list or a file that is not a torrent is refused with a reason;
 * a removed torrent is gone from the index and its copy deleted; labels
 * come back too, an index from before labels reads as none, and hostile
 * labels pass tsr-labels.h's rule; the queue order comes back, and with
 * a download limit set the first by position starts, the rest wait; a
 * torrent's options come back and reach the engine, hostile ones within
 * bounds; trackers the user set come back in their tiers, and a bad one
 * is refused and changes nothing; torrent files uploaded as bytes, one
 * per turn of the loop, all reach the index by themselves, whose every
 * entry has its copy on disk whenever it is read; a random port that is
 * taken is picked again in the range.
 */
#include "config.h"

#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tsr-library.h"
#include "tsr-session.h"
#include "tsr-test-util.h"

static void
wait_saved (void)
{
  /* Removing finishes on the main context. */
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *junk_path = g_build_filename (dir, "junk.torrent", NULL);
  g_autofree char *copy = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrLibrary) first = NULL;
  g_autoptr(TsrLibrary) second = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *copy_name = NULL;
  TsrTorrent *torrent;
  static const guint8 chosen[] = { TSR_PRIORITY_NORMAL, TSR_PRIORITY_SKIP };
  guint64 up_total = 0;
  guint64 down_total = 0;
  gdouble ratio = 0;

  info = tsr_test_make_pack (root);
  tsr_test_write_torrent_file (info, torrent_path);

  first = tsr_library_new (data);
  /* As the add dialog does: the second file left out. */
  torrent = tsr_library_add_file (first, torrent_path, downloads, TRUE, chosen, &error);
  g_assert_no_error (error);
  g_assert_nonnull (torrent);
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, TSR_TORRENT_STOPPED);
  g_assert_cmpint (tsr_torrent_get_file_priority (torrent, 0), ==, TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_torrent_get_file_priority (torrent, 1), ==, TSR_PRIORITY_SKIP);
  g_assert_false (tsr_library_has_own_limits (first, torrent));
  tsr_library_set_limits (first, torrent, 2048, 4096, 5 << 20, 6 << 20, 1.5);
  g_assert_true (tsr_library_has_own_limits (first, torrent));

  /* The same torrent twice, or a file that is not one: refused. */
  g_assert_null (tsr_library_add_file (first, torrent_path, downloads, TRUE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (junk_path, "d4:spam", -1, NULL));
  g_assert_null (tsr_library_add_file (first, junk_path, downloads, TRUE, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "junk.torrent"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (first)), ==, 1);

  g_assert_true (tsr_library_save (first, &error));
  g_assert_no_error (error);
  g_clear_object (&first);

  second = tsr_library_new (data);
  tsr_library_restore (second);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, 1);
  restored = g_list_model_get_item (tsr_library_get_torrents (second), 0);
  g_assert_true (memcmp (tsr_torrent_get_metainfo (restored)->info_hash, info->info_hash, 20) == 0);
  g_assert_cmpstr (tsr_torrent_get_folder (restored), ==, downloads);
  g_assert_cmpint (tsr_torrent_get_state (restored), ==, TSR_TORRENT_STOPPED);
  g_assert_cmpint (tsr_torrent_get_file_priority (restored, 0), ==, TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_torrent_get_file_priority (restored, 1), ==, TSR_PRIORITY_SKIP);
  g_assert_cmpuint (tsr_torrent_get_up_rate_limit (restored), ==, 2048);
  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (restored), ==, 4096);
  tsr_torrent_get_limits (restored, &up_total, &down_total, &ratio);
  g_assert_cmpuint (up_total, ==, 5 << 20);
  g_assert_cmpuint (down_total, ==, 6 << 20);
  g_assert_cmpfloat (ratio, ==, 1.5);
  g_assert_true (tsr_library_has_own_limits (second, restored));

  /* Removed: out of the index, its copy gone. */
  hex = tsr_metainfo_dup_info_hash_hex (info);
  copy_name = g_strconcat (hex, ".torrent", NULL);
  copy = g_build_filename (data, "torrents", copy_name, NULL);
  g_assert_true (g_file_test (copy, G_FILE_TEST_EXISTS));
  {
    g_autofree char *path = tsr_library_dup_torrent_file_path (second, restored);

    g_assert_cmpstr (path, ==, copy);
  }
  tsr_library_remove (second, restored, FALSE);
  wait_saved ();
  g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, 0);
  g_clear_object (&restored);
  g_clear_object (&second);
  second = tsr_library_new (data);
  tsr_library_restore (second);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, 0);

  tsr_test_remove_tree (dir);
}

static gboolean
iterate_until (gboolean (*done) (TsrTorrent *), TsrTorrent *torrent, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (torrent) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return done (torrent);
}

static gboolean
is_seeding (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_SEEDING;
}

/* A magnet link added to the library: kept as a magnet in the index while
 * fetching (a restart fetches again), then as a torrent file once the
 * metainfo came from a seeder on 127.0.0.1, with the data downloaded. */
static void
test_magnet (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *index_path = g_build_filename (data, "torrents.json", NULL);
  g_autofree char *hex = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *nowhere = NULL;
  g_autofree char *index = NULL;
  g_autofree char *copy_name = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *got_path = g_build_filename (downloads, "pack", "a.bin", NULL);
  g_autofree char *want_path = g_build_filename (root, "a.bin", NULL);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  gsize got_length = 0, want_length = 0;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrSession) seed_session = tsr_session_new ();
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(TsrLibrary) again = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrent *seed;
  TsrTorrent *torrent;

  tsr_test_write_file (root, "a.bin", 300000, 7);
  tsr_test_write_file (root, "b.bin", 1000, 8);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  hex = tsr_metainfo_dup_info_hash_hex (info);

  /* Fetching, with no peer: the index keeps the magnet. */
  nowhere = g_strdup_printf ("magnet:?xt=urn:btih:%s&dn=pack", hex);
  library = tsr_library_new (data);
  torrent = tsr_library_add_magnet (library, nowhere, downloads, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, TSR_TORRENT_FETCHING);
  g_assert_cmpstr (tsr_torrent_get_name (torrent), ==, "pack");
  g_assert_null (tsr_library_add_magnet (library, nowhere, downloads, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (tsr_library_add_magnet (library, "magnet:?dn=nohash", downloads, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (tsr_library_save (library, &error));
  g_assert_true (g_file_get_contents (index_path, &index, NULL, NULL));
  g_assert_nonnull (strstr (index, "\"magnet\""));
  g_clear_object (&library);
  again = tsr_library_new (data);
  tsr_library_restore (again);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (again)), ==, 1);
  restored = g_list_model_get_item (tsr_library_get_torrents (again), 0);
  g_assert_false (tsr_torrent_has_metainfo (restored));
  g_assert_cmpmem (tsr_torrent_get_info_hash (restored), 20, info->info_hash, 20);
  tsr_library_remove (again, restored, FALSE);
  wait_saved ();
  g_clear_object (&restored);
  g_clear_object (&again);

  /* Now with a seeder to ask (x.pe). */
  g_assert_true (tsr_session_listen_on (seed_session, "127.0.0.1", 0, &error));
  seed = tsr_session_add_torrent (seed_session, info, dir);
  tsr_torrent_start (seed);
  g_assert_true (iterate_until (is_seeding, seed, 30));
  uri = g_strdup_printf ("magnet:?xt=urn:btih:%s&x.pe=127.0.0.1:%u", hex, tsr_session_get_port (seed_session));
  library = tsr_library_new (data);
  torrent = tsr_library_add_magnet (library, uri, downloads, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (iterate_until (is_seeding, torrent, 60));
  wait_saved ();
  g_assert_true (g_file_get_contents (got_path, &got, &got_length, NULL));
  g_assert_true (g_file_get_contents (want_path, &want, &want_length, NULL));
  g_assert_cmpmem (got, got_length, want, want_length);
  copy_name = g_strconcat (hex, ".torrent", NULL);
  copy = g_build_filename (data, "torrents", copy_name, NULL);
  g_assert_true (g_file_test (copy, G_FILE_TEST_EXISTS));
  g_clear_pointer (&index, g_free);
  g_assert_true (tsr_library_save (library, &error));
  g_assert_true (g_file_get_contents (index_path, &index, NULL, NULL));
  g_assert_null (strstr (index, "\"magnet\""));
  g_assert_nonnull (strstr (index, hex));
  tsr_library_shutdown (library);
  g_clear_object (&library);
  tsr_torrent_stop (seed);
  tsr_test_remove_tree (dir);
}

static TsrTorrent *failed_torrent;

static void
on_failed_record (TsrLibrary *library,
                  TsrTorrent *torrent,
                  gpointer    user_data)
{
  failed_torrent = torrent;
}

static gboolean
has_failed (TsrTorrent *torrent)
{
  return failed_torrent == torrent;
}

/* A torrent that stops on an error (here: a symbolic link where its
 * folder goes, which storage will not follow) is told by "torrent-failed",
 * which the app turns into a notification; nothing lands behind the link. */
static void
test_failed (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *outside = g_build_filename (dir, "outside", NULL);
  g_autofree char *link = g_build_filename (downloads, "pack", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrSession) seed_session = tsr_session_new ();
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  TsrTorrent *seed;
  TsrTorrent *torrent;

  tsr_test_write_file (root, "a.bin", 100000, 9);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, torrent_path);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (downloads, 0755), ==, 0);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_assert_true (tsr_session_listen_on (seed_session, "127.0.0.1", 0, &error));
  seed = tsr_session_add_torrent (seed_session, info, dir);
  tsr_torrent_start (seed);
  g_assert_true (iterate_until (is_seeding, seed, 30));

  library = tsr_library_new (data);
  g_signal_connect (library, "torrent-failed", G_CALLBACK (on_failed_record), NULL);
  torrent = tsr_library_add_file (library, torrent_path, downloads, FALSE, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seed_session));

    tsr_torrent_add_peer_address (torrent, address);
  }
  g_assert_true (iterate_until (has_failed, torrent, 60));
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, TSR_TORRENT_ERROR);
  g_assert_nonnull (strstr (tsr_torrent_get_error (torrent), "symbolic link"));
  listing = g_dir_open (outside, 0, NULL);
  g_assert_null (g_dir_read_name (listing));
  tsr_library_shutdown (library);
  g_clear_object (&library);
  tsr_torrent_stop (seed);
  tsr_test_remove_tree (dir);
}

static void
on_labels_changed (TsrLibrary *library,
                   TsrTorrent *torrent,
                   guint      *count)
{
  (*count)++;
}

/* Hostile labels, straight through the setter: non-UTF-8 left out,
 * control characters made spaces and the ends trimmed, cut to 64
 * characters (whole ones), case-blind duplicates and blanks left out, 32
 * at most. */
static void
test_labels_rule (void)
{
  g_autoptr(GString) long_label = g_string_new (NULL);
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) kept = NULL;
  g_autofree char *expected_long = NULL;
  const char *hostile[] = { "\xff\xfe bad", "  Films\tHD \n", "films hd", "FILMS HD", "", "   ", NULL, NULL };
  guint i;

  for (i = 0; i < 100; i++)
    g_string_append (long_label, "é");
  hostile[5] = long_label->str;
  kept = tsr_labels_sanitise (hostile);
  g_assert_cmpuint (g_strv_length (kept), ==, 2);
  g_assert_cmpstr (kept[0], ==, "Films HD");
  expected_long = g_utf8_substring (long_label->str, 0, TSR_LABEL_MAX_CHARS);
  g_assert_cmpstr (kept[1], ==, expected_long);
  g_assert_cmpint (g_utf8_strlen (kept[1], -1), ==, 64);
  g_assert_true (g_utf8_validate (kept[1], -1, NULL));
  g_clear_pointer (&kept, g_strfreev);

  for (i = 0; i < 1000; i++)
    g_ptr_array_add (many, g_strdup_printf ("label %u", i));
  g_ptr_array_add (many, NULL);
  kept = tsr_labels_sanitise ((const char * const *) many->pdata);
  g_assert_cmpuint (g_strv_length (kept), ==, TSR_LABELS_MAX);
  g_assert_cmpstr (kept[31], ==, "label 31");
  g_clear_pointer (&kept, g_strfreev);
  kept = tsr_labels_sanitise (NULL);
  g_assert_nonnull (kept);
  g_assert_null (kept[0]);
}

/* Labels set on a torrent come back in a new library over the same
 * folder, and an index written before labels existed reads as none. */
static void
test_labels_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *index = g_build_filename (data, "torrents.json", NULL);
  g_autofree char *hex = NULL;
  g_autofree char *old_index = NULL;
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) first = NULL;
  g_autoptr(TsrLibrary) second = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GError) error = NULL;
  const char *labels[] = { "Linux", " isos ", "linux", "\x80", NULL };
  const char * const *got;
  TsrTorrent *torrent;
  guint changes = 0;

  tsr_test_write_torrent_file (info, torrent_path);
  first = tsr_library_new (data);
  g_signal_connect (first, "labels-changed", G_CALLBACK (on_labels_changed), &changes);
  torrent = tsr_library_add_file (first, torrent_path, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (tsr_library_get_labels (first, torrent)[0]);
  tsr_library_set_labels (first, torrent, labels);
  g_assert_cmpuint (changes, ==, 1);
  got = tsr_library_get_labels (first, torrent);
  g_assert_cmpuint (g_strv_length ((char **) got), ==, 2);
  g_assert_cmpstr (got[0], ==, "Linux");
  g_assert_cmpstr (got[1], ==, "isos");
  /* The same again is no change: no signal. */
  tsr_library_set_labels (first, torrent, got);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_true (tsr_library_save (first, &error));
  g_assert_no_error (error);
  tsr_library_shutdown (first);
  g_clear_object (&first);

  second = tsr_library_new (data);
  tsr_library_restore (second);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, 1);
  restored = g_list_model_get_item (tsr_library_get_torrents (second), 0);
  got = tsr_library_get_labels (second, restored);
  g_assert_cmpuint (g_strv_length ((char **) got), ==, 2);
  g_assert_cmpstr (got[0], ==, "Linux");
  g_assert_cmpstr (got[1], ==, "isos");
  tsr_library_shutdown (second);
  g_clear_object (&restored);
  g_clear_object (&second);

  /* An index from before labels; and one whose labels someone edited into
   * numbers and a 1,000-character string. */
  hex = tsr_metainfo_dup_info_hash_hex (info);
  old_index = g_strdup_printf ("{\"torrents\": [{\"hash\": \"%s\", \"folder\": \"%s\", \"paused\": true}]}", hex,
                               downloads);
  g_assert_true (g_file_set_contents (index, old_index, -1, NULL));
  second = tsr_library_new (data);
  tsr_library_restore (second);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, 1);
  restored = g_list_model_get_item (tsr_library_get_torrents (second), 0);
  g_assert_null (tsr_library_get_labels (second, restored)[0]);
  tsr_library_shutdown (second);
  g_clear_object (&restored);
  g_clear_object (&second);
  {
    g_autofree char *long_label = g_strnfill (1000, 'x');
    g_autofree char *edited = g_strdup_printf ("{\"torrents\": [{\"hash\": \"%s\", \"folder\": \"%s\", \"paused\": "
                                               "true, \"labels\": [1, null, \"%s\", \"ok\"]}]}", hex, downloads,
                                               long_label);

    g_assert_true (g_file_set_contents (index, edited, -1, NULL));
  }
  second = tsr_library_new (data);
  tsr_library_restore (second);
  restored = g_list_model_get_item (tsr_library_get_torrents (second), 0);
  got = tsr_library_get_labels (second, restored);
  g_assert_cmpuint (g_strv_length ((char **) got), ==, 2);
  g_assert_cmpuint (strlen (got[0]), ==, TSR_LABEL_MAX_CHARS);
  g_assert_cmpstr (got[1], ==, "ok");
  tsr_library_shutdown (second);
  tsr_test_remove_tree (dir);
}

static char *
queue_names (TsrLibrary *library)
{
  TsrSession *session = tsr_library_get_session (library);
  GString *names = g_string_new (NULL);
  TsrTorrent *torrent;
  guint i;

  for (i = 0; (torrent = tsr_session_get_queued_nth (session, i)) != NULL; i++)
    g_string_append (names, tsr_torrent_get_metainfo (torrent)->name);
  return g_string_free (names, FALSE);
}

static void
test_queue_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autoptr(TsrLibrary) first = NULL;
  g_autoptr(TsrLibrary) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  TsrTorrent *torrents[3];
  TsrSession *session;
  guint i;

  first = tsr_library_new (data);
  for (i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%c", 'a' + i);
      g_autofree char *root = g_build_filename (dir, name, NULL);
      g_autofree char *file = g_strconcat (root, ".torrent", NULL);
      g_autoptr(TsrMetainfo) info = NULL;

      tsr_test_write_file (root, "x.bin", 20000, i + 7);
      info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
      tsr_test_write_torrent_file (info, file);
      torrents[i] = tsr_library_add_file (first, file, downloads, TRUE, NULL, &error);
      g_assert_no_error (error);
    }
  /* c to the top, then a is removed: "cb", positions 0 and 1. */
  tsr_session_move_in_queue (tsr_library_get_session (first), torrents[2], TSR_QUEUE_MOVE_TOP);
  tsr_library_remove (first, torrents[0], FALSE);
  wait_saved ();
  g_assert_cmpuint (tsr_session_get_queue_position (tsr_library_get_session (first), torrents[1]), ==, 1);
  /* Both to start next time. */
  tsr_library_start (first, torrents[1]);
  tsr_library_start (first, torrents[2]);
  g_assert_true (tsr_library_save (first, &error));
  g_assert_no_error (error);
  tsr_library_shutdown (first);
  g_clear_object (&first);

  second = tsr_library_new (data);
  session = tsr_library_get_session (second);
  tsr_session_set_max_active (session, 1);
  tsr_library_restore (second);
  names = queue_names (second);
  g_assert_cmpstr (names, ==, "cb");
  /* One place: the first by position takes it, the other waits. */
  tsr_test_run_for (300);
  g_assert_cmpint (tsr_torrent_get_state (tsr_session_get_queued_nth (session, 0)), !=, TSR_TORRENT_QUEUED);
  g_assert_cmpint (tsr_torrent_get_state (tsr_session_get_queued_nth (session, 0)), !=, TSR_TORRENT_STOPPED);
  g_assert_cmpint (tsr_torrent_get_state (tsr_session_get_queued_nth (session, 1)), ==, TSR_TORRENT_QUEUED);
  tsr_library_shutdown (second);
  g_clear_object (&second);
  tsr_test_remove_tree (dir);
}

static void
test_options_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *index = g_build_filename (data, "torrents.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrentOptions options = { 0 };
  TsrTorrent *torrent;

  tsr_test_write_torrent_file (info, torrent_path);
  library = tsr_library_new (data);
  torrent = tsr_library_add_file (library, torrent_path, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  tsr_library_get_options (library, torrent, &options);
  g_assert_false (options.sequential);
  g_assert_cmpuint (options.max_peers, ==, 0);
  g_assert_true (tsr_library_save (library, &error));
  g_assert_true (g_file_get_contents (index, &text, NULL, NULL));
  g_assert_null (strstr (text, "\"options\""));   /* none set: nothing written */
  g_clear_pointer (&text, g_free);

  options.sequential = TRUE;
  options.first_last = TRUE;
  options.seed_idle = 600;
  options.max_peers = 12;
  tsr_library_set_options (library, torrent, &options);
  g_assert_cmpuint (tsr_torrent_get_max_peers (torrent), ==, 12);
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&library);

  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  memset (&options, 0, sizeof options);
  tsr_library_get_options (library, restored, &options);
  g_assert_true (options.sequential);
  g_assert_true (options.first_last);
  g_assert_cmpuint (options.seed_idle, ==, 600);
  g_assert_cmpuint (options.max_peers, ==, 12);
  g_assert_cmpuint (tsr_torrent_get_max_peers (restored), ==, 12);
  tsr_library_shutdown (library);
  g_clear_object (&restored);
  g_clear_object (&library);

  /* Edited by hand: out-of-bounds numbers and wrong types are left out. */
  {
    g_autofree char *hex = tsr_metainfo_dup_info_hash_hex (info);
    g_autofree char *edited = g_strdup_printf ("{\"torrents\": [{\"hash\": \"%s\", \"folder\": \"%s\", "
                                               "\"paused\": true, \"options\": {\"sequential\": \"yes\", "
                                               "\"seed-idle\": -5, \"max-peers\": 99999999}}]}", hex, downloads);

    g_assert_true (g_file_set_contents (index, edited, -1, NULL));
  }
  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  tsr_library_get_options (library, restored, &options);
  g_assert_false (options.sequential);
  g_assert_cmpuint (options.seed_idle, ==, 0);
  g_assert_cmpuint (options.max_peers, ==, 0);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

static void
test_trackers_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *tier;
  TsrTorrent *torrent;

  tsr_test_write_torrent_file (info, torrent_path);
  library = tsr_library_new (data);
  torrent = tsr_library_add_file (library, torrent_path, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  tier = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tier, g_strdup ("http://one.example/announce"));
  g_ptr_array_add (tier, g_strdup ("udp://two.example:6969"));
  g_ptr_array_add (tiers, tier);
  tier = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tier, g_strdup ("https://three.example/announce"));
  g_ptr_array_add (tiers, tier);
  g_assert_true (tsr_library_set_trackers (library, torrent, tiers, &error));
  g_assert_no_error (error);
  tier = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tier, g_strdup ("file:///etc/passwd"));
  g_ptr_array_add (bad, tier);
  g_assert_false (tsr_library_set_trackers (library, torrent, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&library);

  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  got = tsr_torrent_dup_trackers (restored);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (got, 0))->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (got, 0), 1), ==, "udp://two.example:6969");
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (got, 1), 0), ==,
                   "https://three.example/announce");
  /* Back to the metainfo's (none here), and so after a reload. */
  g_assert_true (tsr_library_set_trackers (library, restored, NULL, &error));
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&restored);
  g_clear_object (&library);
  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  g_clear_pointer (&got, g_ptr_array_unref);
  got = tsr_torrent_dup_trackers (restored);
  g_assert_cmpuint (got->len, ==, 0);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* Web seeds the user set come back after a reload; a refused list
 * changes nothing; NULL goes back to the metainfo's, and stays so. */
static void
test_web_seeds_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GError) error = NULL;
  static const char *urls[] = { "http://one.example/files/", "https://two.example/pack", NULL };
  static const char *bad[] = { "file:///etc/passwd", NULL };
  g_auto(GStrv) got = NULL;
  TsrTorrent *torrent;

  tsr_test_write_torrent_file (info, torrent_path);
  library = tsr_library_new (data);
  torrent = tsr_library_add_file (library, torrent_path, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (tsr_library_set_web_seeds (library, torrent, urls, &error));
  g_assert_no_error (error);
  g_assert_false (tsr_library_set_web_seeds (library, torrent, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&library);

  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  got = tsr_torrent_dup_web_seeds (restored);
  g_assert_cmpuint (g_strv_length (got), ==, 2);
  g_assert_cmpstr (got[0], ==, "http://one.example/files/");
  g_assert_cmpstr (got[1], ==, "https://two.example/pack");
  g_assert_true (tsr_library_set_web_seeds (library, restored, NULL, &error));
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&restored);
  g_clear_object (&library);
  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  g_clear_pointer (&got, g_strfreev);
  got = tsr_torrent_dup_web_seeds (restored);
  g_assert_cmpuint (g_strv_length (got), ==, 0);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* When a torrent came into the library: now when added, kept in the
 * index and read back from it (here an older time written into it). */
static void
test_added_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *index_path = g_build_filename (data, "torrents.json", NULL);
  g_autofree char *index = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(TsrTorrent) restored = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("\"added\"\\s*:\\s*[0-9]+", 0, 0, NULL);
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  TsrTorrent *torrent;

  tsr_test_write_torrent_file (info, torrent_path);
  library = tsr_library_new (data);
  torrent = tsr_library_add_file (library, torrent_path, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsr_library_get_added (library, torrent), >=, before);
  g_assert_cmpint (tsr_library_get_added (library, torrent), <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_true (tsr_library_save (library, &error));
  tsr_library_shutdown (library);
  g_clear_object (&library);

  g_assert_true (g_file_get_contents (index_path, &index, NULL, &error));
  g_assert_true (g_regex_match (regex, index, 0, NULL));
  edited = g_regex_replace_literal (regex, index, -1, 0, "\"added\": 1000000", 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (index_path, edited, -1, &error));
  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  g_assert_cmpint (tsr_library_get_added (library, restored), ==, 1000000);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* Every hash the index on disk lists has its copy on disk: the copies
 * go before the index that names them. Returns how many it lists. */
static guint
check_index_order (const char *data)
{
  g_autofree char *index = g_build_filename (data, "torrents.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *list;
  guint i;

  if (!g_file_test (index, G_FILE_TEST_EXISTS))
    return 0;
  g_assert_true (json_parser_load_from_file (parser, index, NULL));
  list = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "torrents");
  for (i = 0; i < json_array_get_length (list); i++)
    {
      const char *hash = json_object_get_string_member (json_array_get_object_element (list, i), "hash");
      g_autofree char *name = g_strconcat (hash, ".torrent", NULL);
      g_autofree char *copy = g_build_filename (data, "torrents", name, NULL);

      g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
    }
  return json_array_get_length (list);
}

/* A remote client's uploads, one per turn of the loop as an RPC client
 * sends them: all of them reach the index (written in few texts, on the
 * I/O pool, never naming a copy not yet on disk) and come back; the
 * same bytes again or bytes that are no torrent are refused. */
static void
test_add_bytes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(TsrLibrary) first = tsr_library_new (data);
  g_autoptr(TsrLibrary) second = NULL;
  g_autoptr(GBytes) junk = g_bytes_new_static ("d4:spam", 7);
  g_autoptr(GError) error = NULL;
  gint64 end;
  guint listed = 0;
  guint i;

  for (i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%02u", i);
      g_autofree char *root = g_build_filename (dir, name, NULL);
      g_autoptr(TsrMetainfo) info = NULL;

      tsr_test_write_file (root, "x.bin", 1000, i + 3);
      info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
      g_ptr_array_add (files, tsr_metainfo_dup_torrent_file (info));
    }
  for (i = 0; i < files->len; i++)
    {
      TsrTorrent *torrent = tsr_library_add_bytes (first, g_ptr_array_index (files, i), downloads, TRUE, NULL,
                                                   &error);

      g_assert_no_error (error);
      g_assert_nonnull (torrent);
      g_main_context_iteration (NULL, FALSE);
      listed = check_index_order (data);
    }
  g_assert_null (tsr_library_add_bytes (first, g_ptr_array_index (files, 7), downloads, TRUE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (tsr_library_add_bytes (first, junk, downloads, TRUE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* No save asked for: the changes reach the disk by themselves. */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (listed < files->len && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      listed = check_index_order (data);
    }
  g_assert_cmpuint (listed, ==, files->len);
  tsr_library_shutdown (first);
  g_clear_object (&first);

  second = tsr_library_new (data);
  tsr_library_restore (second);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (second)), ==, files->len);
  for (i = 0; i < files->len; i++)
    {
      g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (g_ptr_array_index (files, i), NULL);
      TsrTorrent *torrent = tsr_library_find (second, info->info_hash);
      g_autofree char *copy = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_nonnull (torrent);
      copy = tsr_library_dup_torrent_file_path (second, torrent);
      g_assert_true (g_file_get_contents (copy, &contents, &length, NULL));
      g_assert_cmpmem (contents, length, g_bytes_get_data (g_ptr_array_index (files, i), NULL),
                       g_bytes_get_size (g_ptr_array_index (files, i)));
    }
  tsr_library_shutdown (second);
  g_clear_object (&second);
  tsr_test_remove_tree (dir);
}

/* Each entry's text in the index is kept until something in it changes
 * (TsrLibraryEntry): after each kind of change, saved and read back in a
 * new library, the change is there; none is lost to a text kept too long. */
typedef struct
{
  char       *data;
  TsrLibrary *library;   /* (owned) read back from data */
  TsrTorrent *torrent;   /* (owned) its only torrent */
} Reread;

static void
reread (Reread     *r,
        TsrLibrary *library)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tsr_library_save (library, &error));
  g_assert_no_error (error);
  r->library = tsr_library_new (r->data);
  tsr_library_restore (r->library);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (r->library)), ==, 1);
  r->torrent = g_list_model_get_item (tsr_library_get_torrents (r->library), 0);
}

/* Shut down, so that nothing of it is still on its way to the index
 * when the first library writes it next. */
static void
reread_done (Reread *r)
{
  tsr_library_shutdown (r->library);
  g_clear_object (&r->torrent);
  g_clear_object (&r->library);
}

static void
on_entry_renamed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError **error = user_data;

  if (tsr_torrent_rename_path_finish (TSR_TORRENT (source), result, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "done");
}

static void
test_entry_changes_kept (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *elsewhere = g_build_filename (dir, "elsewhere", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *renamed = NULL;
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = NULL;
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) tier = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) got_tiers = NULL;
  g_autoptr(GError) error = NULL;
  static const char *labels[] = { "Films", NULL };
  static const char *urls[] = { "http://127.0.0.1:9/pack", NULL };
  g_auto(GStrv) got_urls = NULL;
  TsrTorrentOptions options = { .sequential = TRUE, .max_peers = 7 };
  Reread r = { .data = data };
  TsrTorrent *torrent;
  const char *old_path;
  const char *slash;

  tsr_test_write_torrent_file (info, torrent_path);
  library = tsr_library_new (data);
  torrent = tsr_library_add_file (library, torrent_path, dir, TRUE, NULL, &error);
  g_assert_no_error (error);
  reread (&r, library);   /* every text made once: the changes below must make theirs again */
  g_assert_cmpint (tsr_torrent_get_state (r.torrent), ==, TSR_TORRENT_STOPPED);
  g_assert_null (tsr_library_get_labels (r.library, r.torrent)[0]);
  reread_done (&r);

  tsr_library_set_labels (library, torrent, labels);
  reread (&r, library);
  g_assert_cmpstr (tsr_library_get_labels (r.library, r.torrent)[0], ==, "Films");
  reread_done (&r);

  tsr_library_set_limits (library, torrent, 5000, 6000, 0, 0, 1.5);
  reread (&r, library);
  g_assert_true (tsr_library_has_own_limits (r.library, r.torrent));
  g_assert_cmpuint (tsr_torrent_get_up_rate_limit (r.torrent), ==, 5000);
  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (r.torrent), ==, 6000);
  reread_done (&r);

  tsr_library_set_options (library, torrent, &options);
  reread (&r, library);
  memset (&options, 0, sizeof options);
  tsr_library_get_options (r.library, r.torrent, &options);
  g_assert_true (options.sequential);
  g_assert_cmpuint (options.max_peers, ==, 7);
  reread_done (&r);

  g_ptr_array_add (tier, g_strdup ("http://127.0.0.1:9/announce"));
  g_ptr_array_add (tiers, g_steal_pointer (&tier));
  g_assert_true (tsr_library_set_trackers (library, torrent, tiers, &error));
  g_assert_no_error (error);
  reread (&r, library);
  got_tiers = tsr_torrent_dup_trackers (r.torrent);
  g_assert_cmpuint (got_tiers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (got_tiers, 0), 0), ==,
                   "http://127.0.0.1:9/announce");
  reread_done (&r);

  g_assert_true (tsr_library_set_web_seeds (library, torrent, urls, &error));
  g_assert_no_error (error);
  reread (&r, library);
  got_urls = tsr_torrent_dup_web_seeds (r.torrent);
  g_assert_cmpstrv (got_urls, urls);
  reread_done (&r);

  /* File priorities are set on the torrent: the caller names it. */
  tsr_torrent_set_file_priority (torrent, 0, TSR_PRIORITY_HIGH);
  tsr_library_torrent_changed (library, torrent);
  reread (&r, library);
  g_assert_cmpint (tsr_torrent_get_file_priority (r.torrent, 0), ==, TSR_PRIORITY_HIGH);
  reread_done (&r);

  /* A rename ends on the main loop ("file-renamed"). */
  old_path = tsr_torrent_get_file_path (torrent, 0);
  tsr_torrent_rename_path_async (torrent, old_path, "renamed.bin", NULL, on_entry_renamed, &error);
  TSR_TEST_WAIT_UNTIL (error != NULL, 10, "the rename to end");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  slash = strrchr (tsr_torrent_get_file_path (torrent, 0), '/');
  renamed = g_strdup (tsr_torrent_get_file_path (torrent, 0));
  g_assert_cmpstr (slash != NULL ? slash + 1 : renamed, ==, "renamed.bin");
  reread (&r, library);
  g_assert_cmpstr (tsr_torrent_get_file_path (r.torrent, 0), ==, renamed);
  reread_done (&r);

  /* Another folder, set on the torrent without a word to the library:
   * the text follows the folder all the same. */
  g_assert_true (tsr_torrent_set_folder (torrent, elsewhere, &error));
  g_assert_no_error (error);
  reread (&r, library);
  g_assert_cmpstr (tsr_torrent_get_folder (r.torrent), ==, elsewhere);
  reread_done (&r);

  /* Started through the library, then stopped by the engine alone. */
  tsr_library_start (library, torrent);
  g_assert_cmpint (tsr_torrent_get_state (torrent), !=, TSR_TORRENT_STOPPED);
  reread (&r, library);
  g_assert_cmpint (tsr_torrent_get_state (r.torrent), !=, TSR_TORRENT_STOPPED);
  reread_done (&r);
  tsr_torrent_stop (torrent);
  reread (&r, library);
  g_assert_cmpint (tsr_torrent_get_state (r.torrent), ==, TSR_TORRENT_STOPPED);
  g_assert_cmpstr (tsr_library_get_labels (r.library, r.torrent)[0], ==, "Films");   /* the rest stands */
  g_assert_true (tsr_library_has_own_limits (r.library, r.torrent));
  reread_done (&r);

  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* A port picked at random that is taken (here by a TCP listener and a
 * UDP socket of the test) is picked again in the range, and the caller
 * learns the one used. */
static void
test_listen_random (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-library-XXXXXX", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (dir);
  g_autoptr(GSocket) tcp = NULL;
  g_autoptr(GSocket) udp = NULL;
  g_autoptr(GError) error = NULL;
  guint16 taken = 0;
  guint16 port;
  guint tries;

  for (tries = 0; tries < 50 && udp == NULL; tries++)
    {
      g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = NULL;

      taken = tsr_session_pick_random_port ();
      address = g_inet_socket_address_new (any, taken);
      g_clear_object (&tcp);
      tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      if (!g_socket_bind (tcp, address, FALSE, NULL) || !g_socket_listen (tcp, NULL))
        continue;
      udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
      if (!g_socket_bind (udp, address, FALSE, NULL))
        g_clear_object (&udp);
    }
  g_assert_nonnull (udp);

  port = taken;
  g_assert_true (tsr_library_listen_random (library, &port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, !=, taken);
  g_assert_cmpuint (port, >=, TSR_SESSION_RANDOM_PORT_MIN);
  g_assert_cmpuint (port, <=, TSR_SESSION_RANDOM_PORT_MAX);
  g_assert_cmpuint (tsr_session_get_port (tsr_library_get_session (library)), ==, port);
  tsr_library_shutdown (library);
  g_clear_object (&library);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/round-trip", test_round_trip);
  g_test_add_func ("/library/magnet", test_magnet);
  g_test_add_func ("/library/failed", test_failed);
  g_test_add_func ("/library/labels/rule", test_labels_rule);
  g_test_add_func ("/library/labels/round-trip", test_labels_round_trip);
  g_test_add_func ("/library/queue/round-trip", test_queue_round_trip);
  g_test_add_func ("/library/options/round-trip", test_options_round_trip);
  g_test_add_func ("/library/trackers/round-trip", test_trackers_round_trip);
  g_test_add_func ("/library/web-seeds/round-trip", test_web_seeds_round_trip);
  g_test_add_func ("/library/added/round-trip", test_added_round_trip);
  g_test_add_func ("/library/add-bytes", test_add_bytes);
  g_test_add_func ("/library/listen-random", test_listen_random);
  g_test_add_func ("/library/entry/changes-kept", test_entry_changes_kept);
  return g_test_run ();
}
