/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm.c: one torrent's set of connections and the decisions over
 * the whole set, each judged by a module of its own that it feeds: the
 * limits on connections and rates (swarm/tsr-swarm-limits.c; closing
 * the newest over a lowered one is tsr-swarm-members.c's), turnover of
 * the least useful peer (swarm/tsr-turnover.c), the handshake checks
 * against ourselves and a peer already connected
 * (swarm/tsr-handshake-check.c), bans, and the choker's rounds on its
 * own timer. It makes and frees each connection's member
 * (swarm/tsr-member.c) and what the members share (made at first need
 * by swarm/tsr-swarm-parts.c, and the metainfo's limits on each
 * transport), greets them, hears what concerns the whole set from
 * them (a handshake, a ban, a close, a complete piece) and runs their
 * per-second work; what the owner must know goes up through
 * TsrSwarmFuncs.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tsr-choker.h"
#include "tsr-handshake-check.h"
#include "tsr-peer-lookup.h"
#include "tsr-pex.h"
#include "tsr-swarm.h"
#include "tsr-ticker.h"
#include "tsr-turnover.h"

struct _TsrSwarm
{
  GPtrArray           *members;       /* (owned) (element-type TsrMember) */
  TsrMemberShared      shared;        /* requester, uploader, extensions; what members read */
  TsrSwarmParts        parts;         /* makes those at first need, and keeps their settings until then */
  TsrPeerPool         *pool;          /* (owned) (nullable) addresses, back-off, bans: made by the first */
  guint                pool_capacity; /* for the pool, kept until it is made */
  TsrChoker           *choker;        /* (owned) (nullable) who we upload to: made by the first round with peers */
  TsrTick             *choke;         /* (nullable) a choker round every TSR_CHOKER_ROUND s, while it may, from the first member */
  TsrSwarmLimits      *caps;          /* (owned) connections, the session's budget, rates */
  guint                turnover;      /* seconds between drops of the least useful peer */
  gboolean             dialing;       /* the owner's state lets it dial */
  gboolean             user_only;     /* dial only the addresses the user gave */
  gint64               last_turnover; /* monotonic seconds */
  const guint8        *peer_id;       /* borrowed, 20 bytes: ours */
  TsrWireLimits        limits;        /* for each transport: the metainfo's pieces (none known: all zero) */
  guint16              dht_port;      /* our node's, 0: none */
  TsrPeerEncryption    encryption;    /* for the peers we dial */
  TsrPeerLookups      *lookups;       /* (owned) (nullable) host names given by people or magnets: made by the first */
  const TsrSwarmFuncs *funcs;
  gpointer             user_data;
};

static const TsrMemberFuncs member_funcs;
static const TsrSwarmLimitsFuncs limits_funcs;
static void on_choke_round (gpointer user_data);
static const TsrExtHolepunchFuncs holepunch_funcs;
static void on_address_found (const TsrPeerAddress *address, guint source, gpointer user_data);

TsrSwarm *
tsr_swarm_new (guint                pool_size,
               guint                max_peers,
               guint                turnover,
               const TsrSwarmFuncs *funcs,
               gpointer             user_data)
{
  TsrSwarm *self = g_new0 (TsrSwarm, 1);

  self->members = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_member_free);
  tsr_member_shared_init (&self->shared, &member_funcs, self);
  tsr_swarm_parts_init (&self->parts, &self->shared, &holepunch_funcs, self);
  self->encryption = TSR_PEER_ENCRYPTION_PREFER;
  self->pool_capacity = pool_size;
  self->caps = tsr_swarm_limits_new (max_peers, &limits_funcs, self);
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
  tsr_member_shared_clear (&self->shared);
  tsr_swarm_parts_clear (&self->parts);
  tsr_peer_pool_free (self->pool);
  tsr_choker_free (self->choker);
  g_clear_pointer (&self->choke, tsr_ticker_remove);
  tsr_swarm_limits_free (self->caps);
  tsr_peer_lookups_free (self->lookups);
  g_free (self);
}

/* An idle torrent given no address, ban or peer keeps no pool: what
 * only reads it (dialling, turnover, the views) does without. */
