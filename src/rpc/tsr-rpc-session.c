/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-session.c: the session methods of the Transmission RPC:
 * session-get and session-set over TsrRpcSettings, session-stats,
 * free-space, session-close, blocklist-update (which waits for the
 * fetch: the server's asynchronous form alone runs it), and port-test,
 * which says plainly that Tessera cannot.
 *
 * "version" is "3.00 (Tessera VERSION)": Sonarr and Radarr take the first
 * run of digits and dots that is not inside parentheses as the version
 * and refuse anything below 2.40, as Transmission's own "3.00
 * (bb6b5a062e)" shows; the words in parentheses still name Tessera.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "tsr-rpc-methods.h"

#define RPC_VERSION 17
#define RPC_VERSION_MINIMUM 14

static gboolean
wanted (JsonObject *args,
        const char *name)
{
  JsonArray *fields;
  guint i;

  if (args == NULL || !json_object_has_member (args, "fields") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (args, "fields")))
    return TRUE;
  fields = json_object_get_array_member (args, "fields");
  for (i = 0; i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (node), name))
        return TRUE;
    }
  return FALSE;
}

#define ADD_INT(name, value) \
  G_STMT_START { if (wanted (args, name)) { json_builder_set_member_name (out, name); json_builder_add_int_value (out, value); } } G_STMT_END
#define ADD_BOOL(name, value) \
  G_STMT_START { if (wanted (args, name)) { json_builder_set_member_name (out, name); json_builder_add_boolean_value (out, value); } } G_STMT_END
#define ADD_DOUBLE(name, value) \
  G_STMT_START { if (wanted (args, name)) { json_builder_set_member_name (out, name); json_builder_add_double_value (out, value); } } G_STMT_END
#define ADD_STRING(name, value) \
  G_STMT_START { if (wanted (args, name)) { json_builder_set_member_name (out, name); json_builder_add_string_value (out, value); } } G_STMT_END

static void
add_units (JsonBuilder *out)
{
  static const char * const speed[] = { "kB/s", "MB/s", "GB/s", "TB/s" };
  static const char * const size[] = { "kB", "MB", "GB", "TB" };
  guint i;

  json_builder_begin_object (out);
  json_builder_set_member_name (out, "speed-units");
  json_builder_begin_array (out);
  for (i = 0; i < G_N_ELEMENTS (speed); i++)
    json_builder_add_string_value (out, speed[i]);
  json_builder_end_array (out);
  json_builder_set_member_name (out, "speed-bytes");
  json_builder_add_int_value (out, 1000);
  json_builder_set_member_name (out, "size-units");
  json_builder_begin_array (out);
  for (i = 0; i < G_N_ELEMENTS (size); i++)
    json_builder_add_string_value (out, size[i]);
  json_builder_end_array (out);
  json_builder_set_member_name (out, "size-bytes");
  json_builder_add_int_value (out, 1000);
  json_builder_set_member_name (out, "memory-units");
  json_builder_begin_array (out);
  json_builder_add_string_value (out, "KiB");
  json_builder_add_string_value (out, "MiB");
  json_builder_add_string_value (out, "GiB");
  json_builder_add_string_value (out, "TiB");
  json_builder_end_array (out);
  json_builder_set_member_name (out, "memory-bytes");
  json_builder_add_int_value (out, 1024);
  json_builder_end_object (out);
}

