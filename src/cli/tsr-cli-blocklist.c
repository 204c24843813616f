/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-blocklist.c: the blocklist of `tessera-cli peer`. The torrents
 * start at once, without waiting for the list: a peer that connects
 * before it is in force is dropped when it comes (tsr-session.h).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "tsr-cli-blocklist.h"
#include "tsr-cli.h"

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  const TsrCliEventSink *sink = user_data;
  TsrBlocklist *blocklist = TSR_BLOCKLIST (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  TsrIpRanges *ranges;
  guint n_ranges, n_malformed;

  if (!tsr_blocklist_load_finish (blocklist, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_cli_error (_("The blocklist was not loaded: %s"), error->message);
      return;
    }
  ranges = tsr_blocklist_get_ranges (blocklist);
  n_ranges = tsr_ip_ranges_get_n_ranges (ranges, 0);
  n_malformed = tsr_ip_ranges_get_n_malformed (ranges, NULL, NULL);
  /* TRANSLATORS: the number of merged address ranges, then of lines skipped */
  text = g_strdup_printf (ngettext ("Blocklist: %u range; malformed lines skipped: %u",
                                    "Blocklist: %u ranges; malformed lines skipped: %u", n_ranges),
                          n_ranges, n_malformed);
  tsr_cli_emit_event (sink, NULL, "blocklist", text,
                      "ranges", tsr_cli_int_node (n_ranges),
                      "ipv4-addresses", tsr_cli_int_node ((gint64) tsr_ip_ranges_get_n_ipv4 (ranges)),
                      "malformed", tsr_cli_int_node (n_malformed),
                      NULL);
}

void
tsr_cli_blocklist_start (TsrSession            *session,
                         const char *const     *sources,
                         const char            *state,
                         const TsrCliEventSink *sink)
{
  TsrBlocklist *blocklist = tsr_session_get_blocklist (session);

  if (sources == NULL || sources[0] == NULL)
    return;
  tsr_blocklist_set_folder (blocklist, state);
  tsr_blocklist_set_sources (blocklist, sources);
  tsr_blocklist_load_async (blocklist, NULL, on_loaded, (gpointer) sink);
}
