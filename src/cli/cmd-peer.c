/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-peer.c: `tessera-cli peer`, the original's torrent/peer: download,
 * then seed, headless. Prints the engine's events, one JSON object per
 * line with --json-events, otherwise a line per notable event, under a
 * live status line when stdout is a terminal.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tsr-cli.h"
#include "tsr-cli-blocklist.h"
#include "tsr-cli-events.h"
#include "tsr-cli-followers.h"
#include "tsr-cli-library.h"
#include "tessera-engine.h"
#include "tsr-cli-status.h"
#include <errno.h>


/* Seconds from SIGTERM or SIGINT to exit, whatever a tracker, a router or
 * the disk does (the app allows the same: tsr_library_shutdown). */
#define GOODBYE_SECONDS 5

typedef struct
{
  GMainLoop *loop;
  TsrCliEventSink sink;    /* --json-events, and the status line on a terminal */
  gboolean   exit_when_done;
  guint      n_torrents;
  guint      n_done;
  int        status;
  GPtrArray *torrents;     /* (element-type TsrTorrent) */
  guint64    up_total;     /* 0: no limit */
  guint64    down_total;
  gdouble    seed_ratio;   /* 0: no limit */
  int        seed_idle;    /* seconds; 0: no limit */
  char      *only;         /* (nullable) --only, for magnets once their metainfo comes */
  char      *state;        /* the resume folder: fetched .torrent files go there too */
  TsrLibrary *library;     /* (nullable) --library: it keeps the .torrent files */
  int        max_peers;
  int        max_dialed;
  int        max_accepted;
  gboolean   sequential;
} PeerRun;

static const char *
torrent_name (TsrTorrent *torrent)
{
  return tsr_torrent_has_metainfo (torrent) ? tsr_torrent_get_metainfo (torrent)->display_name
                                            : tsr_torrent_get_name (torrent);
}

static void
on_piece_verified (TsrTorrent *torrent,
                   guint       index,
                   PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (node, index);
  tsr_cli_emit_event (&run->sink, torrent, "piece-verified", NULL, "piece", node, NULL);
}

static void
on_hash_failed (TsrTorrent *torrent,
                guint       index,
                PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = g_strdup_printf (_("Piece %u failed its hash check; fetching it again"), index);

  json_node_set_int (node, index);
  tsr_cli_emit_event (&run->sink, torrent, "hash-failed", text, "piece", node, NULL);
}

static void
on_peer_connected (TsrTorrent *torrent,
                   const char *address,
                   PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = g_strdup_printf (_("Connected to %s"), address);
  g_autoptr(GPtrArray) infos = tsr_torrent_dup_peer_infos (torrent);
  TsrPeerInfo *info = NULL;
  guint i;

  for (i = 0; i < infos->len; i++)
    if (g_str_equal (((TsrPeerInfo *) g_ptr_array_index (infos, i))->address, address))
      info = g_ptr_array_index (infos, i);
  json_node_set_string (node, address);
  /* "transport": "tcp" or "utp" (BEP 29). */
  tsr_cli_emit_event (&run->sink, torrent, "peer-connected", text, "peer", node, "encrypted",
                      tsr_cli_bool_node (info != NULL && info->encrypted), "transport",
                      info != NULL ? tsr_cli_string_node (tsr_transport_to_string (info->transport))
                                   : json_node_new (JSON_NODE_NULL), NULL);
}

static void
on_peer_gone (TsrTorrent *torrent,
              const char *address,
              const char *reason,
              PeerRun    *run)
{
  g_autofree char *text = g_strdup_printf (_("%s left: %s"), address, reason != NULL ? reason : _("closed"));

  tsr_cli_emit_event (&run->sink, torrent, "peer-gone", text, "peer", tsr_cli_string_node (address),
              "reason", reason != NULL ? tsr_cli_string_node (reason) : json_node_new (JSON_NODE_NULL), NULL);
}

static void
on_peer_dialing (TsrTorrent *torrent,
                 const char *address,
                 PeerRun    *run)
{
  /* Too common to print as a line of its own. */
  tsr_cli_emit_event (&run->sink, torrent, "peer-dialing", NULL, "peer", tsr_cli_string_node (address), NULL);
}

static void
on_peer_state (TsrTorrent *torrent,
               const char *address,
               const char *change,
               PeerRun    *run)
{
  tsr_cli_emit_event (&run->sink, torrent, "peer-state", NULL, "peer", tsr_cli_string_node (address),
                      "change", tsr_cli_string_node (change), NULL);
}

