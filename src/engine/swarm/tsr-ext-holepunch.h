/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-holepunch.h: ut_holepunch (BEP 55), an extension of the host in
 * tsr-extensions.h. As relay it puts two peers it is connected to in
 * touch: on a rendezvous from one it sends each a connect naming the
 * other, and both dial at once over uTP, so that their NATs open to each
 * other. As initiator it asks the peer that told us (BEP 11) of an
 * address without the "reachable" flag for a rendezvous once a dial of
 * that address failed. Never for a private torrent (BEP 27: no peer
 * exchange, so no hole punching either).
 */
#pragma once

#include <glib.h>

#include "tsr-extensions.h"
#include "tsr-holepunch.h"

G_BEGIN_DECLS

/* Our BEP 10 id for ut_holepunch. */
#define TSR_EXT_HOLEPUNCH_ID 4
/* Seconds before we ask again for a rendezvous with the same target. */
#define TSR_EXT_HOLEPUNCH_TARGET_GAP 60
/* Within TSR_EXT_HOLEPUNCH_WINDOW seconds, at most this many rendezvous
 * to one relay, and as relay at most this many taken from one peer, and
 * connects obeyed from one relay (a relay must not make us dial the
 * world). */
#define TSR_EXT_HOLEPUNCH_BURST      5
#define TSR_EXT_HOLEPUNCH_WINDOW     60
/* Addresses remembered with the peer that told them, at most. */
#define TSR_EXT_HOLEPUNCH_MAX_LEARNED 500

typedef struct _TsrExtHolepunch TsrExtHolepunch;

/* How it reports to its owner (the swarm); all on the main context. */
typedef struct
{
  /* A relay's connect: dial @address now, uTP first (it dials us too). */
  void     (*dial)  (const TsrPeerAddress *address,
                     gpointer              user_data);
  /* Whether @address is known at all (the pool, a connection): a relay
   * not connected to it answers NotConnected rather than NoSuchPeer. */
  gboolean (*known) (const TsrPeerAddress *address,
                     gpointer              user_data);
  /* What happened, for the owner's log: @detail names the message
   * ("holepunch-rendezvous", "holepunch-connect", "holepunch-relayed",
   * "holepunch-error: ...") and @address the peer it concerns. */
  void     (*event) (const TsrPeerAddress *address,
                     const char           *detail,
                     gpointer              user_data);
} TsrExtHolepunchFuncs;

/* Registers itself with @host, which owns it. */
TsrExtHolepunch *tsr_ext_holepunch_new         (TsrExtensions              *host,
                                                const TsrExtHolepunchFuncs *funcs,
                                                gpointer                    user_data);
/* @is_private: ut_holepunch leaves our handshake, and messages and
 * learned addresses are ignored (BEP 27). */
void             tsr_ext_holepunch_set_private (TsrExtHolepunch            *self,
                                                gboolean                    is_private);
/* A dial of @address failed or timed out before its handshake: when a
 * peer told us of it without the reachable flag and speaks ut_holepunch,
 * it is asked for a rendezvous (within the rate limits). TRUE if asked. */
gboolean         tsr_ext_holepunch_dial_failed (TsrExtHolepunch            *self,
                                                const TsrPeerAddress       *address);
/* TRUE while it holds no learned address and no rendezvous record: its
 * tables are made at their first entry and dropped once empty. */
gboolean         tsr_ext_holepunch_is_empty    (TsrExtHolepunch            *self);

G_END_DECLS
