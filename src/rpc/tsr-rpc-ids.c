/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-ids.c: numbers for the torrents of a session, as Transmission's
 * RPC hands them out: 1, 2, 3… in the order first seen, never given
 * twice while the server lives, so that a client's `-t 3` still means the
 * same torrent after another is removed. The id rides on the torrent as
 * object data; a table maps back. Removals are found on "items-changed"
 * by checking which numbered torrents the model no longer holds.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include "tsr-rpc-activity.h"
#include "tsr-rpc-ids.h"

typedef struct
{
  gint64 id;
  gint64 added;     /* real seconds */
} IdData;

typedef struct
{
  gint64 id;
  gint64 when;      /* monotonic seconds */
} Removed;

struct _TsrRpcIds
{
  GListModel *torrents;     /* (owned) */
  gulong      handler;
  GQuark      quark;        /* one per instance: two servers number apart */
  GHashTable *by_id;        /* gint64* → TsrTorrent (owned: outlives its removal from the model) */
  GArray     *removed;      /* Removed, oldest first */
  gint64      next_id;
};

static void
on_items_changed (GListModel *torrents,
                  guint       position,
                  guint       removed,
                  guint       added,
                  TsrRpcIds  *self)
{
  g_autoptr(GHashTable) present = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i, n;

  if (removed == 0)
    return;
  n = g_list_model_get_n_items (torrents);
  present = g_hash_table_new (NULL, NULL);
  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      g_hash_table_add (present, torrent);
    }
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Removed gone;

      if (g_hash_table_contains (present, value))
        continue;
      gone.id = *(gint64 *) key;
      gone.when = g_get_monotonic_time () / G_USEC_PER_SEC;
      g_array_append_val (self->removed, gone);
      g_object_set_qdata (value, self->quark, NULL);
      g_hash_table_iter_remove (&iter);
    }
  /* Keep an hour of removals at most. */
  while (self->removed->len > 0 &&
         g_array_index (self->removed, Removed, 0).when < g_get_monotonic_time () / G_USEC_PER_SEC - 3600)
    g_array_remove_index (self->removed, 0);
}

TsrRpcIds *
tsr_rpc_ids_new (GListModel *torrents)
{
  TsrRpcIds *self = g_new0 (TsrRpcIds, 1);
  g_autofree char *name = g_strdup_printf ("tsr-rpc-id-%p", (void *) self);
  guint i;

  self->torrents = g_object_ref (torrents);
  self->quark = g_quark_from_string (name);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->removed = g_array_new (FALSE, FALSE, sizeof (Removed));
  self->next_id = 1;
  self->handler = g_signal_connect (torrents, "items-changed", G_CALLBACK (on_items_changed), self);
  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      tsr_rpc_ids_get (self, torrent);
    }
  return self;
}

void
tsr_rpc_ids_free (TsrRpcIds *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;
  g_signal_handler_disconnect (self->torrents, self->handler);
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_set_qdata (value, self->quark, NULL);
  g_hash_table_unref (self->by_id);
  g_array_unref (self->removed);
  g_object_unref (self->torrents);
  g_free (self);
}

static IdData *
get_data (TsrRpcIds  *self,
          TsrTorrent *torrent)
{
  IdData *data = g_object_get_qdata (G_OBJECT (torrent), self->quark);
  gint64 *key;

  if (data != NULL)
    return data;
  data = g_new0 (IdData, 1);
  data->id = self->next_id++;
  data->added = g_get_real_time () / G_USEC_PER_SEC;
  g_object_set_qdata_full (G_OBJECT (torrent), self->quark, data, g_free);
  key = g_new (gint64, 1);
  *key = data->id;
  g_hash_table_insert (self->by_id, key, g_object_ref (torrent));
  tsr_rpc_activity_watch (torrent);
  return data;
}

gint64
tsr_rpc_ids_get (TsrRpcIds  *self,
                 TsrTorrent *torrent)
{
  return get_data (self, torrent)->id;
}

gint64
tsr_rpc_ids_get_added (TsrRpcIds  *self,
                       TsrTorrent *torrent)
{
  return get_data (self, torrent)->added;
}

TsrTorrent *
tsr_rpc_ids_lookup (TsrRpcIds *self,
                    gint64     id)
{
  return g_hash_table_lookup (self->by_id, &id);
}

GArray *
tsr_rpc_ids_dup_removed (TsrRpcIds *self,
                         gint64     seconds)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 since = g_get_monotonic_time () / G_USEC_PER_SEC - seconds;
  guint i;

  for (i = 0; i < self->removed->len; i++)
    {
      Removed *gone = &g_array_index (self->removed, Removed, i);

      if (gone->when >= since)
        g_array_append_val (ids, gone->id);
    }
  return ids;
}
