/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-address.c: the binary peer address: strict parsing of
 * "host:port" and "[v6]:port", IPv4-mapped addresses stored as IPv4,
 * socket addresses both ways, hashing, equality and same-host.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-peer-address.h"

static TsrPeerAddress
parsed (const char *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

static void
test_parse_ipv4 (void)
{
  static const guint8 bytes[4] = { 1, 2, 3, 4 };
  TsrPeerAddress address = parsed ("1.2.3.4:6881");

  g_assert_cmpuint (address.family, ==, TSR_PEER_ADDRESS_IPV4);
  g_assert_cmpmem (address.address, 4, bytes, 4);
  g_assert_cmpuint (address.port, ==, 6881);
  address = parsed ("255.255.255.255:65535");
  g_assert_cmpuint (address.port, ==, 65535);
  address = parsed ("0.0.0.0:1");
  g_assert_cmpuint (address.port, ==, 1);
}

static void
test_parse_ipv6 (void)
{
  static const guint8 loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  static const guint8 doc[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07 };
  TsrPeerAddress address = parsed ("[::1]:6881");

  g_assert_cmpuint (address.family, ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_cmpmem (address.address, 16, loopback, 16);
  g_assert_cmpuint (address.port, ==, 6881);
  address = parsed ("[2001:DB8::7]:9");
  g_assert_cmpuint (address.family, ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_cmpmem (address.address, 16, doc, 16);
  g_assert_cmpuint (address.port, ==, 9);
}

static void
test_parse_mapped (void)
{
  static const guint8 bytes[4] = { 192, 168, 1, 20 };
  TsrPeerAddress mapped = parsed ("[::ffff:192.168.1.20]:80");
  TsrPeerAddress plain = parsed ("192.168.1.20:80");

  /* Stored as the IPv4 address it is, so that both spellings meet. */
  g_assert_cmpuint (mapped.family, ==, TSR_PEER_ADDRESS_IPV4);
  g_assert_cmpmem (mapped.address, 4, bytes, 4);
  g_assert_true (tsr_peer_address_equal (&mapped, &plain));
  g_assert_cmpuint (tsr_peer_address_hash (&mapped), ==, tsr_peer_address_hash (&plain));
  /* Only ::ffff:0:0/96 is mapped; ::192.168.1.20 (compatible) is not. */
  g_assert_cmpuint (parsed ("[::192.168.1.20]:80").family, ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_cmpuint (parsed ("[::fffe:192.168.1.20]:80").family, ==, TSR_PEER_ADDRESS_IPV6);
}

static void
test_parse_rejects (void)
{
  static const char *const bad[] = {
    "", ":", ":80", "1.2.3.4", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:99999",
    "1.2.3.4:123456", "1.2.3.4:+80", "1.2.3.4:-80", "1.2.3.4: 80", "1.2.3.4:80 ", " 1.2.3.4:80",
    "1.2.3.4:80x", "1.2.3.4:0x50", "1.2.3:80", "1.2.3.4.5:80", "256.1.1.1:80", "01.2.3.4.5:80",
    "example.org:80", "localhost:6881", "::1:80", "[::1]", "[::1]:", "[::1]80", "[::1:80",
    "::1]:80", "[1.2.3.4]:80", "[::1]:0", "[fe80::1%eth0]:80", "[::1]:80:80", "1.2.3.4:80:80",
    "[]:80", "[[::1]]:80", "1.2.3.4\n:80",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      TsrPeerAddress address;

      memset (&address, 0xa5, sizeof address);
      g_test_message ("\"%s\"", bad[i]);
      g_assert_false (tsr_peer_address_parse (bad[i], &address));
      /* Zeroed, not left half-filled. */
      g_assert_cmpuint (address.family, ==, 0);
      g_assert_cmpuint (address.port, ==, 0);
    }
  g_assert_false (tsr_peer_address_parse (NULL, &(TsrPeerAddress) { 0 }));
}

static void
test_round_trip (void)
{
  static const char *const texts[] = {
    "1.2.3.4:6881", "127.0.0.1:1", "10.0.0.255:65535", "[::1]:6881", "[2001:db8::7]:9",
    "[fe80::1:2:3:4]:51413", "[2001:db8:1:2:3:4:5:6]:80",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      TsrPeerAddress address = parsed (texts[i]);
      g_autofree char *text = tsr_peer_address_to_string (&address);
      TsrPeerAddress again = parsed (text);

      g_assert_cmpstr (text, ==, texts[i]);
      g_assert_true (tsr_peer_address_equal (&address, &again));
    }
}

static void
test_to_string_canonical (void)
{
  TsrPeerAddress mapped = parsed ("[::FFFF:10.1.2.3]:7");
  TsrPeerAddress upper = parsed ("[2001:DB8:0:0::7]:9");
  TsrPeerAddress host = tsr_peer_address_get_host (&upper);
  TsrPeerAddress host4 = tsr_peer_address_get_host (&mapped);
  g_autofree char *a = tsr_peer_address_to_string (&mapped);
  g_autofree char *b = tsr_peer_address_to_string (&upper);
  g_autofree char *c = tsr_peer_address_to_string (&host);
  g_autofree char *d = tsr_peer_address_to_string (&host4);

  g_assert_cmpstr (a, ==, "10.1.2.3:7");
  g_assert_cmpstr (b, ==, "[2001:db8::7]:9");
  /* A host alone (port 0): what an incoming peer's ban names. */
  g_assert_cmpstr (c, ==, "[2001:db8::7]");
  g_assert_cmpstr (d, ==, "10.1.2.3");
}

static void
test_socket_addresses (void)
{
  g_autoptr(GInetAddress) v4 = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GInetAddress) mapped = g_inet_address_new_from_string ("::ffff:127.0.0.1");
  g_autoptr(GInetAddress) v6 = g_inet_address_new_from_string ("2001:db8::1");
  g_autoptr(GSocketAddress) socket4 = g_inet_socket_address_new (v4, 4000);
  g_autoptr(GSocketAddress) socket_mapped = g_inet_socket_address_new (mapped, 4000);
  g_autoptr(GSocketAddress) socket6 = g_inet_socket_address_new (v6, 4001);
  g_autoptr(GSocketAddress) back = NULL;
  g_autofree char *text = NULL;
  TsrPeerAddress a;
  TsrPeerAddress b;
  TsrPeerAddress c;

  g_assert_true (tsr_peer_address_from_socket (socket4, &a));
  g_assert_true (tsr_peer_address_from_socket (socket_mapped, &b));
  g_assert_true (tsr_peer_address_equal (&a, &b));
  g_assert_cmpuint (b.family, ==, TSR_PEER_ADDRESS_IPV4);
  text = tsr_peer_address_to_string (&b);
  g_assert_cmpstr (text, ==, "127.0.0.1:4000");

  g_assert_true (tsr_peer_address_from_socket (socket6, &c));
  g_assert_cmpuint (c.family, ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_cmpuint (c.port, ==, 4001);
  back = tsr_peer_address_to_socket_address (&c);
  g_assert_true (g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (back)), v6));
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (back)), ==, 4001);

  tsr_peer_address_from_inet (mapped, 9, &a);
  g_assert_cmpuint (a.family, ==, TSR_PEER_ADDRESS_IPV4);
  g_assert_cmpuint (a.port, ==, 9);

  /* Not an internet address (a connection whose peer is gone). */
  g_assert_false (tsr_peer_address_from_socket (NULL, &a));
  g_assert_cmpuint (a.family, ==, 0);
}

