/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-signals.c: the signals a TsrTorrent has, as the app, the
 * CLI and the library connect to them: each name, run last, no return
 * value, and the types of what it carries; the swarm's and the web
 * seeds' reports that are only a signal arrive as the right one, with
 * what they told.
 */
#include "config.h"

#include <glib-object.h>

#include "tsr-torrent-signals.h"
#include "tsr-torrent.h"

static const struct
{
  const char *name;
  guint       n_params;
  GType       params[4];
} expected[] = {
  { "state-changed", 0, { 0 } },
  { "piece-verified", 1, { G_TYPE_UINT } },
  { "hash-failed", 1, { G_TYPE_UINT } },
  { "peer-connected", 1, { G_TYPE_STRING } },
  { "peer-gone", 2, { G_TYPE_STRING, G_TYPE_STRING } },
  { "done", 0, { 0 } },
  { "tracker-reply", 3, { G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64 } },
  { "tracker-error", 2, { G_TYPE_STRING, G_TYPE_STRING } },
  { "peer-banned", 2, { G_TYPE_STRING, G_TYPE_STRING } },
  { "limit-reached", 1, { G_TYPE_STRING } },
  { "peer-dialing", 1, { G_TYPE_STRING } },
  { "peer-state", 2, { G_TYPE_STRING, G_TYPE_STRING } },
  { "scrape-reply", 4, { G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64 } },
  { "scrape-error", 2, { G_TYPE_STRING, G_TYPE_STRING } },
  { "dht-node", 1, { G_TYPE_STRING } },
  { "metadata-received", 0, { 0 } },
  { "checked", 2, { G_TYPE_UINT, G_TYPE_BOOLEAN } },
  { "file-renamed", 2, { G_TYPE_STRING, G_TYPE_STRING } },
};

static void
test_signals_carry (void)
{
  g_autofree guint *ids = NULL;
  guint n_ids;
  guint i, j;

  g_type_class_unref (g_type_class_ref (TSR_TYPE_TORRENT));
  ids = g_signal_list_ids (TSR_TYPE_TORRENT, &n_ids);
  g_assert_cmpuint (n_ids, ==, G_N_ELEMENTS (expected));
  for (i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GSignalQuery query;
      guint id = g_signal_lookup (expected[i].name, TSR_TYPE_TORRENT);

      g_assert_cmpuint (id, !=, 0);
      g_signal_query (id, &query);
      g_assert_cmpstr (query.signal_name, ==, expected[i].name);
      g_assert_cmpint (query.signal_flags & G_SIGNAL_RUN_LAST, !=, 0);
      g_assert_true (query.return_type == G_TYPE_NONE);
      g_assert_cmpuint (query.n_params, ==, expected[i].n_params);
      for (j = 0; j < query.n_params; j++)
        g_assert_true ((query.param_types[j] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == expected[i].params[j]);
    }
}

/* "peer-connected", "peer-dialing": the address. */
static void
on_peer_told (TsrTorrent *torrent,
              const char *address,
              gpointer    user_data)
{
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (torrent);

  g_string_append_printf (user_data, "%s %s\n", g_signal_name (hint->signal_id), address);
}

/* "peer-gone", "peer-state", "peer-banned": the address and a word. */
static void
on_peer_said (TsrTorrent *torrent,
              const char *address,
              const char *detail,
              gpointer    user_data)
{
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (torrent);

  g_string_append_printf (user_data, "%s %s %s\n", g_signal_name (hint->signal_id), address, detail);
}

static void
test_reports_emit (void)
{
  static const char dict[] = "d6:lengthi10e4:name4:file12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae";
  static const char *names[] = { "peer-connected", "peer-gone", "peer-dialing", "peer-state", "peer-banned" };
  static const guint8 peer_id[20] = { 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (dict, sizeof dict - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_info (bytes, NULL, &error);
  g_autoptr(TsrTorrent) torrent = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  TsrPeerAddress address;
  guint i;

  g_assert_no_error (error);
  torrent = tsr_torrent_new (info, g_get_tmp_dir (), peer_id);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    g_signal_connect (torrent, names[i], i == 0 || i == 2 ? G_CALLBACK (on_peer_told) : G_CALLBACK (on_peer_said),
                      log);
  g_assert_true (tsr_peer_address_parse ("192.0.2.1:6881", &address));
  tsr_torrent_signals_swarm_event (TSR_SWARM_DIALING, "192.0.2.1:6881", NULL, torrent);
  tsr_torrent_signals_swarm_event (TSR_SWARM_CONNECTED, "192.0.2.1:6881", NULL, torrent);
  tsr_torrent_signals_swarm_event (TSR_SWARM_STATE, "192.0.2.1:6881", "unchoked-us", torrent);
  tsr_torrent_signals_swarm_event (TSR_SWARM_GONE, "192.0.2.1:6881", "timed out", torrent);
  tsr_torrent_signals_peer_banned (&address, "bad data", torrent);
  tsr_torrent_signals_url_banned ("http://example.org/file", "bad piece", torrent);
  g_assert_cmpstr (log->str, ==,
                   "peer-dialing 192.0.2.1:6881\n"
                   "peer-connected 192.0.2.1:6881\n"
                   "peer-state 192.0.2.1:6881 unchoked-us\n"
                   "peer-gone 192.0.2.1:6881 timed out\n"
                   "peer-banned 192.0.2.1:6881 bad data\n"
                   "peer-banned http://example.org/file bad piece\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-signals/carry", test_signals_carry);
  g_test_add_func ("/torrent-signals/reports-emit", test_reports_emit);
  return g_test_run ();
}
