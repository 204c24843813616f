/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-deadline.h: one time limit over a whole asynchronous operation
 * (an HTTP reply, a web seed's piece), whatever the socket does meanwhile.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Embedded in an operation's data, which outlives the timer: the
 * operation passes @cancellable to every step; the caller's cancellable
 * and the timer both cancel it. */
typedef struct
{
  GCancellable *cancellable;  /* (owned) ours */
  GCancellable *outer;        /* (owned) (nullable) the caller's */
  gulong        outer_id;
  guint         source;       /* the timer */
  guint         seconds;
  gboolean      expired;
} TsrDeadline;

void      tsr_deadline_start   (TsrDeadline   *self,
                                GCancellable  *outer,
                                guint          seconds);
/* The operation ended: the timer goes; a later cancellation is not ours. */
void      tsr_deadline_stop    (TsrDeadline   *self);
/* TRUE when @error is the cancellation that the timer, not the caller,
 * caused: the server was too slow. */
gboolean  tsr_deadline_expired (const TsrDeadline *self,
                                const GError      *error);
void      tsr_deadline_clear   (TsrDeadline   *self);

G_END_DECLS
