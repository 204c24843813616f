/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-queue.c: the session's queue (tsr-queue.c behind tsr-session.h):
 * positions are 0-based and dense through adds, moves and removes; the
 * moves do what their names say; with a download limit the queued
 * torrents start by position when a place frees up (a check that ends in
 * seeding frees one), running ones are not pushed out by a move; with a
 * seed limit a complete torrent waits for a seeding place; a torrent is
 * found by its info hash, also after another with that hash is gone.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-session.h"
#include "tsr-test-util.h"

typedef struct
{
  char       *dir;
  TsrSession *session;
  TsrTorrent *torrents[4];   /* borrowed: the session holds them */
} Fixture;

/* Torrent @i of a few bytes of its own; with @complete its data is in
 * the folder it is added with, else that folder is empty. */
static TsrTorrent *
add_torrent (Fixture  *fixture,
             guint     i,
             gboolean  complete)
{
  g_autofree char *name = g_strdup_printf ("t%u", i);
  g_autofree char *source = g_build_filename (fixture->dir, "source", NULL);
  g_autofree char *root = g_build_filename (source, name, NULL);
  g_autofree char *empty = g_build_filename (fixture->dir, "empty", NULL);
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_test_write_file (root, "data.bin", 40000, i + 1);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  return tsr_session_add_torrent (fixture->session, info, complete ? source : empty);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("tsr-queue-XXXXXX", NULL);
  fixture->session = tsr_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GListModel *list = tsr_session_get_torrents (fixture->session);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (list, i);

      tsr_torrent_stop (torrent);
    }
  tsr_test_drain ();
  g_clear_object (&fixture->session);
  tsr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
on_queue_changed (TsrSession *session,
                  guint      *count)
{
  (*count)++;
}

/* The queue as letters, "abcd" for torrents[0..3] in that order. */
static char *
order_of (Fixture *fixture)
{
  GString *order = g_string_new (NULL);
  TsrTorrent *torrent;
  guint i;
  guint j;

  for (i = 0; (torrent = tsr_session_get_queued_nth (fixture->session, i)) != NULL; i++)
    for (j = 0; j < G_N_ELEMENTS (fixture->torrents); j++)
      if (fixture->torrents[j] == torrent)
        {
          g_assert_cmpuint (tsr_session_get_queue_position (fixture->session, torrent), ==, i);
          g_string_append_c (order, 'a' + j);
        }
  return g_string_free (order, FALSE);
}

static void
assert_order (Fixture    *fixture,
              const char *expected)
{
  g_autofree char *order = order_of (fixture);

  g_assert_cmpstr (order, ==, expected);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (tsr_session_remove_torrent_finish (TSR_SESSION (source), result, NULL));
  *done = TRUE;
}

static void
test_positions (Fixture       *fixture,
                gconstpointer  data)
{
  TsrSession *session = fixture->session;
  guint changes = 0;
  gboolean removed = FALSE;
  TsrTestDeadline deadline;
  guint i;

  g_signal_connect (session, "queue-changed", G_CALLBACK (on_queue_changed), &changes);
  for (i = 0; i < G_N_ELEMENTS (fixture->torrents); i++)
    fixture->torrents[i] = add_torrent (fixture, i, FALSE);
  g_assert_cmpuint (changes, ==, 4);
  assert_order (fixture, "abcd");

  tsr_session_move_in_queue (session, fixture->torrents[3], TSR_QUEUE_MOVE_TOP);
  assert_order (fixture, "dabc");
  tsr_session_move_in_queue (session, fixture->torrents[1], TSR_QUEUE_MOVE_UP);
  assert_order (fixture, "dbac");
  tsr_session_move_in_queue (session, fixture->torrents[3], TSR_QUEUE_MOVE_DOWN);
  assert_order (fixture, "bdac");
  tsr_session_move_in_queue (session, fixture->torrents[1], TSR_QUEUE_MOVE_BOTTOM);
  assert_order (fixture, "dacb");
  g_assert_cmpuint (changes, ==, 8);

  /* At either end already, or to where it is: nothing moves, no signal. */
  tsr_session_move_in_queue (session, fixture->torrents[3], TSR_QUEUE_MOVE_UP);
  tsr_session_move_in_queue (session, fixture->torrents[3], TSR_QUEUE_MOVE_TOP);
  tsr_session_move_in_queue (session, fixture->torrents[1], TSR_QUEUE_MOVE_DOWN);
  tsr_session_set_queue_position (session, fixture->torrents[0], 1);
  assert_order (fixture, "dacb");
  g_assert_cmpuint (changes, ==, 8);

  /* A given position; past the end is last. */
  tsr_session_set_queue_position (session, fixture->torrents[1], 1);
  assert_order (fixture, "dbac");
  tsr_session_set_queue_position (session, fixture->torrents[3], 99);
  assert_order (fixture, "bacd");

  /* Removed: those after it move up, no gap. */
  tsr_session_remove_torrent_async (session, fixture->torrents[0], FALSE, NULL, on_removed, &removed);
  fixture->torrents[0] = NULL;
  assert_order (fixture, "bcd");
  g_assert_cmpuint (tsr_session_get_queue_position (session, fixture->torrents[3]), ==, 2);
  tsr_test_deadline_start (&deadline, 5000);
  while (!removed)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
}

