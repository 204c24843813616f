/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-limiter.c: token bucket. Tokens refill at the rate, up to a quarter
 * second's worth (so a pause does not buy a burst); consuming may run the
 * bucket into debt, which the next wait pays back.
 */
#define G_LOG_DOMAIN "tsr-limiter"

#include "config.h"

#include "tsr-limiter.h"

struct _TsrLimiter
{
  gint    ref_count;
  guint64 rate;
  gdouble tokens;
  gint64  last;     /* monotonic µs */
  TsrLimiter *parent; /* (owned) (nullable) also charged, also waited for */
};

TsrLimiter *
tsr_limiter_new (guint64 rate)
{
  TsrLimiter *self = g_new0 (TsrLimiter, 1);

  self->ref_count = 1;
  self->rate = rate;
  self->last = g_get_monotonic_time ();
  return self;
}

TsrLimiter *
tsr_limiter_ref (TsrLimiter *self)
{
  self->ref_count++;
  return self;
}

void
tsr_limiter_unref (TsrLimiter *self)
{
  if (self != NULL && --self->ref_count == 0)
    {
      g_clear_pointer (&self->parent, tsr_limiter_unref);
      g_free (self);
    }
}

void
tsr_limiter_set_parent (TsrLimiter *self,
                        TsrLimiter *parent)
{
  TsrLimiter *ancestor;

  for (ancestor = parent; ancestor != NULL; ancestor = ancestor->parent)
    g_return_if_fail (ancestor != self);
  if (parent != NULL)
    tsr_limiter_ref (parent);
  g_clear_pointer (&self->parent, tsr_limiter_unref);
  self->parent = parent;
}

void
tsr_limiter_set_rate (TsrLimiter *self,
                      guint64     rate)
{
  self->rate = rate;
  self->tokens = 0;
  self->last = g_get_monotonic_time ();
}

gboolean
tsr_limiter_set_own_rate (TsrLimiter **own,
                          TsrLimiter  *parent,
                          guint64      rate)
{
  if (*own == NULL && rate == 0)
    return FALSE;
  if (*own == NULL)
    {
      *own = tsr_limiter_new (rate);
      tsr_limiter_set_parent (*own, parent);
      return TRUE;
    }
  tsr_limiter_set_parent (*own, parent);
  tsr_limiter_set_rate (*own, rate);
  return FALSE;
}

guint64
tsr_limiter_get_rate (TsrLimiter *self)
{
  return self->rate;
}

static void
refill (TsrLimiter *self)
{
  gint64 now = g_get_monotonic_time ();

  self->tokens += (gdouble) self->rate * (gdouble) (now - self->last) / G_USEC_PER_SEC;
  self->tokens = MIN (self->tokens, (gdouble) self->rate / 4);
  self->last = now;
}

void
tsr_limiter_consume (TsrLimiter *self,
                     guint64     bytes)
{
  if (self->parent != NULL)
    tsr_limiter_consume (self->parent, bytes);
  if (self->rate == 0)
    return;
  refill (self);
  self->tokens -= (gdouble) bytes;
}

guint64
tsr_limiter_get_allowance (TsrLimiter *self)
{
  guint64 allowance = G_MAXUINT64;

  if (self->parent != NULL)
    allowance = tsr_limiter_get_allowance (self->parent);
  if (self->rate == 0)
    return allowance;
  refill (self);
  return MIN (allowance, self->tokens > 0 ? (guint64) self->tokens : 0);
}

guint
tsr_limiter_wait_ms (TsrLimiter *self)
{
  guint parent_wait = self->parent != NULL ? tsr_limiter_wait_ms (self->parent) : 0;

  if (self->rate == 0)
    return parent_wait;
  refill (self);
  if (self->tokens >= 0)
    return parent_wait;
  return MAX (parent_wait, (guint) MIN (1000.0, -self->tokens * 1000.0 / (gdouble) self->rate + 1));
}