char *
tsr_rpc_session_get (TsrRpcContext *context,
                     JsonObject    *args,
                     JsonBuilder   *out)
{
  TsrRpcSettings *s = context->settings;
  TsrSession *session = tsr_library_get_session (context->library);
  g_autofree char *version = g_strdup_printf ("3.00 (Tessera %s)", PACKAGE_VERSION);

  ADD_STRING ("version", version);
  ADD_INT ("rpc-version", RPC_VERSION);
  ADD_INT ("rpc-version-minimum", RPC_VERSION_MINIMUM);
  ADD_STRING ("rpc-version-semver", "5.3.0");
  ADD_STRING ("config-dir", context->config_dir != NULL ? context->config_dir : "");
  ADD_STRING ("download-dir", s->download_dir);
  if (wanted (args, "download-dir-free-space"))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (s->download_dir);
      /* statvfs: quick, and what Transmission does on its session thread. */
      g_autoptr(GFileInfo) info = g_file_query_filesystem_info (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);

      json_builder_set_member_name (out, "download-dir-free-space");
      json_builder_add_int_value (out, info != NULL ? (gint64) g_file_info_get_attribute_uint64 (info,
                                                                   G_FILE_ATTRIBUTE_FILESYSTEM_FREE) : -1);
    }
  ADD_BOOL ("incomplete-dir-enabled", FALSE);
  ADD_STRING ("incomplete-dir", s->download_dir);
  ADD_BOOL ("rename-partial-files", FALSE);
  ADD_BOOL ("start-added-torrents", s->start_added_torrents);
  ADD_BOOL ("trash-original-torrent-files", FALSE);
  ADD_INT ("speed-limit-down", s->speed_limit_down);
  ADD_BOOL ("speed-limit-down-enabled", s->speed_limit_down_enabled);
  ADD_INT ("speed-limit-up", s->speed_limit_up);
  ADD_BOOL ("speed-limit-up-enabled", s->speed_limit_up_enabled);
  ADD_INT ("alt-speed-down", s->alt_speed_down);
  ADD_INT ("alt-speed-up", s->alt_speed_up);
  ADD_BOOL ("alt-speed-enabled", s->alt_speed_enabled);
  ADD_BOOL ("alt-speed-time-enabled", s->alt_speed_time_enabled);
  ADD_INT ("alt-speed-time-begin", s->alt_speed_time_begin);
  ADD_INT ("alt-speed-time-end", s->alt_speed_time_end);
  ADD_INT ("alt-speed-time-day", s->alt_speed_time_day);
  ADD_DOUBLE ("seedRatioLimit", s->seed_ratio_limit);
  ADD_BOOL ("seedRatioLimited", s->seed_ratio_limited);
  ADD_INT ("idle-seeding-limit", s->idle_seeding_limit);
  ADD_BOOL ("idle-seeding-limit-enabled", s->idle_seeding_limit_enabled);
  ADD_INT ("peer-limit-global", s->peer_limit_global);
  ADD_INT ("peer-limit-per-torrent", s->peer_limit_per_torrent);
  ADD_INT ("download-queue-size", s->download_queue_size);
  ADD_BOOL ("download-queue-enabled", s->download_queue_enabled);
  ADD_INT ("seed-queue-size", s->seed_queue_size);
  ADD_BOOL ("seed-queue-enabled", s->seed_queue_enabled);
  ADD_BOOL ("queue-stalled-enabled", FALSE);
  ADD_INT ("queue-stalled-minutes", 30);
  ADD_INT ("peer-port", tsr_session_get_port (session) != 0 ? tsr_session_get_port (session) : s->peer_port);
  ADD_BOOL ("peer-port-random-on-start", FALSE);
  ADD_BOOL ("port-forwarding-enabled", tsr_session_get_port_mapping (session));
  ADD_BOOL ("dht-enabled", tsr_session_get_dht (session) != NULL);
  ADD_BOOL ("lpd-enabled", tsr_session_get_local_discovery (session));
  ADD_BOOL ("pex-enabled", TRUE);
  ADD_BOOL ("utp-enabled", (tsr_session_get_transports (session) & TSR_TRANSPORT_UTP) != 0);
  ADD_STRING ("encryption", s->encryption);
  ADD_BOOL ("blocklist-enabled", tsr_blocklist_get_enabled (tsr_session_get_blocklist (session)));
  ADD_INT ("blocklist-size", tsr_blocklist_get_n_ranges (tsr_session_get_blocklist (session)));
  ADD_STRING ("blocklist-url", s->blocklist_url);
  ADD_INT ("cache-size-mb", TSR_SESSION_READ_CACHE / (1024 * 1024));
  ADD_BOOL ("script-torrent-done-enabled", FALSE);
  ADD_STRING ("script-torrent-done-filename", "");
  if (wanted (args, "units"))
    {
      json_builder_set_member_name (out, "units");
      add_units (out);
    }
  return NULL;
}

