/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-priority.c: BEP 40 canonical peer priority: the BEP's own
 * test vectors, each masking rule against the bytes it must hash, the
 * ports of one host, IPv6, symmetry, and mixed families.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-dht-id.h"
#include "tsr-peer-priority.h"

static TsrPeerAddress
address (const char *host,
         guint16     port)
{
  TsrPeerAddress out = { 0 };
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);

  g_assert_nonnull (inet);
  tsr_peer_address_from_inet (inet, port, &out);
  return out;
}

/* The priority of @x and @y, checked to be the same both ways round. */
static guint32
priority (const char *x,
          guint16     x_port,
          const char *y,
          guint16     y_port)
{
  TsrPeerAddress a = address (x, x_port);
  TsrPeerAddress b = address (y, y_port);
  guint32 forward = tsr_peer_priority (&a, &b);

  g_assert_cmpuint (forward, ==, tsr_peer_priority (&b, &a));
  return forward;
}

static guint32
crc_of (const char *bytes,
        gsize       length)
{
  return tsr_crc32c ((const guint8 *) bytes, length);
}

/* BEP 40, "Test vectors". */
static void
test_bep40_vectors (void)
{
  g_assert_cmpuint (priority ("123.213.32.10", 0, "98.76.54.32", 0), ==, 0xec2d7224);
  g_assert_cmpuint (priority ("123.213.32.10", 0, "123.213.32.234", 0), ==, 0x99568189);
}

static void
test_ipv4_rules (void)
{
  /* One host: the ports, big-endian, lowest first. */
  g_assert_cmpuint (priority ("230.12.123.3", 0x04d2, "230.12.123.3", 0x012c), ==,
                    crc_of ("\x01\x2c\x04\xd2", 4));
  /* One /24: the whole addresses, lowest first; ports do not count. */
  g_assert_cmpuint (priority ("230.12.123.1", 0x04d2, "230.12.123.3", 0x012c), ==,
                    crc_of ("\xe6\x0c\x7b\x01\xe6\x0c\x7b\x03", 8));
  g_assert_cmpuint (priority ("230.12.123.1", 1, "230.12.123.3", 2), ==,
                    priority ("230.12.123.1", 3, "230.12.123.3", 4));
  /* One /16, not one /24: masked by 0xffffff55. */
  g_assert_cmpuint (priority ("230.12.23.1", 0x04d2, "230.12.123.3", 0x012c), ==,
                    crc_of ("\xe6\x0c\x17\x01\xe6\x0c\x7b\x01", 8));
  /* Not one /16: masked by 0xffff5555 (0x7b becomes 0x51, 0x17 0x15),
   * and 230.12 comes before 230.120. */
  g_assert_cmpuint (priority ("230.120.23.1", 0x04d2, "230.12.123.3", 0x012c), ==,
                    crc_of ("\xe6\x0c\x51\x01\xe6\x78\x15\x01", 8));
}

static void
test_ipv6_rules (void)
{
  /* One host: the ports, as for IPv4. */
  g_assert_cmpuint (priority ("ffff:ffff:ffff:ffff::1", 0x04d2, "ffff:ffff:ffff:ffff::1", 0x012c), ==,
                    crc_of ("\x01\x2c\x04\xd2", 4));
  /* Not one /32: the upper 64 bits masked by 0xffffffff55555555, the
   * lower 64 kept. */
  g_assert_cmpuint (priority ("ffff:ffff:ffff:ffff::1", 1, "ffff:0fff:ffff:ffff::1", 2), ==,
                    crc_of ("\xff\xff\x0f\xff\x55\x55\x55\x55\x00\x00\x00\x00\x00\x00\x00\x01"
                            "\xff\xff\xff\xff\x55\x55\x55\x55\x00\x00\x00\x00\x00\x00\x00\x01", 32));
  /* One /32, not one /48: 0xffffffffffff5555. */
  g_assert_cmpuint (priority ("2001:db8:1:ffff::7", 1, "2001:db8:2:ffff::9", 2), ==,
                    crc_of ("\x20\x01\x0d\xb8\x00\x01\x55\x55\x00\x00\x00\x00\x00\x00\x00\x07"
                            "\x20\x01\x0d\xb8\x00\x02\x55\x55\x00\x00\x00\x00\x00\x00\x00\x09", 32));
  /* One /48: nothing masked. */
  g_assert_cmpuint (priority ("2001:db8:1:ffff::9", 1, "2001:db8:1:fffe::7", 2), ==,
                    crc_of ("\x20\x01\x0d\xb8\x00\x01\xff\xfe\x00\x00\x00\x00\x00\x00\x00\x07"
                            "\x20\x01\x0d\xb8\x00\x01\xff\xff\x00\x00\x00\x00\x00\x00\x00\x09", 32));
}

static void
test_mixed_families (void)
{
  TsrPeerAddress v4 = address ("1.2.3.4", 1);
  TsrPeerAddress v6 = address ("2001:db8::1", 1);
  TsrPeerAddress unset = { 0 };

  g_assert_cmpuint (tsr_peer_priority (&v4, &v6), ==, 0);
  g_assert_cmpuint (tsr_peer_priority (&v4, &unset), ==, 0);
  g_assert_cmpuint (tsr_peer_priority (&unset, &unset), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-priority/bep40-vectors", test_bep40_vectors);
  g_test_add_func ("/peer-priority/ipv4-rules", test_ipv4_rules);
  g_test_add_func ("/peer-priority/ipv6-rules", test_ipv6_rules);
  g_test_add_func ("/peer-priority/mixed-families", test_mixed_families);
  return g_test_run ();
}
