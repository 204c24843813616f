/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-choker.c: the unchoke decisions. A round sorts the interested peers
 * by what they give (or take, for a seed), keeps the best
 * TSR_CHOKER_REGULAR_SLOTS, and keeps or draws the optimistic one; the
 * draw weighs peers connected less than a minute three times, since they
 * have had no time to earn a regular slot.
 */
#define G_LOG_DOMAIN "tsr-choker"

#include "config.h"

#include "tsr-choker.h"

struct _TsrChoker
{
  GHashTable   *regular_since;   /* (nullable) id → gint64: unchoked as regular since; made at the first */
  gconstpointer optimistic;      /* (nullable) */
  gint64        optimistic_since;
};

TsrChoker *
tsr_choker_new (void)
{
  TsrChoker *self = g_new0 (TsrChoker, 1);

  return self;
}

void
tsr_choker_free (TsrChoker *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->regular_since, g_hash_table_unref);
  g_free (self);
}

void
tsr_choker_forget (TsrChoker    *self,
                   gconstpointer id)
{
  if (self->regular_since != NULL)
    g_hash_table_remove (self->regular_since, id);
  if (self->optimistic == id)
    self->optimistic = NULL;
}

typedef struct
{
  TsrChokerPeer *peer;
  gboolean       served;   /* seeding: had its turn of three rounds */
} Ranked;

static gint
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *x = a;
  const Ranked *y = b;

  if (x->served != y->served)
    return x->served ? 1 : -1;
  if (x->peer->rate != y->peer->rate)
    return x->peer->rate > y->peer->rate ? -1 : 1;
  /* Older connections first: stable, and they have proved themselves. */
  if (x->peer->connected_at != y->peer->connected_at)
    return x->peer->connected_at < y->peer->connected_at ? -1 : 1;
  return 0;
}

static gboolean
is_new (TsrChokerPeer *peer,
        gint64         now)
{
  return now - peer->connected_at < TSR_CHOKER_NEW_PEER;
}

void
tsr_choker_run (TsrChoker     *self,
                TsrChokerPeer *peers,
                guint          n_peers,
                gboolean       seeding,
                gint64         now)
{
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  TsrChokerPeer *optimistic = NULL;
  guint64 total_weight = 0;
  guint regular = 0;
  guint i;

  /* Made at the first peer: an idle torrent (none) pays one pointer. */
  if (n_peers > 0 && self->regular_since == NULL)
    self->regular_since = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (i = 0; i < n_peers; i++)
    {
      TsrChokerPeer *peer = &peers[i];
      Ranked entry = { peer, FALSE };
      gint64 *since = g_hash_table_lookup (self->regular_since, peer->id);

      peer->unchoke = FALSE;
      peer->optimistic = FALSE;
      if (!peer->interested)
        continue;
      /* A leech rewards what it gets; a snub gives nothing. */
      if (!seeding && peer->snubbed)
        continue;
      if (seeding && since != NULL && now - *since >= TSR_CHOKER_ROUND * TSR_CHOKER_OPTIMISTIC_ROUNDS)
        entry.served = TRUE;
      g_array_append_val (ranked, entry);
    }
  g_array_sort (ranked, compare_ranked);

  for (i = 0; i < ranked->len; i++)
    {
      TsrChokerPeer *peer = g_array_index (ranked, Ranked, i).peer;

      if (regular < TSR_CHOKER_REGULAR_SLOTS)
        {
          peer->unchoke = TRUE;
          regular++;
          if (!g_hash_table_contains (self->regular_since, peer->id))
            {
              gint64 *since = g_new (gint64, 1);

              *since = now;
              g_hash_table_insert (self->regular_since, (gpointer) peer->id, since);
            }
        }
      else
        g_hash_table_remove (self->regular_since, peer->id);
    }
  /* Peers no longer interested (or gone from the table) lose their turn. */
  for (i = 0; i < n_peers; i++)
    if (!peers[i].unchoke)
      g_hash_table_remove (self->regular_since, peers[i].id);

  /* The optimistic unchoke: kept for its three rounds if still eligible. */
  for (i = 0; i < n_peers; i++)
    if (peers[i].id == self->optimistic && peers[i].interested && !peers[i].unchoke &&
        now - self->optimistic_since < TSR_CHOKER_ROUND * TSR_CHOKER_OPTIMISTIC_ROUNDS)
      optimistic = &peers[i];
  if (optimistic == NULL)
    {
      for (i = 0; i < n_peers; i++)
        if (peers[i].interested && !peers[i].unchoke)
          total_weight += is_new (&peers[i], now) ? 3 : 1;
      if (total_weight > 0)
        {
          guint64 draw = (guint64) g_random_double_range (0, (gdouble) total_weight);

          for (i = 0; i < n_peers && optimistic == NULL; i++)
            {
              guint64 weight;

              if (!peers[i].interested || peers[i].unchoke)
                continue;
              weight = is_new (&peers[i], now) ? 3 : 1;
              if (draw < weight)
                optimistic = &peers[i];
              else
                draw -= weight;
            }
        }
      self->optimistic = optimistic != NULL ? optimistic->id : NULL;
      self->optimistic_since = now;
    }
  if (optimistic != NULL)
    {
      optimistic->unchoke = TRUE;
      optimistic->optimistic = TRUE;
    }
}
