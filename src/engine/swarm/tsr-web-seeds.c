/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seeds.c: a torrent's web seeds (BEP 19 url-list, BEP 17
 * httpseeds). Each seed fetches one whole piece at a time (TsrWebSeed)
 * and names itself in the block map's reservation of that piece. A fetch
 * in flight holds a reference to its seed's record, not to the set: the
 * record outlives a freed set (marked gone) until the fetch lands, which
 * then does nothing.
 */
#define G_LOG_DOMAIN "tsr-web-seeds"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tsr-web-seed.h"
#include "tsr-web-seeds.h"

/* Seconds without progress before a request fails. */
#define HTTP_TIMEOUT 60

typedef struct
{
  gint         ref_count;   /* main thread only */
  TsrWebSeeds *owner;       /* borrowed; NULL once the set was freed */
  TsrWebSeed  *seed;        /* (owned) */
  gint         piece;       /* being fetched, -1: none */
  guint64      last_bytes;  /* received at the last tick */
  guint64      rate;        /* bytes a second, smoothed */
  gint64       last_tick;   /* monotonic seconds */
} Seed;

struct _TsrWebSeeds
{
  const TsrWebSeedsFuncs *funcs;
  gpointer                user_data;
  TsrMetainfo            *info;         /* (owned) */
  GPtrArray              *urls;         /* (owned) (element-type utf8) BEP 19: the metainfo's or the user's */
  TsrBlockMap            *blocks;       /* borrowed */
  TsrPiecePicker         *picker;       /* borrowed */
  TsrPeerPool            *pool;         /* borrowed: URL bans */
  GPtrArray              *seeds;        /* (owned) (nullable) (element-type Seed) made at the first tick */
  SoupSession            *session;      /* (owned) (nullable) shared by the seeds */
  GCancellable           *cancellable;  /* (owned) (nullable) the fetches in flight */
};

static void
seed_unref (Seed *seed)
{
  if (--seed->ref_count > 0)
    return;
  g_object_unref (seed->seed);
  g_free (seed);
}

static void
seed_gone (Seed *seed)
{
  seed->owner = NULL;
  seed_unref (seed);
}

static gint64
now_of (TsrWebSeeds *self)
{
  return self->funcs->now != NULL ? self->funcs->now (self->user_data) : g_get_monotonic_time () / G_USEC_PER_SEC;
}

static TsrLimiter *
get_limiter (TsrWebSeeds *self)
{
  return self->funcs->limiter != NULL ? self->funcs->limiter (self->user_data) : NULL;
}

TsrWebSeeds *
tsr_web_seeds_new (TsrMetainfo            *info,
                   TsrBlockMap            *blocks,
                   TsrPiecePicker         *picker,
                   TsrPeerPool            *pool,
                   const TsrWebSeedsFuncs *funcs,
                   gpointer                user_data)
{
  g_return_val_if_fail (info != NULL, NULL);
  return tsr_web_seeds_new_with_urls (info, info->web_seeds, blocks, picker, pool, funcs, user_data);
}

TsrWebSeeds *
tsr_web_seeds_new_with_urls (TsrMetainfo            *info,
                             GPtrArray              *urls,
                             TsrBlockMap            *blocks,
                             TsrPiecePicker         *picker,
                             TsrPeerPool            *pool,
                             const TsrWebSeedsFuncs *funcs,
                             gpointer                user_data)
{
  TsrWebSeeds *self;
  guint i;

  g_return_val_if_fail (info != NULL && urls != NULL && blocks != NULL && picker != NULL && pool != NULL, NULL);

  if (urls->len == 0 && info->http_seeds->len == 0)
    return NULL;
  self = g_new0 (TsrWebSeeds, 1);
  self->funcs = funcs;
  self->user_data = user_data;
  self->info = tsr_metainfo_ref (info);
  self->urls = g_ptr_array_new_full (urls->len, g_free);
  for (i = 0; i < urls->len; i++)
    g_ptr_array_add (self->urls, g_strdup (g_ptr_array_index (urls, i)));
  self->blocks = blocks;
  self->picker = picker;
  self->pool = pool;
  return self;
}

