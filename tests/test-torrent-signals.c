/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-signals.c: the signals a TsrTorrent has, as the app, the
 * CLI and the library connect to them: each name, run last, no return
 * value, and the types of what it carries.
 */
#include "config.h"

#include <glib-object.h>

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-signals/carry", test_signals_carry);
  return g_test_run ();
}
