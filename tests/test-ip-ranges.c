/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-ip-ranges.c: blocklist formats (P2P, DAT, CIDR, IPv6, gzip), the
 * merging of overlapping and adjacent ranges, malformed lines, and
 * lookups at the edges of ranges.
 */
#include "config.h"

#include <glib.h>
#include <gio/gio.h>
#include <string.h>

#include "tsr-ip-ranges.h"

static TsrIpRanges *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  TsrIpRanges *ranges = tsr_ip_ranges_parse ((const guint8 *) text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (ranges);
  return ranges;
}

static gboolean
blocks (TsrIpRanges *ranges,
        const char  *host)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);
  TsrPeerAddress address = { 0 };

  g_assert_nonnull (inet);
  tsr_peer_address_from_inet (inet, 6881, &address);
  return tsr_ip_ranges_contains (ranges, &address);
}

static void
assert_range (TsrIpRanges          *ranges,
              TsrPeerAddressFamily  family,
              guint                 index,
              const char           *expected)
{
  g_autofree char *text = tsr_ip_ranges_dup_range (ranges, family, index);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_p2p (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("# PeerGuardian\n"
                                         "Some Org:1.2.3.0-1.2.3.255\n"
                                         "Name: with colons: and, comma:10.0.0.1 - 10.0.0.9\r\n"
                                         "\n"
                                         "  \t\n"
                                         "v6 range:2001:db8::-2001:db8::ffff\n");

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV4), ==, 2);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV6), ==, 1);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "1.2.3.0 - 1.2.3.255");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 1, "10.0.0.1 - 10.0.0.9");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV6, 0, "2001:db8:: - 2001:db8::ffff");
  g_assert_cmpuint (tsr_ip_ranges_get_n_ipv4 (ranges), ==, 256 + 9);
  g_assert_cmpfloat (tsr_ip_ranges_get_n_ipv6 (ranges), ==, 65536.0);
  g_assert_cmpuint (tsr_ip_ranges_get_n_lines (ranges), ==, 6);
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (ranges, NULL, NULL), ==, 0);
}

static void
test_dat (void)
{
  /* Zero-padded octets are decimal, not octal; level 127 and above allow. */
  g_autoptr(TsrIpRanges) ranges = parse ("064.094.089.000 - 064.094.089.255 , 000 , Gator.com\n"
                                         "010.000.000.008 - 010.000.000.010 , 126 , just blocked\n"
                                         "011.000.000.000 - 011.000.000.255 , 127 , allowed\n"
                                         "012.000.000.000 - 012.000.000.255 , 200 , allowed too\n"
                                         "013.000.000.000 - 013.000.000.255 , , no level\n");
  const guint *lines;
  guint n_lines;

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 2);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "10.0.0.8 - 10.0.0.10");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 1, "64.94.89.0 - 64.94.89.255");
  g_assert_false (blocks (ranges, "11.0.0.1"));
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (ranges, &lines, &n_lines), ==, 1);
  g_assert_cmpuint (n_lines, ==, 1);
  g_assert_cmpuint (lines[0], ==, 5);
}

static void
test_cidr (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("10.0.0.0/8\n"
                                         "192.168.1.77/24\n"      /* host bits are dropped */
                                         "203.0.113.5\n"          /* one address */
                                         "2001:db8:1::/48\n"
                                         "::ffff:198.51.100.0/120\n"   /* mapped: IPv4 */
                                         "0.0.0.0/0\n");

  /* The /0 swallows every IPv4 range. */
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV4), ==, 1);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "0.0.0.0 - 255.255.255.255");
  g_assert_cmpuint (tsr_ip_ranges_get_n_ipv4 (ranges), ==, G_GUINT64_CONSTANT (1) << 32);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV6, 0, "2001:db8:1:: - 2001:db8:1:ffff:ffff:ffff:ffff:ffff");
  g_assert_true (blocks (ranges, "2001:db8:1:ffff::1"));
  g_assert_false (blocks (ranges, "2001:db8:2::"));
}

static void
test_cidr_parts (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("192.168.1.77/24\n203.0.113.5\n::ffff:198.51.100.0/120\n");

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV4), ==, 3);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV6), ==, 0);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "192.168.1.0 - 192.168.1.255");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 1, "198.51.100.0 - 198.51.100.255");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 2, "203.0.113.5 - 203.0.113.5");
  /* A mapped address a dual-stack socket gives is the IPv4 one. */
  g_assert_true (blocks (ranges, "::ffff:198.51.100.7"));
}

