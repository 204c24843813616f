/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-info.h: one connected peer, as the peers view shows it. The
 * swarm fills one for each of its members (swarm/tsr-member.c), the
 * web seeds add theirs; the public API hands them out through
 * tsr_torrent_dup_peer_infos().
 */
#pragma once

#include <glib.h>

#include "tsr-dialer.h"
#include "tsr-peer-pool.h"

G_BEGIN_DECLS

typedef struct
{
  char     *address;
  char     *client;            /* from BEP 10 "v", else decoded from the peer id */
  gboolean  incoming;          /* it dialled us */
  TsrPeerSource source;        /* how we learned of it (TSR_PEER_SOURCE_INCOMING: it came to us) */
  char     *extensions;        /* what it speaks beyond BEP 3, e.g. "Fast, ut_metadata, ut_pex" */
  gboolean  am_choking;
  gboolean  am_interested;
  gboolean  peer_choking;
  gboolean  peer_interested;
  gboolean  snubbed;
  gboolean  fast;              /* BEP 6 */
  gboolean  encrypted;         /* MSE/PE with RC4 */
  TsrTransport transport;      /* TCP or uTP (BEP 29); 0 for a web seed */
  guint64   down_rate;         /* bytes a second */
  guint64   up_rate;
  guint64   downloaded;        /* bytes received from it, all messages */
  guint64   uploaded;
  gdouble   progress;          /* of the torrent it has, 0 to 1 */
  guint     requests_out;      /* ours to it, in flight */
  guint     requests_in;       /* its to us, not yet answered */
  gint64    connected_seconds;
} TsrPeerInfo;

void tsr_peer_info_free (TsrPeerInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrPeerInfo, tsr_peer_info_free)

G_END_DECLS
