/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-entry.c: what the library keeps of one torrent (labels, own
 * limits, options, trackers and web seeds, when added) and its entry in
 * the index, to JSON and back (see the .h). The entry's text is kept
 * until something in it changes: the library marks it
 * (tsr_library_entry_changed) after each change it makes or hears of.
 */
#define G_LOG_DOMAIN "tsr-library"

#include "config.h"

#include <string.h>

#include "tsr-labels.h"
#include "tsr-library-entry.h"
#include "tsr-util.h"

struct _TsrLibraryEntry
{
  TsrTorrent        *torrent;        /* borrowed: the library holds it while the entry lives */
  char             **labels;         /* (owned) sanitised; NULL: none */
  gboolean           own_limits;     /* the user set its limits: they go in the index */
  gboolean           has_options;
  TsrTorrentOptions  options;        /* valid when has_options */
  GPtrArray         *trackers;       /* (owned) (nullable) the tiers the user set; NULL: the metainfo's */
  char             **web_seeds;      /* (owned) (nullable) the URLs the user set; NULL: the metainfo's */
  gint64             added;          /* seconds since 1970; 0: not set */
  gboolean           ask;            /* the add dialog waits for the metainfo */
  char              *text;           /* (owned) (nullable) the index entry; NULL: to be made again */
  char              *text_folder;    /* (owned) the folder the text names */
  gboolean           text_paused;    /* what the text says of "paused" */
};

TsrLibraryEntry *
tsr_library_entry_new (TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = g_new0 (TsrLibraryEntry, 1);

  entry->torrent = torrent;
  return entry;
}

void
tsr_library_entry_free (TsrLibraryEntry *entry)
{
  g_strfreev (entry->labels);
  g_clear_pointer (&entry->trackers, g_ptr_array_unref);
  g_strfreev (entry->web_seeds);
  g_free (entry->text);
  g_free (entry->text_folder);
  g_free (entry);
}

void
tsr_library_entry_changed (TsrLibraryEntry *entry)
{
  g_clear_pointer (&entry->text, g_free);
}

char *
tsr_library_entry_hash_of (TsrMetainfo *info)
{
  return info->has_v1 ? tsr_hex_encode (info->info_hash, 20) : tsr_hex_encode (info->info_hash_v2, 32);
}

char *
tsr_library_entry_dup_hash (TsrTorrent *torrent)
{
  return tsr_torrent_has_metainfo (torrent) ? tsr_library_entry_hash_of (tsr_torrent_get_metainfo (torrent))
                                            : tsr_hex_encode (tsr_torrent_get_info_hash (torrent), 20);
}

const char * const *
tsr_library_entry_get_labels (TsrLibraryEntry *entry)
{
  static const char * const none[] = { NULL };

  return entry->labels != NULL ? (const char * const *) entry->labels : none;
}

void
tsr_library_entry_set_labels (TsrLibraryEntry    *entry,
                              const char * const *labels)
{
  g_strfreev (entry->labels);
  entry->labels = tsr_labels_sanitise (labels);
  tsr_library_entry_changed (entry);
}

/* "labels", only when there are some. */
static void
add_labels (JsonBuilder     *builder,
            TsrLibraryEntry *entry)
{
  const char * const *labels = tsr_library_entry_get_labels (entry);
  guint i;

  if (labels[0] == NULL)
    return;
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_array (builder);
  for (i = 0; labels[i] != NULL; i++)
    json_builder_add_string_value (builder, labels[i]);
  json_builder_end_array (builder);
}

/* From an index entry: strings only; a missing key (an older index) is none. */
void
tsr_library_entry_restore_labels (TsrLibraryEntry *entry,
                                  JsonObject      *entry_object)
{
  g_auto(GStrv) labels = tsr_labels_from_json (json_object_get_member (entry_object, "labels"));

  if (labels != NULL)
    tsr_library_entry_set_labels (entry, (const char * const *) labels);
}

void
tsr_library_entry_set_ask (TsrLibraryEntry *entry,
                           gboolean         ask)
{
  entry->ask = ask;
  tsr_library_entry_changed (entry);
}

