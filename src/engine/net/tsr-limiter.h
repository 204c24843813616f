/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-limiter.h: a token bucket for rate limits, shared by the peers of a
 * torrent (one for upload, one for download), whose buckets draw on the
 * session's: a limiter with a parent charges both and waits for the
 * slower. Main-thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrLimiter TsrLimiter;

/* @rate in bytes per second; 0 means no limit. */
TsrLimiter *tsr_limiter_new        (guint64     rate);
TsrLimiter *tsr_limiter_ref        (TsrLimiter *self);
void        tsr_limiter_unref      (TsrLimiter *self);
/* Bytes through @self are charged to @parent (nullable) too. */
void        tsr_limiter_set_parent (TsrLimiter *self,
                                    TsrLimiter *parent);
void        tsr_limiter_set_rate   (TsrLimiter *self,
                                    guint64     rate);
/* An owner's bucket under @parent, made at its first rate other than 0:
 * until then *@own stays NULL and the owner charges @parent alone, which
 * is the same (an idle torrent keeps no bucket). Sets *@own's parent and
 * rate; TRUE when it was made now. */
gboolean    tsr_limiter_set_own_rate (TsrLimiter **own,
                                      TsrLimiter  *parent,
                                      guint64      rate);
guint64     tsr_limiter_get_rate   (TsrLimiter *self);
/* Takes @bytes (the bucket may go into debt). */
void        tsr_limiter_consume    (TsrLimiter *self,
                                    guint64     bytes);
/* Bytes that may flow now without debt (G_MAXUINT64: no limit). */
guint64     tsr_limiter_get_allowance (TsrLimiter *self);
/* Milliseconds to wait before more may flow: 0 when the bucket has tokens. */
guint       tsr_limiter_wait_ms    (TsrLimiter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrLimiter, tsr_limiter_unref)

G_END_DECLS
