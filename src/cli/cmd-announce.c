/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-announce.c: `tessera-cli announce`, the original's trackerget: one
 * announce (or, with --scrape, one scrape) to the trackers of a torrent
 * file or magnet link, or to --tracker, over HTTP, HTTPS or UDP; prints
 * the interval, seeders, leechers and peers.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tessera-engine.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   scrape;
  gboolean   json;
  guint      n_urls;
  guint      n_failed;
  gboolean   answered;
  char      *url;          /* (owned) the tracker that answered */
  gint64     seeders;
  gint64     leechers;
  gint64     downloaded;
  gint64     interval;
  GPtrArray *peers;        /* (element-type utf8) */
  GPtrArray *errors;       /* (element-type utf8) "url: message" */
  guint      timer;
} Announce;

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (((Announce *) user_data)->loop);
  return G_SOURCE_REMOVE;
}

static void
on_reply (TsrTracker *tracker,
          const char *url,
          gint64      seeders,
          gint64      leechers,
          gint64      interval,
          Announce   *run)
{
  if (run->answered || run->scrape)
    return;
  run->answered = TRUE;
  run->url = g_strdup (url);
  run->seeders = seeders;
  run->leechers = leechers;
  run->interval = interval;
  /* The peers, if any, come right after in the same call. */
  g_idle_add (on_quit, run);
}

static void
on_peers (TsrTracker *tracker,
          GArray     *peers,
          Announce   *run)
{
  guint i;

  for (i = 0; i < peers->len && run->peers->len < 10000; i++)
    g_ptr_array_add (run->peers, tsr_peer_address_to_string (&g_array_index (peers, TsrAnnouncePeer, i).address));
}

static void
on_error (TsrTracker *tracker,
          const char *url,
          const char *message,
          Announce   *run)
{
  g_ptr_array_add (run->errors, g_strdup_printf ("%s: %s", url, message));
  if (++run->n_failed >= run->n_urls && !run->answered)
    g_main_loop_quit (run->loop);
}

