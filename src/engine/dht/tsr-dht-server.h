/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-server.h: the answering side of a Mainline DHT node (BEP 5,
 * BEP 32 "want", BEP 42 "ip", BEP 43 read-only nodes): ping, find_node,
 * get_peers and announce_peer from other nodes, with a rate limit per
 * sender, the write tokens, and the peers announced to us. It owns no
 * socket and no routing table: replies and the nodes it meets go to its
 * host through a table of callbacks. Main-thread only; the caller gives
 * the time (monotonic seconds).
 */
#pragma once

#include <glib.h>

#include "tsr-krpc.h"

G_BEGIN_DECLS

/* Queries answered from one address a second, at most. */
#define TSR_DHT_QUERY_RATE 20
/* Peers stored per info hash, and seconds they are kept. */
#define TSR_DHT_MAX_STORED 200
#define TSR_DHT_STORE_SECONDS (30 * 60)

typedef struct _TsrDhtServer TsrDhtServer;

typedef struct
{
  /* Sends @reply (a response or an error) to @to. */
  void (*send_reply) (const TsrPeerAddress *to,
                      GBytes               *reply,
                      gpointer              user_data);
  /* @node queried us (and is not read-only): the routing table may take
   * it as heard from, though it has not answered us yet. */
  void (*table_seen) (const TsrDhtNode     *node,
                      gpointer              user_data);
  /* Appends to @nodes (element-type TsrDhtNode) the nodes of @family's
   * routing table closest to @target, at most @count. */
  void (*closest)    (const guint8         *target,
                      guint                 family,
                      guint                 count,
                      GArray               *nodes,
                      gpointer              user_data);
} TsrDhtServerFuncs;

/* @id (borrowed) is the host's node id, read for every reply (BEP 42
 * may change it in place). @now: monotonic seconds, for the tokens. */
TsrDhtServer *tsr_dht_server_new       (const guint8            *id,
                                        gint64                   now,
                                        const TsrDhtServerFuncs *funcs,
                                        gpointer                 user_data);
void          tsr_dht_server_free      (TsrDhtServer            *self);
/* Answers the query @message from @from at @now, unless @from has
 * queried more than TSR_DHT_QUERY_RATE times in this second. */
void          tsr_dht_server_handle_query (TsrDhtServer         *self,
                                           const TsrKrpcMessage *message,
                                           const TsrPeerAddress *from,
                                           gint64                now);
/* Upkeep at @now: the token secret rotates (TSR_DHT_TOKEN_ROTATION) and
 * peers announced more than TSR_DHT_STORE_SECONDS ago are forgotten. */
void          tsr_dht_server_upkeep    (TsrDhtServer            *self,
                                        gint64                   now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDhtServer, tsr_dht_server_free)

G_END_DECLS
