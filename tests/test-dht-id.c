/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-id.c: DHT node ids: CRC32C, the XOR metric, BEP 42's test
 * vectors (made and checked), its address mask and its local exemptions.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-dht-id.h"
#include "tsr-util.h"

/* Raw bytes, as a datagram's sender would give them: an IPv4-mapped
 * address stays IPv6 here (tsr_peer_address_parse would make it IPv4), so
 * that the DHT's own handling of it is what is tested. */
static TsrPeerAddress
address (const char *text)
{
  TsrPeerAddress ip = { 0 };
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (text);

  g_assert_nonnull (inet);
  ip.family = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? 6 : 4;
  memcpy (ip.address, g_inet_address_to_bytes (inet), g_inet_address_get_native_size (inet));
  ip.port = 1;
  return ip;
}

static void
id_from_hex (const char *hex,
             guint8     *id)
{
  g_assert_true (tsr_hex_decode (hex, strlen (hex), id, TSR_DHT_ID_LENGTH));
}

static void
test_crc32c (void)
{
  static const guint8 zeros[32] = { 0 };

  /* The check value of CRC-32C, and RFC 3720's 32 zero bytes. */
  g_assert_cmphex (tsr_crc32c ((const guint8 *) "123456789", 9), ==, 0xe3069283);
  g_assert_cmphex (tsr_crc32c (zeros, sizeof zeros), ==, 0x8a9136aa);
  g_assert_cmphex (tsr_crc32c (NULL, 0), ==, 0);
}

/* BEP 42's table: IP, rand, and the example id whose first 21 bits and
 * last byte are fixed by them. */
static const struct
{
  const char *ip;
  guint8      rand;
  const char *id;
} bep42_vectors[] = {
  { "124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401" },
  { "21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256" },
  { "65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616" },
  { "84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41" },
  { "43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a" },
};

static void
test_bep42_vectors (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bep42_vectors); i++)
    {
      TsrPeerAddress ip = address (bep42_vectors[i].ip);
      guint8 expected[TSR_DHT_ID_LENGTH];
      guint8 made[TSR_DHT_ID_LENGTH];
      guint8 other[TSR_DHT_ID_LENGTH];
      guint round;

      id_from_hex (bep42_vectors[i].id, expected);
      g_assert_true (tsr_dht_node_id_valid_for_ip (expected, &ip));
      /* Made ids match the bold parts: 21 bits and the last byte. */
      for (round = 0; round < 8; round++)
        {
          tsr_dht_node_id_for_ip (&ip, bep42_vectors[i].rand, made);
          g_assert_cmphex (made[0], ==, expected[0]);
          g_assert_cmphex (made[1], ==, expected[1]);
          g_assert_cmphex (made[2] & 0xf8, ==, expected[2] & 0xf8);
          g_assert_cmphex (made[19], ==, bep42_vectors[i].rand);
          g_assert_true (tsr_dht_node_id_valid_for_ip (made, &ip));
        }
      /* Any of the 21 bits flipped, or another r, and it no longer fits. */
      for (round = 0; round < 21; round++)
        {
          memcpy (other, expected, sizeof other);
          other[round / 8] ^= (guint8) (0x80 >> (round % 8));
          g_assert_false (tsr_dht_node_id_valid_for_ip (other, &ip));
        }
      memcpy (other, expected, sizeof other);
      other[19] ^= 0x01;
      g_assert_false (tsr_dht_node_id_valid_for_ip (other, &ip));
      /* The random bits are free. */
      memcpy (other, expected, sizeof other);
      other[2] ^= 0x07;
      other[10] ^= 0xff;
      other[19] ^= 0xf8;
      g_assert_true (tsr_dht_node_id_valid_for_ip (other, &ip));
    }
}

