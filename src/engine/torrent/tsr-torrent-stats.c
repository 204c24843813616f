/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-stats.c: a torrent's totals and the values a window shows
 * (progress, rates, ratio, ETA, peers) as read-only properties. They are
 * notified once a second at most and only when they changed, so that a
 * list of many torrents binds to them cheaply.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include "tsr-torrent-stats.h"

enum
{
  VIEW_NAME,
  VIEW_STATE,
  VIEW_PROGRESS,
  VIEW_SIZE,
  VIEW_DOWN_RATE,
  VIEW_UP_RATE,
  VIEW_DOWNLOADED,
  VIEW_UPLOADED,
  VIEW_RATIO,
  VIEW_ETA,
  VIEW_N_PEERS,
  VIEW_N_SEEDS,
  N_VIEW
};

static GParamSpec *view_properties[N_VIEW];
static guint view_first_id;

/* What tsr_torrent_stats_notify() last notified. */
typedef struct
{
  gint    state;
  gdouble progress;
  guint64 down_rate;
  guint64 up_rate;
  guint64 downloaded;
  guint64 uploaded;
  gint64  eta;
  guint   n_peers;
  guint   n_seeds;
} ViewValues;

struct _TsrTorrentStats
{
  const TsrTorrentStatsFuncs *funcs;
  gpointer                    user_data;
  gboolean                    sized;         /* the metainfo is known */
  guint64                     total_length;
  guint64                     downloaded;
  guint64                     uploaded;
  gint64                      last_upload;   /* monotonic seconds */
  gboolean                    running;       /* downloading or seeding */
  gboolean                    seeding;
  gint64                      seeding_since; /* monotonic seconds */
  TsrTorrentLimits           *limits;        /* (owned) (nullable) stop conditions, made when one is first set */
  ViewValues                  shown;
};

static TsrStatsFacts
facts_of (TsrTorrentStats *self)
{
  TsrStatsFacts facts = { 0 };

  self->funcs->facts (&facts, self->user_data);
  return facts;
}

