/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-web.c: a torrent's web seeds (BEP 19 url-list, BEP 17
 * httpseeds). Each seed fetches one whole piece at a time (TsrWebSeed),
 * the rarest wanted piece no peer has started, and hands it to the same
 * hash-and-write path as a piece from peers. A seed whose piece fails the
 * hash check is banned like a peer (it shows among the bad peers by its
 * URL); a seed that fails backs off as TsrWebSeed says.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-torrent-private.h"
#include "tsr-web-seed.h"

typedef struct
{
  TsrTorrent *torrent;      /* borrowed: it owns us */
  TsrWebSeed *seed;         /* (owned) */
  gint        piece;        /* being fetched, -1: none */
  guint64     last_bytes;   /* received at the last tick */
  guint64     rate;         /* bytes a second, smoothed */
  gint64      last_tick;    /* monotonic seconds */
} WebSeedData;

typedef struct
{
  TsrTorrent  *torrent;     /* (owned) */
  WebSeedData *data;        /* borrowed: lives as long as the torrent */
  guint        index;
} FetchData;

static void
web_seed_data_free (WebSeedData *data)
{
  g_object_unref (data->seed);
  g_free (data);
}

void
_tsr_torrent_web_seeds_free (TsrTorrent *self)
{
  g_clear_pointer (&self->web_seeds, g_ptr_array_unref);
  if (self->web_soup != NULL)
    {
      g_object_unref (self->web_soup);
      self->web_soup = NULL;
    }
}

static void
ensure_seeds (TsrTorrent *self)
{
  guint i;

  if (self->web_seeds != NULL || self->info == NULL)
    return;
  self->web_seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) web_seed_data_free);
  if (self->info->web_seeds->len == 0 && self->info->http_seeds->len == 0)
    return;
  self->web_soup = soup_session_new ();
  soup_session_set_timeout (self->web_soup, 60);
  soup_session_set_user_agent (self->web_soup, "Tessera/" PACKAGE_VERSION);
  /* Like trackers and peers, web seeds are reached directly. */
  soup_session_set_proxy_resolver (self->web_soup, NULL);
  for (i = 0; i < self->info->web_seeds->len + self->info->http_seeds->len; i++)
    {
      gboolean http_seed = i >= self->info->web_seeds->len;
      const char *url = http_seed ? g_ptr_array_index (self->info->http_seeds, i - self->info->web_seeds->len)
                                  : g_ptr_array_index (self->info->web_seeds, i);
      WebSeedData *data = g_new0 (WebSeedData, 1);

      data->torrent = self;
      data->seed = tsr_web_seed_new (self->info, url, http_seed, self->web_soup);
      data->piece = -1;
      g_ptr_array_add (self->web_seeds, data);
    }
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchData *fetch = user_data;
  g_autoptr(TsrTorrent) self = fetch->torrent;
  WebSeedData *data = fetch->data;
  guint index = fetch->index;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = tsr_web_seed_fetch_piece_finish (TSR_WEB_SEED (source), result, &error);
  gsize size;

  g_free (fetch);
  if (data->piece == (gint) index)
    data->piece = -1;
  /* Stopped meanwhile (the piece is gone, or someone else's now). */
  if (self->blocks == NULL || tsr_block_map_get_reserved (self->blocks, index) != data ||
      tsr_block_map_is_writing (self->blocks, index))
    return;
  if (!tsr_block_map_put_whole (self->blocks, index, bytes))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s: %s", tsr_web_seed_get_url (data->seed), error->message);
      /* The piece goes back to the peers and the other seeds. */
      tsr_block_map_drop (self->blocks, index);
      return;
    }
  size = g_bytes_get_size (bytes);
  self->downloaded += size;
  /* Download limits count web seeds too (and the session's, through it). */
  tsr_limiter_consume (self->down, size);
  _tsr_torrent_piece_complete (self, index);
  _tsr_torrent_web_seeds_tick (self);
}

