/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-turnover.h: replacing the least useful peer by a new one. When a
 * swarm is full with addresses waiting, now and then (the original's
 * to-do) the connection that has given least (or, to a seed, taken
 * least), connected long enough to be judged and not one we upload to,
 * is let go; its address is dialled again later like any.
 *
 * Pure decisions over a table the swarm fills in, with the time passed
 * in: no sockets, no clocks, no allocation.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean shaken;        /* past its handshake */
  gboolean dropping;      /* closing already */
  gboolean am_choking;    /* we do not upload to it */
  gint64   connected_at;  /* monotonic seconds */
  guint64  score;         /* bytes a second: from it, or to it when seeding */
} TsrTurnoverPeer;

/* Whether a round is due at @now, every @seconds (0: never); a due
 * round is counted from @now in *@last. */
gboolean tsr_turnover_due  (guint                  seconds,
                            gint64                *last,
                            gint64                 now);
/* The index in @peers of the connection to let go, or -1: none has been
 * connected @seconds yet, is past its handshake, choked by us and not
 * closing. Ties go to the first. */
gint     tsr_turnover_pick (const TsrTurnoverPeer *peers,
                            guint                  n_peers,
                            guint                  seconds,
                            gint64                 now);

G_END_DECLS