static void
on_state_changed (TsrTorrent *torrent,
                  PeerRun    *run)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = NULL;

  if (state == TSR_TORRENT_ERROR)
    {
      g_autoptr(GError) error = tsr_torrent_dup_error (torrent);
      JsonNode *domain = json_node_new (JSON_NODE_VALUE);
      JsonNode *code = json_node_new (JSON_NODE_VALUE);

      text = g_strdup_printf (_("Error: %s"), error->message);
      json_node_set_string (node, error->message);
      /* For scripts: TSR_STORAGE_ERROR_NO_SPACE says "free some space
       * and run again", which a message in the user's language does not. */
      json_node_set_string (domain, g_quark_to_string (error->domain));
      json_node_set_int (code, error->code);
      tsr_cli_emit_event (&run->sink, torrent, "error", text, "message", node, "domain", domain, "code", code, NULL);
      run->status = 1;
      g_main_loop_quit (run->loop);
      return;
    }
  /* TRANSLATORS: a torrent's name, then its new state ("Downloading") */
  text = g_strdup_printf (C_("torrent state", "%s: %s"), torrent_name (torrent), tsr_torrent_describe_state (state));
  json_node_set_string (node, tsr_torrent_state_to_string (state));
  tsr_cli_emit_event (&run->sink, torrent, "state", text, "state", node, NULL);
}

static void
on_done (TsrTorrent *torrent,
         PeerRun    *run)
{
  g_autofree char *text = g_strdup_printf (_("%s: all data is here and verified"),
                                           torrent_name (torrent));

  tsr_cli_emit_event (&run->sink, torrent, "done", text, NULL);
  run->n_done++;
  if (run->exit_when_done && run->n_done == run->n_torrents)
    g_main_loop_quit (run->loop);
}

static void
on_tracker_reply (TsrTorrent *torrent,
                  const char *url,
                  gint64      seeders,
                  gint64      leechers,
                  PeerRun    *run)
{
  g_autofree char *text = g_strdup_printf (_("Tracker %s answered"), url);

  tsr_cli_emit_event (&run->sink, torrent, "tracker-reply", text, "tracker", tsr_cli_string_node (url),
                      "seeders", tsr_cli_int_node (seeders), 
              "leechers", tsr_cli_int_node (leechers), NULL);
}

static void
on_tracker_error (TsrTorrent *torrent,
                  const char *url,
                  const char *message,
                  PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = g_strdup_printf (_("Tracker %s: %s"), url, message);
  g_autofree char *detail = g_strdup_printf ("%s: %s", url, message);

  json_node_set_string (node, detail);
  tsr_cli_emit_event (&run->sink, torrent, "tracker-error", text, "message", node, NULL);
}

static void
on_scrape_reply (TsrTorrent *torrent,
                 const char *url,
                 gint64      seeders,
                 gint64      leechers,
                 gint64      downloaded,
                 PeerRun    *run)
{
  g_autofree char *seeders_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " seeder", "%" PRId64 " seeders",
                                                                (gulong) seeders), seeders);
  g_autofree char *leechers_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " leecher",
                                                                 "%" PRId64 " leechers", (gulong) leechers),
                                                    leechers);
  g_autofree char *downloads_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " download",
                                                                  "%" PRId64 " downloads", (gulong) downloaded),
                                                     downloaded);
  /* TRANSLATORS: a tracker's address, then "3 seeders", "4 leechers" and "12 downloads" */
  g_autofree char *text = g_strdup_printf (_("Tracker %s counts %s, %s, %s"), url, seeders_text, leechers_text,
                                           downloads_text);

  tsr_cli_emit_event (&run->sink, torrent, "scrape", text, "url", tsr_cli_string_node (url), "seeders",
                      tsr_cli_int_node (seeders), 
              "leechers", tsr_cli_int_node (leechers), "downloaded", tsr_cli_int_node (downloaded), NULL);
}

static void
on_scrape_error (TsrTorrent *torrent,
                 const char *url,
                 const char *message,
                 PeerRun    *run)
{
  g_autofree char *text = g_strdup_printf (_("Tracker %s cannot be scraped: %s"), url, message);

  tsr_cli_emit_event (&run->sink, torrent, "scrape-error", text, "url", tsr_cli_string_node (url), "message",
                      tsr_cli_string_node (message), NULL);
}

static void
on_peer_banned (TsrTorrent *torrent,
                const char *address,
                const char *reason,
                PeerRun    *run)
{
  g_autofree char *text = g_strdup_printf (_("Banned %s for an hour: %s"), address, reason);

  tsr_cli_emit_event (&run->sink, torrent, "peer-banned", text, "peer", tsr_cli_string_node (address),
                      "reason", tsr_cli_string_node (reason), 
              "seconds", tsr_cli_int_node (TSR_TORRENT_BAN_SECONDS), NULL);
}

static void
on_checked (TsrTorrent *torrent,
            guint       pieces,
            gboolean    from_resume,
            PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = g_strdup_printf (from_resume ? g_dngettext (NULL, "%u piece already here (resume data)",
                                                                     "%u pieces already here (resume data)", pieces)
                                                       : g_dngettext (NULL, "%u piece already here (checked)",
                                                                      "%u pieces already here (checked)", pieces),
                                          pieces);

  json_node_set_int (node, pieces);
  tsr_cli_emit_event (&run->sink, torrent, from_resume ? "resumed" : "checked", text, "pieces", node, NULL);
}

static gboolean
on_status_tick (gpointer user_data)
{
  PeerRun *run = user_data;

  tsr_cli_status_tick (run->sink.status_line);
  return G_SOURCE_CONTINUE;
}

