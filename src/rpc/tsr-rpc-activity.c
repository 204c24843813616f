/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-activity.c: a torrent's history as the RPC reports it, kept as
 * object data on the torrent and fed by its signals: "state-changed"
 * closes and opens the downloading and seeding spans, "tracker-reply",
 * "tracker-error", "scrape-reply" and "scrape-error" fill each tracker's
 * stats. The data goes with the torrent; the handlers with it.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include "tsr-rpc-activity.h"

struct _TsrRpcActivity
{
  TsrTorrentState state;
  gint64          since;            /* monotonic seconds of the last state change */
  gint64          downloading;      /* seconds, closed spans only */
  gint64          seeding;
  gint64          start_date;       /* real seconds */
  gint64          done_date;
  gint64          activity_date;
  GHashTable     *trackers;         /* url → TsrRpcTrackerStat (owned) */
};

static GQuark
activity_quark (void)
{
  return g_quark_from_static_string ("tsr-rpc-activity");
}

static gint64
now_real (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
now_mono (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
tracker_stat_free (TsrRpcTrackerStat *stat)
{
  g_free (stat->last_announce_result);
  g_free (stat->last_scrape_result);
  g_free (stat);
}

static void
activity_free (TsrRpcActivity *self)
{
  g_hash_table_unref (self->trackers);
  g_free (self);
}

static TsrRpcActivity *
get (TsrTorrent *torrent)
{
  return g_object_get_qdata (G_OBJECT (torrent), activity_quark ());
}

static TsrRpcTrackerStat *
stat_for (TsrRpcActivity *self,
          const char     *url)
{
  TsrRpcTrackerStat *stat = g_hash_table_lookup (self->trackers, url);

  if (stat != NULL)
    return stat;
  stat = g_new0 (TsrRpcTrackerStat, 1);
  stat->seeders = stat->leechers = stat->downloaded = -1;
  g_hash_table_insert (self->trackers, g_strdup (url), stat);
  return stat;
}

static gboolean
is_downloading (TsrTorrentState state)
{
  return state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_FETCHING;
}

static void
on_state_changed (TsrTorrent     *torrent,
                  TsrRpcActivity *self)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);
  gint64 now = now_mono ();

  if (state == self->state)
    return;
  if (is_downloading (self->state))
    self->downloading += now - self->since;
  else if (self->state == TSR_TORRENT_SEEDING)
    self->seeding += now - self->since;
  if ((is_downloading (state) || state == TSR_TORRENT_SEEDING || state == TSR_TORRENT_CHECKING) &&
      (self->state == TSR_TORRENT_STOPPED || self->state == TSR_TORRENT_QUEUED || self->state == TSR_TORRENT_ERROR))
    self->start_date = now_real ();
  /* Finished: the first time, or again after getting more. A torrent
   * that resumes complete passes through downloading to seeding with
   * nothing downloaded and keeps the date of an earlier run. */
  if (state == TSR_TORRENT_SEEDING && is_downloading (self->state) &&
      (self->done_date == 0 || tsr_torrent_get_downloaded (torrent) > 0))
    self->done_date = now_real ();
  self->activity_date = now_real ();
  self->state = state;
  self->since = now;
}

static void
on_tracker_reply (TsrTorrent     *torrent,
                  const char     *url,
                  gint64          seeders,
                  gint64          leechers,
                  TsrRpcActivity *self)
{
  TsrRpcTrackerStat *stat = stat_for (self, url);

  stat->last_announce_time = now_real ();
  stat->last_announce_succeeded = TRUE;
  g_free (stat->last_announce_result);
  stat->last_announce_result = g_strdup ("Success");
  if (seeders >= 0)
    stat->seeders = seeders;
  if (leechers >= 0)
    stat->leechers = leechers;
}

static void
on_tracker_error (TsrTorrent     *torrent,
                  const char     *url,
                  const char     *message,
                  TsrRpcActivity *self)
{
  TsrRpcTrackerStat *stat = stat_for (self, url);

  stat->last_announce_time = now_real ();
  stat->last_announce_succeeded = FALSE;
  g_free (stat->last_announce_result);
  stat->last_announce_result = g_strdup (message);
}

