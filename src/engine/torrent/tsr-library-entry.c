/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-entry.c: one torrent's file priorities, renamed paths, own
 * limits and options in the library's index, to JSON and back (see the .h). The marks live on
 * the torrent as object data: the engine's torrent has no use for them.
 */
#define G_LOG_DOMAIN "tsr-library"

#include "config.h"

#include <string.h>

#include "tsr-library-entry.h"

void
tsr_library_entry_set_own_limits (TsrTorrent *torrent)
{
  g_object_set_data (G_OBJECT (torrent), "tsr-own-limits", GINT_TO_POINTER (TRUE));
}

gboolean
tsr_library_entry_has_own_limits (TsrTorrent *torrent)
{
  return g_object_get_data (G_OBJECT (torrent), "tsr-own-limits") != NULL;
}

/* "priorities": one per file (TsrPriority), only when some file is not
 * normal. */
void
tsr_library_entry_add_priorities (JsonBuilder *builder,
                                  TsrTorrent  *torrent)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  gboolean all_normal = TRUE;
  guint i;

  if (info == NULL)
    return;
  for (i = 0; i < info->n_files && all_normal; i++)
    all_normal = tsr_torrent_get_file_priority (torrent, i) == TSR_PRIORITY_NORMAL;
  if (all_normal)
    return;
  json_builder_set_member_name (builder, "priorities");
  json_builder_begin_array (builder);
  for (i = 0; i < info->n_files; i++)
    json_builder_add_int_value (builder, tsr_torrent_get_file_priority (torrent, i));
  json_builder_end_array (builder);
}

void
tsr_library_entry_add_paths (JsonBuilder *builder,
                             TsrTorrent  *torrent)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  gboolean begun = FALSE;
  guint i;

  for (i = 0; info != NULL && i < info->n_files; i++)
    {
      const char *path = tsr_torrent_get_file_path (torrent, i);
      g_autofree char *key = NULL;

      if (g_str_equal (path, info->files[i].path))
        continue;
      if (!begun)
        {
          json_builder_set_member_name (builder, "paths");
          json_builder_begin_object (builder);
          begun = TRUE;
        }
      key = g_strdup_printf ("%u", i);
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, path);
    }
  if (begun)
    json_builder_end_object (builder);
}

void
tsr_library_entry_restore_paths (TsrTorrent *torrent,
                                 JsonObject *entry)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  JsonNode *node = entry != NULL ? json_object_get_member (entry, "paths") : NULL;
  g_autofree const char **paths = NULL;
  g_autoptr(GError) error = NULL;
  GList *members;
  GList *l;

  if (info == NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  paths = g_new0 (const char *, info->n_files + 1);
  members = json_object_get_members (json_node_get_object (node));
  for (l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (json_node_get_object (node), l->data);
      char *end = NULL;
      guint64 index = g_ascii_strtoull (l->data, &end, 10);

      if (end != l->data && *end == '\0' && index < info->n_files && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_STRING)
        paths[index] = json_node_get_string (value);
    }
  g_list_free (members);
  /* Checked as a rename is: a hand-edited index cannot send a file
   * outside the folder. */
  if (!tsr_torrent_set_file_paths (torrent, paths, &error))
    g_warning ("The renamed files of “%s” are left as the torrent names them: %s", info->display_name,
               error->message);
}

void
tsr_library_entry_set_priorities (TsrTorrent *torrent,
                                  JsonArray  *priorities)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  guint i;

  if (priorities == NULL || info == NULL || json_array_get_length (priorities) != info->n_files)
    return;
  for (i = 0; i < info->n_files; i++)
    {
      gint64 priority = json_array_get_int_element (priorities, i);

      if (priority >= TSR_PRIORITY_SKIP && priority <= TSR_PRIORITY_HIGH)
        tsr_torrent_set_file_priority (torrent, i, (TsrPriority) priority);
    }
}

/* "limits", only for a torrent whose limits the user set. */
void
tsr_library_entry_add_limits (JsonBuilder *builder,
                              TsrTorrent  *torrent)
{
  guint64 up_total = 0;
  guint64 down_total = 0;
  gdouble ratio = 0;

  if (!tsr_library_entry_has_own_limits (torrent))
    return;
  tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
  json_builder_set_member_name (builder, "limits");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "up-rate");
  json_builder_add_int_value (builder, (gint64) tsr_torrent_get_up_rate_limit (torrent));
  json_builder_set_member_name (builder, "down-rate");
  json_builder_add_int_value (builder, (gint64) tsr_torrent_get_down_rate_limit (torrent));
  json_builder_set_member_name (builder, "up-total");
  json_builder_add_int_value (builder, (gint64) up_total);
  json_builder_set_member_name (builder, "down-total");
  json_builder_add_int_value (builder, (gint64) down_total);
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_double_value (builder, ratio);
  json_builder_end_object (builder);
}

