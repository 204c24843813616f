/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-speed-graph.h: download and upload rates over the last minutes
 * (a TsrSpeedHistory) as a filled area and a line, with the rate limits
 * in force as dashed horizontal lines and the scale labelled in rates.
 * It draws only while mapped; the scale is a pure function, for tests.
 */
#pragma once

#include <gtk/gtk.h>

#include "tsr-speed-history.h"

G_BEGIN_DECLS

/* The smallest top of the scale: below it, idle noise would fill the graph. */
#define TSR_SPEED_GRAPH_MIN_TOP 10000
/* A limit is brought into the scale when at most this many times the
 * peak (and the minimum top); a higher one would flatten the curves, and
 * is named in the accessible description only. */
#define TSR_SPEED_GRAPH_LIMIT_REACH 4

#define TSR_TYPE_SPEED_GRAPH (tsr_speed_graph_get_type ())
G_DECLARE_FINAL_TYPE (TsrSpeedGraph, tsr_speed_graph, TSR, SPEED_GRAPH, GtkWidget)

GtkWidget       *tsr_speed_graph_new         (void);
/* (nullable): the samples drawn; the graph keeps a reference. */
void             tsr_speed_graph_set_history (TsrSpeedGraph   *self,
                                              TsrSpeedHistory *history);
TsrSpeedHistory *tsr_speed_graph_get_history (TsrSpeedGraph   *self);
/* The limits in force, bytes a second (0: none). */
void             tsr_speed_graph_set_limits  (TsrSpeedGraph   *self,
                                              guint64          down,
                                              guint64          up);
/* Draws the graph at (0, 0) with the given size; the snapshot vfunc
 * calls it with the allocation, tests call it directly. */
void             tsr_speed_graph_append_to   (TsrSpeedGraph   *self,
                                              GtkSnapshot     *snapshot,
                                              int              width,
                                              int              height);
/* The accessible description, e.g. "Download 1.2 MB/s, upload 300 kB/s
 * now; highest 2.0 MB/s in the last 5 minutes". (transfer full) */
char            *tsr_speed_graph_describe    (TsrSpeedGraph   *self);

/* The top of the scale for @peak and the limits: a round rate (1, 1.5,
 * 2, 3, 4, 5, 6 or 8 times a power of ten) above the peak, the limits
 * within reach and TSR_SPEED_GRAPH_MIN_TOP. */
guint64          tsr_speed_graph_scale_top   (guint64          peak,
                                              guint64          down_limit,
                                              guint64          up_limit);
/* The y of @value on a scale from 0 (at @height) to @top (at 0),
 * clamped to the graph. */
double           tsr_speed_graph_value_y     (guint64          value,
                                              guint64          top,
                                              double           height);
/* The y of a limit line; FALSE when there is none (0) or it is above
 * the scale. */
gboolean         tsr_speed_graph_limit_y     (guint64          limit,
                                              guint64          top,
                                              double           height,
                                              double          *y);

G_END_DECLS