TsrPeerPool *
tsr_swarm_get_pool (TsrSwarm *self)
{
  if (self->pool == NULL)
    self->pool = tsr_peer_pool_new (self->pool_capacity);
  return self->pool;
}

TsrPeerPool *
tsr_swarm_peek_pool (TsrSwarm *self)
{
  return self->pool;
}

void
tsr_swarm_set_pool_capacity (TsrSwarm *self,
                             guint     capacity)
{
  self->pool_capacity = capacity;
  if (self->pool != NULL)
    tsr_peer_pool_set_capacity (self->pool, capacity);
}

static TsrPeerConn *
conn_of (TsrMember *member)
{
  return tsr_member_get_conn (member);
}

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* Set-up ------------------------------------------------------------- */

TsrRequester *
tsr_swarm_get_requester (TsrSwarm *self)
{
  return self->shared.requester;
}

TsrUploader *
tsr_swarm_get_uploader (TsrSwarm *self)
{
  return self->shared.uploader;
}

TsrExtensions *
tsr_swarm_get_extensions (TsrSwarm *self)
{
  return self->shared.extensions;
}

void
tsr_swarm_set_identity (TsrSwarm     *self,
                        const guint8 *peer_id,
                        const guint8 *info_hash)
{
  self->peer_id = peer_id;
  self->shared.info_hash = info_hash;
}

const guint8 *
tsr_swarm_get_peer_id (TsrSwarm *self)
{
  return self->peer_id;
}

TsrSwarmParts *
tsr_swarm_get_parts (TsrSwarm *self)
{
  return &self->parts;
}

/* What the extensions serve and each transport is held to. */
void
tsr_swarm_set_metainfo (TsrSwarm    *self,
                        TsrMetainfo *info)
{
  tsr_wire_limits_init (&self->limits, info);
  tsr_swarm_parts_set_metainfo (&self->parts, info);
}

/* The members' buckets (swarm/tsr-swarm-limits.c). */
TsrLimiter *
tsr_swarm_get_limiter (TsrSwarm *self,
                       gboolean  up)
{
  return tsr_swarm_limits_get (self->caps, up);
}

static void
charge_members (gpointer user_data)
{
  TsrSwarm *self = user_data;
  guint i;

  for (i = 0; i < self->members->len; i++)
    tsr_peer_set_limiters (tsr_member_get_peer (g_ptr_array_index (self->members, i)),
                           tsr_swarm_get_limiter (self, TRUE), tsr_swarm_get_limiter (self, FALSE));
}

static const TsrSwarmLimitsFuncs limits_funcs = {
  .changed = charge_members,
};

TsrSwarmLimits *
tsr_swarm_get_limits (TsrSwarm *self)
{
  return self->caps;
}

void
tsr_swarm_set_have (TsrSwarm          *self,
                    const TsrBitfield *have)
{
  self->shared.have = have;
}

const TsrBitfield *
tsr_swarm_get_have (TsrSwarm *self)
{
  return self->shared.have;
}

void
tsr_swarm_set_pieces (TsrSwarm       *self,
                      TsrBlockMap    *blocks,
                      TsrPiecePicker *picker,
                      TsrSmartBan    *smart_ban,
                      guint           n_pieces,
                      gboolean        is_private)
{
  self->shared.picker = picker;
  self->shared.n_pieces = n_pieces;
  self->shared.is_private = is_private;
  tsr_swarm_parts_set_pieces (&self->parts, blocks, smart_ban);
}

/* Choker rounds run while the mode lets them, from the first member
 * on: a torrent that never had a peer keeps no timer. */
static void
follow_choker (TsrSwarm *self)
{
  TsrSwarmMode mode = self->shared.mode;

  if (mode != TSR_SWARM_DOWNLOADING && mode != TSR_SWARM_SEEDING)
    g_clear_pointer (&self->choke, tsr_ticker_remove);
  else if (self->choke == NULL && self->members->len > 0)
    self->choke = tsr_ticker_add (TSR_CHOKER_ROUND, on_choke_round, self);
}