static void
on_scrape (TsrTracker *tracker,
           const char *url,
           gint64      seeders,
           gint64      leechers,
           gint64      downloaded,
           Announce   *run)
{
  if (run->answered)
    return;
  run->answered = TRUE;
  run->url = g_strdup (url);
  run->seeders = seeders;
  run->leechers = leechers;
  run->downloaded = downloaded;
  g_main_loop_quit (run->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  Announce *run = user_data;

  run->timer = 0;
  g_ptr_array_add (run->errors, g_strdup (_("No tracker answered in time")));
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_event (const char       *text,
             TsrAnnounceEvent *event)
{
  static const struct { const char *name; TsrAnnounceEvent event; } events[] = {
    { "none", TSR_ANNOUNCE_EVENT_NONE }, { "started", TSR_ANNOUNCE_EVENT_STARTED },
    { "stopped", TSR_ANNOUNCE_EVENT_STOPPED }, { "completed", TSR_ANNOUNCE_EVENT_COMPLETED },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (events); i++)
    if (g_str_equal (text, events[i].name))
      {
        *event = events[i].event;
        return TRUE;
      }
  return FALSE;
}

/* "Label:   value", the label padded to @width columns. */
static void G_GNUC_PRINTF (3, 4)
print_field (const char *label,
             int         width,
             const char *format,
             ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  tsr_cli_print_padded (label, width);
  printf (" %s\n", value);
}

static void
print_result (Announce *run)
{
  const char *const labels[] = {
    /* TRANSLATORS: the labels of an announce's or a scrape's result; they
     * are padded at run time to the longest of them, so do not pad them */
    _("Tracker:"), _("Seeders:"), _("Leechers:"), _("Completed:"), _("Interval:"), _("Peers:"), NULL
  };
  int width = tsr_cli_widest (labels);
  guint i;

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "tracker");
      if (run->url != NULL)
        json_builder_add_string_value (builder, run->url);
      else
        json_builder_add_null_value (builder);
      if (run->answered)
        {
          json_builder_set_member_name (builder, "seeders");
          json_builder_add_int_value (builder, run->seeders);
          json_builder_set_member_name (builder, "leechers");
          json_builder_add_int_value (builder, run->leechers);
          if (run->scrape)
            {
              json_builder_set_member_name (builder, "downloaded");
              json_builder_add_int_value (builder, run->downloaded);
            }
          else
            {
              json_builder_set_member_name (builder, "interval");
              json_builder_add_int_value (builder, run->interval);
              json_builder_set_member_name (builder, "peers");
              json_builder_begin_array (builder);
              for (i = 0; i < run->peers->len; i++)
                json_builder_add_string_value (builder, g_ptr_array_index (run->peers, i));
              json_builder_end_array (builder);
            }
        }
      json_builder_set_member_name (builder, "errors");
      json_builder_begin_array (builder);
      for (i = 0; i < run->errors->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (run->errors, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      tsr_cli_print_json (builder);
      return;
    }
  for (i = 0; i < run->errors->len; i++)
    tsr_cli_error ("%s", (const char *) g_ptr_array_index (run->errors, i));
  if (!run->answered)
    return;
  print_field (_("Tracker:"), width, "%s", run->url);
  print_field (_("Seeders:"), width, "%" PRId64, run->seeders);
  print_field (_("Leechers:"), width, "%" PRId64, run->leechers);
  if (run->scrape)
    {
      print_field (_("Completed:"), width, "%" PRId64, run->downloaded);
      return;
    }
  /* TRANSLATORS: the announce interval, in seconds */
  print_field (_("Interval:"), width, _("%" PRId64 " s"), run->interval);
  print_field (_("Peers:"), width, "%u", run->peers->len);
  for (i = 0; i < run->peers->len; i++)
    printf ("  %s\n", (const char *) g_ptr_array_index (run->peers, i));
}

static void
stats (gpointer            user_data,
       TsrAnnounceRequest *request)
{
  request->left = *(guint64 *) user_data;
}

int
tsr_cli_announce (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *tracker_url = NULL;
  g_autofree char *event_name = NULL;
  g_auto(GStrv) inputs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrMagnet) magnet = NULL;
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(TsrTracker) tracker = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *ca_file = NULL;
  TsrAnnounceEvent event = TSR_ANNOUNCE_EVENT_STARTED;
  Announce run = { 0 };
  gint port = 6881;
  gint timeout = 30;
  guint64 left = 0;
  guint8 info_hash[20];
  guint8 peer_id[20];
  guint i;
  const GOptionEntry entries[] = {
    { "tracker", 't', 0, G_OPTION_ARG_STRING, &tracker_url, N_("Ask this tracker instead of the torrent's"), N_("URL") },
    { "event", 'e', 0, G_OPTION_ARG_STRING, &event_name, N_("started (default), stopped, completed or none"), N_("EVENT") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("The port told to the tracker (default 6881)"), N_("PORT") },
    { "scrape", 's', 0, G_OPTION_ARG_NONE, &run.scrape, N_("Scrape instead: the swarm's counts (BEP 48)"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Check HTTPS trackers against the certificate authorities in FILE (PEM) instead of the system’s"), N_("FILE") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Give up after SECONDS (default 30)"), N_("SECONDS") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &run.json, N_("Print one JSON object"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_("TORRENT|MAGNET") },
    { NULL }
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Announce once to a torrent's trackers (or scrape them) and print the "
                                           "interval, seeders, leechers and peers."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (inputs == NULL || inputs[0] == NULL || inputs[1] != NULL)
    {
      tsr_cli_error (_("announce needs exactly one torrent file or magnet link"));
      return 1;
    }
  if (event_name != NULL && !parse_event (event_name, &event))
    {
      tsr_cli_error (_("--event: “%s” is not one of started, stopped, completed, none"), event_name);
      return 1;
    }
  if (port < 1 || port > 65535 || timeout < 1)
    {
      tsr_cli_error (_("--port must be 1 to 65535 and --timeout at least 1"));
      return 1;
    }
  if (ca_file != NULL)
    {
      database = g_tls_file_database_new (ca_file, &error);
      if (database == NULL)
        {
          tsr_cli_error (_("--ca-file: %s"), error->message);
          return 1;
        }
    }
  if (g_str_has_prefix (inputs[0], "magnet:"))
    {
      magnet = tsr_magnet_parse (inputs[0], &error);
      if (magnet == NULL)
        {
          tsr_cli_error ("%s", error->message);
          return 1;
        }
      memcpy (info_hash, magnet->has_v1 ? magnet->info_hash_v1 : magnet->info_hash_v2, 20);
      for (i = 0; i < magnet->trackers->len && tracker_url == NULL; i++)
        {
          GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

          g_ptr_array_add (tier, g_strdup (g_ptr_array_index (magnet->trackers, i)));
          g_ptr_array_add (tiers, tier);
        }
      left = 16384;
    }
  else
    {
      info = tsr_metainfo_new_from_file (inputs[0], &error);
      if (info == NULL)
        {
          tsr_cli_error ("%s", error->message);
          return 1;
        }
      memcpy (info_hash, tsr_metainfo_get_wire_hash (info), 20);
      for (i = 0; i < info->trackers->len && tracker_url == NULL; i++)
        g_ptr_array_add (tiers, g_ptr_array_ref (g_ptr_array_index (info->trackers, i)));
      left = info->total_length;
    }
  if (tracker_url != NULL)
    {
      GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (tier, g_strdup (tracker_url));
      g_ptr_array_add (tiers, tier);
    }
  if (tiers->len == 0)
    {
      tsr_cli_error (_("The torrent names no tracker; give one with --tracker"));
      return 1;
    }
  memcpy (peer_id, "-TE0100-", 8);
  for (i = 8; i < 20; i++)
    peer_id[i] = (guint8) g_random_int_range ('a', 'z' + 1);
  tracker = tsr_tracker_new_for_hash (info_hash, tiers, peer_id, (guint16) port, stats, &left);
  if (database != NULL)
    tsr_tracker_set_tls_database (tracker, database);
  /* A tracker that is slow to answer fails as itself ("took too long"),
   * before the whole run gives up a second later. */
  tsr_tracker_set_timeout (tracker, (guint) timeout);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.peers = g_ptr_array_new_with_free_func (g_free);
  run.errors = g_ptr_array_new_with_free_func (g_free);
  run.n_urls = tsr_tracker_get_n_urls (tracker);
  g_signal_connect (tracker, "reply", G_CALLBACK (on_reply), &run);
  g_signal_connect (tracker, "peers", G_CALLBACK (on_peers), &run);
  g_signal_connect (tracker, "error", G_CALLBACK (on_error), &run);
  g_signal_connect (tracker, "scrape", G_CALLBACK (on_scrape), &run);
  g_signal_connect (tracker, "scrape-error", G_CALLBACK (on_error), &run);
  if (run.scrape)
    tsr_tracker_scrape (tracker);
  else
    tsr_tracker_announce_event (tracker, event);
  run.timer = g_timeout_add_seconds ((guint) timeout + 1, on_timeout, &run);
  g_main_loop_run (run.loop);
  g_clear_handle_id (&run.timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (tracker, &run);
  print_result (&run);
  g_main_loop_unref (run.loop);
  g_ptr_array_unref (run.peers);
  g_ptr_array_unref (run.errors);
  g_free (run.url);
  return run.answered ? 0 : 1;
}
