/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-queue.c: the session's torrents in queue order (see tsr-queue.h).
 * An array in position order, and each torrent's position kept on the
 * torrent itself, so that the app's column and sorter read it in O(1)
 * with thousands of torrents; a move renumbers only the stretch it
 * crosses. A table by info hash beside it finds a torrent in O(1) for an
 * incoming peer's handshake or a duplicate add.
 */
#define G_LOG_DOMAIN "tsr-session"

#include "config.h"

#include <string.h>

#include "tsr-queue.h"
#include "tsr-util.h"

struct _TsrQueue
{
  GPtrArray  *torrents;   /* (element-type TsrTorrent) borrowed: the session's list holds them */
  GHashTable *by_hash;    /* wire hash (the torrent's own 20 bytes) → torrent, both borrowed */
};

static GQuark
position_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("tsr-queue-position");
  return quark;
}

/* Stored plus one: no data reads as "not queued". */
static void
set_position (TsrTorrent *torrent,
              guint       position)
{
  g_object_set_qdata (G_OBJECT (torrent), position_quark (), GUINT_TO_POINTER (position + 1));
}

static void
renumber (TsrQueue *self,
          guint     from,
          guint     to)
{
  guint i;

  for (i = from; i <= to && i < self->torrents->len; i++)
    set_position (g_ptr_array_index (self->torrents, i), i);
}

TsrQueue *
tsr_queue_new (void)
{
  TsrQueue *self = g_new0 (TsrQueue, 1);

  self->torrents = g_ptr_array_new ();
  self->by_hash = g_hash_table_new (tsr_hash20_hash, tsr_hash20_equal);
  return self;
}

void
tsr_queue_free (TsrQueue *self)
{
  guint i;

  for (i = 0; i < self->torrents->len; i++)
    g_object_set_qdata (g_ptr_array_index (self->torrents, i), position_quark (), NULL);
  g_ptr_array_unref (self->torrents);
  g_hash_table_unref (self->by_hash);
  g_free (self);
}

void
tsr_queue_append (TsrQueue   *self,
                  TsrTorrent *torrent)
{
  g_return_if_fail (tsr_queue_position_of (torrent) == G_MAXUINT);

  g_ptr_array_add (self->torrents, torrent);
  set_position (torrent, self->torrents->len - 1);
  /* Two with one hash (not from the library, which refuses that): the
   * first stays the one found. */
  if (!g_hash_table_contains (self->by_hash, tsr_torrent_get_info_hash (torrent)))
    g_hash_table_insert (self->by_hash, (gpointer) tsr_torrent_get_info_hash (torrent), torrent);
}

void
tsr_queue_remove (TsrQueue   *self,
                  TsrTorrent *torrent)
{
  guint position = tsr_queue_position_of (torrent);

  g_return_if_fail (position < self->torrents->len && g_ptr_array_index (self->torrents, position) == torrent);

  g_ptr_array_remove_index (self->torrents, position);
  g_object_set_qdata (G_OBJECT (torrent), position_quark (), NULL);
  renumber (self, position, G_MAXUINT);
  if (g_hash_table_lookup (self->by_hash, tsr_torrent_get_info_hash (torrent)) == torrent)
    {
      guint i;

      g_hash_table_remove (self->by_hash, tsr_torrent_get_info_hash (torrent));
      /* Another with its hash, if any, is found from now on. */
      for (i = 0; i < self->torrents->len; i++)
        {
          TsrTorrent *other = g_ptr_array_index (self->torrents, i);
          const guint8 *hash = tsr_torrent_get_info_hash (other);

          if (memcmp (hash, tsr_torrent_get_info_hash (torrent), 20) == 0)
            {
              g_hash_table_insert (self->by_hash, (gpointer) hash, other);
              break;
            }
        }
    }
}

TsrTorrent *
tsr_queue_find (TsrQueue     *self,
                const guint8 *info_hash)
{
  return g_hash_table_lookup (self->by_hash, info_hash);
}

guint
tsr_queue_get_length (TsrQueue *self)
{
  return self->torrents->len;
}

TsrTorrent *
tsr_queue_get_nth (TsrQueue *self,
                   guint     position)
{
  g_return_val_if_fail (position < self->torrents->len, NULL);
  return g_ptr_array_index (self->torrents, position);
}

guint
tsr_queue_position_of (TsrTorrent *torrent)
{
  return GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (torrent), position_quark ())) - 1;
}

gboolean
tsr_queue_move (TsrQueue   *self,
                TsrTorrent *torrent,
                guint       position)
{
  guint from = tsr_queue_position_of (torrent);

  g_return_val_if_fail (from < self->torrents->len && g_ptr_array_index (self->torrents, from) == torrent, FALSE);

  position = MIN (position, self->torrents->len - 1);
  if (position == from)
    return FALSE;
  g_ptr_array_remove_index (self->torrents, from);
  g_ptr_array_insert (self->torrents, position, torrent);
  renumber (self, MIN (from, position), MAX (from, position));
  return TRUE;
}

static gboolean
is_downloading (TsrTorrentState state)
{
  return state == TSR_TORRENT_CHECKING || state == TSR_TORRENT_DOWNLOADING;
}

/* tsr_torrent_get_progress () >= 1.0 without the rest of its figures:
 * called for every queued torrent, thousands of them, at each change. */
static gboolean
has_all_data (TsrTorrent *torrent)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);

  return info != NULL && tsr_torrent_get_bytes_have (torrent) >= (guint64) info->total_length;
}

void
tsr_queue_update (TsrQueue *self,
                  guint     max_active,
                  guint     max_seeding)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_object_unref);
  guint active = 0;
  guint seeding = 0;
  guint i;

  /* Starting or queueing one tells the session, which may reach here
   * again later; our own walk goes over a copy that holds them. */
  for (i = 0; i < self->torrents->len; i++)
    g_ptr_array_add (order, g_object_ref (g_ptr_array_index (self->torrents, i)));
  for (i = 0; i < order->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (order, i);
      TsrTorrentState state = tsr_torrent_get_state (torrent);

      if (is_downloading (state))
        {
          if (max_active > 0 && active >= max_active)
            tsr_torrent_queue (torrent);
          else
            active++;
        }
      else if (state == TSR_TORRENT_SEEDING)
        {
          if (max_seeding > 0 && seeding >= max_seeding)
            tsr_torrent_queue (torrent);
          else
            seeding++;
        }
    }
  for (i = 0; i < order->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (order, i);

      if (max_active > 0 && active >= max_active && max_seeding > 0 && seeding >= max_seeding)
        break;   /* no place left for anyone */
      if (tsr_torrent_get_state (torrent) != TSR_TORRENT_QUEUED)
        continue;
      /* All its data here: it will seed (after a check, which is quick
       * next to a download, so it is not counted as one). */
      if (has_all_data (torrent))
        {
          if (max_seeding > 0 && seeding >= max_seeding)
            continue;
          seeding++;
        }
      else
        {
          if (max_active > 0 && active >= max_active)
            continue;
          active++;
        }
      tsr_torrent_start (torrent);
    }
}
