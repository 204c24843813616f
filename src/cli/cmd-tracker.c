/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-tracker.c: `tessera-cli tracker`, the original's torrent/track:
 * runs the tracker server (HTTP and UDP on each --listen address) until
 * SIGINT or SIGTERM, which save the state file; SIGHUP reads the
 * whitelist again.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tsr-tracker-server.h"

typedef struct
{
  GMainLoop        *loop;
  TsrTrackerServer *server;
  const char       *whitelist;
  gboolean          json;
} TrackerRun;

static void
print_event (TrackerRun *run,
             const char *event,
             const char *text,
             const char *address,
             guint16     port)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, event);
      if (address != NULL)
        {
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, address);
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, port);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      printf ("%s\n", line);
    }
  else if (text != NULL)
    printf ("%s\n", text);
  fflush (stdout);
}

static gboolean
on_stop (gpointer user_data)
{
  g_main_loop_quit (((TrackerRun *) user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  TrackerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (run->whitelist == NULL)
    return G_SOURCE_CONTINUE;
  if (!tsr_tracker_server_load_whitelist (run->server, run->whitelist, &error))
    tsr_cli_error ("%s", error->message);
  else
    print_event (run, "whitelist", _("Whitelist read again"), NULL, 0);
  return G_SOURCE_CONTINUE;
}

/* "ADDRESS:PORT", "[V6]:PORT": the address must be an IP; port 0 means
 * any free port. */
static gboolean
parse_listen (const char  *text,
              char       **address,
              guint16     *port)
{
  const char *colon = strrchr (text, ':');
  guint64 number = 0;
  g_autoptr(GInetAddress) inet = NULL;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    return FALSE;
  if (text[0] == '[' && colon > text + 1 && colon[-1] == ']')
    *address = g_strndup (text + 1, colon - text - 2);
  else
    *address = g_strndup (text, colon - text);
  inet = g_inet_address_new_from_string (*address);
  if (inet == NULL)
    {
      g_clear_pointer (address, g_free);
      return FALSE;
    }
  *port = (guint16) number;
  return TRUE;
}

int
tsr_cli_tracker (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_auto(GStrv) listens = NULL;
  g_autofree char *whitelist = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerServer) server = NULL;
  static const char *const defaults[] = { "0.0.0.0:6969", "[::]:6969", NULL };
  TrackerRun run = { 0 };
  gint interval = 1800;
  gint max_peers = 200;
  gint max_rate = 1000;
  gint max_swarms = TSR_TRACKER_SERVER_MAX_SWARMS;
  guint sigint, sigterm, sighup;
  guint i;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &listens, N_("Serve at this address and port, HTTP and UDP (repeatable; default 0.0.0.0:6969 and [::]:6969)"), N_("ADDRESS:PORT") },
    { "whitelist", 'w', 0, G_OPTION_ARG_FILENAME, &whitelist, N_("Serve only the info hashes in FILE, one per line (read again on SIGHUP)"), N_("FILE") },
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, N_("Seconds between a client's announces (default 1800)"), N_("SECONDS") },
    { "max-peers", 0, 0, G_OPTION_ARG_INT, &max_peers, N_("Peers given per announce, at most (default 200; 50 when the client does not say)"), N_("N") },
    { "max-rate", 0, 0, G_OPTION_ARG_INT, &max_rate, N_("Requests a second from one address, at most (default 1000; 0: no limit)"), N_("N") },
    { "max-swarms", 0, 0, G_OPTION_ARG_INT, &max_swarms, N_("Torrents tracked at once, at most: a new one then replaces the emptiest (default 1000000; 0: no limit)"), N_("N") },
    { "state", 's', 0, G_OPTION_ARG_FILENAME, &state, N_("Keep the swarms in FILE across restarts"), N_("FILE") },
    { "json-events", 0, 0, G_OPTION_ARG_NONE, &run.json, N_("Print events as lines of JSON"), NULL },
    { NULL }
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Run a BitTorrent tracker: HTTP and UDP announce and scrape, and "
                                           "statistics at /stats."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (argc > 1)
    {
      tsr_cli_error (_("tracker takes no arguments, only options"));
      return 1;
    }
  if (interval < 1 || max_peers < 1 || max_rate < 0 || max_swarms < 0)
    {
      tsr_cli_error (_("--interval and --max-peers must be at least 1, --max-rate and --max-swarms not negative"));
      return 1;
    }
  server = tsr_tracker_server_new ((guint) interval, (guint) max_peers, (guint) max_rate);
  run.server = server;
  tsr_tracker_server_set_max_swarms (server, (guint) max_swarms);
  run.whitelist = whitelist;
  if (whitelist != NULL && !tsr_tracker_server_load_whitelist (server, whitelist, &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  if (state != NULL && !tsr_tracker_server_set_state_file (server, state, &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  for (i = 0; (listens != NULL ? listens[i] : defaults[i]) != NULL; i++)
    {
      const char *listen = listens != NULL ? listens[i] : defaults[i];
      g_autofree char *address = NULL;
      g_autofree char *text = NULL;
      guint16 port = 0;
      guint16 bound = 0;

      if (!parse_listen (listen, &address, &port))
        {
          tsr_cli_error (_("--listen: “%s” is not an IP address and a port"), listen);
          return 1;
        }
      if (!tsr_tracker_server_listen (server, address, port, &bound, &error))
        {
          tsr_cli_error (_("Cannot serve at %s: %s"), listen, error->message);
          return 1;
        }
      text = g_strdup_printf (strchr (address, ':') != NULL ? _("Serving at [%s]:%u (HTTP and UDP)")
                                                             : _("Serving at %s:%u (HTTP and UDP)"), address, bound);
      print_event (&run, "listening", text, address, bound);
    }
  run.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_stop, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_stop, &run);
  sighup = g_unix_signal_add (SIGHUP, on_hangup, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sighup);
  g_main_loop_unref (run.loop);
  if (!tsr_tracker_server_save_state (server, &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  /* TRANSLATORS: the tracker shut down */
  print_event (&run, "stopped", C_("tracker", "Stopped"), NULL, 0);
  return 0;
}