static gboolean
is_running (TsrTorrent *torrent)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);

  return state == TSR_TORRENT_CHECKING || state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING;
}

static void
wait_for_state (TsrTorrent      *torrent,
                TsrTorrentState  state)
{
  TsrTestDeadline deadline;

  tsr_test_deadline_start (&deadline, 10000);
  while (tsr_torrent_get_state (torrent) != state)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
}

/* Nothing missing, and nothing to fetch from: a download that stays one. */
static void
test_download_limit (Fixture       *fixture,
                     gconstpointer  data)
{
  TsrTorrent **t = fixture->torrents;
  guint i;

  tsr_session_set_max_active (fixture->session, 1);
  for (i = 0; i < 3; i++)
    {
      t[i] = add_torrent (fixture, i, FALSE);
      tsr_torrent_queue (t[i]);
    }
  wait_for_state (t[0], TSR_TORRENT_DOWNLOADING);
  tsr_test_run_for (200);
  g_assert_cmpint (tsr_torrent_get_state (t[1]), ==, TSR_TORRENT_QUEUED);
  g_assert_cmpint (tsr_torrent_get_state (t[2]), ==, TSR_TORRENT_QUEUED);

  /* Moved to the top, the last one is next; the running one runs on. */
  tsr_session_move_in_queue (fixture->session, t[2], TSR_QUEUE_MOVE_TOP);
  tsr_test_run_for (200);
  g_assert_cmpint (tsr_torrent_get_state (t[0]), ==, TSR_TORRENT_DOWNLOADING);
  g_assert_cmpint (tsr_torrent_get_state (t[2]), ==, TSR_TORRENT_QUEUED);
  tsr_torrent_stop (t[0]);
  wait_for_state (t[2], TSR_TORRENT_DOWNLOADING);
  tsr_test_run_for (200);
  g_assert_cmpint (tsr_torrent_get_state (t[1]), ==, TSR_TORRENT_QUEUED);

  /* A second place: the next by position starts. */
  tsr_session_set_max_active (fixture->session, 2);
  wait_for_state (t[1], TSR_TORRENT_DOWNLOADING);
  /* Back to one: the last by position goes back to the queue. */
  tsr_session_set_max_active (fixture->session, 1);
  wait_for_state (t[1], TSR_TORRENT_QUEUED);
  g_assert_cmpint (tsr_torrent_get_state (t[2]), ==, TSR_TORRENT_DOWNLOADING);
}

static void
on_second_state_changed (TsrTorrent *second,
                         TsrTorrent *first)
{
  /* It leaves the queue only once the first has finished its check. */
  if (tsr_torrent_get_state (second) != TSR_TORRENT_QUEUED)
    g_assert_cmpint (tsr_torrent_get_state (first), ==, TSR_TORRENT_SEEDING);
}

static void
test_next_starts_when_one_finishes (Fixture       *fixture,
                                    gconstpointer  data)
{
  TsrTorrent **t = fixture->torrents;

  tsr_session_set_max_active (fixture->session, 1);
  t[0] = add_torrent (fixture, 0, TRUE);
  t[1] = add_torrent (fixture, 1, FALSE);
  tsr_torrent_queue (t[0]);
  tsr_torrent_queue (t[1]);
  g_signal_connect (t[1], "state-changed", G_CALLBACK (on_second_state_changed), t[0]);
  wait_for_state (t[0], TSR_TORRENT_SEEDING);
  wait_for_state (t[1], TSR_TORRENT_DOWNLOADING);
  g_signal_handlers_disconnect_by_data (t[1], t[0]);
}

