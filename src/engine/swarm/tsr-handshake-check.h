/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-handshake-check.h: what a peer's handshake closes. Our own peer id
 * coming back means we dialled ourselves: that connection goes and, when
 * the dialling end is ours too, the connection it dialled, whose address
 * is ours. A peer id already connected means both ends dialled: one
 * connection is enough, and both ends keep the same one, the one the
 * greater peer id dialled, as libtorrent does (each keeping the first it
 * shook hands on, or a rule of its own, would close both).
 *
 * Pure decisions over a table the swarm fills in: no sockets.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* One connection of the swarm, as the check sees it. */
typedef struct
{
  const guint8         *peer_id;     /* (nullable) theirs, 20 bytes, once past its handshake */
  const TsrPeerAddress *remote;      /* where it goes */
  const TsrPeerAddress *local;       /* (nullable) our end, for one we dialled */
  gboolean              dialed;      /* by us */
} TsrHandshakePeer;

typedef struct
{
  gboolean keep;         /* the connection that shook hands goes on */
  gboolean ourselves;    /* the closes are of a connection to ourselves */
  gint     close_other;  /* another connection to close, or -1 */
} TsrHandshakeVerdict;

/* @peers[@index] sent @their_id; @our_id is ours. */
void tsr_handshake_check (const TsrHandshakePeer *peers,
                          guint                   n_peers,
                          guint                   index,
                          const guint8           *our_id,
                          const guint8           *their_id,
                          TsrHandshakeVerdict    *verdict);

G_END_DECLS
