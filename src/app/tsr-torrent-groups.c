/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-groups.c: the sidebar's counts, kept up incrementally (see
 * the .h). Per torrent it keeps the state bits, hosts and labels it last
 * counted; a torrent's notify::state, notify::down-rate,
 * notify::up-rate, "metadata-received" (hosts come with the metainfo)
 * and the library's "labels-changed" recount that torrent alone, moving
 * only the counts that differ. The engine notifies rates once a second
 * at most, so a busy library costs a handful of comparisons a second per
 * active torrent.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-torrent-groups.h"

typedef struct
{
  TsrTorrent *torrent;   /* (owned) */
  guint       mask;      /* 1 << TsrGroupKind, state kinds only */
  char      **hosts;     /* (owned) */
  char      **labels;    /* (owned) */
} Entry;

struct _TsrTorrentGroups
{
  GObject          parent_instance;
  TsrLibrary      *library;     /* (owned) */
  GListModel      *torrents;    /* borrowed: the library's */
  GPtrArray       *mirror;      /* (owned) Entry*, in the torrents' order, to know what items-changed removed */
  GHashTable      *entries;     /* TsrTorrent* → Entry*, borrowed from mirror */
  GListStore      *store;       /* (owned) TsrTorrentGroup */
  TsrTorrentGroup *states[TSR_GROUP_N_STATES];  /* borrowed: the store holds them */
  GHashTable      *keyed[2];    /* host, label → TsrTorrentGroup (borrowed: the store holds it) */
};

G_DEFINE_FINAL_TYPE (TsrTorrentGroups, tsr_torrent_groups, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  SIGNAL_RENAMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
mask_of (TsrTorrent *torrent)
{
  guint mask = 1u << TSR_GROUP_ALL;

  switch (tsr_torrent_get_state (torrent))
    {
    case TSR_TORRENT_DOWNLOADING:
    case TSR_TORRENT_FETCHING:
      mask |= 1u << TSR_GROUP_DOWNLOADING;
      break;
    case TSR_TORRENT_SEEDING:
      mask |= 1u << TSR_GROUP_SEEDING;
      break;
    case TSR_TORRENT_STOPPED:
      mask |= 1u << TSR_GROUP_STOPPED;
      break;
    case TSR_TORRENT_QUEUED:
      mask |= 1u << TSR_GROUP_QUEUED;
      break;
    case TSR_TORRENT_CHECKING:
      mask |= 1u << TSR_GROUP_CHECKING;
      break;
    case TSR_TORRENT_ERROR:
      mask |= 1u << TSR_GROUP_ERROR;
      break;
    default:
      break;
    }
  if (tsr_torrent_get_down_rate (torrent) > 0 || tsr_torrent_get_up_rate (torrent) > 0)
    mask |= 1u << TSR_GROUP_ACTIVE;
  return mask;
}

/* The hosts of the torrent's trackers, lower case, once each. */
static char **
hosts_of (TsrTorrent *torrent)
{
  TsrMetainfo *info = tsr_torrent_has_metainfo (torrent) ? tsr_torrent_get_metainfo (torrent) : NULL;
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  guint i;
  guint j;

  for (i = 0; info != NULL && info->trackers != NULL && i < info->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (info->trackers, i);

      for (j = 0; j < tier->len; j++)
        {
          g_autoptr(GUri) uri = g_uri_parse (g_ptr_array_index (tier, j), G_URI_FLAGS_NONE, NULL);
          g_autofree char *host = uri != NULL && g_uri_get_host (uri) != NULL
                                  ? g_ascii_strdown (g_uri_get_host (uri), -1) : NULL;

          if (host == NULL || *host == '\0')
            continue;
          g_ptr_array_add (hosts, NULL);
          hosts->len--;
          if (!g_strv_contains ((const char * const *) hosts->pdata, host))
            g_ptr_array_add (hosts, g_steal_pointer (&host));
        }
    }
  g_ptr_array_add (hosts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&hosts), FALSE);
}

/* Where a new keyed row goes: among its kind, in collation order. */
static guint
insert_position (TsrTorrentGroups *self,
                 TsrGroupKind      kind,
                 const char       *key)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint n = g_list_model_get_n_items (model);
  guint i;

  for (i = TSR_GROUP_N_STATES; i < n; i++)
    {
      g_autoptr(TsrTorrentGroup) group = g_list_model_get_item (model, i);
      TsrGroupKind other = tsr_torrent_group_get_kind (group);

      if (other > kind || (other == kind && g_utf8_collate (tsr_torrent_group_get_key (group), key) > 0))
        return i;
    }
  return n;
}

