/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-statistics.h: how much was downloaded and uploaded, for how long,
 * and how many torrents were added, this session and in all, as
 * Transmission's Edit → Statistics has it. The totals are read from a
 * small key file in the app's data folder at start and written back a
 * few seconds after they change (on a worker, through GIO), and at once
 * by tsr_statistics_save at shutdown.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 downloaded;       /* bytes */
  guint64 uploaded;         /* bytes */
  guint64 seconds_active;   /* while the app ran */
  guint64 torrents_added;
} TsrStatTotals;

/* The ratio of @totals: uploaded / downloaded; -1 when nothing was
 * downloaded (no ratio). */
gdouble        tsr_stat_totals_get_ratio  (const TsrStatTotals *totals);
/* "1.25", "∞" (uploaded, nothing downloaded) or "None". */
char          *tsr_stat_totals_format_ratio (const TsrStatTotals *totals);

#define TSR_TYPE_STATISTICS (tsr_statistics_get_type ())
G_DECLARE_FINAL_TYPE (TsrStatistics, tsr_statistics, TSR, STATISTICS, GObject)

/* Reads the totals of earlier sessions from @path (none when it is
 * missing; a damaged file is said with a warning and counted from zero)
 * and saves there @save_delay_ms after a change. */
TsrStatistics *tsr_statistics_new         (const char          *path,
                                           guint                save_delay_ms);
/* Adds what a tick saw, emits "changed" and schedules a save. */
void           tsr_statistics_record      (TsrStatistics       *self,
                                           guint64              downloaded,
                                           guint64              uploaded,
                                           guint                seconds);
void           tsr_statistics_add_torrent (TsrStatistics       *self);
void           tsr_statistics_get_session (TsrStatistics       *self,
                                           TsrStatTotals       *totals);
/* Earlier sessions and this one. */
void           tsr_statistics_get_total   (TsrStatistics       *self,
                                           TsrStatTotals       *totals);
/* Writes the totals now (blocking: for shutdown). */
gboolean       tsr_statistics_save        (TsrStatistics       *self,
                                           GError             **error);
/* Samples @library once a second from now on: the bytes each torrent
 * moved since the last tick, a second of activity, and each torrent
 * added to its list (call it after tsr_library_restore: the torrents of
 * the last run are not added again). */
void           tsr_statistics_follow      (TsrStatistics       *self,
                                           TsrLibrary          *library);

G_END_DECLS
