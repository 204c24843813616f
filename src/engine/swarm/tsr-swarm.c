/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm.c: one torrent's set of connections and the decisions over
 * the whole set: the limits on dialled and accepted connections and the
 * session's budget, turnover of the least useful peer, the handshake
 * checks (ourselves, a peer already connected), bans, and the choker's
 * rounds. Each connection's member record is its owner's: the swarm
 * reaches its TsrPeerConn through the owner's table and frees it with
 * the owner's function when it leaves.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tsr-choker.h"
#include "tsr-swarm.h"

struct _TsrSwarm
{
  GPtrArray           *members;       /* (owned) (element-type gpointer) freed by free_member */
  TsrPeerPool         *pool;          /* (owned) addresses, back-off, bans */
  TsrChoker           *choker;        /* (owned) who we upload to */
  TsrBudget           *budget;        /* (owned) (nullable) the session's connection count */
  guint                max_peers;     /* connections, at most */
  guint                max_dialed;    /* of which dialled by us; 0: 3/4 of max_peers */
  guint                max_accepted;  /* of which accepted; 0: max_peers */
  guint                turnover;      /* seconds between drops of the least useful peer */
  gboolean             dialing;       /* the owner's state lets it dial */
  gboolean             user_only;     /* dial only the addresses the user gave */
  gint64               last_turnover; /* monotonic seconds */
  const TsrSwarmFuncs *funcs;
  gpointer             user_data;
};

TsrSwarm *
tsr_swarm_new (guint                pool_size,
               guint                max_peers,
               guint                turnover,
               GDestroyNotify       free_member,
               const TsrSwarmFuncs *funcs,
               gpointer             user_data)
{
  TsrSwarm *self = g_new0 (TsrSwarm, 1);

  self->members = g_ptr_array_new_with_free_func (free_member);
  self->pool = tsr_peer_pool_new (pool_size);
  self->choker = tsr_choker_new ();
  self->max_peers = max_peers;
  self->turnover = turnover;
  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_swarm_free (TsrSwarm *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->members);
  tsr_peer_pool_free (self->pool);
  tsr_choker_free (self->choker);
  g_clear_pointer (&self->budget, tsr_budget_unref);
  g_free (self);
}

TsrPeerPool *
tsr_swarm_get_pool (TsrSwarm *self)
{
  return self->pool;
}

static TsrPeerConn *
conn_of (TsrSwarm *self,
         gpointer  member)
{
  return self->funcs->conn (member, self->user_data);
}

static TsrPeer *
peer_of (TsrSwarm *self,
         gpointer  member)
{
  return tsr_peer_conn_get_peer (conn_of (self, member));
}

void
tsr_swarm_add (TsrSwarm *self,
               gpointer  member)
{
  g_ptr_array_add (self->members, member);
}

void
tsr_swarm_remove (TsrSwarm *self,
                  gpointer  member)
{
  tsr_choker_forget (self->choker, peer_of (self, member));
  g_ptr_array_remove_fast (self->members, member);
}

void
tsr_swarm_clear (TsrSwarm *self)
{
  g_ptr_array_set_size (self->members, 0);
}

guint
tsr_swarm_get_n_peers (TsrSwarm *self)
{
  return self->members->len;
}

gpointer
tsr_swarm_get_member (TsrSwarm *self,
                      guint     i)
{
  g_return_val_if_fail (i < self->members->len, NULL);
  return g_ptr_array_index (self->members, i);
}

gpointer
tsr_swarm_find (TsrSwarm             *self,
                const TsrPeerAddress *address)
{
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      gpointer member = g_ptr_array_index (self->members, i);

      if (tsr_peer_address_equal (tsr_peer_get_remote_address (peer_of (self, member)), address))
        return member;
    }
  return NULL;
}

/* Limits ------------------------------------------------------------ */

guint
tsr_swarm_count_dialed (TsrSwarm *self,
                        gboolean  dialed)
{
  guint count = 0;
  guint i;

  for (i = 0; i < self->members->len; i++)
    if (tsr_peer_conn_is_dialed (conn_of (self, g_ptr_array_index (self->members, i))) == dialed)
      count++;
  return count;
}

