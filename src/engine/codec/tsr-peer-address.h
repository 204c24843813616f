/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-address.h: a peer's identity, an IP address and a port in 20
 * bytes. The swarm keys its address book, bans and strikes by it; the
 * "host:port" strings people read are made from it, and strings that come
 * in through the public API are parsed into it once, at the boundary.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TSR_PEER_ADDRESS_IPV4 = 4,
  TSR_PEER_ADDRESS_IPV6 = 6,
} TsrPeerAddressFamily;

/* A peer address: IPv4 (the first 4 bytes) or IPv6 (16), in network
 * order, and a port. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * stored as IPv4 by every constructor below, so that a peer reached over
 * a dual-stack socket is the same peer a tracker names. Port 0 stands for
 * the whole host (bans of peers that dialled us). Zero-initialise before
 * filling by hand: hash and equal read the unused bytes. */
typedef struct
{
  guint8   family;                /* TsrPeerAddressFamily */
  guint8   address[16];
  guint16  port;
} TsrPeerAddress;

/* Reads "1.2.3.4:6881" or "[::1]:6881": numeric hosts only, IPv6 in
 * brackets, port 1-65535, nothing before or after. FALSE otherwise, with
 * @out zeroed. */
gboolean        tsr_peer_address_parse             (const char           *text,
                                                    TsrPeerAddress       *out);
/* FALSE when @address is not an internet socket address. */
gboolean        tsr_peer_address_from_socket       (GSocketAddress       *address,
                                                    TsrPeerAddress       *out);
void            tsr_peer_address_from_inet         (GInetAddress         *address,
                                                    guint16               port,
                                                    TsrPeerAddress       *out);
GInetAddress   *tsr_peer_address_to_inet           (const TsrPeerAddress *self);
GSocketAddress *tsr_peer_address_to_socket_address (const TsrPeerAddress *self);
/* "1.2.3.4:6881" or "[::1]:6881"; a host (port 0) is "1.2.3.4" or "[::1]". */
char           *tsr_peer_address_to_string         (const TsrPeerAddress *self);

/* For GHashTable: family, address and port count. */
guint           tsr_peer_address_hash              (gconstpointer         self);
gboolean        tsr_peer_address_equal             (gconstpointer         a,
                                                    gconstpointer         b);
/* Same family and address, whatever the ports. */
gboolean        tsr_peer_address_same_host         (const TsrPeerAddress *a,
                                                    const TsrPeerAddress *b);
/* @self's host: the same address with port 0. */
TsrPeerAddress  tsr_peer_address_get_host          (const TsrPeerAddress *self);
/* A copy, freed with g_free. */
TsrPeerAddress *tsr_peer_address_dup               (const TsrPeerAddress *self);

G_END_DECLS