void
tsr_web_seeds_free (TsrWebSeeds *self)
{
  guint i;

  /* A piece on its way goes back to the peers and the other seeds: its
   * fetch lands without a call (a stopped torrent's block map has let go
   * of it already). */
  for (i = 0; self->seeds != NULL && i < self->seeds->len; i++)
    {
      Seed *seed = g_ptr_array_index (self->seeds, i);

      if (seed->piece >= 0 && tsr_block_map_get_reserved (self->blocks, (guint) seed->piece) == seed &&
          !tsr_block_map_is_writing (self->blocks, (guint) seed->piece))
        tsr_block_map_drop (self->blocks, (guint) seed->piece);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->seeds, g_ptr_array_unref);
  g_clear_object (&self->session);
  g_ptr_array_unref (self->urls);
  tsr_metainfo_unref (self->info);
  g_free (self);
}

/* The seeds, and the session they share, when first needed. */
static void
ensure_seeds (TsrWebSeeds *self)
{
  guint n_web = self->urls->len;
  guint i;

  if (self->seeds != NULL)
    return;
  self->seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) seed_gone);
  self->session = soup_session_new ();
  soup_session_set_timeout (self->session, HTTP_TIMEOUT);
  soup_session_set_user_agent (self->session, "Tessera/" PACKAGE_VERSION);
  /* Like trackers and peers, web seeds are reached directly. */
  soup_session_set_proxy_resolver (self->session, NULL);
  self->cancellable = g_cancellable_new ();
  for (i = 0; i < n_web + self->info->http_seeds->len; i++)
    {
      gboolean http_seed = i >= n_web;
      const char *url = http_seed ? g_ptr_array_index (self->info->http_seeds, i - n_web)
                                  : g_ptr_array_index (self->urls, i);
      Seed *seed = g_new0 (Seed, 1);

      seed->ref_count = 1;
      seed->owner = self;
      seed->seed = tsr_web_seed_new (self->info, url, http_seed, self->session);
      seed->piece = -1;
      g_ptr_array_add (self->seeds, seed);
    }
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Seed *seed = user_data;
  TsrWebSeeds *self = seed->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = tsr_web_seed_fetch_piece_finish (TSR_WEB_SEED (source), result, &error);
  g_autoptr(GBytes) piece = NULL;
  TsrLimiter *down;
  guint index = (guint) seed->piece;

  seed->piece = -1;
  /* The fetch's reference: while the set lives, it holds one too. */
  seed_unref (seed);
  /* The set is gone; or the torrent stopped meanwhile (the piece is gone,
   * or someone else's now). */
  if (self == NULL || tsr_block_map_get_reserved (self->blocks, index) != seed ||
      tsr_block_map_is_writing (self->blocks, index))
    return;
  if (!tsr_block_map_put_whole (self->blocks, index, bytes))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s: %s", tsr_web_seed_get_url (seed->seed), error->message);
      /* The piece goes back to the peers and the other seeds. */
      tsr_block_map_drop (self->blocks, index);
      return;
    }
  piece = tsr_block_map_take_complete (self->blocks, index);
  /* Download limits count web seeds too (and the session's, through it). */
  down = get_limiter (self);
  if (down != NULL)
    tsr_limiter_consume (down, g_bytes_get_size (piece));
  self->funcs->fetched (index, piece, self->user_data);
  tsr_web_seeds_tick (self);
}

/* Gives each idle seed a piece: wanted, not had, not started by peers,
 * the rarest first (a web seed has every piece). */
