/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-id.c: DHT node ids. BEP 5 measures closeness as the XOR of two
 * ids read as a big-endian number. BEP 42 ties a node's id to its
 * external address so that nobody can choose ids next to an info hash at
 * will: the first 21 bits of the id are the top of
 * crc32c ((ip & mask) | r << 29) for IPv4 (the high 64 bits of the
 * address and r << 61 for IPv6), with r, 0 to 7, kept in the low bits of
 * the id's last byte. Nodes on local networks are exempt.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <string.h>

#include "tsr-dht-id.h"

guint32
tsr_crc32c (const guint8 *data,
            gsize         length)
{
  guint32 crc = 0xffffffff;
  gsize i;

  /* Bit by bit: BEP 42 hashes 4 or 8 bytes, a table would not pay. */
  for (i = 0; i < length; i++)
    {
      guint bit;

      crc ^= data[i];
      for (bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0x82f63b78 & (0u - (crc & 1)));
    }
  return ~crc;
}

int
tsr_dht_id_compare_distance (const guint8 *target,
                             const guint8 *a,
                             const guint8 *b)
{
  guint i;

  for (i = 0; i < TSR_DHT_ID_LENGTH; i++)
    {
      guint8 da = a[i] ^ target[i];
      guint8 db = b[i] ^ target[i];

      if (da != db)
        return da < db ? -1 : 1;
    }
  return 0;
}

guint
tsr_dht_id_common_prefix (const guint8 *a,
                          const guint8 *b)
{
  guint i;

  for (i = 0; i < TSR_DHT_ID_LENGTH; i++)
    {
      guint8 x = a[i] ^ b[i];
      guint bits = 0;

      if (x == 0)
        continue;
      while ((x & 0x80) == 0)
        {
          x <<= 1;
          bits++;
        }
      return i * 8 + bits;
    }
  return TSR_DHT_ID_LENGTH * 8;
}

void
tsr_dht_id_random (guint8 *out_id)
{
  guint i;

  for (i = 0; i < TSR_DHT_ID_LENGTH; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (out_id + i, &r, 4);
    }
}

/* The IPv4 address inside ::ffff:a.b.c.d, or NULL. */
static const guint8 *
mapped_ipv4 (const TsrPeerAddress *ip)
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (ip->family == 6 && memcmp (ip->address, prefix, sizeof prefix) == 0)
    return ip->address + 12;
  return NULL;
}

gboolean
tsr_dht_address_is_local (const TsrPeerAddress *ip)
{
  static const guint8 loopback6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  const guint8 *a = ip->family == 4 ? ip->address : mapped_ipv4 (ip);

  if (a != NULL)
    return a[0] == 10 ||
           (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) ||
           (a[0] == 169 && a[1] == 254) ||
           a[0] == 127;
  return memcmp (ip->address, loopback6, 16) == 0 ||
         (ip->address[0] & 0xfe) == 0xfc ||
         (ip->address[0] == 0xfe && (ip->address[1] & 0xc0) == 0x80);
}

/* crc32c ((ip & mask) | r << 29), or its 64-bit IPv6 form. */
static guint32
address_crc (const TsrPeerAddress *ip,
             guint8                r)
{
  static const guint8 v4_mask[4] = { 0x03, 0x0f, 0x3f, 0xff };
  static const guint8 v6_mask[8] = { 0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff };
  const guint8 *v4 = ip->family == 4 ? ip->address : mapped_ipv4 (ip);
  const guint8 *mask = v4 != NULL ? v4_mask : v6_mask;
  const guint8 *octets = v4 != NULL ? v4 : ip->address;
  gsize n = v4 != NULL ? 4 : 8;
  guint8 masked[8];
  gsize i;

  for (i = 0; i < n; i++)
    masked[i] = octets[i] & mask[i];
  masked[0] |= (guint8) ((r & 0x7) << 5);
  return tsr_crc32c (masked, n);
}

void
tsr_dht_node_id_for_ip (const TsrPeerAddress *ip,
                        guint8                rand,
                        guint8               *out_id)
{
  guint32 crc;

  g_return_if_fail (ip->family == 4 || ip->family == 6);

  crc = address_crc (ip, rand);
  tsr_dht_id_random (out_id);
  out_id[0] = (guint8) (crc >> 24);
  out_id[1] = (guint8) (crc >> 16);
  out_id[2] = (guint8) (((crc >> 8) & 0xf8) | (out_id[2] & 0x07));
  out_id[TSR_DHT_ID_LENGTH - 1] = rand;
}

gboolean
tsr_dht_node_id_valid_for_ip (const guint8         *id,
                              const TsrPeerAddress *ip)
{
  guint32 crc;

  g_return_val_if_fail (ip->family == 4 || ip->family == 6, FALSE);

  if (tsr_dht_address_is_local (ip))
    return TRUE;
  crc = address_crc (ip, id[TSR_DHT_ID_LENGTH - 1]);
  return id[0] == (guint8) (crc >> 24) &&
         id[1] == (guint8) (crc >> 16) &&
         (id[2] & 0xf8) == ((crc >> 8) & 0xf8);
}
