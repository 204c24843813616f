/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm.h: one torrent's set of connections. The swarm holds each
 * connection's member record (the owner's, opaque here), the pool of
 * addresses and bans, the choker, the connection limits and the
 * session's connection budget. It decides who may come in, who is over a
 * limit, who makes room for another peer, which handshakes are refused
 * (ourselves, a peer already connected) and who a choker round unchokes;
 * it reports to its owner only through a table of functions, and never
 * sees the torrent.
 */
#pragma once

#include <glib.h>

#include "tsr-budget.h"
#include "tsr-peer-address.h"
#include "tsr-peer-conn.h"
#include "tsr-peer-pool.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

typedef struct _TsrSwarm TsrSwarm;

/* How the swarm asks its owner and reports to it; all on the main
 * context, none from tsr_swarm_free(). */
typedef struct
{
  /* The member's connection. */
  TsrPeerConn *(*conn)    (gpointer    member,
                           gpointer    user_data);
  /* Close the member from an idle: it may be inside its own callbacks. */
  void         (*close)   (gpointer    member,
                           const char *reason,
                           gpointer    user_data);
  /* Whether the member unchoked us and sent nothing for a while. */
  gboolean     (*snubbed) (gpointer    member,
                           gpointer    user_data);
  /* A choker round changed our choke of the member (already sent). */
  void         (*choked)  (gpointer    member,
                           gboolean    choked,
                           gpointer    user_data);
  /* @key was banned for @reason; its connection, if any, closes next. */
  void         (*banned)  (const TsrPeerAddress *key,
                           const char           *reason,
                           gpointer              user_data);
  /* Dial @address (in plaintext if @plaintext): the owner makes the
   * connection and adds its member, marked dialled, before returning. */
  void         (*dial)    (const TsrPeerAddress *address,
                           gboolean              plaintext,
                           gpointer              user_data);
} TsrSwarmFuncs;

/* @free_member frees a member record when it leaves the set. */
TsrSwarm     *tsr_swarm_new               (guint                 pool_size,
                                           guint                 max_peers,
                                           guint                 turnover,
                                           GDestroyNotify        free_member,
                                           const TsrSwarmFuncs  *funcs,
                                           gpointer              user_data);
void          tsr_swarm_free              (TsrSwarm             *self);

TsrPeerPool  *tsr_swarm_get_pool          (TsrSwarm             *self);

/* Members. tsr_swarm_remove() and tsr_swarm_clear() free them. */
void          tsr_swarm_add               (TsrSwarm             *self,
                                           gpointer              member);
void          tsr_swarm_remove            (TsrSwarm             *self,
                                           gpointer              member);
void          tsr_swarm_clear             (TsrSwarm             *self);
guint         tsr_swarm_get_n_peers       (TsrSwarm             *self);
gpointer      tsr_swarm_get_member        (TsrSwarm             *self,
                                           guint                 i);
/* The member connected to @address, or NULL. */
gpointer      tsr_swarm_find              (TsrSwarm             *self,
                                           const TsrPeerAddress *address);

/* Limits. Lowering one closes the newest connections over it. */
void          tsr_swarm_set_max_peers     (TsrSwarm             *self,
                                           guint                 max_peers);
guint         tsr_swarm_get_max_peers     (TsrSwarm             *self);
void          tsr_swarm_set_max_dialed    (TsrSwarm             *self,
                                           guint                 max_dialed);
guint         tsr_swarm_get_max_dialed    (TsrSwarm             *self);
void          tsr_swarm_set_max_accepted  (TsrSwarm             *self,
                                           guint                 max_accepted);
guint         tsr_swarm_get_max_accepted  (TsrSwarm             *self);
void          tsr_swarm_set_turnover      (TsrSwarm             *self,
                                           guint                 seconds);
void          tsr_swarm_set_budget        (TsrSwarm             *self,
                                           TsrBudget            *budget);
TsrBudget    *tsr_swarm_get_budget        (TsrSwarm             *self);
guint         tsr_swarm_count_dialed      (TsrSwarm             *self,
                                           gboolean              dialed);
guint         tsr_swarm_count_unchoked    (TsrSwarm             *self);
/* Connections to peers that have every piece. */
guint         tsr_swarm_count_seeds       (TsrSwarm             *self);

/* Whether the owner's state lets it dial (downloading, seeding or
 * fetching a magnet's metainfo), and whether only the addresses the
 * user gave are dialled (a seed: leechers come to it). */
void          tsr_swarm_set_dialing       (TsrSwarm             *self,
                                           gboolean              dialing,
                                           gboolean              user_only);
/* Dials the pool's best addresses while there is room: at most
 * TSR_PEER_MAX_CONNECTING connections being set up in the process, and
 * the limits. */
void          tsr_swarm_dial_some         (TsrSwarm             *self,
                                           gint64                now);
/* Adds @address to the pool and dials what may be dialled. */
void          tsr_swarm_add_address       (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           TsrPeerSource         source,
                                           gint64                now);

/* Whether one more connection may be dialled, @n_dialed being dialled. */
gboolean      tsr_swarm_may_dial          (TsrSwarm             *self,
                                           guint                 n_dialed);
/* Why an incoming connection from @address is refused (banned, over a
 * limit), or NULL: it may come in. */
const char   *tsr_swarm_refuse_incoming   (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           gint64                now);
/* Checks @member's handshake, @theirs, against @our_id and the other
 * connections: a connection to ourselves, or to a peer already shaken
 * hands with, is closed. Returns whether it may go on. */
gboolean      tsr_swarm_check_handshake   (TsrSwarm               *self,
                                           gpointer                member,
                                           const guint8           *our_id,
                                           const TsrWireHandshake *theirs);
/* Bans @address (its host if it dialled us) for @seconds and closes its
 * connection; nothing when already banned. */
void          tsr_swarm_ban               (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           const char           *reason,
                                           gint64                now,
                                           gint64                seconds);

/* When full with addresses ready, every turnover interval: closes the
 * least useful connection (by its rate, or its upload rate when
 * @seeding), shaken long enough to be judged and not unchoked by us. */
void          tsr_swarm_turn_over         (TsrSwarm             *self,
                                           gint64                now,
                                           gboolean              seeding);
/* A choker round: applies its decisions at once. */
void          tsr_swarm_choke_round       (TsrSwarm             *self,
                                           gboolean              seeding,
                                           gint64                now);
/* The choker knew the peers by their transports: forget them all. */
void          tsr_swarm_reset_choker      (TsrSwarm             *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrSwarm, tsr_swarm_free)

G_END_DECLS
