/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-turnover.c: which connection makes room for a new peer, and when.
 * The swarm asks only when it is full and its pool has an address ready
 * (swarm/tsr-swarm.c, tsr_swarm_turn_over); this file judges the table.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include "tsr-turnover.h"

gboolean
tsr_turnover_due (guint   seconds,
                  gint64 *last,
                  gint64  now)
{
  if (seconds == 0 || now - *last < seconds)
    return FALSE;
  *last = now;
  return TRUE;
}

gint
tsr_turnover_pick (const TsrTurnoverPeer *peers,
                   guint                  n_peers,
                   guint                  seconds,
                   gint64                 now)
{
  guint64 worst_score = G_MAXUINT64;
  gint worst = -1;
  guint i;

  for (i = 0; i < n_peers; i++)
    {
      const TsrTurnoverPeer *peer = &peers[i];

      /* Too new to judge, or one we upload to (the choker's to judge). */
      if (!peer->shaken || peer->dropping || now - peer->connected_at < seconds || !peer->am_choking)
        continue;
      if (peer->score < worst_score)
        {
          worst = (gint) i;
          worst_score = peer->score;
        }
    }
  return worst;
}
