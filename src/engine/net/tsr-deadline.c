/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-deadline.c: one time limit over a whole asynchronous operation.
 *
 * libsoup's own timeout is per read: a server that sends a byte every
 * few seconds resets it each time. A deadline cancels a cancellable of
 * the operation's own once the time is up, and remembers that it did,
 * so that the operation reports "took too long" rather than "cancelled".
 */
#define G_LOG_DOMAIN "tsr-deadline"

#include "config.h"

#include "tsr-deadline.h"

static gboolean
on_expired (gpointer user_data)
{
  TsrDeadline *self = user_data;   /* borrowed: clearing it removes this timer */

  self->source = 0;
  self->expired = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled (GCancellable *outer,
                    GCancellable *inner)
{
  g_cancellable_cancel (inner);
}

void
tsr_deadline_start (TsrDeadline  *self,
                    GCancellable *outer,
                    guint         seconds)
{
  g_return_if_fail (self->cancellable == NULL);
  g_return_if_fail (outer == NULL || G_IS_CANCELLABLE (outer));
  g_return_if_fail (seconds > 0);

  self->cancellable = g_cancellable_new ();
  self->seconds = seconds;
  self->expired = FALSE;
  if (outer != NULL)
    {
      self->outer = g_object_ref (outer);
      /* Holds its own reference: the caller may cancel after we are gone. */
      self->outer_id = g_cancellable_connect (outer, G_CALLBACK (on_outer_cancelled),
                                              g_object_ref (self->cancellable), g_object_unref);
    }
  self->source = g_timeout_add_seconds (seconds, on_expired, self);
}

void
tsr_deadline_stop (TsrDeadline *self)
{
  g_clear_handle_id (&self->source, g_source_remove);
}

gboolean
tsr_deadline_expired (const TsrDeadline *self,
                      const GError      *error)
{
  return self->expired && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

void
tsr_deadline_clear (TsrDeadline *self)
{
  tsr_deadline_stop (self);
  if (self->outer_id != 0)
    g_cancellable_disconnect (self->outer, self->outer_id);
  self->outer_id = 0;
  g_clear_object (&self->outer);
  g_clear_object (&self->cancellable);
}
