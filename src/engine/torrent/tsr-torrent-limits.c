/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-limits.c: a torrent's stop conditions (byte totals, seed
 * ratio, seed idle time). Checked whenever the totals move, which is
 * every block: with no limit set, a check is one comparison.
 */
#define G_LOG_DOMAIN "tsr-torrent-limits"

#include "config.h"

#include "tsr-torrent-limits.h"

struct _TsrTorrentLimits
{
  const TsrTorrentLimitsFuncs *funcs;
  gpointer                     user_data;
  guint64                      up_total;    /* 0: no limit */
  guint64                      down_total;
  gdouble                      seed_ratio;
  guint                        seed_idle;   /* seconds without uploading; 0: no limit */
  guint                        source;      /* idle: report the limit reached */
};

TsrTorrentLimits *
tsr_torrent_limits_new (const TsrTorrentLimitsFuncs *funcs,
                        gpointer                     user_data)
{
  TsrTorrentLimits *self = g_new0 (TsrTorrentLimits, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_torrent_limits_free (TsrTorrentLimits *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->source, g_source_remove);
  g_free (self);
}

const char *
tsr_torrent_limits_reached (TsrTorrentLimits    *self,
                            const TsrLimitFacts *facts)
{
  if (!facts->running)
    return NULL;
  if (self->up_total > 0 && facts->uploaded >= self->up_total)
    return "up-total";
  if (self->down_total > 0 && facts->downloaded >= self->down_total)
    return "down-total";
  if (self->seed_ratio > 0 && facts->seeding && facts->total_length > 0 &&
      (gdouble) facts->uploaded / (gdouble) facts->total_length >= self->seed_ratio)
    return "seed-ratio";
  if (self->seed_idle > 0 && facts->seeding && facts->now - facts->idle_since >= self->seed_idle)
    return "seed-idle";
  return NULL;
}

static const char *
reached_now (TsrTorrentLimits *self)
{
  TsrLimitFacts facts = { 0 };

  self->funcs->facts (&facts, self->user_data);
  return tsr_torrent_limits_reached (self, &facts);
}

static gboolean
on_reached (gpointer user_data)
{
  TsrTorrentLimits *self = user_data;
  const char *reason;

  self->source = 0;
  /* The facts may have changed since the check (a stop, a new limit). */
  reason = reached_now (self);
  if (reason != NULL)
    self->funcs->reached (reason, self->user_data);
  return G_SOURCE_REMOVE;
}

gboolean
tsr_torrent_limits_is_empty (TsrTorrentLimits *self)
{
  return self->up_total == 0 && self->down_total == 0 && self->seed_ratio <= 0 && self->seed_idle == 0;
}

void
tsr_torrent_limits_check (TsrTorrentLimits *self)
{
  if (self == NULL || self->source != 0 || tsr_torrent_limits_is_empty (self))
    return;
  if (reached_now (self) != NULL)
    self->source = g_idle_add (on_reached, self);
}

gboolean
tsr_torrent_limits_is_stopping (TsrTorrentLimits *self)
{
  return self != NULL && self->source != 0;
}

void
tsr_torrent_limits_cancel (TsrTorrentLimits *self)
{
  if (self != NULL)
    g_clear_handle_id (&self->source, g_source_remove);
}

void
tsr_torrent_limits_set (TsrTorrentLimits *self,
                        guint64           up_total,
                        guint64           down_total,
                        gdouble           seed_ratio)
{
  self->up_total = up_total;
  self->down_total = down_total;
  self->seed_ratio = MAX (seed_ratio, 0);
  tsr_torrent_limits_check (self);
}

void
tsr_torrent_limits_get (TsrTorrentLimits *self,
                        guint64          *up_total,
                        guint64          *down_total,
                        gdouble          *seed_ratio)
{
  *up_total = self->up_total;
  *down_total = self->down_total;
  *seed_ratio = self->seed_ratio;
}

void
tsr_torrent_limits_set_seed_idle (TsrTorrentLimits *self,
                                  guint             seconds)
{
  self->seed_idle = seconds;
  tsr_torrent_limits_check (self);
}
