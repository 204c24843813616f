/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-torrent-set.c: torrent-set, the Transmission RPC's way to change
 * a torrent's own settings: its speed limits (kB/s), seeding ratio and
 * idle limits, peer limit, files and priorities, labels, queue position,
 * sequential download and trackers ("trackerList", rpc-version 17).
 * Everything goes through the library, which keeps it across restarts.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include "tsr-rpc-methods.h"

/* Transmission's seed ratio and idle modes. */
enum
{
  MODE_GLOBAL = 0,
  MODE_SINGLE = 1,
  MODE_UNLIMITED = 2,
};

static void
set_limits (TsrRpcContext *context,
            TsrTorrent    *torrent,
            JsonObject    *args)
{
  guint64 up_rate = tsr_torrent_get_up_rate_limit (torrent);
  guint64 down_rate = tsr_torrent_get_down_rate_limit (torrent);
  guint64 up_total, down_total;
  gdouble ratio;
  gint64 limit;

  if (!tsr_rpc_args_has_value (args, "downloadLimit") && !tsr_rpc_args_has_value (args, "downloadLimited") &&
      !tsr_rpc_args_has_value (args, "uploadLimit") && !tsr_rpc_args_has_value (args, "uploadLimited") &&
      !tsr_rpc_args_has_value (args, "seedRatioLimit") && !tsr_rpc_args_has_value (args, "seedRatioMode"))
    return;
  tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
  limit = tsr_rpc_args_int (args, "downloadLimit", down_rate / 1000);
  if (tsr_rpc_args_has_value (args, "downloadLimit") || tsr_rpc_args_has_value (args, "downloadLimited"))
    down_rate = tsr_rpc_args_bool (args, "downloadLimited", down_rate > 0) && limit > 0
                ? (guint64) MIN (limit, G_MAXINT64 / 1000) * 1000 : 0;
  limit = tsr_rpc_args_int (args, "uploadLimit", up_rate / 1000);
  if (tsr_rpc_args_has_value (args, "uploadLimit") || tsr_rpc_args_has_value (args, "uploadLimited"))
    up_rate = tsr_rpc_args_bool (args, "uploadLimited", up_rate > 0) && limit > 0
              ? (guint64) MIN (limit, G_MAXINT64 / 1000) * 1000 : 0;
  if (tsr_rpc_args_has_value (args, "seedRatioLimit"))
    {
      gdouble wanted = tsr_rpc_args_double (args, "seedRatioLimit", ratio);

      if (wanted >= 0 && wanted < 1e6)
        ratio = wanted;
    }
  switch (tsr_rpc_args_int (args, "seedRatioMode", -1))
    {
    case MODE_GLOBAL:
      ratio = context->settings->seed_ratio_limited ? context->settings->seed_ratio_limit : 0;
      break;
    case MODE_UNLIMITED:
      ratio = 0;
      break;
    default:
      break;
    }
  tsr_library_set_limits (context->library, torrent, up_rate, down_rate, up_total, down_total, ratio);
}

static void
set_options (TsrRpcContext *context,
             TsrTorrent    *torrent,
             JsonObject    *args)
{
  TsrTorrentOptions options;
  gint64 value;

  if (!tsr_rpc_args_has_value (args, "seedIdleLimit") && !tsr_rpc_args_has_value (args, "seedIdleMode") &&
      !tsr_rpc_args_has_value (args, "peer-limit") && !tsr_rpc_args_has_value (args, "sequentialDownload"))
    return;
  tsr_library_get_options (torrent, &options);
  value = tsr_rpc_args_int (args, "seedIdleLimit", options.seed_idle / 60);
  if (value >= 0 && value <= 60 * 24 * 365)
    options.seed_idle = value * 60;
  switch (tsr_rpc_args_int (args, "seedIdleMode", -1))
    {
    case MODE_GLOBAL:
      options.seed_idle = context->settings->idle_seeding_limit_enabled ? context->settings->idle_seeding_limit * 60 : 0;
      break;
    case MODE_UNLIMITED:
      options.seed_idle = 0;
      break;
    default:
      break;
    }
  value = tsr_rpc_args_int (args, "peer-limit", options.max_peers);
  if (value > 0 && value <= 65535)
    options.max_peers = value;
  options.sequential = tsr_rpc_args_bool (args, "sequentialDownload", options.sequential);
  tsr_library_set_options (context->library, torrent, &options);
  if (options.max_peers > 0)
    tsr_torrent_set_max_peers (torrent, options.max_peers);
}

/* "trackerList": one URL a line, tiers apart by a blank line. */
static char *
set_tracker_list (TsrRpcContext *context,
                  TsrTorrent    *torrent,
                  const char    *list)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_auto(GStrv) lines = g_strsplit (list, "\n", -1);
  g_autoptr(GError) error = NULL;
  GPtrArray *tier = NULL;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        {
          tier = NULL;
          continue;
        }
      if (tier == NULL)
        {
          tier = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (tiers, tier);
        }
      g_ptr_array_add (tier, g_strdup (lines[i]));
    }
  if (!tsr_library_set_trackers (context->library, torrent, tiers->len > 0 ? tiers : NULL, &error))
    return g_strdup (error->message);
  return NULL;
}

char *
tsr_rpc_torrent_set (TsrRpcContext *context,
                     JsonObject    *args,
                     JsonBuilder   *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = tsr_rpc_context_select (context, args, &error);
  const char *trackers = tsr_rpc_args_string (args, "trackerList");
  guint i;

  if (torrents == NULL)
    return g_strdup (error->message);
  if (json_object_has_member (args, "location"))
    return g_strdup ("use torrent-set-location to move a torrent");
  for (i = 0; i < torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (torrents, i);

      set_limits (context, torrent, args);
      set_options (context, torrent, args);
      tsr_rpc_apply_file_choices (context, torrent, args);
      tsr_rpc_apply_labels (context, torrent, args);
      if (tsr_rpc_args_has_value (args, "queuePosition") && tsr_rpc_args_int (args, "queuePosition", -1) >= 0)
        tsr_session_set_queue_position (tsr_library_get_session (context->library), torrent,
                                        MIN (tsr_rpc_args_int (args, "queuePosition", 0), G_MAXUINT - 1));
      if (trackers != NULL)
        {
          char *problem = set_tracker_list (context, torrent, trackers);

          if (problem != NULL)
            return problem;
        }
    }
  tsr_library_save_soon (context->library);
  return NULL;
}
