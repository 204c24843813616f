/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-priority.h: BEP 40, canonical peer priority. Both ends of a
 * connection compute the same number from the pair of addresses, so
 * that every peer of a swarm agrees which connections matter most: the
 * dial order among otherwise equal addresses, and which connections go
 * first when a torrent is over its limit. A pure function: no I/O.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* BEP 40: the priority of the connection between @a and @b, the same
 * whichever is given first (higher: keep, dial first). Equal hosts hash
 * their ports; otherwise the hosts are masked (IPv4: 0xffff5555 when
 * not in one /16, 0xffffff55 when in one /16 only, nothing when in one
 * /24; IPv6: the same over the upper 64 bits with /32 and /48, the
 * lower 64 bits never masked), ordered, and hashed with CRC32-C. 0 when
 * the families differ (BEP 40 never compares them) or one is unset. */
guint32  tsr_peer_priority  (const TsrPeerAddress *a,
                             const TsrPeerAddress *b);

G_END_DECLS
