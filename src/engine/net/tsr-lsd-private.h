/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd-private.h: hooks into TsrLsd for its tests: shorter timings,
 * and a datagram fed in without a socket.
 */
#pragma once

#include "tsr-lsd.h"

G_BEGIN_DECLS

/* Announce every @interval_ms instead of 5 minutes, with at least @gap_ms
 * between two messages instead of a second. */
void _tsr_lsd_set_timing (TsrLsd         *self,
                          guint           interval_ms,
                          guint           gap_ms);
/* Handles @data as if it had come from @source. */
void _tsr_lsd_receive    (TsrLsd         *self,
                          const guint8   *data,
                          gsize           length,
                          GSocketAddress *source);

G_END_DECLS
