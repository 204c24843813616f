/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-signals.h: the signals of TsrTorrent, what each carries
 * and when it is emitted (tsr-torrent.h tells its users), and their
 * installation on the class; the reports of the torrent's modules that
 * are only a signal, emitted here. Engine-private: for tsr-torrent.c,
 * which emits the others.
 */
#pragma once

#include <glib-object.h>

#include "tsr-peer-address.h"
#include "tsr-swarm.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_TORRENT_SIGNAL_STATE_CHANGED,
  TSR_TORRENT_SIGNAL_PIECE_VERIFIED,
  TSR_TORRENT_SIGNAL_HASH_FAILED,
  TSR_TORRENT_SIGNAL_PEER_CONNECTED,
  TSR_TORRENT_SIGNAL_PEER_GONE,
  TSR_TORRENT_SIGNAL_DONE,
  TSR_TORRENT_SIGNAL_TRACKER_REPLY,
  TSR_TORRENT_SIGNAL_TRACKER_ERROR,
  TSR_TORRENT_SIGNAL_CHECKED,
  TSR_TORRENT_SIGNAL_PEER_BANNED,
  TSR_TORRENT_SIGNAL_LIMIT_REACHED,
  TSR_TORRENT_SIGNAL_PEER_DIALING,
  TSR_TORRENT_SIGNAL_PEER_STATE,
  TSR_TORRENT_SIGNAL_METADATA,
  TSR_TORRENT_SIGNAL_SCRAPE,
  TSR_TORRENT_SIGNAL_SCRAPE_ERROR,
  TSR_TORRENT_SIGNAL_DHT_NODE,
  TSR_TORRENT_SIGNAL_FILE_RENAMED,
  TSR_TORRENT_N_SIGNALS
} TsrTorrentSignal;

/* Installs them on @type, a TsrTorrent's, storing each id in @ids. */
void tsr_torrent_signals_install     (GType                 type,
                                      guint                *ids);

/* Callbacks of the swarm's and the web seeds' tables, @torrent their
 * user_data. TsrSwarmFuncs.event: "peer-connected", "peer-gone",
 * "peer-dialing", else "peer-state". */
void tsr_torrent_signals_swarm_event (TsrSwarmEvent         event,
                                      const char           *address,
                                      const char           *detail,
                                      gpointer              torrent);
/* TsrSwarmFuncs.banned: "peer-banned" with the address. */
void tsr_torrent_signals_peer_banned (const TsrPeerAddress *key,
                                      const char           *reason,
                                      gpointer              torrent);
/* TsrWebSeedsFuncs.banned: "peer-banned" with the seed's URL. */
void tsr_torrent_signals_url_banned  (const char           *url,
                                      const char           *reason,
                                      gpointer              torrent);

/* "file-renamed": @path (the old one) is now called @new_name. */
void tsr_torrent_signals_file_renamed (gpointer             torrent,
                                       const char          *path,
                                       const char          *new_name);

G_END_DECLS
