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
  tsr_library_get_options (context->library, torrent, &options);
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

/* The tiers as they are, deep-copied, for editing. */
static GPtrArray *
dup_tiers (TsrTorrent *torrent)
{
  g_autoptr(GPtrArray) current = tsr_torrent_dup_trackers (torrent);
  GPtrArray *tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint i, j;

  for (i = 0; current != NULL && i < current->len; i++)
    {
      GPtrArray *urls = g_ptr_array_index (current, i);
      GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

      for (j = 0; j < urls->len; j++)
        g_ptr_array_add (copy, g_strdup (g_ptr_array_index (urls, j)));
      g_ptr_array_add (tiers, copy);
    }
  return tiers;
}

/* A tracker's "id" is its place in the tiers read in order, as
 * torrent-get's "trackers" numbers them: the slot holding it. */
static char **
tracker_slot (GPtrArray *tiers,
              gint64     id)
{
  guint i;

  for (i = 0; i < tiers->len && id >= 0; i++)
    {
      GPtrArray *urls = g_ptr_array_index (tiers, i);

      if (id < urls->len)
        return (char **) &urls->pdata[id];
      id -= urls->len;
    }
  return NULL;
}

/* rpc-version 16's trackerAdd (new tiers at the end), trackerRemove
 * (ids) and trackerReplace (id, URL pairs). */
static char *
edit_trackers (TsrRpcContext *context,
               TsrTorrent    *torrent,
               JsonObject    *args)
{
  JsonNode *add = json_object_get_member (args, "trackerAdd");
  JsonNode *remove = json_object_get_member (args, "trackerRemove");
  JsonNode *replace = json_object_get_member (args, "trackerReplace");
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  guint i;

  if ((add == NULL || !JSON_NODE_HOLDS_ARRAY (add)) && (remove == NULL || !JSON_NODE_HOLDS_ARRAY (remove)) &&
      (replace == NULL || !JSON_NODE_HOLDS_ARRAY (replace)))
    return NULL;
  tiers = dup_tiers (torrent);
  if (replace != NULL && JSON_NODE_HOLDS_ARRAY (replace))
    {
      array = json_node_get_array (replace);
      for (i = 0; i + 1 < json_array_get_length (array); i += 2)
        {
          JsonNode *id = json_array_get_element (array, i);
          JsonNode *url = json_array_get_element (array, i + 1);
          char **slot;

          if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64 ||
              !JSON_NODE_HOLDS_VALUE (url) || json_node_get_value_type (url) != G_TYPE_STRING)
            return g_strdup ("invalid tracker replacement");
          slot = tracker_slot (tiers, json_node_get_int (id));
          if (slot == NULL)
            return g_strdup ("no such tracker");
          g_free (*slot);
          *slot = g_strdup (json_node_get_string (url));
        }
    }
  if (remove != NULL && JSON_NODE_HOLDS_ARRAY (remove))
    {
      array = json_node_get_array (remove);
      /* Mark first, then drop: the ids are of the list as it was. */
      for (i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *id = json_array_get_element (array, i);
          char **slot;

          if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
            return g_strdup ("invalid tracker id");
          slot = tracker_slot (tiers, json_node_get_int (id));
          if (slot == NULL)
            return g_strdup ("no such tracker");
          g_clear_pointer (slot, g_free);
        }
      for (i = 0; i < tiers->len; i++)
        while (g_ptr_array_remove (g_ptr_array_index (tiers, i), NULL))
          ;
    }
  if (add != NULL && JSON_NODE_HOLDS_ARRAY (add))
    {
      array = json_node_get_array (add);
      for (i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *url = json_array_get_element (array, i);
          GPtrArray *tier;

          if (!JSON_NODE_HOLDS_VALUE (url) || json_node_get_value_type (url) != G_TYPE_STRING)
            return g_strdup ("invalid tracker URL");
          tier = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (tier, g_strdup (json_node_get_string (url)));
          g_ptr_array_add (tiers, tier);
        }
    }
  if (!tsr_library_set_trackers (context->library, torrent, tiers, &error))
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
      /* Its file priorities are set behind the library's back. */
      tsr_library_torrent_changed (context->library, torrent);
      if (tsr_rpc_args_has_value (args, "queuePosition") && tsr_rpc_args_int (args, "queuePosition", -1) >= 0)
        tsr_session_set_queue_position (tsr_library_get_session (context->library), torrent,
                                        MIN (tsr_rpc_args_int (args, "queuePosition", 0), G_MAXUINT - 1));
      if (trackers != NULL)
        {
          char *problem = set_tracker_list (context, torrent, trackers);

          if (problem != NULL)
            return problem;
        }
      else
        {
          char *problem = edit_trackers (context, torrent, args);

          if (problem != NULL)
            return problem;
        }
    }
  return NULL;
}
