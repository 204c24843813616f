/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-limits.h: what a swarm's members are charged to. Each
 * direction has the session's bucket (the parent, borrowed) and, from
 * its first rate other than 0, a bucket of the torrent's own under it;
 * a member is charged to the own one when there is one, else to the
 * parent alone, which is the same. The owner hears when that changed
 * and charges its members again.
 */
#pragma once

#include <glib.h>

#include "tsr-limiter.h"

G_BEGIN_DECLS

typedef struct _TsrSwarmLimits TsrSwarmLimits;

typedef struct
{
  /* What tsr_swarm_limits_get() returns changed: charge the members to it. */
  void (*changed) (gpointer user_data);
} TsrSwarmLimitsFuncs;

TsrSwarmLimits *tsr_swarm_limits_new         (const TsrSwarmLimitsFuncs *funcs,
                                              gpointer                   user_data);
void            tsr_swarm_limits_free        (TsrSwarmLimits            *self);
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
