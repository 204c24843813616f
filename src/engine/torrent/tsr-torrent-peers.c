/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-peers.c: a torrent's public calls about its connections,
 * over the swarm it owns (swarm/tsr-swarm.c): the limits on connections,
 * the session's settings passed on (encryption among them), addresses to dial and peers to take,
 * the rows of the peers view, bans, and the torrent's rate limits. It sees
 * the torrent only through tsr-torrent-parts-private.h.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-blocklist.h"
#include "tsr-torrent-host.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-torrent.h"

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

guint
tsr_torrent_get_n_peers (TsrTorrent *self)
{
  return tsr_swarm_get_n_peers (_tsr_torrent_get_swarm (self));
}

guint
tsr_torrent_get_n_seeds (TsrTorrent *self)
{
  return tsr_swarm_count_seeds (_tsr_torrent_get_swarm (self));
}

guint
tsr_torrent_get_n_known_addresses (TsrTorrent *self)
{
  TsrPeerPool *pool = tsr_swarm_peek_pool (_tsr_torrent_get_swarm (self));

  return pool != NULL ? tsr_peer_pool_get_size (pool) : 0;
}

/* The web seeds that sent something or are fetching, as peer rows. */
static void
add_web_seed_infos (TsrWebSeeds *web_seeds,
                    GPtrArray   *infos)
{
  guint i;

  for (i = 0; web_seeds != NULL && i < tsr_web_seeds_get_n_seeds (web_seeds); i++)
    {
      TsrWebSeedInfo seed;
      TsrPeerInfo *info;

      tsr_web_seeds_get_info (web_seeds, i, &seed);
      if (!seed.fetching && seed.received == 0)
        continue;
      info = g_new0 (TsrPeerInfo, 1);
      info->address = g_strdup (seed.url);
      info->client = g_strdup (seed.http_seed ? _("HTTP seed (BEP 17)") : _("Web seed (BEP 19)"));
      info->source = TSR_PEER_SOURCE_WEB_SEED;
      info->extensions = g_strdup ("");
      info->down_rate = seed.rate;
      info->downloaded = seed.received;
      info->progress = 1.0;
      info->requests_out = seed.fetching ? 1 : 0;
      info->peer_interested = FALSE;
      info->am_interested = TRUE;
      g_ptr_array_add (infos, info);
    }
}

GPtrArray *
tsr_torrent_dup_peer_infos (TsrTorrent *self)
{
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_info_free);

  tsr_swarm_add_peer_infos (_tsr_torrent_get_swarm (self), infos, now_seconds ());
  add_web_seed_infos (_tsr_torrent_get_web_seeds (self), infos);
  return infos;
}

gboolean
tsr_torrent_disconnect_peer (TsrTorrent *self,
                             const char *address)
{
  TsrPeerAddress wanted;

  return tsr_peer_address_parse (address, &wanted) &&
         tsr_swarm_disconnect (_tsr_torrent_get_swarm (self), &wanted, _("Disconnected by the user"));
}

void
_tsr_torrent_drop_blocked (TsrTorrent   *self,
                           TsrBlocklist *blocklist)
{
  TsrSwarm *swarm = _tsr_torrent_get_swarm (self);
  g_autoptr(GArray) blocked = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  guint i;

  /* Gathered first: a disconnect takes the member out of the list. */
  for (i = 0; i < tsr_swarm_get_n_peers (swarm); i++)
    {
      const TsrPeerAddress *address = tsr_peer_get_remote_address (tsr_member_get_peer (tsr_swarm_get_member (swarm, i)));

      if (tsr_blocklist_blocks (blocklist, address))
        g_array_append_val (blocked, *address);
    }
  for (i = 0; i < blocked->len; i++)
    tsr_swarm_disconnect (swarm, &g_array_index (blocked, TsrPeerAddress, i), _("In the blocklist"));
}

/* Limits on connections ------------------------------------------------ */

void
tsr_torrent_set_max_peers (TsrTorrent *self,
                           guint       max_peers)
{
  g_return_if_fail (max_peers > 0);
  tsr_swarm_set_max_peers (_tsr_torrent_get_swarm (self), max_peers);
  tsr_swarm_dial_some (_tsr_torrent_get_swarm (self), now_seconds ());
}

guint
tsr_torrent_get_max_peers (TsrTorrent *self)
{
  return tsr_swarm_limits_get_max_peers (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)));
}

guint
tsr_torrent_get_n_dialed (TsrTorrent *self)
{
  return tsr_swarm_count_dialed (_tsr_torrent_get_swarm (self), TRUE);
}

guint
tsr_torrent_get_n_accepted (TsrTorrent *self)
{
  return tsr_swarm_count_dialed (_tsr_torrent_get_swarm (self), FALSE);
}

void
tsr_torrent_set_max_dialed (TsrTorrent *self,
                            guint       max_dialed)
{
  tsr_swarm_set_max_dialed (_tsr_torrent_get_swarm (self), max_dialed);
  tsr_swarm_dial_some (_tsr_torrent_get_swarm (self), now_seconds ());
}

guint
tsr_torrent_get_max_dialed (TsrTorrent *self)
{
  return tsr_swarm_limits_get_max_dialed (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)));
}

