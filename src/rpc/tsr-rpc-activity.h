/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-activity.h: what the Transmission RPC reports of a torrent's
 * history that the engine does not keep: seconds spent downloading and
 * seeding, when it started, finished and was last active, and each
 * tracker's last announce and scrape. Watched from the torrent's signals
 * from the moment the RPC first sees it; the seconds and the finishing
 * date carry over runs through tsr-rpc-history.h, the rest is this run's.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   last_announce_time;      /* real seconds; 0: none yet */
  gboolean last_announce_succeeded;
  char    *last_announce_result;    /* (owned) "Success" or the tracker's error */
  gint64   last_scrape_time;
  gboolean last_scrape_succeeded;
  char    *last_scrape_result;      /* (owned) */
  gint64   seeders;                 /* -1: unknown */
  gint64   leechers;
  gint64   downloaded;
} TsrRpcTrackerStat;

typedef struct _TsrRpcActivity TsrRpcActivity;

/* Starts watching @torrent (once; later calls do nothing). */
void     tsr_rpc_activity_watch (TsrTorrent *torrent);
/* Adds what earlier runs counted (tsr-rpc-history.h): seconds
 * downloading and seeding, and when it finished (0: not known). */
void     tsr_rpc_activity_add_past (TsrTorrent *torrent,
                                    gint64      seconds_downloading,
                                    gint64      seconds_seeding,
                                    gint64      done_date);
/* Seconds it downloaded and seeded so far, earlier runs' included. */
gint64   tsr_rpc_activity_get_seconds_downloading (TsrTorrent *torrent);
gint64   tsr_rpc_activity_get_seconds_seeding     (TsrTorrent *torrent);
/* Real seconds since the epoch; 0: not yet. */
gint64   tsr_rpc_activity_get_start_date    (TsrTorrent *torrent);
gint64   tsr_rpc_activity_get_done_date     (TsrTorrent *torrent);
gint64   tsr_rpc_activity_get_activity_date (TsrTorrent *torrent);
/* (nullable) (transfer none) What the tracker at @url last answered. */
const TsrRpcTrackerStat *tsr_rpc_activity_get_tracker (TsrTorrent *torrent,
                                                       const char *url);

G_END_DECLS