/* Gives each idle web seed a piece: wanted, not had, not started by
 * peers, the rarest first (a web seed has every piece). */
void
_tsr_torrent_web_seeds_tick (TsrTorrent *self)
{
  g_autoptr(TsrBitfield) all = NULL;
  gint64 now = _tsr_torrent_now ();
  guint i;

  if (self->info == NULL)
    return;
  ensure_seeds (self);
  for (i = 0; i < self->web_seeds->len; i++)
    {
      WebSeedData *data = g_ptr_array_index (self->web_seeds, i);
      guint64 bytes = tsr_web_seed_get_bytes_received (data->seed);
      guint index;
      FetchData *fetch;

      if (now > data->last_tick)
        {
          data->rate = (data->rate + (bytes - data->last_bytes) / (guint64) (now - data->last_tick)) / 2;
          data->last_bytes = bytes;
          data->last_tick = now;
        }
      if (self->state != TSR_TORRENT_DOWNLOADING || data->piece >= 0 ||
          !tsr_web_seed_is_ready (data->seed, now) ||
          tsr_peer_pool_get_url_ban (self->pool, tsr_web_seed_get_url (data->seed), now) != NULL ||
          !tsr_block_map_may_start_more (self->blocks) || tsr_limiter_get_allowance (self->down) == 0)
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
      tsr_block_map_reserve (self->blocks, index, data);
      data->piece = (gint) index;
      fetch = g_new0 (FetchData, 1);
      fetch->torrent = g_object_ref (self);
      fetch->data = data;
      fetch->index = index;
      tsr_web_seed_fetch_piece_async (data->seed, index, self->cancellable, on_fetched, fetch);
    }
}

void
_tsr_torrent_web_seed_failed (TsrTorrent *self,
                              gpointer    web,
                              guint       index)
{
  const char *url = tsr_web_seed_get_url (((WebSeedData *) web)->seed);
  gint64 now = _tsr_torrent_now ();
  g_autofree char *reason = NULL;

  if (tsr_peer_pool_get_url_ban (self->pool, url, now) != NULL)
    return;
  reason = g_strdup_printf (_("sent piece %u, which failed its hash check"), index);
  tsr_peer_pool_ban_url (self->pool, url, reason, now, TSR_TORRENT_BAN_SECONDS);
  g_signal_emit_by_name (self, "peer-banned", url, reason);
}

guint64
_tsr_torrent_web_seeds_rate (TsrTorrent *self)
{
  guint64 rate = 0;
  guint i;

  for (i = 0; self->web_seeds != NULL && i < self->web_seeds->len; i++)
    rate += ((WebSeedData *) g_ptr_array_index (self->web_seeds, i))->rate;
  return rate;
}

void
_tsr_torrent_web_seeds_add_infos (TsrTorrent *self,
                                  GPtrArray  *infos)
{
  guint i;

  for (i = 0; self->web_seeds != NULL && i < self->web_seeds->len; i++)
    {
      WebSeedData *data = g_ptr_array_index (self->web_seeds, i);
      TsrPeerInfo *info;

      if (data->piece < 0 && tsr_web_seed_get_bytes_received (data->seed) == 0)
        continue;
      info = g_new0 (TsrPeerInfo, 1);
      info->address = g_strdup (tsr_web_seed_get_url (data->seed));
      info->client = g_strdup (tsr_web_seed_is_http_seed (data->seed) ? _("HTTP seed (BEP 17)") : _("Web seed (BEP 19)"));
      info->source = TSR_PEER_SOURCE_WEB_SEED;
      info->extensions = g_strdup ("");
      info->down_rate = data->rate;
      info->downloaded = tsr_web_seed_get_bytes_received (data->seed);
      info->progress = 1.0;
      info->requests_out = data->piece >= 0 ? 1 : 0;
      info->peer_interested = FALSE;
      info->am_interested = TRUE;
      g_ptr_array_add (infos, info);
    }
}
