/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-status.h: the live status line `tessera-cli peer` keeps at the
 * bottom of a terminal: progress bar, rates, peers, seeds and time left,
 * summed over the torrents it runs.
 */
#pragma once

#include <glib.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct _TsrCliStatus TsrCliStatus;

/* @torrents (element-type TsrTorrent) is borrowed and may grow. */
TsrCliStatus *tsr_cli_status_new   (GPtrArray    *torrents);
void          tsr_cli_status_free  (TsrCliStatus *self);
/* Takes a rate sample and redraws; call once a second. */
void          tsr_cli_status_tick  (TsrCliStatus *self);
/* Draws the line again (after an event line was printed above it). */
void          tsr_cli_status_draw  (TsrCliStatus *self);
/* Blanks the line so that an event line can take its place. */
void          tsr_cli_status_clear (TsrCliStatus *self);

/* The line's text for these numbers (no control characters); @eta is
 * seconds left, negative when unknown. */
char         *tsr_cli_status_format (guint64 have,
                                     guint64 total,
                                     guint64 down_rate,
                                     guint64 up_rate,
                                     guint   peers,
                                     guint   seeds,
                                     gint64  eta,
                                     gboolean seeding);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrCliStatus, tsr_cli_status_free)

G_END_DECLS