void
tsr_torrent_stats_install_properties (GObjectClass *object_class,
                                      guint         first_id)
{
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  guint i;

  g_return_if_fail (view_properties[0] == NULL);
  view_first_id = first_id;
  view_properties[VIEW_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  view_properties[VIEW_STATE] = g_param_spec_int ("state", NULL, NULL, 0, 5 /* TSR_TORRENT_QUEUED */, 0, flags);
  view_properties[VIEW_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, flags);
  view_properties[VIEW_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_DOWN_RATE] = g_param_spec_uint64 ("down-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_UP_RATE] = g_param_spec_uint64 ("up-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_DOWNLOADED] = g_param_spec_uint64 ("downloaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_UPLOADED] = g_param_spec_uint64 ("uploaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_RATIO] = g_param_spec_double ("ratio", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /* Seconds to completion at the current rate; -1 when unknown. */
  view_properties[VIEW_ETA] = g_param_spec_int64 ("eta", NULL, NULL, -1, G_MAXINT64, -1, flags);
  view_properties[VIEW_N_PEERS] = g_param_spec_uint ("n-peers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  view_properties[VIEW_N_SEEDS] = g_param_spec_uint ("n-seeds", NULL, NULL, 0, G_MAXUINT, 0, flags);
  for (i = 0; i < N_VIEW; i++)
    g_object_class_install_property (object_class, first_id + i, view_properties[i]);
}

TsrTorrentStats *
tsr_torrent_stats_new (const TsrTorrentStatsFuncs *funcs,
                       gpointer                    user_data)
{
  TsrTorrentStats *self = g_new0 (TsrTorrentStats, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->shown.eta = -1;
  return self;
}

void
tsr_torrent_stats_free (TsrTorrentStats *self)
{
  if (self == NULL)
    return;
  tsr_torrent_limits_free (self->limits);
  g_free (self);
}

/* Stop conditions ---------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* What the limits ask: kept here but for the running state, which the
 * owner tells. */
static void
limit_facts (TsrLimitFacts *facts,
             gpointer       user_data)
{
  TsrTorrentStats *self = user_data;

  facts->running = self->running;
  facts->seeding = self->seeding;
  facts->uploaded = self->uploaded;
  facts->downloaded = self->downloaded;
  facts->total_length = self->sized ? self->total_length : 0;
  facts->idle_since = MAX (self->last_upload, self->seeding_since);
  facts->now = now_seconds ();
}

static void
limit_reached (const char *reason,
               gpointer    user_data)
{
  TsrTorrentStats *self = user_data;

  self->funcs->limit_reached (reason, self->user_data);
}

static const TsrTorrentLimitsFuncs limits_funcs = {
  .facts = limit_facts,
  .reached = limit_reached,
};

TsrTorrentLimits *
tsr_torrent_stats_get_limits (TsrTorrentStats *self,
                              gboolean         make)
{
  if (self->limits == NULL && make)
    self->limits = tsr_torrent_limits_new (&limits_funcs, self);
  return self->limits;
}

void
tsr_torrent_stats_set_running (TsrTorrentStats *self,
                               gboolean         running,
                               gboolean         seeding,
                               gint64           now)
{
  if (seeding && !self->seeding)
    self->seeding_since = now;
  self->running = running;
  self->seeding = seeding;
  if (!running)
    tsr_torrent_limits_cancel (self->limits);
  else
    tsr_torrent_limits_check (self->limits);
}

void
tsr_torrent_stats_check_limits (TsrTorrentStats *self)
{
  tsr_torrent_limits_check (self->limits);
}

gboolean
tsr_torrent_stats_is_stopping (TsrTorrentStats *self)
{
  return tsr_torrent_limits_is_stopping (self->limits);
}

void
tsr_torrent_stats_set_size (TsrTorrentStats *self,
                            guint64          total_length)
{
  self->sized = TRUE;
  self->total_length = total_length;
}

void
tsr_torrent_stats_moved (TsrTorrentStats *self,
                         guint64          bytes,
                         gboolean         uploaded,
                         gint64           now)
{
  if (uploaded)
    {
      self->uploaded += bytes;
      self->last_upload = now;
    }
  else
    self->downloaded += bytes;
  tsr_torrent_limits_check (self->limits);
}

guint64
tsr_torrent_stats_get_downloaded (TsrTorrentStats *self)
{
  return self->downloaded;
}

guint64
tsr_torrent_stats_get_uploaded (TsrTorrentStats *self)
{
  return self->uploaded;
}

gint64
tsr_torrent_stats_get_last_upload (TsrTorrentStats *self)
{
  return self->last_upload;
}

guint64
tsr_torrent_stats_get_down_rate (TsrTorrentStats *self)
{
  return facts_of (self).down_rate;
}

guint64
tsr_torrent_stats_get_up_rate (TsrTorrentStats *self)
{
  return facts_of (self).up_rate;
}

static gdouble
progress_of (TsrTorrentStats     *self,
             const TsrStatsFacts *facts)
{
  if (!self->sized)
    return 0.0;
  if (self->total_length == 0)
    return 1.0;
  return (gdouble) facts->bytes_have / (gdouble) self->total_length;
}

gdouble
tsr_torrent_stats_get_progress (TsrTorrentStats *self)
{
  TsrStatsFacts facts = facts_of (self);

  return progress_of (self, &facts);
}

gdouble
tsr_torrent_stats_get_ratio (TsrTorrentStats *self)
{
  if (!self->sized || self->total_length == 0)
    return 0;
  return (gdouble) self->uploaded / (gdouble) self->total_length;
}

static gint64
eta_of (TsrTorrentStats     *self,
        const TsrStatsFacts *facts)
{
  guint64 rate = facts->down_rate;

  if (!facts->downloading || rate == 0 || !self->sized)
    return -1;
  return (gint64) ((self->total_length - facts->bytes_have + rate - 1) / rate);
}

gint64
tsr_torrent_stats_get_eta (TsrTorrentStats *self)
{
  TsrStatsFacts facts = facts_of (self);

  return eta_of (self, &facts);
}

gboolean
tsr_torrent_stats_get_property (TsrTorrentStats *self,
                                guint            id,
                                GValue          *value)
{
  if (id < view_first_id || id >= view_first_id + N_VIEW)
    return FALSE;
  switch (id - view_first_id)
    {
    case VIEW_NAME:
      g_value_set_string (value, facts_of (self).name);
      break;
    case VIEW_STATE:
      g_value_set_int (value, facts_of (self).state);
      break;
    case VIEW_PROGRESS:
      g_value_set_double (value, tsr_torrent_stats_get_progress (self));
      break;
    case VIEW_SIZE:
      g_value_set_uint64 (value, self->sized ? self->total_length : 0);
      break;
    case VIEW_DOWN_RATE:
      g_value_set_uint64 (value, facts_of (self).down_rate);
      break;
    case VIEW_UP_RATE:
      g_value_set_uint64 (value, facts_of (self).up_rate);
      break;
    case VIEW_DOWNLOADED:
      g_value_set_uint64 (value, self->downloaded);
      break;
    case VIEW_UPLOADED:
      g_value_set_uint64 (value, self->uploaded);
      break;
    case VIEW_RATIO:
      g_value_set_double (value, tsr_torrent_stats_get_ratio (self));
      break;
    case VIEW_ETA:
      g_value_set_int64 (value, tsr_torrent_stats_get_eta (self));
      break;
    case VIEW_N_PEERS:
      g_value_set_uint (value, facts_of (self).n_peers);
      break;
    case VIEW_N_SEEDS:
      g_value_set_uint (value, facts_of (self).n_seeds);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

void
tsr_torrent_stats_notify (TsrTorrentStats *self,
                          GObject         *object)
{
  TsrStatsFacts facts = facts_of (self);
  ViewValues now = {
    .state = facts.state,
    .progress = progress_of (self, &facts),
    .down_rate = facts.down_rate,
    .up_rate = facts.up_rate,
    .downloaded = self->downloaded,
    .uploaded = self->uploaded,
    .eta = eta_of (self, &facts),
    .n_peers = facts.n_peers,
    .n_seeds = facts.n_seeds,
  };
  ViewValues *was = &self->shown;

  g_object_freeze_notify (object);
  if (now.state != was->state)
    g_object_notify_by_pspec (object, view_properties[VIEW_STATE]);
  if (now.progress != was->progress)
    g_object_notify_by_pspec (object, view_properties[VIEW_PROGRESS]);
  if (now.down_rate != was->down_rate)
    g_object_notify_by_pspec (object, view_properties[VIEW_DOWN_RATE]);
  if (now.up_rate != was->up_rate)
    g_object_notify_by_pspec (object, view_properties[VIEW_UP_RATE]);
  if (now.downloaded != was->downloaded)
    g_object_notify_by_pspec (object, view_properties[VIEW_DOWNLOADED]);
  if (now.uploaded != was->uploaded)
    {
      g_object_notify_by_pspec (object, view_properties[VIEW_UPLOADED]);
      g_object_notify_by_pspec (object, view_properties[VIEW_RATIO]);
    }
  if (now.eta != was->eta)
    g_object_notify_by_pspec (object, view_properties[VIEW_ETA]);
  if (now.n_peers != was->n_peers)
    g_object_notify_by_pspec (object, view_properties[VIEW_N_PEERS]);
  if (now.n_seeds != was->n_seeds)
    g_object_notify_by_pspec (object, view_properties[VIEW_N_SEEDS]);
  *was = now;
  g_object_thaw_notify (object);
}
