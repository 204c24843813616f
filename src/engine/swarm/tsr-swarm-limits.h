/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-limits.h: a swarm's limits. How many connections: in all,
 * dialled by us and accepted, and the session's budget over every
 * torrent. How fast: each direction has the session's bucket (the
 * parent, borrowed) and, from its first rate other than 0, a bucket of
 * the torrent's own under it; a member is charged to the own one when
 * there is one, else to the parent alone, which is the same. The owner
 * hears when that changed and charges its members again; it closes the
 * connections over a lowered limit itself.
 */
#pragma once

#include <glib.h>

#include "tsr-budget.h"
#include "tsr-limiter.h"

G_BEGIN_DECLS

typedef struct _TsrSwarmLimits TsrSwarmLimits;

typedef struct
{
  /* What tsr_swarm_limits_get() returns changed: charge the members to it. */
  void (*changed) (gpointer user_data);
} TsrSwarmLimitsFuncs;

TsrSwarmLimits *tsr_swarm_limits_new         (guint                      max_peers,
                                              const TsrSwarmLimitsFuncs *funcs,
                                              gpointer                   user_data);
void            tsr_swarm_limits_free        (TsrSwarmLimits            *self);

/* Connections, at most (> 0); of which dialled by us (0: 3/4 of them)
 * and accepted (0: all). */
void            tsr_swarm_limits_set_max     (TsrSwarmLimits            *self,
                                              guint                      max_peers,
                                              guint                      max_dialed,
                                              guint                      max_accepted);
guint           tsr_swarm_limits_get_max_peers (TsrSwarmLimits          *self);
guint           tsr_swarm_limits_get_max_dialed (TsrSwarmLimits         *self);
guint           tsr_swarm_limits_get_max_accepted (TsrSwarmLimits       *self);
/* What max_dialed and max_accepted come to. */
guint           tsr_swarm_limits_dial_limit  (TsrSwarmLimits            *self);
guint           tsr_swarm_limits_accept_limit (TsrSwarmLimits           *self);
/* The session's count of connections (nullable; a reference is kept). */
void            tsr_swarm_limits_set_budget  (TsrSwarmLimits            *self,
                                              TsrBudget                 *budget);
TsrBudget      *tsr_swarm_limits_get_budget  (TsrSwarmLimits            *self);
/* With @n_peers connections, @n_dialed of them ours: may one more be dialled? */
gboolean        tsr_swarm_limits_may_dial    (TsrSwarmLimits            *self,
                                              guint                      n_peers,
                                              guint                      n_dialed);
/* With @n_peers connections, @n_accepted of them accepted: why another
 * accepted one is refused (translated), or NULL. */
const char     *tsr_swarm_limits_refuse      (TsrSwarmLimits            *self,
                                              guint                      n_peers,
                                              guint                      n_accepted);

/* The session's buckets (nullable, borrowed): the own ones are moved
 * under them, and the members charged again. */
void            tsr_swarm_limits_set_parents (TsrSwarmLimits            *self,
                                              TsrLimiter                *up,
                                              TsrLimiter                *down);
/* Bytes per second, 0: no limit of its own (an own bucket, once made,
 * stays, unlimited). */
void            tsr_swarm_limits_set_rates   (TsrSwarmLimits            *self,
                                              guint64                    up,
                                              guint64                    down);
guint64         tsr_swarm_limits_get_rate    (TsrSwarmLimits            *self,
                                              gboolean                   up);
/* (nullable) What a member is charged to: the own bucket or the parent. */
TsrLimiter     *tsr_swarm_limits_get         (TsrSwarmLimits            *self,
                                              gboolean                   up);

G_END_DECLS
