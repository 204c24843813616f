/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-event-log.c: a torrent's logs word the engine's events into the
 * right stream (torrent, peers, errors), keep only the newest lines, and
 * tell an open view of each new line.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-event-log.h"
#include "tsr-test-util.h"

static void
count_line (TsrEventLog *log,
            int          kind,
            const char  *line,
            guint       *count)
{
  count[kind]++;
}

static void
test_streams_and_bound (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-event-log-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrTorrent) torrent = NULL;
  g_autofree char *peers = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *torrent_text = NULL;
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  guint counts[TSR_N_LOGS] = { 0 };
  TsrEventLog *log;
  guint i;

  tsr_test_write_file (root, "a.bin", 50000, 1);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  torrent = tsr_torrent_new (info, dir, id);
  tsr_event_log_attach (torrent, 3);
  log = tsr_event_log_get_for (torrent);
  g_assert_nonnull (log);
  g_signal_connect (log, "line-added", G_CALLBACK (count_line), counts);

  g_signal_emit_by_name (torrent, "peer-connected", "10.0.0.1:1");
  g_signal_emit_by_name (torrent, "peer-gone", "10.0.0.1:1", "The peer closed the connection");
  g_signal_emit_by_name (torrent, "peer-banned", "10.0.0.2:2", "sent a corrupt piece");
  g_signal_emit_by_name (torrent, "hash-failed", 2u);
  g_signal_emit_by_name (torrent, "tracker-error", "http://127.0.0.1:1/announce", "refused");
  g_signal_emit_by_name (torrent, "tracker-reply", "http://127.0.0.1:1/announce", (gint64) 3, (gint64) 4);

  g_assert_cmpuint (counts[TSR_LOG_PEERS], ==, 3);
  g_assert_cmpuint (counts[TSR_LOG_ERRORS], ==, 3);
  g_assert_cmpuint (counts[TSR_LOG_TORRENT], ==, 1);
  peers = tsr_event_log_dup_text (log, TSR_LOG_PEERS);
  g_assert_nonnull (strstr (peers, "10.0.0.1:1: connected\n"));
  g_assert_nonnull (strstr (peers, "10.0.0.1:1: gone (The peer closed the connection)\n"));
  g_assert_nonnull (strstr (peers, "10.0.0.2:2: banned (sent a corrupt piece)\n"));
  errors = tsr_event_log_dup_text (log, TSR_LOG_ERRORS);
  g_assert_nonnull (strstr (errors, "Banned 10.0.0.2:2: sent a corrupt piece"));
  g_assert_nonnull (strstr (errors, "Piece 2 failed its hash check"));
  g_assert_nonnull (strstr (errors, "Tracker http://127.0.0.1:1/announce: refused"));
  torrent_text = tsr_event_log_dup_text (log, TSR_LOG_TORRENT);
  g_assert_nonnull (strstr (torrent_text, "3 seeders, 4 leechers"));

  /* A scrape (BEP 48) keeps the announce's outcome and adds the swarm's. */
  {
    gint64 seeders = 0, leechers = 0, downloaded = 0, when = 0;
    const char *message = NULL;

    g_assert_false (tsr_event_log_get_scrape (log, "http://127.0.0.1:1/announce", &seeders, &leechers, &downloaded));
    g_signal_emit_by_name (torrent, "scrape-reply", "http://127.0.0.1:1/announce", (gint64) 30, (gint64) 40,
                           (gint64) 500);
    g_assert_true (tsr_event_log_get_scrape (log, "http://127.0.0.1:1/announce", &seeders, &leechers, &downloaded));
    g_assert_cmpint (seeders, ==, 30);
    g_assert_cmpint (leechers, ==, 40);
    g_assert_cmpint (downloaded, ==, 500);
    g_assert_true (tsr_event_log_get_tracker (log, "http://127.0.0.1:1/announce", &when, &message, &seeders,
                                              &leechers));
    g_assert_cmpint (seeders, ==, 3);
    g_assert_cmpint (leechers, ==, 4);
  }

  /* Three lines at most: the oldest go first. */
  for (i = 0; i < 5; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.0.1.%u:1", i);

      g_signal_emit_by_name (torrent, "peer-connected", address);
    }
  g_assert_cmpuint (tsr_event_log_get_n_lines (log, TSR_LOG_PEERS), ==, 3);
  g_clear_pointer (&peers, g_free);
  peers = tsr_event_log_dup_text (log, TSR_LOG_PEERS);
  g_assert_null (strstr (peers, "10.0.1.1:1"));
  g_assert_nonnull (strstr (peers, "10.0.1.2:1"));
  g_assert_nonnull (strstr (peers, "10.0.1.4:1"));
  tsr_event_log_set_max_lines (log, 1);
  g_assert_cmpuint (tsr_event_log_get_n_lines (log, TSR_LOG_PEERS), ==, 1);

  g_clear_object (&torrent);
  tsr_test_remove_tree (dir);
}

/* Loading a torrent file may repair it as other clients do (here: bytes
 * after its end); the torrent log says so, as `tessera-cli show` does. */
static void
test_metainfo_notes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-event-log-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) made = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrTorrent) torrent = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) trailing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree guint8 *data = NULL;
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  gsize size;

  tsr_test_write_file (root, "a.bin", 50000, 1);
  made = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  file = tsr_metainfo_dup_torrent_file (made);
  size = g_bytes_get_size (file);
  data = g_malloc (size + 1);
  memcpy (data, g_bytes_get_data (file, NULL), size);
  data[size] = '\n';
  trailing = g_bytes_new_take (g_steal_pointer (&data), size + 1);
  info = tsr_metainfo_new_from_bytes (trailing, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->notes->len, ==, 1);

  torrent = tsr_torrent_new (info, dir, id);
  tsr_event_log_attach (torrent, 10);
  text = tsr_event_log_dup_text (tsr_event_log_get_for (torrent), TSR_LOG_TORRENT);
  g_assert_nonnull (strstr (text, "Torrent file: "));
  g_assert_nonnull (strstr (text, (const char *) g_ptr_array_index (info->notes, 0)));

  g_clear_object (&torrent);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-log/streams-and-bound", test_streams_and_bound);
  g_test_add_func ("/event-log/metainfo-notes", test_metainfo_notes);
  return g_test_run ();
}