static gboolean
set_uint (JsonObject *args,
          const char *name,
          guint       max,
          guint      *value)
{
  gint64 read;

  if (!tsr_rpc_args_has_value (args, name))
    return FALSE;
  read = tsr_rpc_args_int (args, name, -1);
  if (read < 0 || read > max)
    return FALSE;
  *value = read;
  return TRUE;
}

static gboolean
set_bool (JsonObject *args,
          const char *name,
          gboolean   *value)
{
  if (!tsr_rpc_args_has_value (args, name))
    return FALSE;
  *value = tsr_rpc_args_bool (args, name, *value);
  return TRUE;
}

/* NULL when @name is absent or a number from 0 to @max, else the error
 * to answer (before anything changes). */
static char *
check_uint (JsonObject *args,
            const char *name,
            guint       max)
{
  gint64 value;

  if (args == NULL || !json_object_has_member (args, name))
    return NULL;
  value = tsr_rpc_args_has_value (args, name) ? tsr_rpc_args_int (args, name, -1) : -1;
  if (value < 0 || value > max)
    return g_strdup_printf ("%s must be a whole number from 0 to %u", name, max);
  return NULL;
}

char *
tsr_rpc_session_set (TsrRpcContext *context,
                     JsonObject    *args,
                     JsonBuilder   *out)
{
  TsrRpcSettings *s = context->settings;
  const char *dir = tsr_rpc_args_string (args, "download-dir");
  const char *encryption = tsr_rpc_args_string (args, "encryption");
  gboolean ratio_changed = FALSE;
  char *invalid = NULL;

  /* The schedule's minutes and days are checked rather than clamped: a
   * client's off-by-one would otherwise move the schedule silently. */
  if ((invalid = check_uint (args, "alt-speed-time-begin", TSR_ALT_SPEED_MINUTES_PER_DAY - 1)) != NULL ||
      (invalid = check_uint (args, "alt-speed-time-end", TSR_ALT_SPEED_MINUTES_PER_DAY - 1)) != NULL ||
      (invalid = check_uint (args, "alt-speed-time-day", TSR_ALT_SPEED_EVERY_DAY)) != NULL)
    return invalid;
  if (dir != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!tsr_rpc_context_check_folder (context, dir, &error))
        return g_strdup (error->message);
      g_free (s->download_dir);
      s->download_dir = g_strdup (dir);
    }
  if (encryption != NULL)
    {
      if (!g_str_equal (encryption, "required") && !g_str_equal (encryption, "preferred") &&
          !g_str_equal (encryption, "tolerated"))
        return g_strdup ("invalid encryption value");
      g_free (s->encryption);
      s->encryption = g_strdup (encryption);
    }
  set_uint (args, "speed-limit-down", G_MAXUINT32 / 1000, &s->speed_limit_down);
  set_bool (args, "speed-limit-down-enabled", &s->speed_limit_down_enabled);
  set_uint (args, "speed-limit-up", G_MAXUINT32 / 1000, &s->speed_limit_up);
  set_uint (args, "alt-speed-down", G_MAXUINT32 / 1000, &s->alt_speed_down);
  set_uint (args, "alt-speed-up", G_MAXUINT32 / 1000, &s->alt_speed_up);
  set_bool (args, "alt-speed-enabled", &s->alt_speed_enabled);
  set_bool (args, "alt-speed-time-enabled", &s->alt_speed_time_enabled);
  set_uint (args, "alt-speed-time-begin", TSR_ALT_SPEED_MINUTES_PER_DAY - 1, &s->alt_speed_time_begin);
  set_uint (args, "alt-speed-time-end", TSR_ALT_SPEED_MINUTES_PER_DAY - 1, &s->alt_speed_time_end);
  set_uint (args, "alt-speed-time-day", TSR_ALT_SPEED_EVERY_DAY, &s->alt_speed_time_day);
  set_bool (args, "speed-limit-up-enabled", &s->speed_limit_up_enabled);
  if (tsr_rpc_args_has_value (args, "seedRatioLimit"))
    {
      gdouble ratio = tsr_rpc_args_double (args, "seedRatioLimit", -1);

      if (ratio >= 0 && ratio < 1e6)
        s->seed_ratio_limit = ratio;
      ratio_changed = TRUE;
    }
  ratio_changed |= set_bool (args, "seedRatioLimited", &s->seed_ratio_limited);
  ratio_changed |= set_uint (args, "idle-seeding-limit", 60 * 24 * 365, &s->idle_seeding_limit);
  ratio_changed |= set_bool (args, "idle-seeding-limit-enabled", &s->idle_seeding_limit_enabled);
  ratio_changed |= set_uint (args, "peer-limit-per-torrent", 65535, &s->peer_limit_per_torrent);
  set_uint (args, "peer-limit-global", 65535, &s->peer_limit_global);
  set_uint (args, "download-queue-size", 65535, &s->download_queue_size);
  set_bool (args, "download-queue-enabled", &s->download_queue_enabled);
  set_uint (args, "seed-queue-size", 65535, &s->seed_queue_size);
  set_bool (args, "seed-queue-enabled", &s->seed_queue_enabled);
  set_bool (args, "start-added-torrents", &s->start_added_torrents);
  set_bool (args, "lpd-enabled", &s->lpd_enabled);
  set_bool (args, "port-forwarding-enabled", &s->port_forwarding_enabled);
  /* Read at start only: kept for the next one. */
  set_bool (args, "dht-enabled", &s->dht_enabled);
  set_uint (args, "peer-port", 65535, &s->peer_port);
  set_bool (args, "blocklist-enabled", &s->blocklist_enabled);
  if (tsr_rpc_args_string (args, "blocklist-url") != NULL)
    {
      const char *url = tsr_rpc_args_string (args, "blocklist-url");

      if (*url != '\0' && !g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
        return g_strdup ("blocklist-url must be an http or https URL");
      g_free (s->blocklist_url);
      s->blocklist_url = g_strdup (url);
    }
  if (s->peer_limit_per_torrent == 0)
    s->peer_limit_per_torrent = TSR_TORRENT_MAX_PEERS;

  tsr_rpc_settings_apply (s, context->library);
  if (ratio_changed)
    {
      GListModel *torrents = tsr_library_get_torrents (context->library);
      guint i;

      for (i = 0; i < g_list_model_get_n_items (torrents); i++)
        {
          g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

          tsr_rpc_settings_apply_torrent (s, context->library, torrent);
        }
    }
  if (context->funcs.settings_changed != NULL)
    context->funcs.settings_changed (context->user_data);
  return NULL;
}