static void
add_keyed (TsrTorrentGroups *self,
           TsrGroupKind      kind,
           const char       *key,
           int               delta)
{
  GHashTable *table = self->keyed[kind - TSR_GROUP_TRACKER];
  TsrTorrentGroup *group = g_hash_table_lookup (table, key);
  guint position;

  if (group == NULL)
    {
      g_autoptr(TsrTorrentGroup) made = tsr_torrent_group_new (kind, key);

      g_return_if_fail (delta > 0);
      group = made;
      g_hash_table_insert (table, g_strdup (key), group);
      g_list_store_insert (self->store, insert_position (self, kind, key), group);
    }
  tsr_torrent_group_add (group, delta);
  if (tsr_torrent_group_get_count (group) == 0 && g_list_store_find (self->store, group, &position))
    {
      g_list_store_remove (self->store, position);
      g_hash_table_remove (table, key);
    }
}

/* Moves the counts of @kind from @before to @after (either nullable). */
static void
move_keyed (TsrTorrentGroups   *self,
            TsrGroupKind        kind,
            const char * const *before,
            const char * const *after)
{
  guint i;

  for (i = 0; before != NULL && before[i] != NULL; i++)
    if (after == NULL || !g_strv_contains (after, before[i]))
      add_keyed (self, kind, before[i], -1);
  for (i = 0; after != NULL && after[i] != NULL; i++)
    if (before == NULL || !g_strv_contains (before, after[i]))
      add_keyed (self, kind, after[i], +1);
}

static void
move_mask (TsrTorrentGroups *self,
           guint             before,
           guint             after)
{
  guint kind;

  for (kind = 0; kind < TSR_GROUP_N_STATES; kind++)
    if (((before ^ after) & (1u << kind)) != 0)
      tsr_torrent_group_add (self->states[kind], (after & (1u << kind)) != 0 ? +1 : -1);
}

/* The torrent's groups, again: only the counts that differ move. */
static void
recount (TsrTorrentGroups *self,
         Entry            *entry,
         gboolean          hosts_too,
         gboolean          labels_too)
{
  guint mask = mask_of (entry->torrent);
  gboolean changed = mask != entry->mask;

  move_mask (self, entry->mask, mask);
  entry->mask = mask;
  if (hosts_too)
    {
      char **hosts = hosts_of (entry->torrent);

      changed |= !tsr_labels_equal ((const char * const *) entry->hosts, (const char * const *) hosts);
      move_keyed (self, TSR_GROUP_TRACKER, (const char * const *) entry->hosts, (const char * const *) hosts);
      g_strfreev (entry->hosts);
      entry->hosts = hosts;
    }
  if (labels_too)
    {
      char **labels = g_strdupv ((char **) tsr_library_get_labels (self->library, entry->torrent));

      changed |= !tsr_labels_equal ((const char * const *) entry->labels, (const char * const *) labels);
      move_keyed (self, TSR_GROUP_LABEL, (const char * const *) entry->labels, (const char * const *) labels);
      g_strfreev (entry->labels);
      entry->labels = labels;
    }
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0, entry->torrent);
}

static void
on_torrent_notify (TsrTorrent       *torrent,
                   GParamSpec       *pspec,
                   TsrTorrentGroups *self)
{
  recount (self, g_hash_table_lookup (self->entries, torrent), FALSE, FALSE);
}

static void
on_metadata_received (TsrTorrent       *torrent,
                      TsrTorrentGroups *self)
{
  recount (self, g_hash_table_lookup (self->entries, torrent), TRUE, FALSE);
  /* A magnet's name was its "dn" (or its hash) until now. */
  g_signal_emit (self, signals[SIGNAL_RENAMED], 0, torrent);
}

static void
on_labels_changed (TsrLibrary       *library,
                   TsrTorrent       *torrent,
                   TsrTorrentGroups *self)
{
  Entry *entry = g_hash_table_lookup (self->entries, torrent);

  if (entry != NULL)
    recount (self, entry, FALSE, TRUE);
}

static Entry *
entry_new (TsrTorrentGroups *self,
           TsrTorrent       *torrent)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->torrent = g_object_ref (torrent);
  g_signal_connect (torrent, "notify::state", G_CALLBACK (on_torrent_notify), self);
  g_signal_connect (torrent, "notify::down-rate", G_CALLBACK (on_torrent_notify), self);
  g_signal_connect (torrent, "notify::up-rate", G_CALLBACK (on_torrent_notify), self);
  if (!tsr_torrent_has_metainfo (torrent))
    g_signal_connect (torrent, "metadata-received", G_CALLBACK (on_metadata_received), self);
  g_hash_table_insert (self->entries, torrent, entry);
  recount (self, entry, TRUE, TRUE);
  return entry;
}

/* Takes the torrent out of every count (the mirror's free function). */
static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_strfreev (entry->hosts);
  g_strfreev (entry->labels);
  g_object_unref (entry->torrent);
  g_free (entry);
}

