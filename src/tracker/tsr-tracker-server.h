/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-server.h: the tracker behind `tessera-cli tracker`: HTTP
 * announce, scrape and stats (libsoup), and UDP announce and scrape
 * (BEP 15) on the same port, over one swarm store.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TSR_TYPE_TRACKER_SERVER (tsr_tracker_server_get_type ())
G_DECLARE_FINAL_TYPE (TsrTrackerServer, tsr_tracker_server, TSR, TRACKER_SERVER, GObject)

/* Peers given when the client does not say (BEP 3 "numwant"). */
#define TSR_TRACKER_SERVER_NUMWANT 50
/* Swarms kept, at most, unless told otherwise: past it the emptiest goes. */
#define TSR_TRACKER_SERVER_MAX_SWARMS 1000000
/* HTTP connections at once, at most, and seconds one may stay silent. */
#define TSR_TRACKER_SERVER_MAX_CONNECTIONS 4096
#define TSR_TRACKER_SERVER_IDLE_SECONDS 30
/* Seconds a state change waits before the state file is written. */
#define TSR_TRACKER_SERVER_SAVE_DELAY 5

/* @interval: seconds between a client's announces; peers expire after
 * twice that. @max_peers: numwant at most. @max_rate: requests a second
 * one address may make (0: no limit). */
TsrTrackerServer *tsr_tracker_server_new            (guint              interval,
                                                     guint              max_peers,
                                                     guint              max_rate);
/* Swarms kept at most (default TSR_TRACKER_SERVER_MAX_SWARMS; 0: no
 * cap); when a new info hash comes at the cap, the emptiest of a few
 * sampled swarms goes. Bounds memory when announces come for random
 * hashes. */
void              tsr_tracker_server_set_max_swarms (TsrTrackerServer  *self,
                                                     guint              max_swarms);
/* Only these info hashes (a file of hex hashes, one per line; '#'
 * comments) are served; read now, and again when called again. */
gboolean          tsr_tracker_server_load_whitelist (TsrTrackerServer  *self,
                                                     const char        *path,
                                                     GError           **error);
/* Keeps the swarms in @path: loaded now (or its previous copy, @path
 * + ".prev", when it is damaged), written atomically a few seconds after
 * changes, the previous copy kept. */
gboolean          tsr_tracker_server_set_state_file (TsrTrackerServer  *self,
                                                     const char        *path,
                                                     GError           **error);
/* Writes the state file now (blocking: for shutdown). */
gboolean          tsr_tracker_server_save_state     (TsrTrackerServer  *self,
                                                     GError           **error);
/* Serves HTTP and UDP at @address (an IP, e.g. "0.0.0.0" or "::") and
 * @port (0: any free port, the same for both); *@bound_port receives it. */
gboolean          tsr_tracker_server_listen         (TsrTrackerServer  *self,
                                                     const char        *address,
                                                     guint16            port,
                                                     guint16           *bound_port,
                                                     GError           **error);
/* What /stats shows, as JSON text. */
char             *tsr_tracker_server_dup_stats_json (TsrTrackerServer  *self);

G_END_DECLS
