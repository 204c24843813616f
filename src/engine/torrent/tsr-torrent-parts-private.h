/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-parts-private.h: the modules a torrent owns, for the files
 * that implement the rest of its public API over them without seeing its
 * struct: tsr-torrent-peers.c (connections, addresses, bans, rate
 * limits), tsr-torrent-view.c (what a window shows), tsr-torrent-data.c
 * (moving and deleting the data) and tsr-torrent-trackers.c. Functions only, all defined in
 * tsr-torrent.c, which never calls those files back. It names the
 * torrent's struct, not its header, as tsr-torrent-host.h does, so that
 * tsr-torrent.c includes it without a cycle.
 */
#pragma once

#include "tsr-magnet.h"
#include "tsr-swarm.h"
#include "tsr-torrent-disk.h"
#include "tsr-torrent-fault.h"
#include "tsr-torrent-magnet.h"
#include "tsr-torrent-pieces.h"
#include "tsr-torrent-stats.h"
#include "tsr-tracker.h"
#include "tsr-web-seeds.h"

G_BEGIN_DECLS

struct _TsrTorrent;

/* What the user set in place of the metainfo's lists (tsr-torrent-
 * trackers.c): (nullable) NULL is the metainfo's. Tiers are GPtrArrays
 * of URLs; web seeds URLs (BEP 19). Set takes @list (transfer full). */
GPtrArray         *_tsr_torrent_get_own_trackers  (struct _TsrTorrent *self);
void               _tsr_torrent_set_own_trackers  (struct _TsrTorrent *self,
                                                   GPtrArray          *list);
GPtrArray         *_tsr_torrent_get_own_web_seeds (struct _TsrTorrent *self);
void               _tsr_torrent_set_own_web_seeds (struct _TsrTorrent *self,
                                                   GPtrArray          *list);
/* The port + 1 tsr_torrent_enable_trackers was given; 0: not enabled. */
guint              _tsr_torrent_get_tracker_port  (struct _TsrTorrent *self);
void               _tsr_torrent_set_tracker_port  (struct _TsrTorrent *self,
                                                   guint               port);
/* Whether a rename is on the disk (tsr-torrent-rename.c: one at a time). */
gboolean           _tsr_torrent_get_renaming   (struct _TsrTorrent *self);
void               _tsr_torrent_set_renaming   (struct _TsrTorrent *self,
                                                gboolean            renaming);

/* Borrowed, as long as the torrent lives. */
TsrSwarm          *_tsr_torrent_get_swarm      (struct _TsrTorrent *self);
TsrTorrentStats   *_tsr_torrent_get_stats      (struct _TsrTorrent *self);
/* (nullable) The error it stopped on: NULL before the first. */
TsrTorrentFault   *_tsr_torrent_get_fault      (struct _TsrTorrent *self);
/* Folder, storage, disk queue, resume record. */
TsrTorrentDisk    *_tsr_torrent_get_disk       (struct _TsrTorrent *self);
/* Of a torrent made from a magnet link (else NULL). Our peer id, the
 * verified pieces (empty for a magnet's until its metainfo comes) and
 * the limiters are the swarm's (tsr_swarm_get_peer_id, _get_have,
 * _get_limiter). */
TsrTorrentMagnet  *_tsr_torrent_get_magnet     (struct _TsrTorrent *self);

/* Made with the metainfo: NULL before a magnet's comes. */
TsrTorrentPieces  *_tsr_torrent_get_pieces     (struct _TsrTorrent *self);
/* NULL when the metainfo lists no web seed. */
TsrWebSeeds       *_tsr_torrent_get_web_seeds  (struct _TsrTorrent *self);
/* Makes the web seeds again from the list tsr_torrent_set_web_seeds
 * kept (or the metainfo's); nothing before the metainfo. */
void               _tsr_torrent_remake_web_seeds (struct _TsrTorrent *self);
/* NULL until tsr_torrent_enable_trackers(). */
TsrTracker        *_tsr_torrent_get_tracker    (struct _TsrTorrent *self);
/* Replaces the trackers with @tracker (transfer full) (nullable), and
 * tells the session of new ones. */
void               _tsr_torrent_set_tracker    (struct _TsrTorrent *self,
                                                TsrTracker         *tracker);

G_END_DECLS