static void
test_bep42_mask (void)
{
  TsrPeerAddress ip = address ("124.31.75.21");
  TsrPeerAddress masked_out = address ("128.31.75.21");    /* 0x7c and 0x80 agree in 0x03 */
  TsrPeerAddress masked_in = address ("125.31.75.21");     /* 0x7d does not */
  TsrPeerAddress mapped = address ("::ffff:124.31.75.21");
  TsrPeerAddress v6 = address ("2001:db8:1234:5678::1");
  TsrPeerAddress v6_low = address ("2001:db8:1234:5678:ffff:eeee:dddd:cccc");   /* same high 64 bits */
  TsrPeerAddress v6_high = address ("2001:db8:1234:5679::1");
  guint8 id[TSR_DHT_ID_LENGTH];
  guint8 id6[TSR_DHT_ID_LENGTH];

  id_from_hex (bep42_vectors[0].id, id);
  g_assert_true (tsr_dht_node_id_valid_for_ip (id, &ip));
  g_assert_true (tsr_dht_node_id_valid_for_ip (id, &masked_out));
  g_assert_false (tsr_dht_node_id_valid_for_ip (id, &masked_in));
  /* An IPv4-mapped address is its IPv4 address. */
  g_assert_true (tsr_dht_node_id_valid_for_ip (id, &mapped));
  /* IPv6: only the high 64 bits count. */
  tsr_dht_node_id_for_ip (&v6, 3, id6);
  g_assert_true (tsr_dht_node_id_valid_for_ip (id6, &v6));
  g_assert_true (tsr_dht_node_id_valid_for_ip (id6, &v6_low));
  g_assert_false (tsr_dht_node_id_valid_for_ip (id6, &v6_high));
  g_assert_false (tsr_dht_node_id_valid_for_ip (id, &v6));
}

static void
test_local_exemptions (void)
{
  static const char *local[] = {
    "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1",
    "169.254.3.4", "127.0.0.1", "127.255.0.9",
    "::1", "fc00::1", "fd12:3456::9", "fe80::1", "febf::1", "::ffff:192.168.0.7",
  };
  static const char *global[] = {
    "9.255.255.255", "11.0.0.1", "172.15.255.255", "172.32.0.1", "192.167.1.1", "192.169.0.1",
    "169.253.1.1", "169.255.1.1", "126.0.0.1", "128.0.0.1", "8.8.8.8",
    "::2", "fbff::1", "fec0::1", "2001:db8::1", "::ffff:8.8.8.8",
  };
  guint8 zeros[TSR_DHT_ID_LENGTH] = { 0 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (local); i++)
    {
      TsrPeerAddress ip = address (local[i]);

      g_test_message ("%s", local[i]);
      g_assert_true (tsr_dht_address_is_local (&ip));
      g_assert_true (tsr_dht_node_id_valid_for_ip (zeros, &ip));
    }
  for (i = 0; i < G_N_ELEMENTS (global); i++)
    {
      TsrPeerAddress ip = address (global[i]);

      g_test_message ("%s", global[i]);
      g_assert_false (tsr_dht_address_is_local (&ip));
      g_assert_false (tsr_dht_node_id_valid_for_ip (zeros, &ip));
    }
}

static void
test_distance (void)
{
  guint8 target[TSR_DHT_ID_LENGTH] = { 0 };
  guint8 a[TSR_DHT_ID_LENGTH] = { 0 };
  guint8 b[TSR_DHT_ID_LENGTH] = { 0 };

  g_assert_cmpint (tsr_dht_id_compare_distance (target, a, b), ==, 0);
  g_assert_cmpuint (tsr_dht_id_common_prefix (a, b), ==, 160);
  b[19] = 0x01;
  g_assert_cmpint (tsr_dht_id_compare_distance (target, a, b), <, 0);
  g_assert_cmpint (tsr_dht_id_compare_distance (target, b, a), >, 0);
  g_assert_cmpuint (tsr_dht_id_common_prefix (a, b), ==, 159);
  /* The XOR metric, not the numeric difference: 0x80... is far from 0x7f... */
  target[0] = 0x80;
  a[0] = 0x7f;
  b[0] = 0xff;
  g_assert_cmpint (tsr_dht_id_compare_distance (target, a, b), >, 0);
  g_assert_cmpuint (tsr_dht_id_common_prefix (target, a), ==, 0);
  g_assert_cmpuint (tsr_dht_id_common_prefix (target, b), ==, 1);
  a[0] = 0x80;
  a[2] = 0x10;
  g_assert_cmpuint (tsr_dht_id_common_prefix (target, a), ==, 19);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dht-id/crc32c", test_crc32c);
  g_test_add_func ("/dht-id/bep42-vectors", test_bep42_vectors);
  g_test_add_func ("/dht-id/bep42-mask", test_bep42_mask);
  g_test_add_func ("/dht-id/local-exemptions", test_local_exemptions);
  g_test_add_func ("/dht-id/distance", test_distance);
  return g_test_run ();
}
