/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-blocklist.c: the measuring end of tests/bench/blocklist.sh (not a
 * test). Loads the lists given as a session's blocklist would (a worker
 * thread, the main loop waiting), then looks up random IPv4 addresses.
 * Prints one JSON object: load seconds, resident memory before, after
 * and at its peak (KiB, from /proc/self/status), the merged ranges and
 * malformed lines, and lookups per second.
 *
 * Usage: bench-blocklist [--lookups N] FILE…
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "tessera-engine.h"

static guint64
status_kib (const char *key)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  line = strstr (text, key);
  return line != NULL ? g_ascii_strtoull (line + strlen (key), NULL, 10) : 0;
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tsr_blocklist_load_finish (TSR_BLOCKLIST (source), result, &error))
    g_error ("%s", error->message);
  *(gboolean *) user_data = TRUE;
}

int
main (int    argc,
      char **argv)
{
  gint64 lookups = 10000000;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "lookups", 0, 0, G_OPTION_ARG_INT64, &lookups, "Random IPv4 lookups to time", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBlocklist) blocklist = tsr_blocklist_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint64 rss_before, rss_after, hwm;
  gint64 load_start, loaded, start, i, hits = 0;
  gdouble lookup_seconds;
  gboolean done = FALSE;
  TsrPeerAddress address = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || files == NULL)
    {
      g_printerr ("bench-blocklist: %s\n", error != NULL ? error->message : "no file given");
      return 2;
    }
  tsr_blocklist_set_sources (blocklist, (const char *const *) files);
  rss_before = status_kib ("VmRSS:");
  load_start = g_get_monotonic_time ();
  tsr_blocklist_load_async (blocklist, NULL, on_loaded, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  loaded = g_get_monotonic_time ();
  rss_after = status_kib ("VmRSS:");
  hwm = status_kib ("VmHWM:");

  address.family = TSR_PEER_ADDRESS_IPV4;
  start = g_get_monotonic_time ();
  for (i = 0; i < lookups; i++)
    {
      guint32 v = g_rand_int (rand);

      memcpy (address.address, &v, 4);
      hits += tsr_blocklist_blocks (blocklist, &address);
    }
  lookup_seconds = (gdouble) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  printf ("{\"load_seconds\": %.3f, \"rss_before_kib\": %" G_GUINT64_FORMAT ", \"rss_after_kib\": %" G_GUINT64_FORMAT
          ", \"rss_peak_kib\": %" G_GUINT64_FORMAT ", \"ranges\": %u, \"malformed\": %u, \"lookups\": %" G_GINT64_FORMAT
          ", \"hits\": %" G_GINT64_FORMAT ", \"lookups_per_second\": %.0f}\n",
          (gdouble) (loaded - load_start) / G_USEC_PER_SEC, rss_before, rss_after, hwm, tsr_blocklist_get_n_ranges (blocklist),
          tsr_ip_ranges_get_n_malformed (tsr_blocklist_get_ranges (blocklist), NULL, NULL), lookups, hits,
          lookup_seconds > 0 ? lookups / lookup_seconds : 0);
  return 0;
}
