/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-members.c: the owner's calls over every member of a swarm,
 * made through the swarm's getters: the work of each second (with the
 * owner's second: the read cache, turnover, dialling, whether the pool
 * ran dry), our wants changed, a HAVE to all, the newest closed over a
 * connection limit lowered; and what the views show:
 * the members' rates, a row for each member past its handshake, their
 * states for the debug JSON.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-swarm.h"

void
tsr_swarm_tick (TsrSwarm *self,
                gint64    now)
{
  guint i;

  /* Rates, and with the download rate each peer's pipeline and snub. */
  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    tsr_member_tick (tsr_swarm_get_member (self, i), now);
  if (tsr_swarm_get_extensions (self) != NULL)
    tsr_extensions_tick (tsr_swarm_get_extensions (self));
}

gboolean
tsr_swarm_second (TsrSwarm *self,
                  gint64    now)
{
  TsrUploader *uploader = tsr_swarm_get_uploader (self);
  TsrPeerPool *pool;

  /* A magnet's torrent has no cache (nor data) before its metainfo, an
   * idle swarm no uploader. */
  if (uploader != NULL)
    tsr_uploader_expire (uploader, g_get_monotonic_time () - TSR_SWARM_READ_CACHE_IDLE * G_USEC_PER_SEC);
  tsr_swarm_tick (self, now);
  tsr_swarm_turn_over (self, now, tsr_swarm_get_mode (self) == TSR_SWARM_SEEDING);
  tsr_swarm_dial_some (self, now);
  /* No pool yet: no address was ever given, dry indeed. */
  pool = tsr_swarm_peek_pool (self);
  return tsr_swarm_get_n_peers (self) < TSR_SWARM_FEW_PEERS &&
         (pool == NULL || (tsr_peer_pool_get_n_dialing (pool) == 0 && tsr_peer_pool_count_ready (pool, now, FALSE) == 0));
}

void
tsr_swarm_stop (TsrSwarm *self)
{
  tsr_swarm_clear (self);
  if (tsr_swarm_peek_pool (self) != NULL)
    tsr_peer_pool_reset (tsr_swarm_peek_pool (self));
  /* Reads for peers that are gone are dropped; the data may change (a
   * recheck, a move) before the next start. */
  if (tsr_swarm_get_uploader (self) != NULL)
    tsr_uploader_reset (tsr_swarm_get_uploader (self));
}

void
tsr_swarm_update_interest (TsrSwarm *self)
{
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    tsr_member_update_interest (tsr_swarm_get_member (self, i));
}

void
tsr_swarm_send_have (TsrSwarm *self,
                     guint     index)
{
  guint i;

  /* Not to those still dialled or shaking hands: the bitfield they get
   * with our handshake has the piece (a message sent before it would
   * lead their stream). */
  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    {
      TsrPeerConn *conn = tsr_member_get_conn (tsr_swarm_get_member (self, i));

      if (tsr_peer_conn_is_shaken (conn))
        tsr_peer_conn_send (conn, TSR_WIRE_HAVE, index, 0, 0);
    }
}

guint
tsr_swarm_count_seeds (TsrSwarm *self)
{
  guint count = 0;
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    {
      const TsrBitfield *have = tsr_peer_conn_get_have (tsr_member_get_conn (tsr_swarm_get_member (self, i)));

      if (have != NULL && tsr_bitfield_is_full (have))
        count++;
    }
  return count;
}

gboolean
tsr_swarm_disconnect (TsrSwarm             *self,
                      const TsrPeerAddress *address,
                      const char           *reason)
{
  TsrMember *member = tsr_swarm_find (self, address);

  if (member == NULL)
    return FALSE;
  tsr_peer_close (tsr_member_get_peer (member), reason);
  return TRUE;
}

/* Views -------------------------------------------------------------- */