static void
entry_forget (TsrTorrentGroups *self,
              Entry            *entry)
{
  g_signal_handlers_disconnect_by_data (entry->torrent, self);
  g_hash_table_remove (self->entries, entry->torrent);
  move_mask (self, entry->mask, 0);
  move_keyed (self, TSR_GROUP_TRACKER, (const char * const *) entry->hosts, NULL);
  move_keyed (self, TSR_GROUP_LABEL, (const char * const *) entry->labels, NULL);
}

static void
on_torrents_changed (GListModel       *torrents,
                     guint             position,
                     guint             removed,
                     guint             added,
                     TsrTorrentGroups *self)
{
  guint i;

  for (i = 0; i < removed; i++)
    entry_forget (self, g_ptr_array_index (self->mirror, position + i));
  g_ptr_array_remove_range (self->mirror, position, removed);
  for (i = 0; i < added; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, position + i);

      g_ptr_array_insert (self->mirror, (int) (position + i), entry_new (self, torrent));
    }
}

static void
tsr_torrent_groups_dispose (GObject *object)
{
  TsrTorrentGroups *self = TSR_TORRENT_GROUPS (object);
  guint i;

  if (self->torrents != NULL)
    g_signal_handlers_disconnect_by_data (self->torrents, self);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (self->library, self);
  for (i = 0; self->mirror != NULL && i < self->mirror->len; i++)
    g_signal_handlers_disconnect_by_data (((Entry *) g_ptr_array_index (self->mirror, i))->torrent, self);
  g_clear_pointer (&self->mirror, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->keyed[0], g_hash_table_unref);
  g_clear_pointer (&self->keyed[1], g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->library);
  self->torrents = NULL;
  G_OBJECT_CLASS (tsr_torrent_groups_parent_class)->dispose (object);
}

static void
tsr_torrent_groups_class_init (TsrTorrentGroupsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_torrent_groups_dispose;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, TSR_TYPE_TORRENT);
  signals[SIGNAL_RENAMED] = g_signal_new ("renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, TSR_TYPE_TORRENT);
}

static void
tsr_torrent_groups_init (TsrTorrentGroups *self)
{
  guint i;

  self->mirror = g_ptr_array_new_with_free_func (entry_free);
  self->entries = g_hash_table_new (NULL, NULL);
  self->keyed[0] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->keyed[1] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->store = g_list_store_new (TSR_TYPE_TORRENT_GROUP);
  for (i = 0; i < TSR_GROUP_N_STATES; i++)
    {
      g_autoptr(TsrTorrentGroup) group = tsr_torrent_group_new (i, NULL);

      self->states[i] = group;
      g_list_store_append (self->store, group);
    }
}

TsrTorrentGroups *
tsr_torrent_groups_new (TsrLibrary *library)
{
  TsrTorrentGroups *self = g_object_new (TSR_TYPE_TORRENT_GROUPS, NULL);

  self->library = g_object_ref (library);
  self->torrents = tsr_library_get_torrents (library);
  g_signal_connect (self->torrents, "items-changed", G_CALLBACK (on_torrents_changed), self);
  g_signal_connect (library, "labels-changed", G_CALLBACK (on_labels_changed), self);
  on_torrents_changed (self->torrents, 0, 0, g_list_model_get_n_items (self->torrents), self);
  return self;
}

GListModel *
tsr_torrent_groups_get_model (TsrTorrentGroups *self)
{
  return G_LIST_MODEL (self->store);
}

GStrv
tsr_torrent_groups_dup_labels (TsrTorrentGroups *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = TSR_GROUP_N_STATES; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TsrTorrentGroup) group = g_list_model_get_item (model, i);

      if (tsr_torrent_group_get_kind (group) == TSR_GROUP_LABEL)
        g_strv_builder_add (builder, tsr_torrent_group_get_key (group));
    }
  return g_strv_builder_end (builder);
}

gboolean
tsr_torrent_groups_match (TsrTorrentGroups *self,
                          TsrTorrentGroup  *group,
                          TsrTorrent       *torrent)
{
  Entry *entry = g_hash_table_lookup (self->entries, torrent);
  TsrGroupKind kind = tsr_torrent_group_get_kind (group);

  if (entry == NULL)
    return kind == TSR_GROUP_ALL;
  if (kind < TSR_GROUP_N_STATES)
    return (entry->mask & (1u << kind)) != 0;
  return g_strv_contains ((const char * const *) (kind == TSR_GROUP_TRACKER ? entry->hosts : entry->labels),
                          tsr_torrent_group_get_key (group));
}

TsrLibrary *
tsr_torrent_groups_get_library (TsrTorrentGroups *self)
{
  return self->library;
}

const char * const *
tsr_torrent_groups_get_hosts (TsrTorrentGroups *self,
                              TsrTorrent       *torrent)
{
  static const char * const none[] = { NULL };
  Entry *entry = g_hash_table_lookup (self->entries, torrent);

  return entry != NULL ? (const char * const *) entry->hosts : none;
}