static guint64
member_u64 (JsonObject *object,
            const char *name)
{
  gint64 value = json_object_get_int_member_with_default (object, name, 0);

  return value > 0 ? (guint64) value : 0;
}

void
tsr_library_entry_apply_limits (TsrTorrent *torrent,
                                JsonObject *limits)
{
  gdouble ratio;

  if (limits == NULL)
    return;
  ratio = json_object_get_double_member_with_default (limits, "ratio", 0);
  tsr_library_entry_set_own_limits (torrent);
  tsr_torrent_set_rate_limits (torrent, member_u64 (limits, "up-rate"), member_u64 (limits, "down-rate"));
  tsr_torrent_set_limits (torrent, member_u64 (limits, "up-total"), member_u64 (limits, "down-total"),
                          ratio > 0 ? ratio : 0);
}

/* Bounds for what is read back: anyone may have edited the index. */
#define MAX_SEED_IDLE (365u * 24 * 60 * 60)
#define MAX_PEERS     10000u

static void
apply_options (TsrTorrent              *torrent,
               const TsrTorrentOptions *options)
{
  tsr_torrent_set_sequential (torrent, options->sequential);
  tsr_torrent_set_first_last_pieces (torrent, options->first_last);
  tsr_torrent_set_seed_idle_limit (torrent, options->seed_idle);
  /* 0 leaves the front end's default for every torrent in place. */
  if (options->max_peers > 0)
    tsr_torrent_set_max_peers (torrent, options->max_peers);
}

void
tsr_library_entry_set_options (TsrTorrent              *torrent,
                               const TsrTorrentOptions *options)
{
  g_object_set_data_full (G_OBJECT (torrent), "tsr-options", g_memdup2 (options, sizeof *options), g_free);
  apply_options (torrent, options);
}

void
tsr_library_entry_get_options (TsrTorrent        *torrent,
                               TsrTorrentOptions *options)
{
  const TsrTorrentOptions *kept = g_object_get_data (G_OBJECT (torrent), "tsr-options");

  if (kept != NULL)
    *options = *kept;
  else
    memset (options, 0, sizeof *options);
}

void
tsr_library_entry_reapply_options (TsrTorrent *torrent)
{
  const TsrTorrentOptions *kept = g_object_get_data (G_OBJECT (torrent), "tsr-options");

  if (kept != NULL)
    apply_options (torrent, kept);
}

void
tsr_library_entry_add_options (JsonBuilder *builder,
                               TsrTorrent  *torrent)
{
  TsrTorrentOptions options;

  tsr_library_entry_get_options (torrent, &options);
  if (!options.sequential && !options.first_last && options.seed_idle == 0 && options.max_peers == 0)
    return;
  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sequential");
  json_builder_add_boolean_value (builder, options.sequential);
  json_builder_set_member_name (builder, "first-last");
  json_builder_add_boolean_value (builder, options.first_last);
  json_builder_set_member_name (builder, "seed-idle");
  json_builder_add_int_value (builder, options.seed_idle);
  json_builder_set_member_name (builder, "max-peers");
  json_builder_add_int_value (builder, options.max_peers);
  json_builder_end_object (builder);
}

static guint
member_within (JsonObject *object,
               const char *name,
               guint       max)
{
  gint64 value = json_object_get_int_member_with_default (object, name, 0);

  return value > 0 && value <= (gint64) max ? (guint) value : 0;
}

void
tsr_library_entry_restore_options (TsrTorrent *torrent,
                                   JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "options");
  TsrTorrentOptions options = { 0 };
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  options.sequential = json_object_get_boolean_member_with_default (object, "sequential", FALSE);
  options.first_last = json_object_get_boolean_member_with_default (object, "first-last", FALSE);
  options.seed_idle = member_within (object, "seed-idle", MAX_SEED_IDLE);
  options.max_peers = member_within (object, "max-peers", MAX_PEERS);
  tsr_library_entry_set_options (torrent, &options);
}

/* The user's tracker tiers, as the index keeps them (the engine's
 * tsr_torrent_dup_trackers cannot tell them from the metainfo's). */
gboolean
tsr_library_entry_set_trackers (TsrTorrent  *torrent,
                                GPtrArray   *tiers,
                                GError     **error)
{
  if (!tsr_torrent_set_trackers (torrent, tiers, error))
    return FALSE;
  g_object_set_data_full (G_OBJECT (torrent), "tsr-own-trackers-kept",
                          tiers != NULL ? tsr_torrent_dup_trackers (torrent) : NULL,
                          (GDestroyNotify) g_ptr_array_unref);
  return TRUE;
}