void
tsr_swarm_set_mode (TsrSwarm     *self,
                    TsrSwarmMode  mode)
{
  self->shared.mode = mode;
  /* Our bitfield must be known first: nothing is dialled while checking. */
  self->dialing = mode != TSR_SWARM_OFF;
  self->user_only = mode == TSR_SWARM_SEEDING;
  follow_choker (self);
  /* The choker knew the peers by their transports: they are gone. */
  if (mode == TSR_SWARM_OFF)
    g_clear_pointer (&self->choker, tsr_choker_free);
}

TsrSwarmMode
tsr_swarm_get_mode (TsrSwarm *self)
{
  return self->shared.mode;
}

/* BEP 5: our DHT node's port, 0 when there is none or the torrent is
 * private (BEP 27). */
static guint16
dht_port (TsrSwarm *self)
{
  return !self->shared.is_private ? self->dht_port : 0;
}

void
tsr_swarm_set_dht_port (TsrSwarm *self,
                        guint16   port)
{
  guint i;

  self->dht_port = port;
  for (i = 0; i < self->members->len; i++)
    tsr_peer_conn_set_dht_port (conn_of (g_ptr_array_index (self->members, i)), dht_port (self));
}

void
tsr_swarm_set_encryption (TsrSwarm          *self,
                          TsrPeerEncryption  encryption)
{
  self->encryption = encryption;
}

/* Encrypted as set, unless the address closed our MSE handshake. */
static void
ask_dial (TsrSwarm             *self,
          const TsrPeerAddress *address)
{
  gboolean plaintext = tsr_peer_pool_get_plaintext (tsr_swarm_get_pool (self), address);

  self->funcs->dial (address, plaintext ? TSR_PEER_ENCRYPTION_OFF : self->encryption, self->user_data);
}

/* Members ------------------------------------------------------------ */

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

TsrMember *
tsr_swarm_get_member (TsrSwarm *self,
                      guint     i)
{
  g_return_val_if_fail (i < self->members->len, NULL);
  return g_ptr_array_index (self->members, i);
}

TsrMember *
tsr_swarm_find (TsrSwarm             *self,
                const TsrPeerAddress *address)
{
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      TsrMember *member = g_ptr_array_index (self->members, i);

      if (tsr_peer_address_equal (tsr_peer_get_remote_address (tsr_member_get_peer (member)), address))
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
    if (tsr_peer_conn_is_dialed (conn_of (g_ptr_array_index (self->members, i))) == dialed)
      count++;
  return count;
}

guint
tsr_swarm_count_unchoked (TsrSwarm *self)
{
  guint count = 0;
  guint i;

  for (i = 0; i < self->members->len; i++)
    if (!tsr_peer_conn_is_am_choking (conn_of (g_ptr_array_index (self->members, i))))
      count++;
  return count;
}

void
tsr_swarm_set_turnover (TsrSwarm *self,
                        guint     seconds)
{
  self->turnover = seconds;
}

gboolean
tsr_swarm_may_dial (TsrSwarm *self,
                    guint     n_dialed)
{
  return tsr_swarm_limits_may_dial (self->caps, self->members->len, n_dialed);
}

void
tsr_swarm_dial_some (TsrSwarm *self,
                     gint64    now)
{
  guint n_dialed;

  if (!self->dialing || self->pool == NULL)
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
      ask_dial (self, address);
      n_dialed++;
    }
}

void
tsr_swarm_add_address (TsrSwarm             *self,
                       const TsrPeerAddress *address,
                       TsrPeerSource         source,
                       gint64                now)
{
  tsr_peer_pool_add (tsr_swarm_get_pool (self), address, source, now);
  tsr_swarm_dial_some (self, now);
}

void
tsr_swarm_add_address_text (TsrSwarm      *self,
                            const char    *text,
                            TsrPeerSource  source)
{
  if (self->lookups == NULL)
    self->lookups = tsr_peer_lookups_new (on_address_found, self);
  tsr_peer_lookups_add (self->lookups, text, source);
}

static void
on_address_found (const TsrPeerAddress *address,
                  guint                 source,
                  gpointer              user_data)
{
  tsr_swarm_add_address (user_data, address, (TsrPeerSource) source, now_seconds ());
}