void
tsr_torrent_set_max_accepted (TsrTorrent *self,
                              guint       max_accepted)
{
  tsr_swarm_set_max_accepted (_tsr_torrent_get_swarm (self), max_accepted);
}

guint
tsr_torrent_get_max_accepted (TsrTorrent *self)
{
  return tsr_swarm_limits_get_max_accepted (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)));
}

void
tsr_torrent_set_turnover_interval (TsrTorrent *self,
                                   guint       seconds)
{
  tsr_swarm_set_turnover (_tsr_torrent_get_swarm (self), seconds);
}

/* The session's settings ---------------------------------------------- */

void
tsr_torrent_set_connection_budget (TsrTorrent *self,
                                   TsrBudget  *budget)
{
  tsr_swarm_limits_set_budget (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)), budget);
}

/* For the peers we dial (the swarm's, told with each dial). */
void
tsr_torrent_set_encryption (TsrTorrent        *self,
                            TsrPeerEncryption  mode)
{
  g_return_if_fail (TSR_IS_TORRENT (self));
  tsr_swarm_set_encryption (_tsr_torrent_get_swarm (self), mode);
}

void
tsr_torrent_set_read_cache_group (TsrTorrent        *self,
                                  TsrReadCacheGroup *group)
{
  tsr_swarm_parts_set_read_group (tsr_swarm_get_parts (_tsr_torrent_get_swarm (self)), group);
}

void
tsr_torrent_set_listen_port (TsrTorrent *self,
                             guint16     port)
{
  tsr_swarm_parts_set_listen_port (tsr_swarm_get_parts (_tsr_torrent_get_swarm (self)), port);
}

void
tsr_torrent_set_dht_port (TsrTorrent *self,
                          guint16     port)
{
  g_return_if_fail (TSR_IS_TORRENT (self));
  tsr_swarm_set_dht_port (_tsr_torrent_get_swarm (self), port);
}

void
tsr_torrent_set_limiters (TsrTorrent *self,
                          TsrLimiter *up,
                          TsrLimiter *down)
{
  tsr_swarm_limits_set_parents (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)), up, down);
}

void
tsr_torrent_set_rate_limits (TsrTorrent *self,
                             guint64     up,
                             guint64     down)
{
  tsr_swarm_limits_set_rates (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)), up, down);
}

guint64
tsr_torrent_get_up_rate_limit (TsrTorrent *self)
{
  return tsr_swarm_limits_get_rate (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)), TRUE);
}

guint64
tsr_torrent_get_down_rate_limit (TsrTorrent *self)
{
  return tsr_swarm_limits_get_rate (tsr_swarm_get_limits (_tsr_torrent_get_swarm (self)), FALSE);
}

/* Addresses and peers ------------------------------------------------- */

void
tsr_torrent_add_discovered_peer (TsrTorrent    *self,
                                 const char    *address,
                                 TsrPeerSource  source)
{
  tsr_swarm_add_address_text (_tsr_torrent_get_swarm (self), address, source);
}

void
tsr_torrent_add_discovered_address (TsrTorrent           *self,
                                    const TsrPeerAddress *address,
                                    TsrPeerSource         source)
{
  tsr_swarm_add_address (_tsr_torrent_get_swarm (self), address, source, now_seconds ());
}

void
tsr_torrent_add_peer_address (TsrTorrent *self,
                              const char *address)
{
  tsr_swarm_add_address_text (_tsr_torrent_get_swarm (self), address, TSR_PEER_SOURCE_USER);
}

void
tsr_torrent_add_incoming (TsrTorrent *self,
                          TsrPeer    *peer)
{
  tsr_torrent_add_incoming_for (self, peer, tsr_torrent_get_info_hash (self));
}

void
tsr_torrent_add_incoming_for (TsrTorrent   *self,
                              TsrPeer      *peer,
                              const guint8 *info_hash)
{
  tsr_swarm_add_incoming (_tsr_torrent_get_swarm (self), peer, info_hash, now_seconds ());
}

/* Bans ---------------------------------------------------------------- */

void
tsr_torrent_clear_bans (TsrTorrent *self)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);
  TsrSmartBan *smart_ban = pieces != NULL ? tsr_torrent_pieces_peek_smart_ban (pieces) : NULL;

  TsrPeerPool *pool = tsr_swarm_peek_pool (_tsr_torrent_get_swarm (self));

  if (pool != NULL)
    tsr_peer_pool_clear_bans (pool);
  if (smart_ban != NULL)
    tsr_smart_ban_clear_strikes (smart_ban);
}

gboolean
_tsr_torrent_bans (TsrTorrent           *self,
                   const TsrPeerAddress *address)
{
  return tsr_swarm_get_ban (_tsr_torrent_get_swarm (self), address, now_seconds ()) != NULL;
}

GPtrArray *
tsr_torrent_dup_bans (TsrTorrent *self)
{
  TsrPeerPool *pool = tsr_swarm_peek_pool (_tsr_torrent_get_swarm (self));

  return pool != NULL ? tsr_peer_pool_dup_bans (pool, now_seconds ())
                        : g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_ban_free);
}
