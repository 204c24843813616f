/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd.h: BEP 14 Local Service Discovery: TsrLsd announces our
 * torrents to the local network's multicast groups and reports the peers
 * it hears of. The BT-SEARCH datagram's codec is tsr-lsd-message.h.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-lsd-message.h"

G_BEGIN_DECLS

/* BEP 14: the well-known groups and port. */
#define TSR_LSD_GROUP4 "239.192.152.143"
#define TSR_LSD_GROUP6 "ff15::efc0:988f"
#define TSR_LSD_PORT   6771

#define TSR_TYPE_LSD (tsr_lsd_get_type ())
G_DECLARE_FINAL_TYPE (TsrLsd, tsr_lsd, TSR, LSD, GObject)

/* Joins both BEP 14 groups on the default interface. Each group is
 * optional: one that cannot be joined (no IPv6, no multicast route) is
 * noted once in the debug log and the other carries on. A @listen_port of
 * 0 announces nothing until tsr_lsd_set_listen_port().
 *
 * Signal "peer" (const char *info_hash, const char *address): a host on
 * the link has a torrent we hold. @info_hash is 40 lowercase hex digits;
 * @address is "host:port" (IPv6: "[host]:port", with "%interface" after a
 * link-local host), from the datagram's source and its Port header. Our
 * own messages (by cookie) and hashes we do not hold are never reported. */
TsrLsd     *tsr_lsd_new             (guint16       listen_port);
/* For tests: other groups (either NULL: that family stays off), another
 * LSD port, and @interface (nullable: the default route's), the interface
 * to join and send on ("lo"). TTL and hop limit are 1 whatever these. */
TsrLsd     *tsr_lsd_new_full        (guint16       listen_port,
                                     const char   *group4,
                                     const char   *group6,
                                     guint16       lsd_port,
                                     const char   *interface);

guint16     tsr_lsd_get_listen_port (TsrLsd       *self);
/* A new port: every torrent is announced again. */
void        tsr_lsd_set_listen_port (TsrLsd       *self,
                                     guint16       listen_port);
/* Whether the group of @family (G_SOCKET_FAMILY_IPV4 or _IPV6) was
 * joined. */
gboolean    tsr_lsd_is_joined       (TsrLsd       *self,
                                     GSocketFamily family);
/* Our cookie, which marks our messages. */
const char *tsr_lsd_get_cookie      (TsrLsd       *self);

/* Announces @info_hash (20 bytes) soon, then every 5 minutes (BEP 14),
 * and reports peers for it. Adding a held hash again does nothing. */
void        tsr_lsd_add_torrent     (TsrLsd       *self,
                                     const guint8 *info_hash);
void        tsr_lsd_remove_torrent  (TsrLsd       *self,
                                     const guint8 *info_hash);

G_END_DECLS
