/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-host.h: how a torrent reports to the session that holds
 * it. A table of callbacks instead of two signal handlers per torrent:
 * with thousands of torrents their closures were a tenth of an idle
 * torrent's memory. Engine-private (the session only). It names the
 * torrent's struct, not its header, so that neither includes the other.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

struct _TsrBlocklist;
struct _TsrDialer;
struct _TsrTorrent;
struct _TsrTracker;

typedef struct _TsrTorrentHostFuncs
{
  /* A peer named a DHT node (BEP 5 PORT message), as "host:port". */
  void (*dht_node)      (struct _TsrTorrent *torrent,
                         const char *node,
                         gpointer    user_data);
  /* After "state-changed" was emitted. */
  void (*state_changed) (struct _TsrTorrent *torrent,
                         gpointer    user_data);
  /* The torrent made its trackers (tsr_torrent_enable_trackers): the
   * host gives them what it shares, the UDP sockets on its listen port. */
  void (*trackers_made) (struct _TsrTorrent *torrent,
                         struct _TsrTracker *tracker,
                         gpointer            user_data);
  /* Asks how to dial peers: the transports (TCP, uTP) the host has on. */
  struct _TsrDialer *(*dialer) (gpointer user_data);
} TsrTorrentHostFuncs;

/* Whether the torrent bans @address now (as itself or its host). */
gboolean _tsr_torrent_bans (struct _TsrTorrent   *self,
                            const TsrPeerAddress *address);

/* Closes the connections to peers @blocklist blocks now (it changed). */
void     _tsr_torrent_drop_blocked (struct _TsrTorrent   *self,
                                    struct _TsrBlocklist *blocklist);

/* @funcs NULL: the host let go (it must before it goes). */
void _tsr_torrent_set_host (struct _TsrTorrent         *self,
                            const TsrTorrentHostFuncs *funcs,
                            gpointer                   user_data);

G_END_DECLS
