/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ticker.h: one once-a-second timer for the whole process. Every
 * running torrent has work to do each second (dials, pipelines) and
 * every few (choke rounds); with thousands of torrents, one GSource each
 * would cost memory and wake-ups. Main context only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrTick TsrTick;

typedef void (*TsrTickFunc) (gpointer user_data);

/* Calls @func every @period_seconds (at least 1), the first time
 * @period_seconds from now, until tsr_ticker_remove(). */
TsrTick *tsr_ticker_add    (guint        period_seconds,
                            TsrTickFunc  func,
                            gpointer     user_data);
/* Never called again, even if removed from another tick's call. NULL is
 * ignored. */
void     tsr_ticker_remove (TsrTick     *tick);
/* Ticks registered (for tests). */
guint    tsr_ticker_get_n_ticks (void);

G_END_DECLS
