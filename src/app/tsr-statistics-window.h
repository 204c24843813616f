/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-statistics-window.h: the Statistics window of the main menu: this
 * session and all time, as TsrStatistics counts them, kept current while
 * it is open.
 */
#pragma once

#include <adwaita.h>

#include "tsr-statistics.h"

G_BEGIN_DECLS

#define TSR_TYPE_STATISTICS_WINDOW (tsr_statistics_window_get_type ())
G_DECLARE_FINAL_TYPE (TsrStatisticsWindow, tsr_statistics_window, TSR, STATISTICS_WINDOW, AdwWindow)

GtkWidget *tsr_statistics_window_new (TsrStatistics *statistics);

G_END_DECLS
