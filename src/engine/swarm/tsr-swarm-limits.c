/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-limits.c: a swarm's limits on connections (its own and the
 * session's budget) and on rates: the session's buckets, and the
 * torrent's own under them, made at the first rate other than 0 (an idle
 * torrent has none). The swarm asks it before each connection, and
 * charges its members again when told.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-swarm-limits.h"

struct _TsrSwarmLimits
{
  TsrLimiter                *up;        /* (nullable) borrowed: the session's buckets */
  TsrLimiter                *down;
  TsrLimiter                *own_up;    /* (owned) (nullable) made at the first rate */
  TsrLimiter                *own_down;
  TsrBudget                 *budget;    /* (owned) (nullable) the session's connection count */
  guint                      max_peers; /* connections, at most */
  guint                      max_dialed; /* of which dialled by us; 0: 3/4 of max_peers */
  guint                      max_accepted; /* of which accepted; 0: max_peers */
  const TsrSwarmLimitsFuncs *funcs;
  gpointer                   user_data;
};

TsrSwarmLimits *
tsr_swarm_limits_new (guint                      max_peers,
                      const TsrSwarmLimitsFuncs *funcs,
                      gpointer                   user_data)
{
  TsrSwarmLimits *self = g_new0 (TsrSwarmLimits, 1);

  self->max_peers = max_peers;
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
  g_clear_pointer (&self->budget, tsr_budget_unref);
  g_free (self);
}

/* Connections ------------------------------------------------------- */

void
tsr_swarm_limits_set_max (TsrSwarmLimits *self,
                          guint           max_peers,
                          guint           max_dialed,
                          guint           max_accepted)
{
  g_return_if_fail (max_peers > 0);
  self->max_peers = max_peers;
  self->max_dialed = max_dialed;
  self->max_accepted = max_accepted;
}

guint
tsr_swarm_limits_get_max_peers (TsrSwarmLimits *self)
{
  return self->max_peers;
}

guint
tsr_swarm_limits_get_max_dialed (TsrSwarmLimits *self)
{
  return self->max_dialed;
}

guint
tsr_swarm_limits_get_max_accepted (TsrSwarmLimits *self)
{
  return self->max_accepted;
}

guint
tsr_swarm_limits_dial_limit (TsrSwarmLimits *self)
{
  return self->max_dialed > 0 ? self->max_dialed : MAX (1, self->max_peers * 3 / 4);
}

guint
tsr_swarm_limits_accept_limit (TsrSwarmLimits *self)
{
  return self->max_accepted > 0 ? self->max_accepted : self->max_peers;
}

void
tsr_swarm_limits_set_budget (TsrSwarmLimits *self,
                             TsrBudget      *budget)
{
  g_clear_pointer (&self->budget, tsr_budget_unref);
  self->budget = budget != NULL ? tsr_budget_ref (budget) : NULL;
}

TsrBudget *
tsr_swarm_limits_get_budget (TsrSwarmLimits *self)
{
  return self->budget;
}

gboolean
tsr_swarm_limits_may_dial (TsrSwarmLimits *self,
                           guint           n_peers,
                           guint           n_dialed)
{
  return n_peers < self->max_peers && n_dialed < tsr_swarm_limits_dial_limit (self) &&
         (self->budget == NULL || tsr_budget_has_room (self->budget));
}

const char *
tsr_swarm_limits_refuse (TsrSwarmLimits *self,
                         guint           n_peers,
                         guint           n_accepted)
{
  if (n_peers >= self->max_peers || n_accepted >= tsr_swarm_limits_accept_limit (self))
    return _("Too many connections for this torrent");
  if (self->budget != NULL && !tsr_budget_has_room (self->budget))
    return _("Too many connections in all");
  return NULL;
}

/* Rates ------------------------------------------------------------- */

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
