/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker.h: the trackers of one torrent: HTTP(S) through libsoup and
 * UDP (BEP 15), tried tier by tier (BEP 12), with the announce schedule.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-announce.h"
#include "tsr-metainfo.h"

G_BEGIN_DECLS

#define TSR_TYPE_TRACKER (tsr_tracker_get_type ())
G_DECLARE_FINAL_TYPE (TsrTracker, tsr_tracker, TSR, TRACKER, GObject)

/* Supplies the numbers of each announce (uploaded, downloaded, left). */
typedef void (*TsrTrackerStatsFunc) (gpointer            user_data,
                                     TsrAnnounceRequest *request);

TsrTracker *tsr_tracker_new          (TsrMetainfo          *info,
                                      const guint8         *peer_id,
                                      guint16               port,
                                      TsrTrackerStatsFunc   stats,
                                      gpointer              stats_data);
/* The same for a torrent known only by its hash (a magnet link): @tiers
 * is a GPtrArray of GPtrArray of URLs, copied. @info_hash is the 20 bytes
 * peers and trackers know it by (tsr_metainfo_get_wire_hash). */
TsrTracker *tsr_tracker_new_for_hash (const guint8         *info_hash,
                                      GPtrArray            *tiers,
                                      const guint8         *peer_id,
                                      guint16               port,
                                      TsrTrackerStatsFunc   stats,
                                      gpointer              stats_data);

/* UDP trackers are asked from these sockets (net/tsr-udp-socket.h; the
 * session's, on its listen port; either may be NULL) instead of one of
 * their own, from the next attempt on. References are taken. */
struct _TsrUdpSocket;
void        tsr_tracker_set_udp_sockets (TsrTracker           *self,
                                         struct _TsrUdpSocket *udp4,
                                         struct _TsrUdpSocket *udp6);

/* Whether the torrent names any tracker. */
gboolean    tsr_tracker_has_urls     (TsrTracker           *self);

/* Announces "started" and keeps announcing at the tracker's interval
 * (sooner only through tsr_tracker_announce_soon or _want_peers). */
void        tsr_tracker_start        (TsrTracker           *self);
/* Scrapes every tracker of the torrent (BEP 48; UDP: BEP 15): signals
 * "scrape" (url, seeders, leechers, downloaded; -1: not told) or
 * "scrape-error" (url, message), once per tracker. */
void        tsr_tracker_scrape       (TsrTracker           *self);
/* Scrapes on a schedule, for the swarm counts a trackers view shows:
 * the first TSR_TRACKER_SCRAPE_FIRST s after tsr_tracker_plan_scrapes
 * (the torrent started), then every TSR_TRACKER_SCRAPE_INTERVAL s. The
 * owner's clock drives it (monotonic seconds); nothing is planned before
 * the first plan. */
#define TSR_TRACKER_SCRAPE_FIRST 5
#define TSR_TRACKER_SCRAPE_INTERVAL (30 * 60)
void        tsr_tracker_plan_scrapes    (TsrTracker        *self,
                                         gint64             now);
/* Scrapes if one is due by @now. */
void        tsr_tracker_scrape_when_due (TsrTracker        *self,
                                         gint64             now);
/* Scrapes now, and the next one an interval later; FALSE (nothing
 * changes) when the torrent names no tracker. */
gboolean    tsr_tracker_scrape_now      (TsrTracker        *self,
                                         gint64             now);
/* When the next scrape is due (G_MAXINT64: none planned). */
gint64      tsr_tracker_get_scrape_due  (TsrTracker        *self);
/* One announce with @event now (tier by tier, as always); the next is
 * planned as after any announce ("stopped": none). For one-shot tools. */
void        tsr_tracker_announce_event (TsrTracker       *self,
                                        TsrAnnounceEvent  event);
/* URLs over all tiers. */
guint       tsr_tracker_get_n_urls   (TsrTracker           *self);
/* HTTPS trackers are checked against @database (e.g. a tracker's own
 * certificate authority) instead of the system's trusted ones. */
void        tsr_tracker_set_tls_database (TsrTracker       *self,
                                          GTlsDatabase     *database);
/* Seconds an HTTP(S) tracker has for a whole reply, headers and body
 * (30 by default); past it the attempt fails as the tracker's error. */
void        tsr_tracker_set_timeout  (TsrTracker           *self,
                                      guint                 seconds);
/* Announces "completed" now. */
void        tsr_tracker_completed    (TsrTracker           *self);
/* Asks again soon, because the user asked: a minute after the last
 * announce at the earliest, or the tracker's "min interval". */
void        tsr_tracker_announce_soon (TsrTracker          *self);
/* Asks again soon because the peers ran out: five minutes after the
 * last announce at the earliest (libtorrent's min_announce_interval), or
 * the tracker's "min interval" if it gave one. */
void        tsr_tracker_want_peers   (TsrTracker           *self);
/* Announces "stopped" (best effort, not waited for) and stops. */
void        tsr_tracker_stop         (TsrTracker           *self);

/* Seconds until the next announce; -1 when none is planned. */
gint64      tsr_tracker_get_next_announce (TsrTracker      *self);
/* Whether an announce is on its way (at shutdown: wait for "stopped"). */
gboolean    tsr_tracker_is_busy      (TsrTracker           *self);

/* Signals: "peers" (GArray of TsrAnnouncePeer), "reply" (url, seeders,
 * leechers, interval), "error" (url, message), "warning" (url, message). */

G_END_DECLS