const char *
tsr_swarm_get_ban (TsrSwarm             *self,
                   const TsrPeerAddress *address,
                   gint64                now)
{
  TsrPeerAddress host = tsr_peer_address_get_host (address);
  const char *banned;

  /* No pool yet: nobody was ever banned here (a question asked of every
   * torrent, as at a uTP SYN, makes no pool). */
  if (self->pool == NULL)
    return NULL;
  banned = tsr_peer_pool_get_ban (self->pool, address, now);
  /* Banned as a host: it dialled us before, from another port. */
  return banned != NULL ? banned : tsr_peer_pool_get_ban (self->pool, &host, now);
}

const char *
tsr_swarm_refuse_incoming (TsrSwarm             *self,
                           const TsrPeerAddress *address,
                           gint64                now)
{
  const char *banned = tsr_swarm_get_ban (self, address, now);

  if (banned != NULL)
    return banned;
  return tsr_swarm_limits_refuse (self->caps, self->members->len, tsr_swarm_count_dialed (self, FALSE));
}

/* Handshakes and bans ----------------------------------------------- */

/* The connection a handshake check closes: one of ours that we dialled
 * has our address. */
static void
close_checked (TsrSwarm                  *self,
               TsrMember                 *member,
               const TsrHandshakeVerdict *verdict)
{
  TsrPeer *peer = tsr_member_get_peer (member);

  if (verdict->ourselves && tsr_peer_conn_is_dialed (conn_of (member)))
    tsr_peer_pool_mark_self (tsr_swarm_get_pool (self), tsr_peer_get_remote_address (peer));
  tsr_peer_close (peer, verdict->ourselves ? _("Connected to ourselves") : _("Already connected to this peer"));
}

/* Ourselves, or a peer already connected (swarm/tsr-handshake-check.c). */
static gboolean
check_handshake (TsrSwarm               *self,
                 TsrMember              *member,
                 const TsrWireHandshake *theirs)
{
  guint n = self->members->len;
  g_autofree TsrHandshakePeer *table = g_new0 (TsrHandshakePeer, MAX (n, 1));
  g_autofree TsrPeerAddress *locals = g_new0 (TsrPeerAddress, MAX (n, 1));
  TsrHandshakeVerdict verdict;
  TsrMember *other;
  guint index = 0;
  guint i;

  for (i = 0; i < n; i++)
    {
      TsrMember *each = g_ptr_array_index (self->members, i);
      TsrPeer *peer = tsr_member_get_peer (each);

      table[i].peer_id = tsr_peer_conn_is_shaken (conn_of (each)) ? tsr_peer_get_id (peer) : NULL;
      table[i].remote = tsr_peer_get_remote_address (peer);
      table[i].dialed = tsr_peer_conn_is_dialed (conn_of (each));
      table[i].local = table[i].dialed && tsr_peer_get_local_address (peer, &locals[i]) ? &locals[i] : NULL;
      if (each == member)
        index = i;
    }
  tsr_handshake_check (table, n, index, self->peer_id, theirs->peer_id, &verdict);
  other = verdict.close_other >= 0 ? g_ptr_array_index (self->members, verdict.close_other) : NULL;
  if (other != NULL)
    close_checked (self, other, &verdict);
  if (!verdict.keep)
    close_checked (self, member, &verdict);
  return verdict.keep;
}

void
tsr_swarm_ban (TsrSwarm             *self,
               const TsrPeerAddress *address,
               const char           *reason,
               gint64                now,
               gint64                seconds)
{
  TsrMember *member = tsr_swarm_find (self, address);
  TsrPeer *peer = member != NULL ? tsr_member_get_peer (member) : NULL;
  TsrPeerAddress host = tsr_peer_address_get_host (address);
  TsrPeerAddress key;

  /* A peer that dialled us comes back from another port: ban its host.
   * One we dialled is banned at the address we know it by, so that other
   * peers behind the same address (NAT, or loopback in tests) are not. */
  key = peer != NULL && tsr_peer_is_incoming (peer) ? host : *address;
  /* A verdict that comes after the connection is gone (a second bad
   * piece hashed after the first got its host banned) bans nothing new:
   * tsr_swarm_get_ban asks of the host too. */
  if (tsr_swarm_get_ban (self, &key, now) != NULL)
    return;
  tsr_peer_pool_ban (tsr_swarm_get_pool (self), &key, reason, now, seconds);
  self->funcs->banned (&key, reason, self->user_data);
  if (peer != NULL)
    tsr_peer_close (peer, reason);
}

