/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-lookups.h: the session's DHT node (BEP 5) and when each of its
 * torrents is looked up there: at start, then every 15 minutes (every
 * minute while it has few peers); the peers found go to their torrent.
 * The session owns one and forwards tsr_session_set_dht to it; the
 * torrents are borrowed from the session's list, which outlives it.
 */
#pragma once

#include "tsr-dht.h"
#include "tsr-torrent.h"

G_BEGIN_DECLS

typedef struct _TsrDhtLookups TsrDhtLookups;

typedef struct
{
  /* (nullable) (transfer none) The torrent a found peer is for. */
  TsrTorrent *(*find) (const guint8 *info_hash,
                       gpointer      user_data);
} TsrDhtLookupsFuncs;

/* @torrents (element-type TsrTorrent) is borrowed. */
TsrDhtLookups *tsr_dht_lookups_new       (GListModel               *torrents,
                                          const TsrDhtLookupsFuncs *funcs,
                                          gpointer                  user_data);
void           tsr_dht_lookups_free      (TsrDhtLookups            *self);
/* Wanted or not, with its state file and first nodes (both nullable);
 * turned off, the node goes and the torrents stop telling its port. */
void           tsr_dht_lookups_configure (TsrDhtLookups            *self,
                                          gboolean                  enabled,
                                          const char               *state_path,
                                          const char *const        *bootstrap);
/* Starts the node when it is wanted and not yet running, on the shared
 * UDP sockets (nullable both: then on a socket of its own at @address,
 * @port or any) and announcing @port for the torrents. */
void           tsr_dht_lookups_start     (TsrDhtLookups            *self,
                                          struct _TsrUdpSocket     *udp4,
                                          struct _TsrUdpSocket     *udp6,
                                          const char               *address,
                                          guint16                   port);
/* Looks @torrent up unless it was lately (@now: anyway), when it may use
 * the DHT: running and public (BEP 27). */
void           tsr_dht_lookups_look_up   (TsrDhtLookups            *self,
                                          TsrTorrent               *torrent,
                                          gboolean                  now);
/* A node a peer told of (BEP 5 port message), as "address:port". */
void           tsr_dht_lookups_add_node  (TsrDhtLookups            *self,
                                          const char               *node);
/* (nullable) (transfer none) The node, while it runs. */
TsrDht        *tsr_dht_lookups_get_dht   (TsrDhtLookups            *self);
/* The node's UDP port, 0 while it does not run. */
guint16        tsr_dht_lookups_get_port  (TsrDhtLookups            *self);

G_END_DECLS
