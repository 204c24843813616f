/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-handshake-check.c: which connections a handshake closes (ourselves,
 * a peer connected twice); the swarm closes them and marks our own
 * addresses in its pool (swarm/tsr-swarm.c, member_shaking).
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <string.h>

#include "tsr-handshake-check.h"

void
tsr_handshake_check (const TsrHandshakePeer *peers,
                     guint                   n_peers,
                     guint                   index,
                     const guint8           *our_id,
                     const guint8           *their_id,
                     TsrHandshakeVerdict    *verdict)
{
  const TsrHandshakePeer *shaken = &peers[index];
  guint i;

  verdict->keep = TRUE;
  verdict->ourselves = FALSE;
  verdict->close_other = -1;
  if (memcmp (their_id, our_id, 20) == 0)
    {
      verdict->keep = FALSE;
      verdict->ourselves = TRUE;
      /* Accepted: the dialling end is ours too, and the address it dialled. */
      for (i = 0; i < n_peers && !shaken->dialed; i++)
        if (peers[i].dialed && peers[i].local != NULL && tsr_peer_address_equal (peers[i].local, shaken->remote))
          {
            verdict->close_other = (gint) i;
            break;
          }
      return;
    }
  for (i = 0; i < n_peers; i++)
    {
      if (i == index || peers[i].peer_id == NULL || memcmp (peers[i].peer_id, their_id, 20) != 0)
        continue;
      /* Both of us dialled: the one the greater peer id dialled stays,
       * as libtorrent keeps it (a rule of our own would close both). */
      if (shaken->dialed != peers[i].dialed && shaken->dialed == (memcmp (our_id, their_id, 20) > 0))
        verdict->close_other = (gint) i;
      else
        verdict->keep = FALSE;
      return;
    }
}