/* Turnover and the choker ------------------------------------------- */

/* When full with addresses waiting, the least useful connection goes
 * now and then (swarm/tsr-turnover.c judges which). */
void
tsr_swarm_turn_over (TsrSwarm *self,
                     gint64    now,
                     gboolean  seeding)
{
  g_autofree TsrTurnoverPeer *table = NULL;
  gint worst;
  guint i;

  if (self->pool == NULL || !tsr_turnover_due (self->turnover, &self->last_turnover, now) ||
      tsr_swarm_may_dial (self, tsr_swarm_count_dialed (self, TRUE)) ||
      tsr_peer_pool_count_ready (self->pool, now, seeding) == 0)
    return;
  table = g_new0 (TsrTurnoverPeer, MAX (self->members->len, 1));
  for (i = 0; i < self->members->len; i++)
    {
      TsrPeerConn *conn = conn_of (g_ptr_array_index (self->members, i));

      table[i].shaken = tsr_peer_conn_is_shaken (conn);
      table[i].dropping = tsr_peer_conn_is_dropping (conn);
      table[i].am_choking = tsr_peer_conn_is_am_choking (conn);
      table[i].connected_at = tsr_peer_conn_get_connected_at (conn);
      table[i].score = seeding ? tsr_peer_conn_get_up_rate (conn) : tsr_peer_conn_get_rate (conn);
    }
  worst = tsr_turnover_pick (table, self->members->len, self->turnover, now);
  if (worst >= 0)
    tsr_member_close_later (g_ptr_array_index (self->members, worst), _("Making room for another peer"));
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
      TsrMember *member = g_ptr_array_index (self->members, i);
      TsrPeerConn *conn = conn_of (member);

      table[i].id = tsr_peer_conn_get_peer (conn);
      table[i].interested = tsr_peer_conn_is_shaken (conn) && tsr_peer_conn_is_peer_interested (conn) &&
                            !tsr_peer_conn_is_dropping (conn);
      table[i].snubbed = tsr_member_is_snubbed (member);
      table[i].rate = seeding ? tsr_peer_conn_get_up_rate (conn) : tsr_peer_conn_get_rate (conn);
      table[i].connected_at = tsr_peer_conn_get_connected_at (conn);
    }
  /* Without peers, a round leaves no state: an idle torrent keeps no choker. */
  if (self->choker == NULL && self->members->len == 0)
    return;
  if (self->choker == NULL)
    self->choker = tsr_choker_new ();
  tsr_choker_run (self->choker, table, self->members->len, seeding, now);
  for (i = 0; i < self->members->len; i++)
    {
      TsrMember *member = g_ptr_array_index (self->members, i);

      if (tsr_peer_conn_set_choking (conn_of (member), !table[i].unchoke))
        tsr_member_choked (member, !table[i].unchoke);
    }
}

void
tsr_swarm_run_choker (TsrSwarm *self,
                      gint64    now)
{
  if (self->shared.mode == TSR_SWARM_DOWNLOADING || self->shared.mode == TSR_SWARM_SEEDING)
    tsr_swarm_choke_round (self, self->shared.mode == TSR_SWARM_SEEDING, now);
}

static void
on_choke_round (gpointer user_data)
{
  tsr_swarm_run_choker (user_data, now_seconds ());
}

/* Greeting ----------------------------------------------------------- */