static void
add_stats (JsonBuilder        *out,
           const char         *name,
           const TsrRpcTotals *totals)
{
  json_builder_set_member_name (out, name);
  json_builder_begin_object (out);
  json_builder_set_member_name (out, "uploadedBytes");
  json_builder_add_int_value (out, totals->uploaded);
  json_builder_set_member_name (out, "downloadedBytes");
  json_builder_add_int_value (out, totals->downloaded);
  json_builder_set_member_name (out, "filesAdded");
  json_builder_add_int_value (out, totals->files_added);
  json_builder_set_member_name (out, "sessionCount");
  json_builder_add_int_value (out, totals->sessions);
  json_builder_set_member_name (out, "secondsActive");
  json_builder_add_int_value (out, totals->seconds_active);
  json_builder_end_object (out);
}

char *
tsr_rpc_session_stats (TsrRpcContext *context,
                       JsonObject    *args,
                       JsonBuilder   *out)
{
  GListModel *torrents = tsr_library_get_torrents (context->library);
  guint64 up_rate = 0, down_rate = 0;
  guint i, n = g_list_model_get_n_items (torrents), active = 0;
  TsrRpcTotals current, cumulative;

  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);
      TsrTorrentState state = tsr_torrent_get_state (torrent);

      if (state != TSR_TORRENT_STOPPED && state != TSR_TORRENT_ERROR && state != TSR_TORRENT_QUEUED)
        active++;
      up_rate += tsr_torrent_get_up_rate (torrent);
      down_rate += tsr_torrent_get_down_rate (torrent);
    }
  json_builder_set_member_name (out, "activeTorrentCount");
  json_builder_add_int_value (out, active);
  json_builder_set_member_name (out, "pausedTorrentCount");
  json_builder_add_int_value (out, n - active);
  json_builder_set_member_name (out, "torrentCount");
  json_builder_add_int_value (out, n);
  json_builder_set_member_name (out, "downloadSpeed");
  json_builder_add_int_value (out, down_rate);
  json_builder_set_member_name (out, "uploadSpeed");
  json_builder_add_int_value (out, up_rate);
  tsr_rpc_history_get_totals (context->history, &current, &cumulative);
  add_stats (out, "current-stats", &current);
  add_stats (out, "cumulative-stats", &cumulative);
  return NULL;
}

