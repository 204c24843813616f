/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarms-private.h: the swarm store's layout, shared by
 * tsr-swarms.c (the store) and tsr-swarms-state.c (its image), and hooks
 * for the unit tests.
 */
#pragma once

#include "tsr-swarms.h"

G_BEGIN_DECLS

#define PEER_SEEDER     0x01
#define PEER_COMPLETED  0x02   /* counted in downloaded: not again */
#define PEER_FLAGS      (PEER_SEEDER | PEER_COMPLETED)

typedef struct
{
  guint8   address[16];   /* IPv6, or IPv4-mapped */
  guint16  port;
  guint8   flags;
  guint8   reserved;
  guint32  last_seen;
} TsrSwarmPeer;

G_STATIC_ASSERT (sizeof (TsrSwarmPeer) == 24);
#define KEY_SIZE 18   /* address and port: a peer's identity in its swarm */

typedef struct
{
  guint8    info_hash[20];   /* first: a swarm is its own hash table key */
  guint32   downloaded;
  guint32   n_peers;
  guint32   n_leechers;      /* peers[0, n_leechers) leech, the rest seed */
  guint32   n_alloc;
  guint32   last_announce;
  guint32   list_pos;        /* in TsrSwarms.list */
  guint32   index_mask;      /* index size - 1 */
  TsrSwarmPeer     *peers;           /* (owned) */
  guint32  *index;           /* (owned) (nullable): position + 1, 0 free */
} TsrSwarm;

struct _TsrSwarms
{
  guint        max_swarms;     /* 0: no cap */
  guint32      peer_timeout;
  GHashTable  *table;          /* info hash → TsrSwarm (owned through list) */
  GPtrArray   *list;           /* (element-type TsrSwarm) (owned): round-robin and sampling */
  guint        expire_cursor;  /* next position in list to expire */
  GHashTable  *whitelist;      /* (nullable): hashes pointing into whitelist_data */
  guint8      *whitelist_data; /* (owned) (nullable) */
  GRand       *rand;
  guint32      seed;           /* of the peer index hash */
  guint        n_peers;
  guint        n_seeders;
  guint64      touched;        /* for the tests: records read by announces */
};

TsrSwarm   *_tsr_swarms_create (TsrSwarms      *self,
                             const guint8   *info_hash,
                             guint32         now);
/* The position of the peer with address and port @key (18 bytes), or -1. */
gint64   _tsr_swarm_find    (TsrSwarms      *self,
                             TsrSwarm          *swarm,
                             const guint8   *key);
/* Adds @peer (known absent); returns its position. */
guint32  _tsr_swarm_insert  (TsrSwarms      *self,
                             TsrSwarm          *swarm,
                             const TsrSwarmPeer     *peer);

/* Makes the peer sampling repeatable. */
void     _tsr_swarms_set_seed    (TsrSwarms      *self,
                                  guint32         seed);
/* TsrSwarmPeer records read by announces (lookup and sampling) since creation:
 * the work a request costs, without a clock. */
guint64  _tsr_swarms_get_touched (TsrSwarms      *self);
/* Counts everything again by walking the store, and checks its internal
 * invariants (seeders after leechers, every peer indexed once, tables in
 * step); FALSE if one does not hold. */
gboolean _tsr_swarms_recount     (TsrSwarms      *self,
                                  TsrSwarmsStats *stats);

G_END_DECLS