void
tsr_library_entry_add_trackers (JsonBuilder *builder,
                                TsrTorrent  *torrent)
{
  GPtrArray *tiers = g_object_get_data (G_OBJECT (torrent), "tsr-own-trackers-kept");
  guint i, j;

  if (tiers == NULL)
    return;
  json_builder_set_member_name (builder, "trackers");
  json_builder_begin_array (builder);
  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);

      json_builder_begin_array (builder);
      for (j = 0; j < tier->len; j++)
        json_builder_add_string_value (builder, g_ptr_array_index (tier, j));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

void
tsr_library_entry_restore_trackers (TsrTorrent *torrent,
                                    JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "trackers");
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  guint i, j;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *tier_node = json_array_get_element (array, i);
      GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

      for (j = 0; JSON_NODE_HOLDS_ARRAY (tier_node) && j < json_array_get_length (json_node_get_array (tier_node)); j++)
        {
          JsonNode *url = json_array_get_element (json_node_get_array (tier_node), j);

          if (JSON_NODE_HOLDS_VALUE (url) && json_node_get_value_type (url) == G_TYPE_STRING)
            g_ptr_array_add (tier, g_strdup (json_node_get_string (url)));
        }
      g_ptr_array_add (tiers, tier);
    }
  /* Edited by hand into something the engine refuses: the metainfo's. */
  if (!tsr_library_entry_set_trackers (torrent, tiers, &error))
    g_message ("Trackers of %s left as they were: %s", tsr_torrent_get_name (torrent), error->message);
}

/* The user's web seeds, as the index keeps them (the engine's
 * tsr_torrent_dup_web_seeds cannot tell them from the metainfo's). */
gboolean
tsr_library_entry_set_web_seeds (TsrTorrent          *torrent,
                                 const char * const  *urls,
                                 GError             **error)
{
  if (!tsr_torrent_set_web_seeds (torrent, urls, error))
    return FALSE;
  g_object_set_data_full (G_OBJECT (torrent), "tsr-own-web-seeds-kept",
                          urls != NULL ? tsr_torrent_dup_web_seeds (torrent) : NULL, (GDestroyNotify) g_strfreev);
  return TRUE;
}

void
tsr_library_entry_add_web_seeds (JsonBuilder *builder,
                                 TsrTorrent  *torrent)
{
  char **urls = g_object_get_data (G_OBJECT (torrent), "tsr-own-web-seeds-kept");
  guint i;

  if (urls == NULL)
    return;
  json_builder_set_member_name (builder, "web-seeds");
  json_builder_begin_array (builder);
  for (i = 0; urls[i] != NULL; i++)
    json_builder_add_string_value (builder, urls[i]);
  json_builder_end_array (builder);
}

void
tsr_library_entry_restore_web_seeds (TsrTorrent *torrent,
                                     JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "web-seeds");
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  guint i;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  urls = g_ptr_array_new ();
  for (i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *url = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (url) && json_node_get_value_type (url) == G_TYPE_STRING)
        g_ptr_array_add (urls, (gpointer) json_node_get_string (url));
    }
  g_ptr_array_add (urls, NULL);
  /* Edited by hand into something the engine refuses: the metainfo's. */
  if (!tsr_library_entry_set_web_seeds (torrent, (const char * const *) urls->pdata, &error))
    g_message ("Web seeds of %s left as they were: %s", tsr_torrent_get_name (torrent), error->message);
}

/* When the torrent came into the library, in seconds since 1970: kept
 * beside it, like its labels; the engine's torrent has no use for it. */
void
tsr_library_entry_set_added (TsrTorrent *torrent,
                             gint64      when)
{
  gint64 *added = g_new (gint64, 1);

  *added = when;
  g_object_set_data_full (G_OBJECT (torrent), "tsr-added", added, g_free);
}

gint64
tsr_library_entry_get_added (TsrTorrent *torrent)
{
  gint64 *added = g_object_get_data (G_OBJECT (torrent), "tsr-added");

  return added != NULL ? *added : 0;
}

void
tsr_library_entry_add_added (JsonBuilder *builder,
                             TsrTorrent  *torrent)
{
  json_builder_set_member_name (builder, "added");
  json_builder_add_int_value (builder, tsr_library_entry_get_added (torrent));
}

void
tsr_library_entry_restore_added (TsrTorrent *torrent,
                                 JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "added");

  /* An index from before "added": the time it was read stands. */
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) > 0)
    tsr_library_entry_set_added (torrent, json_node_get_int (node));
}