/* Wakes the shutdown wait so that its deadline is seen. */
static gboolean
on_wait_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
on_limit_reached (TsrTorrent *torrent,
                  const char *limit,
                  PeerRun    *run)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  /* TRANSLATORS: a torrent's name, then why it stopped ("Stopped after
   * uploading the set total") */
  g_autofree char *text = g_strdup_printf (C_("torrent stopped", "%s: %s"), torrent_name (torrent),
                                           tsr_torrent_describe_limit (limit));

  json_node_set_string (node, limit);
  tsr_cli_emit_event (&run->sink, torrent, "limit-reached", text, "limit", node, NULL);
}

/* With totals or a ratio set, the program ends when no torrent runs. */
static gboolean
on_watch (gpointer user_data)
{
  PeerRun *run = user_data;
  guint i;

  if (run->up_total == 0 && run->down_total == 0 && run->seed_ratio <= 0 && run->seed_idle <= 0)
    return G_SOURCE_CONTINUE;
  for (i = 0; i < run->torrents->len; i++)
    {
      TsrTorrentState state = tsr_torrent_get_state (g_ptr_array_index (run->torrents, i));

      if (state != TSR_TORRENT_STOPPED && state != TSR_TORRENT_ERROR)
        return G_SOURCE_CONTINUE;
    }
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_size_option (const char *name,
                   const char *text,
                   guint64    *out)
{
  if (text == NULL)
    return TRUE;
  if (!tsr_parse_size (text, out))
    {
      tsr_cli_error (_("%s: “%s” is not a size (like 500k, 2m or 1g)"), name, text);
      return FALSE;
    }
  return TRUE;
}

/* "0,2-4": file numbers as `show` lists them (pad files not counted).
 * Fills @selected (one flag per listed file); FALSE on a bad list. */
static gboolean
parse_file_list (const char *text,
                 guint       n_files,
                 gboolean   *selected)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      guint64 first, last;
      char *end = NULL;

      if (!g_ascii_isdigit (parts[i][0]))
        return FALSE;
      first = last = g_ascii_strtoull (parts[i], &end, 10);
      if (*end == '-')
        {
          if (!g_ascii_isdigit (end[1]))
            return FALSE;
          last = g_ascii_strtoull (end + 1, &end, 10);
        }
      if (*end != '\0' || first > last || last >= n_files)
        return FALSE;
      for (; first <= last; first++)
        selected[first] = TRUE;
    }
  return TRUE;
}

/* --only: every file not listed is skipped. */
static gboolean
select_files (TsrTorrent *torrent,
              const char *only)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  g_autofree gboolean *selected = g_new0 (gboolean, MAX (info->n_files, 1));
  guint listed = 0;
  guint i;

  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      listed++;
  if (!parse_file_list (only, listed, selected))
    {
      tsr_cli_error (_("--only: “%s” is not a list of file numbers from 0 to %u (like 0,2-3)"), only,
                     listed > 0 ? listed - 1 : 0);
      return FALSE;
    }
  listed = 0;
  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      tsr_torrent_set_file_priority (torrent, i, selected[listed++] ? TSR_PRIORITY_NORMAL : TSR_PRIORITY_SKIP);
  return TRUE;
}

/* A magnet's metainfo came: keep it as a .torrent beside the resume
 * records (so a restart needs no peers to know the files), then apply
 * --only, now that there are files to choose. */
static void
on_metadata_received (TsrTorrent *torrent,
                      PeerRun    *run)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  g_autoptr(GBytes) bytes = tsr_metainfo_dup_torrent_file (info);
  g_autofree char *hash = tsr_hex_encode (tsr_torrent_get_info_hash (torrent), 20);
  g_autofree char *base = g_strconcat (hash, ".torrent", NULL);
  g_autofree char *path = run->library != NULL ? tsr_library_dup_torrent_file_path (run->library, torrent)
                                                : g_build_filename (run->state, base, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size = g_format_size (info->total_length);

  /* The library writes its own copy. */
  if (run->library == NULL &&
      (g_mkdir_with_parents (run->state, 0700) != 0 ||
       !g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error)))
    {
      tsr_cli_error (_("Cannot save the torrent file %s: %s"), path,
                     error != NULL ? error->message : g_strerror (errno));
      g_clear_pointer (&path, g_free);
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: metadata received (%s, %u file)",
                                       "%s: metadata received (%s, %u files)", info->n_files),
                          info->display_name, size, info->n_files);
  tsr_cli_emit_event (&run->sink, torrent, "metadata", text, "name", tsr_cli_string_node (info->display_name),
              "size", tsr_cli_int_node ((gint64) info->total_length), "files", tsr_cli_int_node (info->n_files),
              "torrent-file", path != NULL ? tsr_cli_string_node (path) : json_node_new (JSON_NODE_NULL), NULL);
  if (run->only != NULL && !select_files (torrent, run->only))
    {
      run->status = 1;
      g_main_loop_quit (run->loop);
    }
}