static void
test_merge (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("a:1.0.0.10-1.0.0.20\n"
                                         "b:1.0.0.15-1.0.0.30\n"   /* overlaps a */
                                         "c:1.0.0.31-1.0.0.40\n"   /* adjacent to b */
                                         "d:1.0.0.42-1.0.0.50\n"   /* a gap of one: apart */
                                         "e:1.0.0.12-1.0.0.13\n"   /* inside a */
                                         "f:255.255.255.0-255.255.255.255\n"
                                         "g:255.255.255.255-255.255.255.255\n"
                                         "h:2001:db8::10-2001:db8::20\n"
                                         "i:2001:db8::21-2001:db8::30\n"
                                         "j:1::-1::ffff:ffff:ffff:ffff\n"
                                         "k:1:0:0:1::-1:0:0:1:ffff:ffff:ffff:ffff\n");

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV4), ==, 3);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "1.0.0.10 - 1.0.0.40");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 1, "1.0.0.42 - 1.0.0.50");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 2, "255.255.255.0 - 255.255.255.255");
  /* The low 64 bits' carry into the high half joins j and k. */
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV6), ==, 2);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV6, 0, "1:: - 1::1:ffff:ffff:ffff:ffff");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV6, 1, "2001:db8::10 - 2001:db8::30");
}

/* Found by the fuzzer: an IPv6 range reaching into ::ffff:0:0/96 blocks
 * the IPv4 addresses it covers there, which is how peers' mapped
 * addresses are looked up. */
static void
test_mapped_overlap (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("low:::-::ffff:1.0.0.255\n"
                                         "high:::ffff:254.0.0.0-::1:0:0:5\n");

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, TSR_PEER_ADDRESS_IPV4), ==, 2);
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 0, "0.0.0.0 - 1.0.0.255");
  assert_range (ranges, TSR_PEER_ADDRESS_IPV4, 1, "254.0.0.0 - 255.255.255.255");
  g_assert_true (blocks (ranges, "::ffff:1.0.0.255"));
  g_assert_true (blocks (ranges, "1.0.0.255"));
  g_assert_false (blocks (ranges, "1.0.1.0"));
  g_assert_true (blocks (ranges, "255.255.255.255"));
  g_assert_true (blocks (ranges, "::1:0:0:5"));
  g_assert_false (blocks (ranges, "::1:0:0:6"));
  g_assert_true (blocks (ranges, "::1"));
}

static void
test_edges (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("a:1.0.0.10-1.0.0.20\nb:1.0.0.42-1.0.0.50\nc:0.0.0.0-0.0.0.0\n"
                                         "doc:2001:db8::10-2001:db8::20\n");

  g_assert_false (blocks (ranges, "1.0.0.9"));
  g_assert_true (blocks (ranges, "1.0.0.10"));
  g_assert_true (blocks (ranges, "1.0.0.20"));
  g_assert_false (blocks (ranges, "1.0.0.21"));
  g_assert_false (blocks (ranges, "1.0.0.41"));
  g_assert_true (blocks (ranges, "1.0.0.42"));
  g_assert_true (blocks (ranges, "1.0.0.50"));
  g_assert_false (blocks (ranges, "1.0.0.51"));
  g_assert_true (blocks (ranges, "0.0.0.0"));
  g_assert_false (blocks (ranges, "0.0.0.1"));
  g_assert_false (blocks (ranges, "255.255.255.255"));
  g_assert_false (blocks (ranges, "2001:db8::f"));
  g_assert_true (blocks (ranges, "2001:db8::10"));
  g_assert_true (blocks (ranges, "2001:db8::20"));
  g_assert_false (blocks (ranges, "2001:db8::21"));
  g_assert_false (blocks (ranges, "::"));
}

static void
test_malformed (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("ok:1.2.3.4-1.2.3.5\n"
                                         "1.2.3.256\n"                   /* 2: octet too big */
                                         "name:1.2.3.9-1.2.3.1\n"        /* 3: backwards */
                                         "10.0.0.0/33\n"                 /* 4: prefix too long */
                                         "garbage\n"                     /* 5 */
                                         "1.2.3.4-2001:db8::1\n"         /* 6: families mixed */
                                         "// a comment\n"
                                         "; another\n"
                                         "1.2.3\n"                       /* 9 */
                                         "x:2001:db8::g-2001:db8::1\n"   /* 10 */
                                         "ok:5.6.7.8-5.6.7.8");          /* no final newline */
  const guint *lines;
  guint n_lines;

  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (ranges, &lines, &n_lines), ==, 7);
  g_assert_cmpuint (n_lines, ==, TSR_IP_RANGES_MAX_REPORTED);
  g_assert_cmpuint (lines[0], ==, 2);
  g_assert_cmpuint (lines[1], ==, 3);
  g_assert_cmpuint (lines[2], ==, 4);
  g_assert_cmpuint (lines[3], ==, 5);
  g_assert_cmpuint (lines[4], ==, 6);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 2);
  g_assert_cmpuint (tsr_ip_ranges_get_n_lines (ranges), ==, 11);
}