static void
test_seed_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  TsrTorrent **t = fixture->torrents;

  tsr_session_set_max_seeding (fixture->session, 1);
  g_assert_cmpuint (tsr_session_get_max_seeding (fixture->session), ==, 1);
  t[0] = add_torrent (fixture, 0, TRUE);
  t[1] = add_torrent (fixture, 1, TRUE);
  t[2] = add_torrent (fixture, 2, FALSE);
  tsr_torrent_queue (t[0]);
  tsr_torrent_queue (t[1]);
  tsr_torrent_queue (t[2]);
  /* Downloads are not limited: the third runs while the seeds take turns. */
  wait_for_state (t[2], TSR_TORRENT_DOWNLOADING);
  wait_for_state (t[0], TSR_TORRENT_SEEDING);
  /* Both checked at first (unknown data counts as a download); the
   * second, found complete, goes back to wait for a seeding place. */
  wait_for_state (t[1], TSR_TORRENT_QUEUED);
  tsr_test_run_for (300);
  g_assert_cmpint (tsr_torrent_get_state (t[0]), ==, TSR_TORRENT_SEEDING);
  g_assert_cmpint (tsr_torrent_get_state (t[1]), ==, TSR_TORRENT_QUEUED);
  g_assert_true (is_running (t[2]));

  tsr_torrent_stop (t[0]);
  wait_for_state (t[1], TSR_TORRENT_SEEDING);
  tsr_test_run_for (200);
  g_assert_cmpint (tsr_torrent_get_state (t[0]), ==, TSR_TORRENT_STOPPED);

  /* No limit: the stopped one stays stopped (it is not queued). */
  tsr_session_set_max_seeding (fixture->session, 0);
  tsr_test_run_for (200);
  g_assert_cmpint (tsr_torrent_get_state (t[0]), ==, TSR_TORRENT_STOPPED);
}

static void
remove_torrent (Fixture    *fixture,
                TsrTorrent *torrent)
{
  gboolean done = FALSE;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  tsr_session_remove_torrent_async (fixture->session, torrent, FALSE, NULL, on_removed, &done);
  while (!done && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done);
}

/* A torrent is found by its hash; two with one hash (the CLI may add
 * them; the library refuses), the second is found once the first goes. */
static void
test_find (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GBytes) file = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  guint8 hash[20];
  TsrTorrent *first;
  TsrTorrent *twin;
  TsrTorrent *other;
  static const guint8 unknown[20] = { 0 };

  first = add_torrent (fixture, 0, FALSE);
  other = add_torrent (fixture, 1, FALSE);
  memcpy (hash, tsr_torrent_get_info_hash (first), sizeof hash);
  file = tsr_metainfo_dup_torrent_file (tsr_torrent_get_metainfo (first));
  info = tsr_metainfo_new_from_bytes (file, NULL);
  g_assert_nonnull (info);
  twin = tsr_session_add_torrent (fixture->session, info, fixture->dir);
  g_assert_true (tsr_session_find_torrent (fixture->session, hash) == first);
  g_assert_true (tsr_session_find_torrent (fixture->session, tsr_torrent_get_info_hash (other)) == other);
  g_assert_null (tsr_session_find_torrent (fixture->session, unknown));

  remove_torrent (fixture, first);
  g_assert_true (tsr_session_find_torrent (fixture->session, hash) == twin);
  remove_torrent (fixture, twin);
  g_assert_null (tsr_session_find_torrent (fixture->session, hash));
  g_assert_true (tsr_session_find_torrent (fixture->session, tsr_torrent_get_info_hash (other)) == other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/queue/positions", Fixture, NULL, fixture_set_up, test_positions, fixture_tear_down);
  g_test_add ("/queue/download-limit", Fixture, NULL, fixture_set_up, test_download_limit, fixture_tear_down);
  g_test_add ("/queue/next-starts-when-one-finishes", Fixture, NULL, fixture_set_up,
              test_next_starts_when_one_finishes, fixture_tear_down);
  g_test_add ("/queue/seed-limit", Fixture, NULL, fixture_set_up, test_seed_limit, fixture_tear_down);
  g_test_add ("/queue/find", Fixture, NULL, fixture_set_up, test_find, fixture_tear_down);
  return g_test_run ();
}