static void
on_scrape_reply (TsrTorrent     *torrent,
                 const char     *url,
                 gint64          seeders,
                 gint64          leechers,
                 gint64          downloaded,
                 TsrRpcActivity *self)
{
  TsrRpcTrackerStat *stat = stat_for (self, url);

  stat->last_scrape_time = now_real ();
  stat->last_scrape_succeeded = TRUE;
  g_free (stat->last_scrape_result);
  stat->last_scrape_result = g_strdup ("");
  stat->seeders = seeders;
  stat->leechers = leechers;
  stat->downloaded = downloaded;
}

static void
on_scrape_error (TsrTorrent     *torrent,
                 const char     *url,
                 const char     *message,
                 TsrRpcActivity *self)
{
  TsrRpcTrackerStat *stat = stat_for (self, url);

  stat->last_scrape_time = now_real ();
  stat->last_scrape_succeeded = FALSE;
  g_free (stat->last_scrape_result);
  stat->last_scrape_result = g_strdup (message);
}

void
tsr_rpc_activity_watch (TsrTorrent *torrent)
{
  TsrRpcActivity *self;

  if (get (torrent) != NULL)
    return;
  self = g_new0 (TsrRpcActivity, 1);
  self->state = tsr_torrent_get_state (torrent);
  self->since = now_mono ();
  if (self->state != TSR_TORRENT_STOPPED && self->state != TSR_TORRENT_QUEUED && self->state != TSR_TORRENT_ERROR)
    self->start_date = now_real ();
  self->activity_date = now_real ();
  self->trackers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) tracker_stat_free);
  /* Freed with the torrent, after its handlers are gone. */
  g_object_set_qdata_full (G_OBJECT (torrent), activity_quark (), self, (GDestroyNotify) activity_free);
  g_signal_connect (torrent, "state-changed", G_CALLBACK (on_state_changed), self);
  g_signal_connect (torrent, "tracker-reply", G_CALLBACK (on_tracker_reply), self);
  g_signal_connect (torrent, "tracker-error", G_CALLBACK (on_tracker_error), self);
  g_signal_connect (torrent, "scrape-reply", G_CALLBACK (on_scrape_reply), self);
  g_signal_connect (torrent, "scrape-error", G_CALLBACK (on_scrape_error), self);
}

void
tsr_rpc_activity_add_past (TsrTorrent *torrent,
                           gint64      seconds_downloading,
                           gint64      seconds_seeding,
                           gint64      done_date)
{
  TsrRpcActivity *self = get (torrent);

  g_return_if_fail (self != NULL);
  self->downloading += seconds_downloading;
  self->seeding += seconds_seeding;
  if (self->done_date == 0)
    self->done_date = done_date;
}

static gint64
open_span (TsrRpcActivity *self,
           gboolean        seeding)
{
  gboolean match = seeding ? self->state == TSR_TORRENT_SEEDING : is_downloading (self->state);

  return match ? now_mono () - self->since : 0;
}

gint64
tsr_rpc_activity_get_seconds_downloading (TsrTorrent *torrent)
{
  TsrRpcActivity *self = get (torrent);

  return self != NULL ? self->downloading + open_span (self, FALSE) : 0;
}

gint64
tsr_rpc_activity_get_seconds_seeding (TsrTorrent *torrent)
{
  TsrRpcActivity *self = get (torrent);

  return self != NULL ? self->seeding + open_span (self, TRUE) : 0;
}

gint64
tsr_rpc_activity_get_start_date (TsrTorrent *torrent)
{
  TsrRpcActivity *self = get (torrent);

  return self != NULL ? self->start_date : 0;
}

gint64
tsr_rpc_activity_get_done_date (TsrTorrent *torrent)
{
  TsrRpcActivity *self = get (torrent);

  return self != NULL ? self->done_date : 0;
}

gint64
tsr_rpc_activity_get_activity_date (TsrTorrent *torrent)
{
  TsrRpcActivity *self = get (torrent);

  if (self == NULL)
    return 0;
  /* Moving data is activity too: seen now. */
  if (tsr_torrent_get_down_rate (torrent) > 0 || tsr_torrent_get_up_rate (torrent) > 0)
    self->activity_date = now_real ();
  return self->activity_date;
}

const TsrRpcTrackerStat *
tsr_rpc_activity_get_tracker (TsrTorrent *torrent,
                              const char *url)
{
  TsrRpcActivity *self = get (torrent);

  return self != NULL ? g_hash_table_lookup (self->trackers, url) : NULL;
}