guint
tsr_swarm_count_unchoked (TsrSwarm *self)
{
  guint count = 0;
  guint i;

  for (i = 0; i < self->members->len; i++)
    if (!tsr_peer_conn_is_am_choking (conn_of (self, g_ptr_array_index (self->members, i))))
      count++;
  return count;
}

guint
tsr_swarm_count_seeds (TsrSwarm *self)
{
  guint count = 0;
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      const TsrBitfield *have = tsr_peer_conn_get_have (conn_of (self, g_ptr_array_index (self->members, i)));

      if (have != NULL && tsr_bitfield_is_full (have))
        count++;
    }
  return count;
}

static guint
dial_limit (TsrSwarm *self)
{
  return self->max_dialed > 0 ? self->max_dialed : MAX (1, self->max_peers * 3 / 4);
}

static guint
accept_limit (TsrSwarm *self)
{
  return self->max_accepted > 0 ? self->max_accepted : self->max_peers;
}

/* Lowered at run time: the newest connections of that kind go. */
static void
close_over (TsrSwarm *self,
            gboolean  dialed,
            guint     limit)
{
  guint count = 0;
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      TsrPeerConn *conn = conn_of (self, g_ptr_array_index (self->members, i));

      if (tsr_peer_conn_is_dialed (conn) == dialed && !tsr_peer_conn_is_dropping (conn))
        count++;
    }
  for (i = self->members->len; i > 0 && count > limit; i--)
    {
      gpointer member = g_ptr_array_index (self->members, i - 1);
      TsrPeerConn *conn = conn_of (self, member);

      if (tsr_peer_conn_is_dialed (conn) == dialed && !tsr_peer_conn_is_dropping (conn))
        {
          self->funcs->close (member, _("Over the connection limit"), self->user_data);
          count--;
        }
    }
}

void
tsr_swarm_set_max_peers (TsrSwarm *self,
                         guint     max_peers)
{
  guint i;

  g_return_if_fail (max_peers > 0);
  self->max_peers = max_peers;
  /* Lowered at run time: the newest connections go. */
  for (i = self->members->len; i > max_peers; i--)
    self->funcs->close (g_ptr_array_index (self->members, i - 1), _("Over the connection limit"), self->user_data);
  close_over (self, TRUE, dial_limit (self));
  close_over (self, FALSE, accept_limit (self));
}

guint
tsr_swarm_get_max_peers (TsrSwarm *self)
{
  return self->max_peers;
}

void
tsr_swarm_set_max_dialed (TsrSwarm *self,
                          guint     max_dialed)
{
  self->max_dialed = max_dialed;
  close_over (self, TRUE, dial_limit (self));
}

guint
tsr_swarm_get_max_dialed (TsrSwarm *self)
{
  return self->max_dialed;
}

void
tsr_swarm_set_max_accepted (TsrSwarm *self,
                            guint     max_accepted)
{
  self->max_accepted = max_accepted;
  close_over (self, FALSE, accept_limit (self));
}

guint
tsr_swarm_get_max_accepted (TsrSwarm *self)
{
  return self->max_accepted;
}

void
tsr_swarm_set_turnover (TsrSwarm *self,
                        guint     seconds)
{
  self->turnover = seconds;
}

void
tsr_swarm_set_budget (TsrSwarm  *self,
                      TsrBudget *budget)
{
  g_clear_pointer (&self->budget, tsr_budget_unref);
  self->budget = budget != NULL ? tsr_budget_ref (budget) : NULL;
}

TsrBudget *
tsr_swarm_get_budget (TsrSwarm *self)
{
  return self->budget;
}

gboolean
tsr_swarm_may_dial (TsrSwarm *self,
                    guint     n_dialed)
{
  return self->members->len < self->max_peers && n_dialed < dial_limit (self) &&
         (self->budget == NULL || tsr_budget_has_room (self->budget));
}

void
tsr_swarm_set_dialing (TsrSwarm *self,
                       gboolean  dialing,
                       gboolean  user_only)
{
  self->dialing = dialing;
  self->user_only = user_only;
}

