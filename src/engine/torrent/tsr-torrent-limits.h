/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-limits.h: when a running torrent stops by itself: after
 * uploading or downloading so many bytes, at a seed ratio, or after
 * seeding idle for so long. The torrent tells it when the totals move;
 * it asks the torrent for the facts, and reports a limit reached from
 * an idle, never inside the caller.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrTorrentLimits TsrTorrentLimits;

/* What the limits are measured against, as of now. */
typedef struct
{
  gboolean running;        /* downloading or seeding: a limit may stop it */
  gboolean seeding;
  guint64  uploaded;
  guint64  downloaded;
  guint64  total_length;
  gint64   idle_since;     /* monotonic seconds: the last upload, or seeding's start if later */
  gint64   now;            /* monotonic seconds */
} TsrLimitFacts;

typedef struct
{
  void (*facts)   (TsrLimitFacts *facts,
                   gpointer       user_data);
  /* @reason: "up-total", "down-total", "seed-ratio" or "seed-idle". */
  void (*reached) (const char    *reason,
                   gpointer       user_data);
} TsrTorrentLimitsFuncs;

TsrTorrentLimits *tsr_torrent_limits_new    (const TsrTorrentLimitsFuncs *funcs,
                                             gpointer                     user_data);
/* Cancels a report not yet made. NULL is ignored. */
void        tsr_torrent_limits_free         (TsrTorrentLimits *self);

/* 0 (and a ratio ≤ 0) is no limit. Each checks at once. */
void        tsr_torrent_limits_set          (TsrTorrentLimits *self,
                                             guint64           up_total,
                                             guint64           down_total,
                                             gdouble           seed_ratio);
void        tsr_torrent_limits_get          (TsrTorrentLimits *self,
                                             guint64          *up_total,
                                             guint64          *down_total,
                                             gdouble          *seed_ratio);
void        tsr_torrent_limits_set_seed_idle (TsrTorrentLimits *self,
                                              guint             seconds);
/* No limit set: checking is free. */
gboolean    tsr_torrent_limits_is_empty     (TsrTorrentLimits *self);

/* The totals or the state moved: if a limit is reached, reports it from
 * an idle (once; the idle checks again before reporting). This, the two
 * below and free take NULL as "no limits": a torrent makes its
 * TsrTorrentLimits when a limit is first set. */
void        tsr_torrent_limits_check        (TsrTorrentLimits *self);
/* A report is on its way: the torrent is about to stop. */
gboolean    tsr_torrent_limits_is_stopping  (TsrTorrentLimits *self);
/* Forgets a report on its way (the torrent stopped for another reason). */
void        tsr_torrent_limits_cancel       (TsrTorrentLimits *self);

/* The limit @facts reach, or NULL. */
const char *tsr_torrent_limits_reached      (TsrTorrentLimits    *self,
                                             const TsrLimitFacts *facts);

G_END_DECLS
