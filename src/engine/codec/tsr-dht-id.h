/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-id.h: DHT node ids: the XOR metric of BEP 5, and the tie
 * between a node's id and its external address of BEP 42 (CRC32C of the
 * masked address). Pure functions: no I/O, no clock.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Node ids and info hashes share one 160-bit space (BEP 5). */
#define TSR_DHT_ID_LENGTH 20

/* CRC32C (Castagnoli, reflected polynomial 0x82f63b78), as iSCSI and the
 * SSE 4.2 instruction compute it: "123456789" gives 0xe3069283. */
guint32  tsr_crc32c                    (const guint8         *data,
                                        gsize                 length);

/* Negative when @a is closer to @target than @b by XOR distance, 0 when
 * they are the same id, positive when @b is closer. */
int      tsr_dht_id_compare_distance   (const guint8         *target,
                                        const guint8         *a,
                                        const guint8         *b);
/* The number of leading bits @a and @b share, 0 to 160. */
guint    tsr_dht_id_common_prefix      (const guint8         *a,
                                        const guint8         *b);
/* Fills @out_id with a random id. */
void     tsr_dht_id_random             (guint8               *out_id);

/* BEP 42: the local and private blocks exempt from the id check: IPv4
 * 10/8, 172.16/12, 192.168/16, 169.254/16 and 127/8; IPv6 ::1, fc00::/7
 * (unique local) and fe80::/10 (link local). An IPv4-mapped IPv6
 * address is judged by its IPv4 address. The port is not looked at. */
gboolean tsr_dht_address_is_local      (const TsrPeerAddress *ip);
/* BEP 42: a node id conforming to @ip. @rand is the id's last byte; its
 * low 3 bits select one of the 8 prefixes an address has. The first 21
 * bits come from the CRC32C, the other bits are random. */
void     tsr_dht_node_id_for_ip        (const TsrPeerAddress *ip,
                                        guint8                rand,
                                        guint8               *out_id);
/* BEP 42: TRUE when the first 21 bits of @id are those @ip gives with the
 * low 3 bits of @id's last byte, or when @ip is local (see
 * tsr_dht_address_is_local()). */
gboolean tsr_dht_node_id_valid_for_ip  (const guint8         *id,
                                        const TsrPeerAddress *ip);

G_END_DECLS