static void
test_hash_equal (void)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  TsrPeerAddress a = parsed ("10.0.0.1:6881");
  TsrPeerAddress other_port = parsed ("10.0.0.1:6882");
  TsrPeerAddress other_host = parsed ("10.0.0.2:6881");
  TsrPeerAddress v6 = parsed ("[::a00:1]:6881");   /* the same four bytes, as IPv6 */
  TsrPeerAddress again = parsed ("10.0.0.1:6881");

  g_assert_true (tsr_peer_address_equal (&a, &again));
  g_assert_false (tsr_peer_address_equal (&a, &other_port));
  g_assert_false (tsr_peer_address_equal (&a, &other_host));
  g_assert_false (tsr_peer_address_equal (&a, &v6));
  /* Bytes past the family's length do not count. */
  again.address[10] = 0x55;
  g_assert_true (tsr_peer_address_equal (&a, &again));
  g_assert_cmpuint (tsr_peer_address_hash (&a), ==, tsr_peer_address_hash (&again));

  g_hash_table_add (table, tsr_peer_address_dup (&a));
  g_hash_table_add (table, tsr_peer_address_dup (&other_port));
  g_hash_table_add (table, tsr_peer_address_dup (&v6));
  g_hash_table_add (table, tsr_peer_address_dup (&again));
  g_assert_cmpuint (g_hash_table_size (table), ==, 3);
  g_assert_true (g_hash_table_contains (table, &a));
  g_assert_false (g_hash_table_contains (table, &other_host));
}

static void
test_same_host (void)
{
  TsrPeerAddress a = parsed ("10.0.0.1:6881");
  TsrPeerAddress b = parsed ("10.0.0.1:50000");
  TsrPeerAddress c = parsed ("10.0.0.2:6881");
  TsrPeerAddress d = parsed ("[::1]:6881");
  TsrPeerAddress e = parsed ("[::1]:7000");
  TsrPeerAddress mapped = parsed ("[::ffff:10.0.0.1]:1");
  TsrPeerAddress host = tsr_peer_address_get_host (&a);

  g_assert_true (tsr_peer_address_same_host (&a, &b));
  g_assert_false (tsr_peer_address_same_host (&a, &c));
  g_assert_true (tsr_peer_address_same_host (&d, &e));
  g_assert_false (tsr_peer_address_same_host (&a, &d));
  g_assert_true (tsr_peer_address_same_host (&a, &mapped));
  g_assert_true (tsr_peer_address_same_host (&a, &host));
  g_assert_cmpuint (host.port, ==, 0);
  g_assert_false (tsr_peer_address_equal (&a, &host));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer-address/parse/ipv4", test_parse_ipv4);
  g_test_add_func ("/peer-address/parse/ipv6", test_parse_ipv6);
  g_test_add_func ("/peer-address/parse/mapped-is-ipv4", test_parse_mapped);
  g_test_add_func ("/peer-address/parse/rejects-malformed", test_parse_rejects);
  g_test_add_func ("/peer-address/string/round-trip", test_round_trip);
  g_test_add_func ("/peer-address/string/canonical", test_to_string_canonical);
  g_test_add_func ("/peer-address/socket-addresses", test_socket_addresses);
  g_test_add_func ("/peer-address/hash-equal", test_hash_equal);
  g_test_add_func ("/peer-address/same-host", test_same_host);

  return g_test_run ();
}
