/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-signals.c: the signals of TsrTorrent, made once for its
 * class: their names, and the values each carries (in the order the
 * class always made them); and the reports that are only a signal.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "tsr-torrent-signals.h"

/* The class's, for the emitters below: made once, like the class. */
static guint signals[TSR_TORRENT_N_SIGNALS];

/* Run last, no class handler, no return value; @n_params GTypes follow. */
static guint
signal_new (GType       type,
            const char *name,
            guint       n_params,
            ...)
{
  va_list params;
  guint id;

  va_start (params, n_params);
  id = g_signal_new_valist (name, type, G_SIGNAL_RUN_LAST, NULL, NULL, NULL, NULL, G_TYPE_NONE, n_params, params);
  va_end (params);
  return id;
}

void
tsr_torrent_signals_install (GType  type,
                             guint *ids)
{
  ids[TSR_TORRENT_SIGNAL_STATE_CHANGED] = signal_new (type, "state-changed", 0);
  /* piece index */
  ids[TSR_TORRENT_SIGNAL_PIECE_VERIFIED] = signal_new (type, "piece-verified", 1, G_TYPE_UINT);
  ids[TSR_TORRENT_SIGNAL_HASH_FAILED] = signal_new (type, "hash-failed", 1, G_TYPE_UINT);
  /* address; address, reason */
  ids[TSR_TORRENT_SIGNAL_PEER_CONNECTED] = signal_new (type, "peer-connected", 1, G_TYPE_STRING);
  ids[TSR_TORRENT_SIGNAL_PEER_GONE] = signal_new (type, "peer-gone", 2, G_TYPE_STRING, G_TYPE_STRING);
  ids[TSR_TORRENT_SIGNAL_DONE] = signal_new (type, "done", 0);
  /* url, seeders, leechers (-1: unknown), peers received */
  ids[TSR_TORRENT_SIGNAL_TRACKER_REPLY] = signal_new (type, "tracker-reply", 3, G_TYPE_STRING, G_TYPE_INT64,
                                                      G_TYPE_INT64);
  /* url, message */
  ids[TSR_TORRENT_SIGNAL_TRACKER_ERROR] = signal_new (type, "tracker-error", 2, G_TYPE_STRING, G_TYPE_STRING);
  /* address, reason */
  ids[TSR_TORRENT_SIGNAL_PEER_BANNED] = signal_new (type, "peer-banned", 2, G_TYPE_STRING, G_TYPE_STRING);
  /* "up-total", "down-total", "seed-ratio" or "seed-idle" */
  ids[TSR_TORRENT_SIGNAL_LIMIT_REACHED] = signal_new (type, "limit-reached", 1, G_TYPE_STRING);
  /* address: a connection to it is being set up */
  ids[TSR_TORRENT_SIGNAL_PEER_DIALING] = signal_new (type, "peer-dialing", 1, G_TYPE_STRING);
  /* address, change: "choked-us", "unchoked-us", "interested-in-us",
   * "not-interested-in-us", "we-choke", "we-unchoke", "we-are-interested",
   * "we-are-not-interested" */
  ids[TSR_TORRENT_SIGNAL_PEER_STATE] = signal_new (type, "peer-state", 2, G_TYPE_STRING, G_TYPE_STRING);
  /* url, seeders, leechers, downloaded (-1: not told): BEP 48 */
  ids[TSR_TORRENT_SIGNAL_SCRAPE] = signal_new (type, "scrape-reply", 4, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64,
                                               G_TYPE_INT64);
  /* url, message */
  ids[TSR_TORRENT_SIGNAL_SCRAPE_ERROR] = signal_new (type, "scrape-error", 2, G_TYPE_STRING, G_TYPE_STRING);
  /* A peer told its DHT port (BEP 5 port message): "host:port" of a node. */
  ids[TSR_TORRENT_SIGNAL_DHT_NODE] = signal_new (type, "dht-node", 1, G_TYPE_STRING);
  /* A torrent added from a magnet link has its metainfo now. */
  ids[TSR_TORRENT_SIGNAL_METADATA] = signal_new (type, "metadata-received", 0);
  /* pieces found good at start, and whether a resume record told (TRUE)
   * or the data was hashed (FALSE) */
  ids[TSR_TORRENT_SIGNAL_CHECKED] = signal_new (type, "checked", 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
  /* path (as it was), new name: tsr_torrent_rename_path_async */
  ids[TSR_TORRENT_SIGNAL_FILE_RENAMED] = signal_new (type, "file-renamed", 2, G_TYPE_STRING, G_TYPE_STRING);
  memcpy (signals, ids, sizeof signals);
}

void
tsr_torrent_signals_swarm_event (TsrSwarmEvent  event,
                                 const char    *address,
                                 const char    *detail,
                                 gpointer       torrent)
{
  if (event == TSR_SWARM_CONNECTED)
    g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_CONNECTED], 0, address);
  else if (event == TSR_SWARM_GONE)
    g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_GONE], 0, address, detail);
  else if (event == TSR_SWARM_DIALING)
    g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_DIALING], 0, address);
  else
    g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_STATE], 0, address, detail);
}

void
tsr_torrent_signals_peer_banned (const TsrPeerAddress *key,
                                 const char           *reason,
                                 gpointer              torrent)
{
  g_autofree char *text = tsr_peer_address_to_string (key);

  g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_BANNED], 0, text, reason);
}

void
tsr_torrent_signals_url_banned (const char *url,
                                const char *reason,
                                gpointer    torrent)
{
  g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_PEER_BANNED], 0, url, reason);
}

void
tsr_torrent_signals_file_renamed (gpointer    torrent,
                                  const char *path,
                                  const char *new_name)
{
  g_signal_emit (torrent, signals[TSR_TORRENT_SIGNAL_FILE_RENAMED], 0, path, new_name);
}