void
tsr_swarm_dial_some (TsrSwarm *self,
                     gint64    now)
{
  guint n_dialed;

  if (!self->dialing)
    return;
  n_dialed = tsr_swarm_count_dialed (self, TRUE);
  while (tsr_peer_get_n_connecting () < TSR_PEER_MAX_CONNECTING && tsr_swarm_may_dial (self, n_dialed))
    {
      const TsrPeerAddress *address = tsr_peer_pool_take (self->pool, now, self->user_only);

      if (address == NULL)
        return;
      if (tsr_swarm_find (self, address) != NULL)
        {
          tsr_peer_pool_connected (self->pool, address, now);
          continue;
        }
      self->funcs->dial (address, tsr_peer_pool_get_plaintext (self->pool, address), self->user_data);
      n_dialed++;
    }
}

void
tsr_swarm_add_address (TsrSwarm             *self,
                       const TsrPeerAddress *address,
                       TsrPeerSource         source,
                       gint64                now)
{
  tsr_peer_pool_add (self->pool, address, source, now);
  tsr_swarm_dial_some (self, now);
}

const char *
tsr_swarm_refuse_incoming (TsrSwarm             *self,
                           const TsrPeerAddress *address,
                           gint64                now)
{
  TsrPeerAddress host = tsr_peer_address_get_host (address);
  const char *banned = tsr_peer_pool_get_ban (self->pool, address, now);

  /* Banned as a host: it dialled us before, from another port. */
  if (banned == NULL)
    banned = tsr_peer_pool_get_ban (self->pool, &host, now);
  if (banned != NULL)
    return banned;
  if (self->members->len >= self->max_peers || tsr_swarm_count_dialed (self, FALSE) >= accept_limit (self))
    return _("Too many connections for this torrent");
  if (self->budget != NULL && !tsr_budget_has_room (self->budget))
    return _("Too many connections in all");
  return NULL;
}

/* Handshakes and bans ----------------------------------------------- */

/* Our own handshake came back, dialled from here: the address is ours.
 * Returns whether it did. */
static gboolean
close_if_self (TsrSwarm               *self,
               gpointer                member,
               const guint8           *our_id,
               const TsrWireHandshake *theirs)
{
  TsrPeerConn *conn = conn_of (self, member);
  TsrPeer *peer = tsr_peer_conn_get_peer (conn);
  guint i;

  if (memcmp (theirs->peer_id, our_id, 20) != 0)
    return FALSE;
  /* The dialling end is ours too: the address it dialled is ours. */
  for (i = 0; i < self->members->len && !tsr_peer_conn_is_dialed (conn); i++)
    {
      gpointer other = g_ptr_array_index (self->members, i);
      TsrPeer *other_peer = peer_of (self, other);
      TsrPeerAddress local;

      if (tsr_peer_conn_is_dialed (conn_of (self, other)) && tsr_peer_get_local_address (other_peer, &local) &&
          tsr_peer_address_equal (&local, tsr_peer_get_remote_address (peer)))
        {
          tsr_peer_pool_mark_self (self->pool, tsr_peer_get_remote_address (other_peer));
          tsr_peer_close (other_peer, _("Connected to ourselves"));
          break;
        }
    }
  if (tsr_peer_conn_is_dialed (conn))
    tsr_peer_pool_mark_self (self->pool, tsr_peer_get_remote_address (peer));
  tsr_peer_close (peer, _("Connected to ourselves"));
  return TRUE;
}

gboolean
tsr_swarm_check_handshake (TsrSwarm               *self,
                           gpointer                member,
                           const guint8           *our_id,
                           const TsrWireHandshake *theirs)
{
  guint i;

  if (close_if_self (self, member, our_id, theirs))
    return FALSE;
  for (i = 0; i < self->members->len; i++)
    {
      gpointer other = g_ptr_array_index (self->members, i);

      /* Both of us dialled: one connection is enough, and both ends
       * keep the same one, the one the lower peer id dialled (each
       * keeping the first it shook hands on would close both). */
      if (other != member && tsr_peer_conn_is_shaken (conn_of (self, other)) &&
          memcmp (tsr_peer_get_id (peer_of (self, other)), theirs->peer_id, 20) == 0)
        {
          gboolean dialed = tsr_peer_conn_is_dialed (conn_of (self, member));

          if (dialed != tsr_peer_conn_is_dialed (conn_of (self, other)) &&
              dialed == (memcmp (our_id, theirs->peer_id, 20) < 0))
            {
              tsr_peer_close (peer_of (self, other), _("Already connected to this peer"));
              return TRUE;
            }
          tsr_peer_close (peer_of (self, member), _("Already connected to this peer"));
          return FALSE;
        }
    }
  return TRUE;
}