static void
test_empty (void)
{
  g_autoptr(TsrIpRanges) ranges = parse ("");
  g_autoptr(TsrIpRanges) empty = tsr_ip_ranges_new_empty ();

  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 0);
  g_assert_cmpuint (tsr_ip_ranges_get_n_lines (ranges), ==, 0);
  g_assert_false (blocks (ranges, "1.2.3.4"));
  g_assert_false (blocks (empty, "::1"));
}

static void
test_huge (void)
{
  /* The whole of both spaces: counts do not overflow. */
  g_autoptr(TsrIpRanges) ranges = parse ("all:0.0.0.0-255.255.255.255\n::/0\n");

  g_assert_cmpuint (tsr_ip_ranges_get_n_ipv4 (ranges), ==, G_GUINT64_CONSTANT (4294967296));
  g_assert_cmpfloat (tsr_ip_ranges_get_n_ipv6 (ranges), ==, 340282366920938463463374607431768211456.0);
  g_assert_true (blocks (ranges, "255.255.255.255"));
  g_assert_true (blocks (ranges, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
}

static void
test_gzip (void)
{
  const char *text = "a:1.2.3.0-1.2.3.255\n10.0.0.0/8\nbad line\n";
  g_autoptr(GZlibCompressor) deflater = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  guint8 packed[4096];
  gsize read = 0, written = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrIpRanges) ranges = NULL;
  TsrIpRanges *corrupt;

  g_assert_cmpint (g_converter_convert (G_CONVERTER (deflater), text, strlen (text), packed, sizeof packed,
                                        G_CONVERTER_INPUT_AT_END, &read, &written, &error),
                   ==, G_CONVERTER_FINISHED);
  g_assert_true (tsr_ip_ranges_is_gzip (packed, written));
  ranges = tsr_ip_ranges_parse (packed, written, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 2);
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (ranges, NULL, NULL), ==, 1);
  g_assert_true (blocks (ranges, "10.255.255.255"));

  /* Cut short and damaged: an error, not a crash nor half a list. */
  packed[written / 2] ^= 0xff;
  corrupt = tsr_ip_ranges_parse (packed, written - 4, &error);
  g_assert_null (corrupt);
  g_assert_error (error, TSR_IP_RANGES_ERROR, TSR_IP_RANGES_ERROR_GZIP);
}

static void
test_feed_pieces (void)
{
  const char *text = "a:1.2.3.0-1.2.3.255\nb:5.0.0.0-5.0.0.9\nbad\n";
  TsrIpRangesBuilder *builder = tsr_ip_ranges_builder_new ();
  g_autoptr(TsrIpRanges) ranges = NULL;
  const guint *lines;
  gsize i;

  /* One byte at a time: lines spanning calls are whole. */
  for (i = 0; text[i] != '\0'; i++)
    tsr_ip_ranges_builder_feed (builder, text + i, 1);
  tsr_ip_ranges_builder_end_source (builder);
  /* A second source: its line numbers start again. */
  tsr_ip_ranges_builder_feed (builder, "also bad\n6.0.0.0/31", 19);
  ranges = tsr_ip_ranges_builder_finish (builder);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 3);
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (ranges, &lines, NULL), ==, 2);
  g_assert_cmpuint (lines[0], ==, 3);
  g_assert_cmpuint (lines[1], ==, 1);
  g_assert_true (blocks (ranges, "6.0.0.1"));
}

static void
test_many (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(TsrIpRanges) ranges = NULL;
  guint i;

  /* Every other /24 of 10.0.0.0/8, written backwards: sorted on load. */
  for (i = 65536; i-- > 0;)
    if (i % 2 == 0)
      g_string_append_printf (text, "r%u:10.%u.%u.0-10.%u.%u.255\n", i, i >> 8, i & 0xff, i >> 8, i & 0xff);
  ranges = parse (text->str);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (ranges, 0), ==, 32768);
  for (i = 0; i < 65536; i += 257)
    {
      g_autofree char *host = g_strdup_printf ("10.%u.%u.%u", i >> 8, i & 0xff, i % 256);

      g_assert_cmpint (blocks (ranges, host), ==, i % 2 == 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ip-ranges/p2p", test_p2p);
  g_test_add_func ("/ip-ranges/dat", test_dat);
  g_test_add_func ("/ip-ranges/cidr", test_cidr);
  g_test_add_func ("/ip-ranges/cidr-parts", test_cidr_parts);
  g_test_add_func ("/ip-ranges/merge", test_merge);
  g_test_add_func ("/ip-ranges/edges", test_edges);
  g_test_add_func ("/ip-ranges/mapped-overlap", test_mapped_overlap);
  g_test_add_func ("/ip-ranges/malformed", test_malformed);
  g_test_add_func ("/ip-ranges/empty", test_empty);
  g_test_add_func ("/ip-ranges/huge", test_huge);
  g_test_add_func ("/ip-ranges/gzip", test_gzip);
  g_test_add_func ("/ip-ranges/feed-pieces", test_feed_pieces);
  g_test_add_func ("/ip-ranges/many", test_many);
  return g_test_run ();
}
