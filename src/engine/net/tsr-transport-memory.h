/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-transport-memory.h: which transport last carried a dial to a peer
 * address, so the dialer need not wait out uTP's fallback delay again
 * for a peer without uTP. Bounded (the oldest goes first) and each
 * entry expires, so a peer that gains uTP, or an address that passes to
 * another peer, is tried with uTP first again. A plain table: it reads
 * no clock.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* What the dialer keeps: an hour, 4096 addresses (about 100 KiB). */
#define TSR_TRANSPORT_MEMORY_LIFETIME_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define TSR_TRANSPORT_MEMORY_SIZE        4096

typedef struct _TsrTransportMemory TsrTransportMemory;

TsrTransportMemory *tsr_transport_memory_new      (guint                 size,
                                                   gint64                lifetime_us);
void                tsr_transport_memory_free     (TsrTransportMemory   *self);
/* @transport (TSR_TRANSPORT_TCP or _UTP, as a guint) carried a dial to
 * @address at @now_us; replaces what was known. */
void                tsr_transport_memory_remember (TsrTransportMemory   *self,
                                                   const TsrPeerAddress *address,
                                                   guint                 transport,
                                                   gint64                now_us);
/* The transport remembered for @address, or 0 (none, or expired). */
guint               tsr_transport_memory_lookup   (TsrTransportMemory   *self,
                                                   const TsrPeerAddress *address,
                                                   gint64                now_us);
guint               tsr_transport_memory_get_size (TsrTransportMemory   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTransportMemory, tsr_transport_memory_free)

G_END_DECLS
