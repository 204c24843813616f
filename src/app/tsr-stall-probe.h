/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-stall-probe.h: what tests/bench/app-library.sh measures from inside
 * the app, on only when TESSERA_STALL_PROBE is set in the environment
 * (each function then returns at once: no source, no handler, no cost).
 *
 * On, it prints these lines in the tsr-app-events domain (see
 * tsr-app-util.h; G_MESSAGES_DEBUG=tsr-app-events shows them), AT being
 * g_get_monotonic_time () in microseconds (CLOCK_MONOTONIC, the clock of
 * Python's time.monotonic ()):
 *
 *   "probe stall-max-ms M sidebar-updates K seconds S scroll V/U at AT"
 *       on each SIGUSR1, then the numbers start again: M, the longest
 *       time the main loop went without running a high-priority 5 ms
 *       timeout, less those 5 ms (the longest stall since the last
 *       report); K, the sidebar counts shown anew in those S seconds;
 *       V/U, the torrent list's vertical scroll position and its end
 *       (upper less page size), to tell that a scroll got there.
 *   "filtered N at AT"
 *       after the first frame painted once the filtered list or its
 *       filter changed (a search key that hides nothing more changes no
 *       row, but its work ends with that frame too): N rows are on
 *       screen from AT on.
 *
 * Not translated: the bench parses them.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Starts the probe's timeout and SIGUSR1 handler when it is on. */
void tsr_stall_probe_start          (void);
/* Reports @filtered's row count when it changes and @list has painted it,
 * and @list's scroll position in each report. Both borrowed: @list
 * outlives the model's signal connection. */
void tsr_stall_probe_watch_list     (GtkWidget  *list,
                                     GListModel *filtered);
/* A sidebar count was shown anew. */
void tsr_stall_probe_sidebar_update (void);

G_END_DECLS
