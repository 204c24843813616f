/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-members.c: the owner's calls over every member of a swarm,
 * made through the swarm's getters: the work of each second (with the
 * owner's second: the read cache, turnover, dialling, whether the pool
 * ran dry), our wants changed, a HAVE to all, the lowest BEP 40
 * priority closed over a connection limit lowered, our own address as
 * peers see it; and what the views show:
 * the members' rates, a row for each member past its handshake, their
 * states for the debug JSON.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-peer-priority.h"
#include "tsr-swarm.h"
#include "tsr-turnover.h"

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

/* BEP 40: the canonical priority of @member's connection, from our
 * address as peers see it (a peer's "yourip", the tracker's "external
 * ip") or else the connection's local address, with the port we listen
 * on: two clients on one host (loopback) are told apart by it. */
static guint32
connection_priority (TsrSwarm  *self,
                     TsrMember *member)
{
  TsrPeer *peer = tsr_member_get_peer (member);
  const TsrPeerAddress *remote = tsr_peer_get_remote_address (peer);
  TsrPeerPool *pool = tsr_swarm_peek_pool (self);
  TsrPeerAddress own;

  if ((pool == NULL || !tsr_peer_pool_get_own_address (pool, &own) || own.family != remote->family) &&
      !tsr_peer_get_local_address (peer, &own))
    return 0;
  own.port = tsr_swarm_parts_get_listen_port (tsr_swarm_get_parts (self));
  return tsr_peer_priority (&own, remote);
}

/* Lowered at run time: connections of that kind (@dialed TRUE or
 * FALSE; -1: any) go until @limit are left, the lowest BEP 40 priority
 * first among those that earn nothing (swarm/tsr-turnover.c). */
static void
close_over (TsrSwarm *self,
            int       dialed,
            guint     limit)
{
  guint n = tsr_swarm_get_n_peers (self);
  g_autofree TsrTurnoverPeer *table = g_new0 (TsrTurnoverPeer, MAX (n, 1));
  gboolean seeding = tsr_swarm_get_mode (self) == TSR_SWARM_SEEDING;
  guint count = 0;
  guint i;

  for (i = 0; i < n; i++)
    {
      TsrMember *member = tsr_swarm_get_member (self, i);
      TsrPeerConn *conn = tsr_member_get_conn (member);

      table[i].dropping = tsr_peer_conn_is_dropping (conn) ||
                          (dialed >= 0 && tsr_peer_conn_is_dialed (conn) != (gboolean) dialed);
      table[i].am_choking = tsr_peer_conn_is_am_choking (conn);
      table[i].score = seeding ? tsr_peer_conn_get_up_rate (conn) : tsr_peer_conn_get_rate (conn);
      table[i].priority = connection_priority (self, member);
      if (!table[i].dropping)
        count++;
    }
  while (count > limit)
    {
      gint worst = tsr_turnover_pick_over (table, n);

      if (worst < 0)
        break;
      table[worst].dropping = TRUE;
      tsr_member_close_later (tsr_swarm_get_member (self, (guint) worst), _("Over the connection limit"));
      count--;
    }
}

void
tsr_swarm_set_own_address (TsrSwarm     *self,
                           GInetAddress *address)
{
  TsrPeerAddress own;

  tsr_peer_address_from_inet (address, tsr_swarm_parts_get_listen_port (tsr_swarm_get_parts (self)), &own);
  tsr_peer_pool_set_own_address (tsr_swarm_get_pool (self), &own);
}

void
tsr_swarm_set_max_peers (TsrSwarm *self,
                         guint     max_peers)
{
  TsrSwarmLimits *caps = tsr_swarm_get_limits (self);

  g_return_if_fail (max_peers > 0);
  tsr_swarm_limits_set_max (caps, max_peers, tsr_swarm_limits_get_max_dialed (caps),
                            tsr_swarm_limits_get_max_accepted (caps));
  close_over (self, -1, max_peers);
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