static gboolean
on_signal (gpointer user_data)
{
  PeerRun *run = user_data;

  tsr_cli_emit_event (&run->sink, NULL, "stopped", _("Stopping"), NULL);
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_port_mapping_changed (TsrSession *session,
                         PeerRun    *run)
{
  TsrPortMap *map = tsr_session_get_port_map (session);
  const char *address;
  g_autofree char *text = NULL;

  if (map == NULL)
    return;
  address = tsr_port_map_get_external_address (map);
  switch (tsr_port_map_get_state (map))
    {
    case TSR_PORT_MAP_SEARCHING:
      tsr_cli_emit_event (&run->sink, NULL, "port-mapping", _("Asking the router to forward the port"),
                  "state", tsr_cli_string_node ("searching"), NULL);
      break;
    case TSR_PORT_MAP_MAPPED:
      text = g_strdup_printf (_("Port forwarded by the router (%s): %s:%u"), tsr_port_map_get_method (map),
                              address != NULL ? address : "?", tsr_port_map_get_external_port (map));
      tsr_cli_emit_event (&run->sink, NULL, "port-mapping", text, "state", tsr_cli_string_node ("mapped"),
                  "method", tsr_cli_string_node (tsr_port_map_get_method (map)),
                  "address", address != NULL ? tsr_cli_string_node (address) : json_node_new (JSON_NODE_NULL),
                  "port", tsr_cli_int_node (tsr_port_map_get_external_port (map)), NULL);
      break;
    case TSR_PORT_MAP_FAILED:
      text = g_strdup_printf (_("The port is not forwarded: %s"), tsr_port_map_get_error (map));
      tsr_cli_emit_event (&run->sink, NULL, "port-mapping", text, "state", tsr_cli_string_node ("failed"),
                  "reason", tsr_cli_string_node (tsr_port_map_get_error (map)), NULL);
      break;
    default:
      break;
    }
}

/* SIGUSR1: each torrent's inner state as a "debug" event, for
 * diagnosing a stall (the test harness asks for it when one waits too
 * long). */
static gboolean
on_debug_signal (gpointer user_data)
{
  PeerRun *run = user_data;
  guint i;

  for (i = 0; i < run->torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (run->torrents, i);
      g_autofree char *text = tsr_torrent_dup_debug_json (torrent);
      JsonNode *node = json_from_string (text, NULL);

      tsr_cli_emit_event (&run->sink, torrent, "debug", text, "inside", node, NULL);
    }
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

/* A torrent joins the run: followed, with the run's settings (a
 * library's stored limits, applied after, win over these). */
static void
adopt (TsrTorrent *torrent,
       gpointer    user_data)
{
  PeerRun *run = user_data;

  g_ptr_array_add (run->torrents, g_object_ref (torrent));
  tsr_cli_follow (torrent, TRUE);
  tsr_torrent_set_limits (torrent, run->up_total, run->down_total, run->seed_ratio);
  tsr_torrent_set_seed_idle_limit (torrent, (guint) run->seed_idle);
  tsr_torrent_set_max_peers (torrent, (guint) run->max_peers);
  tsr_torrent_set_max_dialed (torrent, (guint) run->max_dialed);
  tsr_torrent_set_max_accepted (torrent, (guint) run->max_accepted);
  tsr_torrent_set_sequential (torrent, run->sequential);
}

/* --library: its torrents as the app left them, plus @inputs added to it. */
static gboolean
run_library (PeerRun    *run,
             const char *dir,
             char      **inputs,
             const char *folder,
             gboolean    stopped,
             char      **peers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!tsr_cli_library_load (run->library, (const char * const *) inputs, folder, stopped,
                             (const char * const *) peers, adopt, run, &run->n_torrents, &error))
    tsr_cli_error ("%s", error->message);
  else if (run->torrents->len == 0)
    tsr_cli_error (_("The library in %s holds no torrents, and none was given"), dir);
  if (error != NULL || run->torrents->len == 0)
    return FALSE;
  /* TRANSLATORS: the library's folder, the number of its torrents, then
   * how many of them run (the others were stopped) */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Library %s: %u torrent, %u running",
                                       "Library %s: %u torrents, %u running", run->torrents->len),
                          dir, run->torrents->len, run->n_torrents);
  tsr_cli_emit_event (&run->sink, NULL, "library", text, "folder", tsr_cli_string_node (dir), "torrents",
                      tsr_cli_int_node (run->torrents->len), 
              "running", tsr_cli_int_node (run->n_torrents), NULL);
  return TRUE;
}