guint64
tsr_swarm_get_down_rate (TsrSwarm *self)
{
  guint64 rate = 0;
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    rate += tsr_peer_conn_get_rate (tsr_member_get_conn (tsr_swarm_get_member (self, i)));
  return rate;
}

guint64
tsr_swarm_get_up_rate (TsrSwarm *self)
{
  guint64 rate = 0;
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    rate += tsr_peer_conn_get_up_rate (tsr_member_get_conn (tsr_swarm_get_member (self, i)));
  return rate;
}

void
tsr_swarm_add_peer_infos (TsrSwarm  *self,
                          GPtrArray *infos,
                          gint64     now)
{
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    {
      TsrPeerInfo *info = tsr_member_dup_info (tsr_swarm_get_member (self, i), tsr_swarm_get_pool (self), now);

      if (info != NULL)
        g_ptr_array_add (infos, info);
    }
}

void
tsr_swarm_dump_json (TsrSwarm    *self,
                     JsonBuilder *builder,
                     gint64       now)
{
  guint i;

  json_builder_begin_array (builder);
  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    tsr_member_dump_json (tsr_swarm_get_member (self, i), builder, now);
  json_builder_end_array (builder);
}

/* Connection limits --------------------------------------------------- */

/* Lowered at run time: the newest connections of that kind go. */
static void
close_over (TsrSwarm *self,
            gboolean  dialed,
            guint     limit)
{
  guint count = 0;
  guint i;

  for (i = 0; i < tsr_swarm_get_n_peers (self); i++)
    {
      TsrPeerConn *conn = tsr_member_get_conn (tsr_swarm_get_member (self, i));

      if (tsr_peer_conn_is_dialed (conn) == dialed && !tsr_peer_conn_is_dropping (conn))
        count++;
    }
  for (i = tsr_swarm_get_n_peers (self); i > 0 && count > limit; i--)
    {
      TsrMember *member = tsr_swarm_get_member (self, i - 1);
      TsrPeerConn *conn = tsr_member_get_conn (member);

      if (tsr_peer_conn_is_dialed (conn) == dialed && !tsr_peer_conn_is_dropping (conn))
        {
          tsr_member_close_later (member, _("Over the connection limit"));
          count--;
        }
    }
}

void
tsr_swarm_set_max_peers (TsrSwarm *self,
                         guint     max_peers)
{
  TsrSwarmLimits *caps = tsr_swarm_get_limits (self);
  guint i;

  g_return_if_fail (max_peers > 0);
  tsr_swarm_limits_set_max (caps, max_peers, tsr_swarm_limits_get_max_dialed (caps),
                            tsr_swarm_limits_get_max_accepted (caps));
  /* Lowered at run time: the newest connections go. */
  for (i = tsr_swarm_get_n_peers (self); i > max_peers; i--)
    tsr_member_close_later (tsr_swarm_get_member (self, i - 1), _("Over the connection limit"));
  close_over (self, TRUE, tsr_swarm_limits_dial_limit (caps));
  close_over (self, FALSE, tsr_swarm_limits_accept_limit (caps));
}

void
tsr_swarm_set_max_dialed (TsrSwarm *self,
                          guint     max_dialed)
{
  TsrSwarmLimits *caps = tsr_swarm_get_limits (self);

  tsr_swarm_limits_set_max (caps, tsr_swarm_limits_get_max_peers (caps), max_dialed,
                            tsr_swarm_limits_get_max_accepted (caps));
  close_over (self, TRUE, tsr_swarm_limits_dial_limit (caps));
}

void
tsr_swarm_set_max_accepted (TsrSwarm *self,
                            guint     max_accepted)
{
  TsrSwarmLimits *caps = tsr_swarm_get_limits (self);

  tsr_swarm_limits_set_max (caps, tsr_swarm_limits_get_max_peers (caps),
                            tsr_swarm_limits_get_max_dialed (caps), max_accepted);
  close_over (self, FALSE, tsr_swarm_limits_accept_limit (caps));
}