gboolean
tsr_library_entry_get_ask (TsrLibraryEntry *entry)
{
  return entry->ask;
}

void
tsr_library_entry_set_own_limits (TsrLibraryEntry *entry)
{
  entry->own_limits = TRUE;
  tsr_library_entry_changed (entry);
}

gboolean
tsr_library_entry_has_own_limits (TsrLibraryEntry *entry)
{
  return entry->own_limits;
}

/* "priorities": one per file (TsrPriority), only when some file is not
 * normal. */
static void
add_priorities (JsonBuilder *builder,
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

static void
add_paths (JsonBuilder *builder,
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
                                 JsonObject *entry_object)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  JsonNode *node = entry_object != NULL ? json_object_get_member (entry_object, "paths") : NULL;
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
static void
add_limits (JsonBuilder     *builder,
            TsrLibraryEntry *entry)
{
  TsrTorrent *torrent = entry->torrent;
  guint64 up_total = 0;
  guint64 down_total = 0;
  gdouble ratio = 0;

  if (!entry->own_limits)
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
tsr_library_entry_apply_limits (TsrLibraryEntry *entry,
                                JsonObject      *limits)
{
  TsrTorrent *torrent = entry->torrent;
  gdouble ratio;

  if (limits == NULL)
    return;
  ratio = json_object_get_double_member_with_default (limits, "ratio", 0);
  tsr_library_entry_set_own_limits (entry);
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
tsr_library_entry_set_options (TsrLibraryEntry         *entry,
                               const TsrTorrentOptions *options)
{
  entry->options = *options;
  entry->has_options = TRUE;
  tsr_library_entry_changed (entry);
  apply_options (entry->torrent, options);
}

void
tsr_library_entry_get_options (TsrLibraryEntry   *entry,
                               TsrTorrentOptions *options)
{
  if (entry->has_options)
    *options = entry->options;
  else
    memset (options, 0, sizeof *options);
}

void
tsr_library_entry_reapply_options (TsrLibraryEntry *entry)
{
  if (entry->has_options)
    apply_options (entry->torrent, &entry->options);
}

static void
add_options (JsonBuilder     *builder,
             TsrLibraryEntry *entry)
{
  TsrTorrentOptions options;

  tsr_library_entry_get_options (entry, &options);
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
tsr_library_entry_restore_options (TsrLibraryEntry *entry,
                                   JsonObject      *entry_object)
{
  JsonNode *node = json_object_get_member (entry_object, "options");
  TsrTorrentOptions options = { 0 };
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  options.sequential = json_object_get_boolean_member_with_default (object, "sequential", FALSE);
  options.first_last = json_object_get_boolean_member_with_default (object, "first-last", FALSE);
  options.seed_idle = member_within (object, "seed-idle", MAX_SEED_IDLE);
  options.max_peers = member_within (object, "max-peers", MAX_PEERS);
  tsr_library_entry_set_options (entry, &options);
}

/* The user's tracker tiers, as the index keeps them (the engine's
 * tsr_torrent_dup_trackers cannot tell them from the metainfo's). */
gboolean
tsr_library_entry_set_trackers (TsrLibraryEntry  *entry,
                                GPtrArray        *tiers,
                                GError          **error)
{
  if (!tsr_torrent_set_trackers (entry->torrent, tiers, error))
    return FALSE;
  g_clear_pointer (&entry->trackers, g_ptr_array_unref);
  if (tiers != NULL)
    entry->trackers = tsr_torrent_dup_trackers (entry->torrent);
  tsr_library_entry_changed (entry);
  return TRUE;
}

static void
add_trackers (JsonBuilder     *builder,
              TsrLibraryEntry *entry)
{
  GPtrArray *tiers = entry->trackers;
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
tsr_library_entry_restore_trackers (TsrLibraryEntry *entry,
                                    JsonObject      *entry_object)
{
  JsonNode *node = json_object_get_member (entry_object, "trackers");
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
  if (!tsr_library_entry_set_trackers (entry, tiers, &error))
    g_message ("Trackers of %s left as they were: %s", tsr_torrent_get_name (entry->torrent), error->message);
}

/* The user's web seeds, as the index keeps them (the engine's
 * tsr_torrent_dup_web_seeds cannot tell them from the metainfo's). */
gboolean
tsr_library_entry_set_web_seeds (TsrLibraryEntry     *entry,
                                 const char * const  *urls,
                                 GError             **error)
{
  if (!tsr_torrent_set_web_seeds (entry->torrent, urls, error))
    return FALSE;
  g_clear_pointer (&entry->web_seeds, g_strfreev);
  if (urls != NULL)
    entry->web_seeds = tsr_torrent_dup_web_seeds (entry->torrent);
  tsr_library_entry_changed (entry);
  return TRUE;
}

static void
add_web_seeds (JsonBuilder     *builder,
               TsrLibraryEntry *entry)
{
  char **urls = entry->web_seeds;
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
tsr_library_entry_restore_web_seeds (TsrLibraryEntry *entry,
                                     JsonObject      *entry_object)
{
  JsonNode *node = json_object_get_member (entry_object, "web-seeds");
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
  if (!tsr_library_entry_set_web_seeds (entry, (const char * const *) urls->pdata, &error))
    g_message ("Web seeds of %s left as they were: %s", tsr_torrent_get_name (entry->torrent), error->message);
}

/* When the torrent came into the library, in seconds since 1970. */
void
tsr_library_entry_set_added (TsrLibraryEntry *entry,
                             gint64           when)
{
  entry->added = when;
  tsr_library_entry_changed (entry);
}

gint64
tsr_library_entry_get_added (TsrLibraryEntry *entry)
{
  return entry->added;
}

void
tsr_library_entry_restore_added (TsrLibraryEntry *entry,
                                 JsonObject      *entry_object)
{
  JsonNode *node = json_object_get_member (entry_object, "added");

  /* An index from before "added": the time it was read stands. */
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) > 0)
    tsr_library_entry_set_added (entry, json_node_get_int (node));
}

static gboolean
is_paused (TsrTorrent *torrent)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);

  return state == TSR_TORRENT_STOPPED || state == TSR_TORRENT_ERROR;
}

static char *
make_text (TsrLibraryEntry *entry)
{
  TsrTorrent *torrent = entry->torrent;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (tsr_torrent_has_metainfo (torrent))
    {
      g_autofree char *hash = tsr_library_entry_dup_hash (torrent);

      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, hash);
    }
  else
    {
      /* Fetching: the magnet link is all there is to start again from. */
      g_autofree char *magnet = tsr_torrent_dup_magnet_uri (torrent);

      json_builder_set_member_name (builder, "magnet");
      json_builder_add_string_value (builder, magnet);
      if (entry->ask)
        {
          json_builder_set_member_name (builder, "ask");
          json_builder_add_boolean_value (builder, TRUE);
        }
    }
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, tsr_torrent_get_folder (torrent));
  json_builder_set_member_name (builder, "paused");
  json_builder_add_boolean_value (builder, is_paused (torrent));
  add_priorities (builder, torrent);
  add_paths (builder, torrent);
  add_limits (builder, entry);
  add_labels (builder, entry);
  add_options (builder, entry);
  add_trackers (builder, entry);
  add_web_seeds (builder, entry);
  json_builder_set_member_name (builder, "added");
  json_builder_add_int_value (builder, entry->added);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

const char *
tsr_library_entry_get_text (TsrLibraryEntry *entry)
{
  /* The engine stops, starts and moves a torrent by itself too (a limit,
   * an error, a move's end): two cheap looks catch what no one said. */
  if (entry->text != NULL &&
      (entry->text_paused != is_paused (entry->torrent) ||
       g_strcmp0 (entry->text_folder, tsr_torrent_get_folder (entry->torrent)) != 0))
    tsr_library_entry_changed (entry);
  if (entry->text == NULL)
    {
      entry->text = make_text (entry);
      entry->text_paused = is_paused (entry->torrent);
      g_free (entry->text_folder);
      entry->text_folder = g_strdup (tsr_torrent_get_folder (entry->torrent));
    }
  return entry->text;
}
