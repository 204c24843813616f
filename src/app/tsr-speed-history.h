/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-speed-history.h: the last few minutes of download and upload
 * rates, one sample a second in a fixed ring, for the speed graphs. It
 * knows no clock and no torrent: whoever owns it pushes a sample at each
 * tick (the window for the session, the overview page for the torrent
 * shown), and a graph draws it on "changed".
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Five minutes at one sample a second. */
#define TSR_SPEED_HISTORY_DEFAULT_CAPACITY 300

#define TSR_TYPE_SPEED_HISTORY (tsr_speed_history_get_type ())
G_DECLARE_FINAL_TYPE (TsrSpeedHistory, tsr_speed_history, TSR, SPEED_HISTORY, GObject)

TsrSpeedHistory *tsr_speed_history_new           (guint            capacity);
/* Adds a sample (bytes a second), dropping the oldest when full, and
 * emits "changed". */
void             tsr_speed_history_push          (TsrSpeedHistory *self,
                                                  guint64          down,
                                                  guint64          up);
/* Forgets every sample (another torrent is shown) and emits "changed". */
void             tsr_speed_history_clear         (TsrSpeedHistory *self);
guint            tsr_speed_history_get_capacity  (TsrSpeedHistory *self);
guint            tsr_speed_history_get_n_samples (TsrSpeedHistory *self);
/* Sample @index, 0 the oldest kept, n_samples - 1 the newest. */
void             tsr_speed_history_get_sample    (TsrSpeedHistory *self,
                                                  guint            index,
                                                  guint64         *down,
                                                  guint64         *up);
/* The highest rate, down or up, among the samples kept (0 when none). */
guint64          tsr_speed_history_get_peak      (TsrSpeedHistory *self);

G_END_DECLS