static void
make_handshake (TsrSwarm         *self,
                TsrWireHandshake *handshake)
{
  memset (handshake, 0, sizeof *handshake);
  /* BEP 52: v2-only torrents use the v2 hash truncated to 20 bytes. */
  memcpy (handshake->info_hash, self->shared.info_hash, 20);
  memcpy (handshake->peer_id, self->peer_id, 20);
  tsr_wire_reserved_set (handshake->reserved, TSR_WIRE_RESERVED_FAST);
  tsr_wire_reserved_set (handshake->reserved, TSR_WIRE_RESERVED_EXTENDED);
  /* BEP 5: we run a DHT node (never said for a private torrent, BEP 27). */
  if (dht_port (self) != 0)
    tsr_wire_reserved_set (handshake->reserved, TSR_WIRE_RESERVED_DHT);
}

TsrMember *
tsr_swarm_add_peer (TsrSwarm *self,
                    TsrPeer  *peer,
                    gboolean  dialed)
{
  TsrMember *member;
  TsrBlockMap *blocks = NULL;
  TsrSmartBan *smart_ban = NULL;

  if (self->shared.picker != NULL && tsr_swarm_parts_get_blocks (&self->parts) == NULL && self->funcs->pieces != NULL)
    {
      self->funcs->pieces (&blocks, &smart_ban, self->user_data);
      tsr_swarm_parts_set_pieces (&self->parts, blocks, smart_ban);
    }
  tsr_swarm_parts_make (&self->parts);
  member = tsr_member_new (&self->shared, peer, tsr_swarm_limits_get_budget (self->caps), dht_port (self));
  tsr_peer_set_limits (peer, &self->limits);
  tsr_peer_set_limiters (peer, tsr_swarm_get_limiter (self, TRUE), tsr_swarm_get_limiter (self, FALSE));
  if (dialed)
    tsr_peer_conn_set_dialed (conn_of (member), TRUE);
  g_ptr_array_add (self->members, member);
  follow_choker (self);
  return member;
}

void
tsr_swarm_dial_peer (TsrSwarm *self,
                     TsrPeer  *peer)
{
  TsrWireHandshake ours;

  tsr_swarm_add_peer (self, peer, TRUE);
  self->funcs->event (TSR_SWARM_DIALING, tsr_peer_get_address (peer), NULL, self->user_data);
  make_handshake (self, &ours);
  tsr_peer_start (peer, &ours);
}

void
tsr_swarm_add_incoming (TsrSwarm     *self,
                        TsrPeer      *peer,
                        const guint8 *info_hash,
                        gint64        now)
{
  TsrWireHandshake ours;
  TsrWireHandshake theirs = { { 0 } };
  TsrMember *member;
  const char *refused = tsr_swarm_refuse_incoming (self, tsr_peer_get_remote_address (peer), now);

  if (refused != NULL)
    {
      tsr_peer_close (peer, refused);
      return;
    }
  member = tsr_swarm_add_peer (self, peer, FALSE);
  make_handshake (self, &ours);
  memcpy (ours.info_hash, info_hash, 20);
  tsr_peer_accept (peer, &ours);
  /* The handshake was read already (by the listener): greet now. */
  memcpy (theirs.peer_id, tsr_peer_get_id (peer), 20);
  tsr_member_greet (member, &theirs);
}

/* What the members report (TsrMemberFuncs) ---------------------------- */

static gboolean
member_shaking (TsrMember              *member,
                const TsrWireHandshake *theirs,
                gpointer                user_data)
{
  TsrSwarm *self = user_data;

  return check_handshake (self, member, theirs);
}

static void
member_shaken (TsrMember *member,
               gpointer   user_data)
{
  TsrSwarm *self = user_data;
  TsrPeer *peer = tsr_member_get_peer (member);

  if (tsr_peer_conn_is_dialed (conn_of (member)))
    tsr_peer_pool_connected (tsr_swarm_get_pool (self), tsr_peer_get_remote_address (peer), now_seconds ());
  self->funcs->event (TSR_SWARM_CONNECTED, tsr_peer_get_address (peer), NULL, self->user_data);
}

static void
member_state (TsrMember  *member,
              const char *change,
              gpointer    user_data)
{
  TsrSwarm *self = user_data;

  self->funcs->event (TSR_SWARM_STATE, tsr_peer_get_address (tsr_member_get_peer (member)), change, self->user_data);
}

