/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-limits.c: a swarm's rate limits: the session's buckets, and
 * the torrent's own under them, made at the first rate other than 0 (an
 * idle torrent has none). The swarm makes this at the first limiter or
 * rate it is given, and charges its members again when told.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include "tsr-swarm-limits.h"

struct _TsrSwarmLimits
{
  TsrLimiter                *up;        /* (nullable) borrowed: the session's buckets */
  TsrLimiter                *down;
  TsrLimiter                *own_up;    /* (owned) (nullable) made at the first rate */
  TsrLimiter                *own_down;
  const TsrSwarmLimitsFuncs *funcs;
  gpointer                   user_data;
};

TsrSwarmLimits *
tsr_swarm_limits_new (const TsrSwarmLimitsFuncs *funcs,
                      gpointer                   user_data)
{
  TsrSwarmLimits *self = g_new0 (TsrSwarmLimits, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_swarm_limits_free (TsrSwarmLimits *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->own_up, tsr_limiter_unref);
  g_clear_pointer (&self->own_down, tsr_limiter_unref);
  g_free (self);
}

TsrLimiter *
tsr_swarm_limits_get (TsrSwarmLimits *self,
                      gboolean        up)
{
  TsrLimiter *own = up ? self->own_up : self->own_down;

  return own != NULL ? own : up ? self->up : self->down;
}

guint64
tsr_swarm_limits_get_rate (TsrSwarmLimits *self,
                           gboolean        up)
{
  TsrLimiter *own = up ? self->own_up : self->own_down;

  return own != NULL ? tsr_limiter_get_rate (own) : 0;
}

void
tsr_swarm_limits_set_parents (TsrSwarmLimits *self,
                              TsrLimiter     *up,
                              TsrLimiter     *down)
{
  self->up = up;
  self->down = down;
  tsr_limiter_set_own_rate (&self->own_up, up, tsr_swarm_limits_get_rate (self, TRUE));
  tsr_limiter_set_own_rate (&self->own_down, down, tsr_swarm_limits_get_rate (self, FALSE));
  self->funcs->changed (self->user_data);
}

void
tsr_swarm_limits_set_rates (TsrSwarmLimits *self,
                            guint64         up,
                            guint64         down)
{
  gboolean made = tsr_limiter_set_own_rate (&self->own_up, self->up, up);

  /* Only a bucket made changes what the members are charged to. */
  if (tsr_limiter_set_own_rate (&self->own_down, self->down, down) || made)
    self->funcs->changed (self->user_data);
}