void
tsr_web_seeds_tick (TsrWebSeeds *self)
{
  g_autoptr(TsrBitfield) all = NULL;
  TsrLimiter *down;
  gint64 now;
  guint i;

  /* A torrent without web seeds has none to tick. */
  if (self == NULL)
    return;
  now = now_of (self);
  down = get_limiter (self);
  ensure_seeds (self);
  for (i = 0; i < self->seeds->len; i++)
    {
      Seed *seed = g_ptr_array_index (self->seeds, i);
      guint64 bytes = tsr_web_seed_get_bytes_received (seed->seed);
      guint index;

      if (now > seed->last_tick)
        {
          seed->rate = (seed->rate + (bytes - seed->last_bytes) / (guint64) (now - seed->last_tick)) / 2;
          seed->last_bytes = bytes;
          seed->last_tick = now;
        }
      if (seed->piece >= 0 || !tsr_web_seed_is_ready (seed->seed, now) ||
          !self->funcs->may_start (self->user_data) ||
          (down != NULL && tsr_limiter_get_allowance (down) == 0) ||
          tsr_peer_pool_get_url_ban (self->pool, tsr_web_seed_get_url (seed->seed), now) != NULL ||
          !tsr_block_map_may_start_more (self->blocks))
        continue;
      if (all == NULL)
        {
          all = tsr_bitfield_new (self->info->piece_count);
          tsr_bitfield_set_all (all, TRUE);
        }
      if (!tsr_piece_picker_pick_for_source (self->picker, all, &index))
        return;
      tsr_block_map_start (self->blocks, index);
      /* Its blocks are spoken for: peers look elsewhere. */
      tsr_block_map_reserve (self->blocks, index, seed);
      seed->piece = (gint) index;
      seed->ref_count++;
      tsr_web_seed_fetch_piece_async (seed->seed, index, self->cancellable, on_fetched, seed);
    }
}

void
tsr_web_seeds_stop (TsrWebSeeds *self)
{
  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();
}

gboolean
tsr_web_seeds_hash_failed (TsrWebSeeds *self,
                           guint        index)
{
  gconstpointer owner = tsr_block_map_get_reserved (self->blocks, index);
  g_autofree char *reason = NULL;
  Seed *seed = NULL;
  const char *url;
  gint64 now;
  guint i;

  for (i = 0; self->seeds != NULL && i < self->seeds->len; i++)
    if (g_ptr_array_index (self->seeds, i) == owner)
      seed = g_ptr_array_index (self->seeds, i);
  if (seed == NULL)
    return FALSE;
  tsr_block_map_drop (self->blocks, index);
  url = tsr_web_seed_get_url (seed->seed);
  now = now_of (self);
  if (tsr_peer_pool_get_url_ban (self->pool, url, now) != NULL)
    return TRUE;
  reason = g_strdup_printf (_("sent piece %u, which failed its hash check"), index);
  tsr_peer_pool_ban_url (self->pool, url, reason, now, TSR_WEB_SEEDS_BAN_SECONDS);
  self->funcs->banned (url, reason, self->user_data);
  return TRUE;
}

guint64
tsr_web_seeds_get_rate (TsrWebSeeds *self)
{
  guint64 rate = 0;
  guint i;

  for (i = 0; self->seeds != NULL && i < self->seeds->len; i++)
    rate += ((Seed *) g_ptr_array_index (self->seeds, i))->rate;
  return rate;
}

guint
tsr_web_seeds_get_n_seeds (TsrWebSeeds *self)
{
  return self->seeds != NULL ? self->seeds->len : 0;
}

void
tsr_web_seeds_get_info (TsrWebSeeds    *self,
                        guint           i,
                        TsrWebSeedInfo *info)
{
  Seed *seed;

  g_return_if_fail (i < tsr_web_seeds_get_n_seeds (self));

  seed = g_ptr_array_index (self->seeds, i);
  info->url = tsr_web_seed_get_url (seed->seed);
  info->http_seed = tsr_web_seed_is_http_seed (seed->seed);
  info->fetching = seed->piece >= 0;
  info->rate = seed->rate;
  info->received = tsr_web_seed_get_bytes_received (seed->seed);
}