static void
member_flag (TsrMember     *member,
             TsrPeerChange  change,
             gpointer       user_data)
{
  TsrSwarm *self = user_data;
  TsrPeerConn *conn = conn_of (member);

  /* A free slot is given at once; otherwise the next round judges. */
  if (change == TSR_PEER_INTERESTED_IN_US && tsr_peer_conn_is_am_choking (conn) &&
      tsr_swarm_count_unchoked (self) < TSR_CHOKER_REGULAR_SLOTS + 1 && tsr_peer_conn_set_choking (conn, FALSE))
    member_state (member, "we-unchoke", self);
  /* Its slot is free for someone who wants it. */
  if (change == TSR_PEER_NOT_INTERESTED_IN_US && !tsr_peer_conn_is_am_choking (conn))
    tsr_swarm_run_choker (self, now_seconds ());
}

static void
member_moved (gsize    bytes,
              gboolean uploaded,
              gpointer user_data)
{
  TsrSwarm *self = user_data;

  self->funcs->moved (bytes, uploaded, self->user_data);
}

/* The piece's bytes are the owner's now (on their way to disk). */
static void
member_complete (guint    index,
                 gpointer user_data)
{
  TsrSwarm *self = user_data;
  g_autoptr(GBytes) bytes = tsr_block_map_take_complete (tsr_swarm_parts_get_blocks (&self->parts), index);

  self->funcs->complete (index, bytes, self->user_data);
}

static gboolean
member_stopping (gpointer user_data)
{
  TsrSwarm *self = user_data;

  return self->funcs->stopping (self->user_data);
}

static void
ban (TsrSwarm             *self,
     const TsrPeerAddress *address,
     const char           *reason)
{
  tsr_swarm_ban (self, address, reason, now_seconds (), TSR_SWARM_BAN_SECONDS);
}

static void
member_ban (TsrMember  *member,
            const char *reason,
            gpointer    user_data)
{
  ban (user_data, tsr_peer_get_remote_address (tsr_member_get_peer (member)), reason);
}

static void
member_dht_node (const TsrPeerAddress *node,
                 gpointer              user_data)
{
  TsrSwarm *self = user_data;

  self->funcs->dht_node (node, self->user_data);
}

/* From its connection's closed: the member is freed here, its
 * connection's last callback. */
static void
member_closed (TsrMember  *member,
               const char *reason,
               gpointer    user_data)
{
  TsrSwarm *self = user_data;
  TsrPeer *peer = tsr_member_get_peer (member);
  TsrPeerAddress address = *tsr_peer_get_remote_address (peer);
  g_autofree char *text = g_strdup (tsr_peer_get_address (peer));
  gboolean was_unchoked = !tsr_peer_conn_is_am_choking (conn_of (member));
  /* Never reached (not a peer that refused our encrypted handshake). */
  gboolean unreached = tsr_peer_conn_is_dialed (conn_of (member)) && !tsr_peer_conn_is_shaken (conn_of (member)) &&
                       !tsr_peer_get_mse_failed (peer);

  /* A peer that broke the protocol would only do it again. */
  if (tsr_peer_broke_protocol (peer) && reason != NULL)
    ban (self, &address, reason);
  tsr_member_leave_pool (member, tsr_swarm_get_pool (self), self->encryption);
  tsr_member_release (member);
  /* Its exclusive pieces go to whoever asks next. */
  if (tsr_swarm_parts_get_smart_ban (&self->parts) != NULL)
    tsr_smart_ban_release (tsr_swarm_parts_get_smart_ban (&self->parts), &address);
  if (self->choker != NULL)
    tsr_choker_forget (self->choker, peer);
  g_ptr_array_remove_fast (self->members, member);
  self->funcs->event (TSR_SWARM_GONE, text, reason, self->user_data);
  /* BEP 55: a peer behind a NAT may be met through the one that told us of it. */
  if (unreached)
    tsr_ext_holepunch_dial_failed (tsr_swarm_parts_get_holepunch (&self->parts), &address);
  tsr_swarm_fill_all (self);
  if (was_unchoked)
    tsr_swarm_run_choker (self, now_seconds ());
  tsr_swarm_dial_some (self, now_seconds ());
}

