/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarms-private.h: hooks into the swarm store for the unit tests.
 */
#pragma once

#include "tsr-swarms.h"

G_BEGIN_DECLS

/* Makes the peer sampling repeatable. */
void     _tsr_swarms_set_seed    (TsrSwarms      *self,
                                  guint32         seed);
/* TsrSwarmPeer records read by announces (lookup and sampling) since creation:
 * the work a request costs, without a clock. */
guint64  _tsr_swarms_get_touched (TsrSwarms      *self);
/* Counts everything again by walking the store, and checks its internal
 * invariants (seeders after leechers, every peer indexed once, tables in
 * step); FALSE if one does not hold. */
gboolean _tsr_swarms_recount     (TsrSwarms      *self,
                                  TsrSwarmsStats *stats);

G_END_DECLS