void
tsr_swarm_ban (TsrSwarm             *self,
               const TsrPeerAddress *address,
               const char           *reason,
               gint64                now,
               gint64                seconds)
{
  gpointer member = tsr_swarm_find (self, address);
  TsrPeer *peer = member != NULL ? peer_of (self, member) : NULL;
  TsrPeerAddress key;

  /* A peer that dialled us comes back from another port: ban its host.
   * One we dialled is banned at the address we know it by, so that other
   * peers behind the same address (NAT, or loopback in tests) are not. */
  key = peer != NULL && tsr_peer_is_incoming (peer) ? tsr_peer_address_get_host (address) : *address;
  if (tsr_peer_pool_get_ban (self->pool, &key, now) != NULL)
    return;
  tsr_peer_pool_ban (self->pool, &key, reason, now, seconds);
  self->funcs->banned (&key, reason, self->user_data);
  if (peer != NULL)
    tsr_peer_close (peer, reason);
}

/* Turnover and the choker ------------------------------------------- */

/* When full with addresses waiting, the least useful connection goes
 * now and then (the original's to-do): a peer that has given (or, to a
 * seed, taken) least, connected long enough to be judged, and not one
 * we are uploading to. Its address is dialled again later like any. */
static guint64
turnover_score (TsrPeerConn *conn,
                gboolean     seeding)
{
  return seeding ? tsr_peer_conn_get_up_rate (conn) : tsr_peer_conn_get_rate (conn);
}

void
tsr_swarm_turn_over (TsrSwarm *self,
                     gint64    now,
                     gboolean  seeding)
{
  gpointer worst = NULL;
  guint64 worst_score = G_MAXUINT64;
  guint i;

  if (self->turnover == 0 || now - self->last_turnover < self->turnover)
    return;
  self->last_turnover = now;
  if (tsr_swarm_may_dial (self, tsr_swarm_count_dialed (self, TRUE)))
    return;
  if (tsr_peer_pool_count_ready (self->pool, now, seeding) == 0)
    return;
  for (i = 0; i < self->members->len; i++)
    {
      gpointer member = g_ptr_array_index (self->members, i);
      TsrPeerConn *conn = conn_of (self, member);
      guint64 score = turnover_score (conn, seeding);

      if (!tsr_peer_conn_is_shaken (conn) || tsr_peer_conn_is_dropping (conn) ||
          now - tsr_peer_conn_get_connected_at (conn) < self->turnover || !tsr_peer_conn_is_am_choking (conn))
        continue;
      if (score < worst_score)
        {
          worst = member;
          worst_score = score;
        }
    }
  if (worst != NULL)
    self->funcs->close (worst, _("Making room for another peer"), self->user_data);
}

/* A choker round: the decisions are sent at once. Choking a peer drops
 * its requests (BEP 3); the owner hears of each change after it. */
void
tsr_swarm_choke_round (TsrSwarm *self,
                       gboolean  seeding,
                       gint64    now)
{
  g_autofree TsrChokerPeer *table = g_new0 (TsrChokerPeer, MAX (self->members->len, 1));
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      gpointer member = g_ptr_array_index (self->members, i);
      TsrPeerConn *conn = conn_of (self, member);

      table[i].id = tsr_peer_conn_get_peer (conn);
      table[i].interested = tsr_peer_conn_is_shaken (conn) && tsr_peer_conn_is_peer_interested (conn) &&
                            !tsr_peer_conn_is_dropping (conn);
      table[i].snubbed = self->funcs->snubbed (member, self->user_data);
      table[i].rate = seeding ? tsr_peer_conn_get_up_rate (conn) : tsr_peer_conn_get_rate (conn);
      table[i].connected_at = tsr_peer_conn_get_connected_at (conn);
    }
  tsr_choker_run (self->choker, table, self->members->len, seeding, now);
  for (i = 0; i < self->members->len; i++)
    {
      gpointer member = g_ptr_array_index (self->members, i);

      if (tsr_peer_conn_set_choking (conn_of (self, member), !table[i].unchoke))
        self->funcs->choked (member, !table[i].unchoke, self->user_data);
    }
}

void
tsr_swarm_reset_choker (TsrSwarm *self)
{
  tsr_choker_free (self->choker);
  self->choker = tsr_choker_new ();
}