static void
member_read_failed (const GError *error,
                    gpointer      user_data)
{
  TsrSwarm *self = user_data;

  self->funcs->read_failed (error, self->user_data);
}

static void
member_learned (const TsrPeerAddress *address,
                guint8                flags,
                gpointer              user_data)
{
  TsrSwarm *self = user_data;

  /* A seed has no use for seeds. */
  if (self->shared.mode != TSR_SWARM_SEEDING || !(flags & TSR_PEX_FLAG_SEED))
    tsr_swarm_add_address (self, address, TSR_PEER_SOURCE_PEX, now_seconds ());
}

static void
member_listening (const TsrPeerAddress *address,
                  gpointer              user_data)
{
  TsrSwarm *self = user_data;
  gint64 now = now_seconds ();

  /* Connected through the member that told it: not to be dialled (and
   * refused as a second connection) while it stays. */
  tsr_peer_pool_add (tsr_swarm_get_pool (self), address, TSR_PEER_SOURCE_INCOMING, now);
  tsr_peer_pool_connected (self->pool, address, now);
}

/* A magnet's fetch ended: its connections are dropped and, when a
 * dictionary came, their addresses dialled again (the pool keeps them):
 * what the peers told of their pieces was not understood without the
 * metainfo. */
static void
member_metainfo (TsrMetainfo  *info,
                 const GError *error,
                 gpointer      user_data)
{
  TsrSwarm *self = user_data;

  tsr_swarm_clear (self);
  if (info != NULL && self->pool != NULL)
    tsr_peer_pool_reset (self->pool);
  self->funcs->metainfo (info, error, self->user_data);
}

static const TsrMemberFuncs member_funcs = {
  .shaking = member_shaking,
  .shaken = member_shaken,
  .state = member_state,
  .flag = member_flag,
  .moved = member_moved,
  .complete = member_complete,
  .stopping = member_stopping,
  .ban = member_ban,
  .dht_node = member_dht_node,
  .closed = member_closed,
  .read_failed = member_read_failed,
  .learned = member_learned,
  .listening = member_listening,
  .metainfo = member_metainfo,
};

/* Hole punching (TsrExtHolepunchFuncs) -------------------------------- */

/* A relay's connect: dial at once, whatever the address's back-off
 * (but once a TSR_PEER_POOL_PUNCH_GAP), even while seeding (the other
 * side dials us now too). */
static void
holepunch_dial (const TsrPeerAddress *address,
                gpointer              user_data)
{
  TsrSwarm *self = user_data;
  gint64 now = now_seconds ();

  if (!self->dialing || tsr_swarm_find (self, address) != NULL ||
      !tsr_swarm_may_dial (self, tsr_swarm_count_dialed (self, TRUE)))
    return;
  tsr_peer_pool_add (tsr_swarm_get_pool (self), address, TSR_PEER_SOURCE_PEX, now);
  if (tsr_peer_pool_take_address (self->pool, address, now))
    ask_dial (self, address);
}

static gboolean
holepunch_known (const TsrPeerAddress *address,
                 gpointer              user_data)
{
  TsrSwarm *self = user_data;
  TsrPeerSource source;

  return (self->pool != NULL && tsr_peer_pool_get_source (self->pool, address, &source)) ||
         tsr_swarm_find (self, address) != NULL;
}

static void
holepunch_event (const TsrPeerAddress *address,
                 const char           *detail,
                 gpointer              user_data)
{
  TsrSwarm *self = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  self->funcs->event (TSR_SWARM_STATE, text, detail, self->user_data);
}

static const TsrExtHolepunchFuncs holepunch_funcs = {
  .dial = holepunch_dial,
  .known = holepunch_known,
  .event = holepunch_event,
};

/* The members together ----------------------------------------------- */

void
tsr_swarm_fill_all (TsrSwarm *self)
{
  guint i;

  for (i = 0; i < self->members->len; i++)
    tsr_member_fill (g_ptr_array_index (self->members, i));
}