int
tsr_cli_peer (int    argc,
              char **argv)
{
  g_autofree char *folder = NULL;
  g_autofree char *state = NULL;
  g_autofree char *up_rate = NULL;
  g_autofree char *down_rate = NULL;
  g_autofree char *up_total = NULL;
  g_autofree char *down_total = NULL;
  gboolean stopped = FALSE;
  g_autofree char *only = NULL;
  g_autofree char *library_dir = NULL;
  g_autoptr(TsrLibrary) library = NULL;
  g_autofree char *bind = NULL;
  guint64 up_rate_bytes = 0;
  guint64 down_rate_bytes = 0;
  guint watch;
  guint status_tick = 0;
  g_autoptr(TsrCliStatus) status_line = NULL;
  g_auto(GStrv) peers = NULL;
  g_auto(GStrv) blocklists = NULL;
  g_auto(GStrv) inputs = NULL;
  gboolean no_tracker = FALSE;
  gboolean lsd = FALSE;
  gboolean no_lsd = FALSE;
  g_autofree char *encryption = NULL;
  g_auto(GStrv) dht_bootstrap = NULL;
  gboolean dht = FALSE;
  gboolean no_dht = FALSE;
  gboolean port_map = FALSE;
  gboolean no_port_map = FALSE;
  gboolean utp = FALSE;
  gboolean no_utp = FALSE;
  gboolean no_tcp = FALSE;
  int port = 6881;
  int max_active = 0;
  int max_connections = 0;
  PeerRun run = { .max_peers = TSR_TORRENT_MAX_PEERS };
  g_auto(TsrCliFollowers) followers = { 0 };
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &folder, N_("Download folder (default: the current folder)"), N_("DIR") },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, N_("Listen at this IP address only (default: every address)"), N_("ADDRESS") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("Listening port (default 6881; 0: any free port, printed)"), N_("PORT") },
    { "peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &peers, N_("Connect to this peer (repeatable)"), N_("HOST:PORT") },
    { "blocklist", 0, 0, G_OPTION_ARG_STRING_ARRAY, &blocklists, N_("Never connect to nor accept the addresses in this list (P2P, DAT or CIDR, plain or gzip; a file or an http(s) URL, fetched daily; repeatable)"), N_("FILE|URL") },
    { "max-active", 0, 0, G_OPTION_ARG_INT, &max_active, N_("Check or download at most N torrents at once; the rest wait in a queue"), N_("N") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections, N_("Connections over all torrents, at most (default: no limit)"), N_("N") },
    { "max-peers", 0, 0, G_OPTION_ARG_INT, &run.max_peers, N_("Connections per torrent, at most (default 80)"), N_("N") },
    { "max-dialed", 0, 0, G_OPTION_ARG_INT, &run.max_dialed, N_("Of those, dialled by us, at most (default: three quarters of --max-peers)"), N_("N") },
    { "max-accepted", 0, 0, G_OPTION_ARG_INT, &run.max_accepted, N_("Of those, accepted from others, at most (default: --max-peers)"), N_("N") },
    { "no-tracker", 0, 0, G_OPTION_ARG_NONE, &no_tracker, N_("Do not contact trackers"), NULL },
    { "lsd", 0, 0, G_OPTION_ARG_NONE, &lsd, N_("Find peers on the local network (BEP 14), even when TESSERA_NO_LSD is set"), NULL },
    { "no-lsd", 0, 0, G_OPTION_ARG_NONE, &no_lsd, N_("Do not look for peers on the local network (default: look, for public torrents)"), NULL },
    { "dht", 0, 0, G_OPTION_ARG_NONE, &dht, N_("Find peers through the DHT (BEP 5), even when TESSERA_NO_DHT is set"), NULL },
    { "no-dht", 0, 0, G_OPTION_ARG_NONE, &no_dht, N_("Do not use the DHT (default: use it, for public torrents)"), NULL },
    { "dht-bootstrap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &dht_bootstrap, N_("Join the DHT through this node (repeatable; default: the public routers)"), N_("HOST:PORT") },
    { "encryption", 0, 0, G_OPTION_ARG_STRING, &encryption, N_("Message stream encryption (MSE/PE): off, prefer (default: an encrypted handshake when the peer speaks it, encrypted data when it asks) or require (encrypted data only)"), N_("MODE") },
    { "utp", 0, 0, G_OPTION_ARG_NONE, &utp, N_("Connect to peers over uTP (BEP 29) first, then TCP (the default)"), NULL },
    { "no-utp", 0, 0, G_OPTION_ARG_NONE, &no_utp, N_("Connect to peers over TCP only"), NULL },
    { "no-tcp", 0, 0, G_OPTION_ARG_NONE, &no_tcp, N_("Connect to peers over uTP only, dialling and accepting"), NULL },
    { "port-map", 0, 0, G_OPTION_ARG_NONE, &port_map, N_("Ask the router to forward the port (UPnP, NAT-PMP), even when TESSERA_NO_PORT_MAP is set"), NULL },
    { "no-port-map", 0, 0, G_OPTION_ARG_NONE, &no_port_map, N_("Do not ask the router to forward the port (default: ask)"), NULL },
    { "exit-when-done", 0, 0, G_OPTION_ARG_NONE, &run.exit_when_done, N_("Exit once all data is verified"), NULL },
    { "json-events", 0, 0, G_OPTION_ARG_NONE, &run.sink.json, N_("Print every event as a line of JSON"), NULL },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state, N_("Keep resume data in DIR (default: under the XDG data folder)"), N_("DIR") },
    { "library", 0, 0, G_OPTION_ARG_FILENAME, &library_dir, N_("Run the torrents of the app's library in DIR (such as ~/.local/share/tessera) with their folders, files, limits and resume data, adding those given to it"), N_("DIR") },
    { "up-rate", 0, 0, G_OPTION_ARG_STRING, &up_rate, N_("Upload at most SIZE bytes per second in all"), N_("SIZE") },
    { "down-rate", 0, 0, G_OPTION_ARG_STRING, &down_rate, N_("Download at most SIZE bytes per second in all"), N_("SIZE") },
    { "up-total", 0, 0, G_OPTION_ARG_STRING, &up_total, N_("Stop a torrent once it uploaded SIZE bytes"), N_("SIZE") },
    { "down-total", 0, 0, G_OPTION_ARG_STRING, &down_total, N_("Stop a torrent once it downloaded SIZE bytes"), N_("SIZE") },
    { "seed-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &run.seed_ratio, N_("Stop seeding once uploaded / size reaches R"), N_("R") },
    { "seed-idle", 0, 0, G_OPTION_ARG_INT, &run.seed_idle, N_("Stop seeding after SECONDS without uploading"), N_("SECONDS") },
    { "stopped", 0, 0, G_OPTION_ARG_NONE, &stopped, N_("Add the torrents without starting them"), NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, N_("Fetch only these files, numbered as show lists them"), N_("LIST") },
    { "sequential", 0, 0, G_OPTION_ARG_NONE, &run.sequential, N_("Fetch pieces in order (to play media while it downloads)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_("TORRENT|MAGNET…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(TsrSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = g_ptr_array_new_with_free_func (g_object_unref);
  guint sigint, sigterm, sigusr1;
  guint i, j;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Download the torrents, then seed them, without a window."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if ((inputs == NULL || inputs[0] == NULL) && library_dir == NULL)
    {
      tsr_cli_error (_("peer needs at least one torrent file or magnet link"));
      return 1;
    }
  if (!parse_size_option ("--up-rate", up_rate, &up_rate_bytes) ||
      !parse_size_option ("--down-rate", down_rate, &down_rate_bytes) ||
      !parse_size_option ("--up-total", up_total, &run.up_total) ||
      !parse_size_option ("--down-total", down_total, &run.down_total))
    return 1;
  if (run.seed_idle < 0)
    {
      tsr_cli_error (_("--seed-idle must not be negative"));
      return 1;
    }
  if (run.seed_ratio < 0)
    {
      tsr_cli_error (_("--seed-ratio must not be negative"));
      return 1;
    }
  if (max_connections < 0)
    {
      tsr_cli_error (_("--max-connections must not be negative"));
      return 1;
    }
  if (max_active < 0)
    {
      tsr_cli_error (_("--max-active must not be negative"));
      return 1;
    }
  if (run.max_peers < 1 || run.max_peers > 10000)
    {
      tsr_cli_error (_("--max-peers %d is not from 1 to 10000"), run.max_peers);
      return 1;
    }
  if (run.max_dialed < 0 || run.max_dialed > 10000 || run.max_accepted < 0 || run.max_accepted > 10000)
    {
      tsr_cli_error (_("--max-dialed and --max-accepted must be from 0 (automatic) to 10000"));
      return 1;
    }
  if ((utp && no_utp) || (no_utp && no_tcp))
    {
      tsr_cli_error (_("--no-utp goes with neither --utp nor --no-tcp"));
      return 1;
    }
  if (port < 0 || port > 65535)
    {
      tsr_cli_error (_("port %d is not from 0 to 65535"), port);
      return 1;
    }
  if (library_dir != NULL && (state != NULL || only != NULL))
    {
      tsr_cli_error (_("--library keeps its own resume data and file choices: it goes with neither --state nor --only"));
      return 1;
    }
  if (folder == NULL)
    folder = g_strdup (".");
  if (library_dir != NULL)
    {
      /* The DHT's table beside the index, as the app keeps it; the
       * folders the index records are absolute, as the app's are. */
      g_autofree char *absolute = g_canonicalize_filename (folder, NULL);

      state = g_strdup (library_dir);
      g_free (folder);
      folder = g_steal_pointer (&absolute);
      run.library = library = tsr_library_new (library_dir);
      tsr_library_set_use_trackers (library, !no_tracker);
    }
  if (state == NULL)
    state = g_build_filename (g_get_user_data_dir (), "tessera", "resume", NULL);
  run.state = state;
  run.only = only;
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      tsr_cli_error (_("“%s” is not a folder"), folder);
      return 1;
    }

  if (!run.sink.json && isatty (STDOUT_FILENO))
    run.sink.status_line = status_line = tsr_cli_status_new (torrents);
  session = library != NULL ? g_object_ref (tsr_library_get_session (library)) : tsr_session_new ();
  tsr_session_set_rate_limits (session, up_rate_bytes, down_rate_bytes);
  tsr_session_set_max_active (session, (guint) max_active);
  tsr_session_set_max_connections (session, (guint) max_connections);
  /* Test suites and sandboxes set TESSERA_NO_LSD: nothing of theirs may
   * reach the local network unless a test asks (--lsd). */
  tsr_session_set_local_discovery (session, lsd || (!no_lsd && g_getenv ("TESSERA_NO_LSD") == NULL));
  if (encryption != NULL)
    {
      if (g_str_equal (encryption, "off"))
        tsr_session_set_encryption (session, TSR_PEER_ENCRYPTION_OFF);
      else if (g_str_equal (encryption, "prefer"))
        tsr_session_set_encryption (session, TSR_PEER_ENCRYPTION_PREFER);
      else if (g_str_equal (encryption, "require"))
        tsr_session_set_encryption (session, TSR_PEER_ENCRYPTION_REQUIRE);
      else
        {
          tsr_cli_error (_("--encryption: “%s” is not one of off, prefer, require"), encryption);
          return 1;
        }
    }
  if (no_utp || no_tcp)
    tsr_session_set_transports (session, no_utp ? TSR_TRANSPORT_TCP : TSR_TRANSPORT_UTP);
  run.torrents = torrents;
  if (!tsr_session_listen_on (session, bind, (guint16) port, &error))
    {
      tsr_cli_error (_("Cannot listen on port %d: %s"), port, error->message);
      return 1;
    }
  run.loop = g_main_loop_new (NULL, FALSE);
  /* Before "listening" is said: whoever saw it may stop us at once, and a
   * signal while the torrents are added still ends in a clean stop. */
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
  {
    JsonNode *node = json_node_new (JSON_NODE_VALUE);
    guint16 tcp_port = tsr_session_get_port (session);
    guint16 udp_port = tsr_session_get_udp_port (session);
    g_autofree char *text = NULL;

    /* UDP takes another port when the TCP one is taken for UDP: a
     * firewall or a router must open both then. */
    if (udp_port != 0 && udp_port != tcp_port)
      text = g_strdup_printf (_("Listening on TCP port %u and UDP port %u"), tcp_port, udp_port);
    else
      text = g_strdup_printf (_("Listening on port %u"), tcp_port);
    json_node_set_int (node, tcp_port);
    tsr_cli_emit_event (&run.sink, NULL, "listening", text, "port", node, "udp-port", tsr_cli_int_node (udp_port),
                        NULL);
  }
  tsr_cli_blocklist_start (session, (const char *const *) blocklists, state, &run.sink);
  /* Likewise TESSERA_NO_DHT: no DHT traffic from test runs unless asked. */
  if (dht || (!no_dht && g_getenv ("TESSERA_NO_DHT") == NULL))
    {
      g_autofree char *dht_state = g_build_filename (state, "dht.dat", NULL);

      g_mkdir_with_parents (state, 0700);
      tsr_session_set_dht (session, TRUE, dht_state, (const char *const *) dht_bootstrap);
      if (tsr_session_get_dht (session) != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("DHT node on UDP port %u"),
                                                   tsr_dht_get_port (tsr_session_get_dht (session)));

          tsr_cli_emit_event (&run.sink, NULL, "dht", text, "port",
                              tsr_cli_int_node (tsr_dht_get_port (tsr_session_get_dht (session))), 
                      NULL);
        }
    }
  /* Likewise TESSERA_NO_PORT_MAP: no SSDP or NAT-PMP from test runs. */
  g_signal_connect (session, "port-mapping-changed", G_CALLBACK (on_port_mapping_changed), &run);
  tsr_session_set_port_mapping (session, port_map || (!no_port_map && g_getenv ("TESSERA_NO_PORT_MAP") == NULL));

  tsr_cli_followers_add (&followers, "piece-verified", G_CALLBACK (on_piece_verified), &run);
  tsr_cli_followers_add (&followers, "hash-failed", G_CALLBACK (on_hash_failed), &run);
  tsr_cli_followers_add (&followers, "peer-connected", G_CALLBACK (on_peer_connected), &run);
  tsr_cli_followers_add (&followers, "peer-gone", G_CALLBACK (on_peer_gone), &run);
  tsr_cli_followers_add (&followers, "peer-dialing", G_CALLBACK (on_peer_dialing), &run);
  tsr_cli_followers_add (&followers, "peer-state", G_CALLBACK (on_peer_state), &run);
  tsr_cli_followers_add (&followers, "state-changed", G_CALLBACK (on_state_changed), &run);
  tsr_cli_followers_add (&followers, "done", G_CALLBACK (on_done), &run);
  tsr_cli_followers_add (&followers, "tracker-reply", G_CALLBACK (on_tracker_reply), &run);
  tsr_cli_followers_add (&followers, "tracker-error", G_CALLBACK (on_tracker_error), &run);
  tsr_cli_followers_add (&followers, "checked", G_CALLBACK (on_checked), &run);
  tsr_cli_followers_add (&followers, "peer-banned", G_CALLBACK (on_peer_banned), &run);
  tsr_cli_followers_add (&followers, "limit-reached", G_CALLBACK (on_limit_reached), &run);
  tsr_cli_followers_add (&followers, "metadata-received", G_CALLBACK (on_metadata_received), &run);
  tsr_cli_followers_add (&followers, "scrape-reply", G_CALLBACK (on_scrape_reply), &run);
  tsr_cli_followers_add (&followers, "scrape-error", G_CALLBACK (on_scrape_error), &run);
  if (library != NULL && !run_library (&run, library_dir, inputs, folder, stopped, peers))
    {
      g_source_remove (sigint);
      g_source_remove (sigterm);
      g_main_loop_unref (run.loop);
      return 1;
    }
  for (i = 0; library == NULL && inputs[i] != NULL; i++)
    {
      g_autoptr(TsrMetainfo) info = NULL;
      g_autoptr(TsrMagnet) magnet = NULL;
      TsrTorrent *torrent;

      if (g_str_has_prefix (inputs[i], "magnet:"))
        magnet = tsr_magnet_parse (inputs[i], &error);
      else
        info = tsr_metainfo_new_from_file (inputs[i], &error);
      if (info == NULL && magnet == NULL)
        {
          tsr_cli_error ("%s", error->message);
          g_source_remove (sigint);
          g_source_remove (sigterm);
          g_main_loop_unref (run.loop);
          return 1;
        }
      torrent = info != NULL ? tsr_session_add_torrent (session, info, folder)
                             : tsr_session_add_magnet (session, magnet, folder);
      adopt (torrent, &run);
      /* Malformed tr, ws, x.pe or so parameters were skipped (BEP 9 needs
       * only xt): say which. */
      for (j = 0; magnet != NULL && j < magnet->warnings->len; j++)
        {
          const char *warning = g_ptr_array_index (magnet->warnings, j);

          tsr_cli_emit_event (&run.sink, torrent, "magnet-warning", warning, "message",
                              tsr_cli_string_node (warning), NULL);
        }
      if (only != NULL && info != NULL && !select_files (torrent, only))
        {
          g_main_loop_unref (run.loop);
          return 1;
        }
      tsr_torrent_set_state_folder (torrent, state);
      if (!no_tracker)
        tsr_torrent_enable_trackers (torrent, tsr_session_get_port (session));
      run.n_torrents++;
      if (stopped)
        {
          tsr_cli_emit_event (&run.sink, torrent, "stopped", _("Added stopped"), NULL);
          continue;
        }
      if (max_active > 0)
        tsr_torrent_queue (torrent);
      else
        tsr_torrent_start (torrent);
      for (j = 0; peers != NULL && peers[j] != NULL; j++)
        tsr_torrent_add_peer_address (torrent, peers[j]);
    }

  sigusr1 = g_unix_signal_add (SIGUSR1, on_debug_signal, &run);
  watch = g_timeout_add (200, on_watch, &run);
  if (run.sink.status_line != NULL)
    status_tick = g_timeout_add_seconds (1, on_status_tick, &run);
  g_main_loop_run (run.loop);
  g_signal_handlers_disconnect_by_data (session, &run);
  g_source_remove (watch);
  if (status_tick != 0)
    g_source_remove (status_tick);
  /* The last status stays on screen. */
  if (run.sink.status_line != NULL)
    {
      tsr_cli_status_draw (run.sink.status_line);
      printf ("\n");
      run.sink.status_line = NULL;
      g_clear_pointer (&status_line, tsr_cli_status_free);
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sigusr1);
  for (i = 0; i < torrents->len; i++)
    {
      tsr_cli_follow (g_ptr_array_index (torrents, i), FALSE);
      if (library == NULL)
        tsr_torrent_stop (g_ptr_array_index (torrents, i));
    }
  /* The library's goodbye is the app's: the index first (which torrents
   * ran), then as below, then the resume records. */
  if (library != NULL)
    tsr_library_shutdown (library);
  /* One goodbye, 5 s at most in all, as the app's (a dead tracker or
   * router must not hold us): pieces already on their way to disk land,
   * the trackers hear "stopped" (an announce still waiting gives way to
   * it), and the router forgets the mapping now, not when its lease ends
   * (UPnP's removals are requests; a busy router, or machine, took more
   * than 1.5 s in CI)... */
  {
    gint64 deadline = g_get_monotonic_time () + GOODBYE_SECONDS * G_USEC_PER_SEC;
    guint tick = g_timeout_add (100, on_wait_tick, NULL);
    gboolean pending = library == NULL;

    while (pending && g_get_monotonic_time () < deadline)
      {
        pending = tsr_session_unmap_port (session);
        for (i = 0; i < torrents->len; i++)
          if (tsr_torrent_get_pending_writes (g_ptr_array_index (torrents, i)) > 0 ||
              tsr_torrent_is_announcing (g_ptr_array_index (torrents, i)))
            pending = TRUE;
        if (pending)
          g_main_context_iteration (NULL, TRUE);
      }
    g_source_remove (tick);
  }
  /* ...then progress survives: the record is written before we go. */
  for (i = 0; i < torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (torrents, i);
      g_autoptr(GError) save_error = NULL;
      g_autofree char *down_text = g_format_size (tsr_torrent_get_downloaded (torrent));
      g_autofree char *up_text = g_format_size (tsr_torrent_get_uploaded (torrent));
      g_autofree char *text = g_strdup_printf (_("%s: downloaded %s, uploaded %s"),
                                               torrent_name (torrent), down_text, up_text);

      tsr_cli_emit_event (&run.sink, torrent, "totals", text, "downloaded",
                          tsr_cli_int_node ((gint64) tsr_torrent_get_downloaded (torrent)), 
                  "uploaded", tsr_cli_int_node ((gint64) tsr_torrent_get_uploaded (torrent)), NULL);

      if (library == NULL && !tsr_torrent_save_resume (torrent, &save_error))
        {
          tsr_cli_error (_("Cannot save resume data: %s"), save_error->message);
          run.status = 1;
        }
    }
  g_main_loop_unref (run.loop);
  return run.status;
}
