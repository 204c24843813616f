/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-lookup.h: one iterative get_peers lookup of the Mainline DHT
 * (BEP 5): its candidates by distance to the target, alpha queries in
 * flight, the peers found, and the announce_peer to the closest nodes
 * that gave a token. It owns no socket and no routing table: it asks
 * its host, through a table of callbacks, to send its queries and for
 * the nodes the tables know, and is told of answers and timeouts.
 * Main-thread only.
 */
#pragma once

#include <glib.h>

#include "tsr-dht-contacts.h"
#include "tsr-krpc.h"

G_BEGIN_DECLS

/* Queries a lookup has in flight, at most. */
#define TSR_DHT_ALPHA 3
/* Candidates a lookup keeps, closest first. */
#define TSR_DHT_LOOKUP_MAX_CANDIDATES 64

typedef struct _TsrDhtLookup TsrDhtLookup;

typedef enum
{
  TSR_DHT_LOOKUP_GET_PEERS,   /* peers of the target, and closer nodes */
  TSR_DHT_LOOKUP_ANNOUNCE,    /* announce_peer with the token the node gave */
} TsrDhtLookupQuery;

typedef struct
{
  /* Sends @query to @node (@token: announce_peer's, else NULL and 0).
   * The verdict of the node's budget; for a get_peers sent, the host
   * tells the lookup of its answer (answered) or its loss (failed). */
  TsrDhtSend (*send_query)  (TsrDhtLookup      *lookup,
                             TsrDhtLookupQuery  query,
                             const TsrDhtNode  *node,
                             const guint8      *token,
                             gsize              token_length,
                             gpointer           user_data);
  /* Appends to @nodes (element-type TsrDhtNode) the nodes of @family's
   * routing table closest to @target, at most @count: where a lookup
   * without candidates starts. */
  void       (*closest)     (const guint8      *target,
                             guint              family,
                             guint              count,
                             GArray            *nodes,
                             gpointer           user_data);
  /* Peers (element-type TsrPeerAddress) not told before. */
  void       (*found_peers) (const guint8      *target,
                             const GArray      *peers,
                             gpointer           user_data);
  /* The lookup ended, its announces sent; @answered nodes answered.
   * Called once. */
  void       (*done)        (const guint8      *target,
                             guint              answered,
                             gpointer           user_data);
} TsrDhtLookupFuncs;

/* A lookup for @target (20 bytes); with @announce_port nonzero the
 * closest nodes hear announce_peer at the end. @own_id (borrowed) is
 * the host's node id, read whenever a node is added (BEP 42 may change
 * it in place): we never ask ourselves. Nothing is sent until the
 * first step. */
TsrDhtLookup *tsr_dht_lookup_new        (const guint8            *target,
                                         guint16                  announce_port,
                                         const guint8            *own_id,
                                         const TsrDhtLookupFuncs *funcs,
                                         gpointer                 user_data);
TsrDhtLookup *tsr_dht_lookup_ref        (TsrDhtLookup            *self);
void          tsr_dht_lookup_unref      (TsrDhtLookup            *self);
const guint8 *tsr_dht_lookup_get_target (TsrDhtLookup            *self);
guint16       tsr_dht_lookup_get_announce_port (TsrDhtLookup     *self);
gboolean      tsr_dht_lookup_is_done    (TsrDhtLookup            *self);

/* Keeps TSR_DHT_ALPHA queries in flight to the closest candidates not
 * asked yet; ends the lookup once the TSR_DHT_K closest that did not
 * fail have all answered. */
void          tsr_dht_lookup_step       (TsrDhtLookup            *self);
/* The host's tick: steps a lookup with nothing in flight, which had no
 * node to ask or was held back by the budgets. */
void          tsr_dht_lookup_retry      (TsrDhtLookup            *self);
/* The get_peers sent to @asked came back from @from, as a response or
 * an error. The host steps the lookup afterwards. */
void          tsr_dht_lookup_answered   (TsrDhtLookup            *self,
                                         const TsrDhtNode        *asked,
                                         const TsrPeerAddress    *from,
                                         const TsrKrpcMessage    *message);
/* The get_peers sent to @asked timed out. */
void          tsr_dht_lookup_failed     (TsrDhtLookup            *self,
                                         const TsrDhtNode        *asked);
/* The host goes: no callback is made after this. */
void          tsr_dht_lookup_detach     (TsrDhtLookup            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDhtLookup, tsr_dht_lookup_unref)

G_END_DECLS
