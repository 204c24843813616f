/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-priority.c: BEP 40 canonical peer priority, the CRC32-C of
 * the two addresses masked by how close they are, lowest first. The
 * masks keep the bytes that tell networks apart and thin out the rest
 * (0x55 keeps every other bit), so that one operator's neighbouring
 * addresses cannot all rank high with the same peer.
 */
#define G_LOG_DOMAIN "tsr-peer-priority"

#include "config.h"

#include <string.h>

#include "tsr-dht-id.h"
#include "tsr-peer-priority.h"

/* By how many leading bytes the hosts share: none of the /16 (IPv4) or
 * /32 (IPv6), that one only, or the /24 or /48 too. IPv6 masks cover
 * the upper 64 bits; the lower 64 are hashed as they are. */
static const guint8 v4_masks[3][4] = {
  { 0xff, 0xff, 0x55, 0x55 },
  { 0xff, 0xff, 0xff, 0x55 },
  { 0xff, 0xff, 0xff, 0xff },
};
static const guint8 v6_masks[3][8] = {
  { 0xff, 0xff, 0xff, 0xff, 0x55, 0x55, 0x55, 0x55 },
  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x55, 0x55 },
  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

guint32
tsr_peer_priority (const TsrPeerAddress *a,
                   const TsrPeerAddress *b)
{
  guint8 buffer[32];
  const guint8 *mask;
  gsize size, masked, wide, near;
  guint level;
  guint i;

  if (a->family != b->family || (a->family != TSR_PEER_ADDRESS_IPV4 && a->family != TSR_PEER_ADDRESS_IPV6))
    return 0;
  size = a->family == TSR_PEER_ADDRESS_IPV4 ? 4 : 16;
  /* BEP 40: one host, two ports (behind one NAT): the ports decide, as
   * 16-bit big-endian numbers, lowest first. */
  if (memcmp (a->address, b->address, size) == 0)
    {
      guint16 low = MIN (a->port, b->port);
      guint16 high = MAX (a->port, b->port);

      buffer[0] = (guint8) (low >> 8);
      buffer[1] = (guint8) low;
      buffer[2] = (guint8) (high >> 8);
      buffer[3] = (guint8) high;
      return tsr_crc32c (buffer, 4);
    }
  /* The prefix lengths compared: /16 and /24, or /32 and /48. */
  wide = size == 4 ? 2 : 4;
  near = size == 4 ? 3 : 6;
  level = memcmp (a->address, b->address, wide) != 0 ? 0 : memcmp (a->address, b->address, near) != 0 ? 1 : 2;
  mask = size == 4 ? v4_masks[level] : v6_masks[level];
  masked = size == 4 ? 4 : 8;
  /* The first byte that differs is always kept whole by the mask, so
   * ordering before masking orders the masked bytes too. */
  if (memcmp (a->address, b->address, size) > 0)
    {
      const TsrPeerAddress *swap = a;

      a = b;
      b = swap;
    }
  memcpy (buffer, a->address, size);
  memcpy (buffer + size, b->address, size);
  for (i = 0; i < masked; i++)
    {
      buffer[i] &= mask[i];
      buffer[size + i] &= mask[i];
    }
  return tsr_crc32c (buffer, 2 * size);
}
