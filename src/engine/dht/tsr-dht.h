/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht.h: a Mainline DHT node (BEP 5, IPv6 per BEP 32, node ids per
 * BEP 42) on a UDP port: answers ping, find_node, get_peers and
 * announce_peer; keeps a routing table per address family, refreshed and
 * saved; and runs iterative lookups (alpha = 3) for peers of a torrent,
 * announcing to the closest nodes. Main-thread only; nothing blocks.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Seconds a query waits for its answer. The rate limit and the peer
 * store are tsr-dht-server.h's, the lookups' alpha tsr-dht-lookup.h's. */
#define TSR_DHT_QUERY_TIMEOUT 3

/* The public routers a node starts from when it knows no node. */
extern const char *const tsr_dht_default_bootstrap[];

#define TSR_TYPE_DHT (tsr_dht_get_type ())
G_DECLARE_FINAL_TYPE (TsrDht, tsr_dht, TSR, DHT, GObject)

/* Listens on UDP @port (0: any) at @address (NULL: every IPv4 and IPv6
 * address). @state_path (nullable): the node id and routing tables are
 * read from it now and written to it now and then and at dispose. */
TsrDht     *tsr_dht_new               (const char     *address,
                                       guint16         port,
                                       const char     *state_path,
                                       GError        **error);
/* The same on the session's UDP sockets (net/tsr-udp-socket.h; either
 * may be NULL, not both), shared with uTP and the UDP trackers: the node
 * takes a reference and is their KRPC receiver until it goes. */
struct _TsrUdpSocket;
TsrDht     *tsr_dht_new_on_sockets    (struct _TsrUdpSocket *udp4,
                                       struct _TsrUdpSocket *udp6,
                                       const char           *state_path);
guint16     tsr_dht_get_port          (TsrDht         *self);
const guint8 *tsr_dht_get_id          (TsrDht         *self);
/* "host:port" nodes to ask first (resolved without blocking); used when
 * the tables are empty and again whenever they run dry. */
void        tsr_dht_set_bootstrap     (TsrDht         *self,
                                       const char *const *nodes);
/* A node learned elsewhere (a peer's BEP 5 port message): pinged. */
void        tsr_dht_add_node          (TsrDht         *self,
                                       const TsrPeerAddress *address);
/* Nodes in the tables (good or questionable). */
guint       tsr_dht_get_n_nodes       (TsrDht         *self);

/* Looks up peers of @info_hash (20 bytes). Found peers come by the
 * "peers" signal (info hash, GArray of TsrPeerAddress), more than once;
 * "lookup-done" (info hash, nodes that answered) ends it. With @port
 * nonzero the closest nodes then hear announce_peer (@port; 0 would mean
 * the UDP port: implied). A lookup for a hash already running is not
 * started twice. */
void        tsr_dht_get_peers         (TsrDht         *self,
                                       const guint8   *info_hash,
                                       guint16         announce_port);
/* Writes the state file now (blocking: small). */
gboolean    tsr_dht_save              (TsrDht         *self,
                                       GError        **error);

G_END_DECLS