char *
tsr_rpc_session_close (TsrRpcContext *context,
                       JsonObject    *args,
                       JsonBuilder   *out)
{
  if (context->funcs.close != NULL)
    context->funcs.close (context->user_data);
  return NULL;
}

char *
tsr_rpc_free_space (TsrRpcContext *context,
                    JsonObject    *args,
                    JsonBuilder   *out)
{
  const char *path = tsr_rpc_args_string (args, "path");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;

  if (path == NULL)
    return g_strdup ("directory path argument is missing");
  if (!tsr_rpc_context_check_folder (context, path, &error))
    return g_strdup (error->message);
  file = g_file_new_for_path (path);
  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE "," G_FILE_ATTRIBUTE_FILESYSTEM_SIZE,
                                       NULL, &error);
  if (info == NULL)
    return g_strdup (error->message);
  json_builder_set_member_name (out, "path");
  json_builder_add_string_value (out, path);
  json_builder_set_member_name (out, "size-bytes");
  json_builder_add_int_value (out, g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE));
  json_builder_set_member_name (out, "total_size");
  json_builder_add_int_value (out, g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE));
  return NULL;
}

char *
tsr_rpc_port_test (TsrRpcContext *context,
                   JsonObject    *args,
                   JsonBuilder   *out)
{
  /* Transmission asks a web service of its project; Tessera asks no
   * third party, so it cannot know. */
  return g_strdup (_("Tessera cannot test its port from outside"));
}

typedef struct
{
  TsrRpcMethodDone  done;
  gpointer          user_data;
} Update;

static void
on_blocklist_updated (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Update *update = user_data;
  TsrBlocklist *blocklist = TSR_BLOCKLIST (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) out = NULL;

  if (!tsr_blocklist_update_finish (blocklist, result, &error))
    update->done (g_strdup (error->message), NULL, update->user_data);
  else
    {
      out = json_builder_new ();
      json_builder_begin_object (out);
      json_builder_set_member_name (out, "blocklist-size");
      json_builder_add_int_value (out, tsr_blocklist_get_n_ranges (blocklist));
      json_builder_end_object (out);
      update->done (NULL, json_builder_get_root (out), update->user_data);
    }
  g_free (update);
}

void
tsr_rpc_blocklist_update (TsrRpcContext    *context,
                          GCancellable     *cancellable,
                          TsrRpcMethodDone  done,
                          gpointer          user_data)
{
  TsrBlocklist *blocklist = tsr_session_get_blocklist (tsr_library_get_session (context->library));
  Update *update;

  if (tsr_blocklist_get_url (blocklist) == NULL)
    {
      done (g_strdup ("blocklist-url is not set"), NULL, user_data);
      return;
    }
  update = g_new0 (Update, 1);
  update->done = done;
  update->user_data = user_data;
  /* Kept beside the library, read from there at the next start. */
  if (context->config_dir != NULL)
    tsr_blocklist_set_folder (blocklist, context->config_dir);
  tsr_blocklist_update_async (blocklist, cancellable, on_blocklist_updated, update);
}
