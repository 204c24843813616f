/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-pex.c: the BEP 11 ut_pex codec: libtorrent's message shape, IPv4
 * and IPv6 with flags, round trips, hostile lists.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-pex.h"

static char *
peer_text (GArray *peers,
           guint   i)
{
  return tsr_peer_address_to_string (&g_array_index (peers, TsrPexPeer, i).address);
}

static void
test_parse (void)
{
  /* Two IPv4 peers with flags, one IPv6 peer without "added6.f", one dropped. */
  static const char text[] =
    "d5:added12:\x7f\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\x00\x50" "7:added.f2:\x12\x10"
    "6:added618:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe2"
    "7:dropped6:\x0a\x00\x00\x03\x00\x51" "e";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrPexMessage) message = tsr_pex_message_parse ((const guint8 *) text, sizeof text - 1, &error);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (message->added->len, ==, 3);
  g_assert_cmpuint (message->dropped->len, ==, 1);
  a = peer_text (message->added, 0);
  b = peer_text (message->added, 1);
  c = peer_text (message->added, 2);
  d = peer_text (message->dropped, 0);
  g_assert_cmpstr (a, ==, "127.0.0.1:6881");
  g_assert_cmpstr (b, ==, "10.0.0.2:80");
  g_assert_cmpstr (c, ==, "[2001:db8::1]:6882");
  g_assert_cmpstr (d, ==, "10.0.0.3:81");
  g_assert_cmpuint (g_array_index (message->added, TsrPexPeer, 0).flags, ==, TSR_PEX_FLAG_SEED | TSR_PEX_FLAG_REACHABLE);
  g_assert_cmpuint (g_array_index (message->added, TsrPexPeer, 1).flags, ==, TSR_PEX_FLAG_REACHABLE);
  g_assert_cmpuint (g_array_index (message->added, TsrPexPeer, 2).flags, ==, 0);
}

static void
test_round_trip (void)
{
  g_autoptr(TsrPexMessage) message = tsr_pex_message_new ();
  g_autoptr(TsrPexMessage) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  static const char *added[] = { "192.168.1.5:51413", "[::1]:6881", "8.8.4.4:1" };
  guint8 flags[] = { TSR_PEX_FLAG_ENCRYPTION, TSR_PEX_FLAG_SEED, TSR_PEX_FLAG_REACHABLE };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (added); i++)
    {
      TsrPexPeer peer = { 0 };

      g_assert_true (tsr_peer_address_parse (added[i], &peer.address));
      peer.flags = flags[i];
      g_array_append_val (message->added, peer);
    }
  {
    TsrPexPeer peer = { 0 };

    g_assert_true (tsr_peer_address_parse ("[2001:db8::7]:9", &peer.address));
    g_array_append_val (message->dropped, peer);
  }
  bytes = tsr_pex_message_encode (message);
  again = tsr_pex_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->added->len, ==, 3);
  g_assert_cmpuint (again->dropped->len, ==, 1);
  /* IPv4 first, then IPv6: the order of the lists on the wire. */
  {
    g_autofree char *a = peer_text (again->added, 0);
    g_autofree char *b = peer_text (again->added, 1);
    g_autofree char *c = peer_text (again->added, 2);
    g_autofree char *d = peer_text (again->dropped, 0);

    g_assert_cmpstr (a, ==, "192.168.1.5:51413");
    g_assert_cmpstr (b, ==, "8.8.4.4:1");
    g_assert_cmpstr (c, ==, "[::1]:6881");
    g_assert_cmpstr (d, ==, "[2001:db8::7]:9");
    g_assert_cmpuint (g_array_index (again->added, TsrPexPeer, 0).flags, ==, TSR_PEX_FLAG_ENCRYPTION);
    g_assert_cmpuint (g_array_index (again->added, TsrPexPeer, 1).flags, ==, TSR_PEX_FLAG_REACHABLE);
    g_assert_cmpuint (g_array_index (again->added, TsrPexPeer, 2).flags, ==, TSR_PEX_FLAG_SEED);
  }
}

static void
test_hostile (void)
{
  static const char *bad[] = {
    "",
    "li1ee",
    "d5:added5:abcdee",          /* not a multiple of 6 */
    "d6:added67:1234567e",       /* not a multiple of 18 */
    "d5:addedi5ee",              /* not a string */
    "d7:dropped1:xe",
  };
  guint i;
  GString *many = g_string_new ("d5:added");
  g_autoptr(TsrPexMessage) message = NULL;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (tsr_pex_message_parse ((const guint8 *) bad[i], strlen (bad[i]), &error));
      g_assert_nonnull (error);
    }
  /* A flood of 1000 peers: only TSR_PEX_MAX_READ are taken; port 0 is skipped. */
  g_string_append_printf (many, "%u:", 1000 * 6);
  for (i = 0; i < 1000; i++)
    {
      guint8 entry[6] = { 10, 0, i >> 8, i & 0xff, 0, i == 0 ? 0 : 1 };

      g_string_append_len (many, (const char *) entry, 6);
    }
  g_string_append (many, "e");
  message = tsr_pex_message_parse ((const guint8 *) many->str, many->len, NULL);
  g_assert_nonnull (message);
  g_assert_cmpuint (message->added->len, ==, TSR_PEX_MAX_READ - 1);
  g_string_free (many, TRUE);
}

static void
test_address_strings (void)
{
  TsrPeerAddress peer;

  g_assert_false (tsr_peer_address_parse ("example.org:80", &peer));
  g_assert_false (tsr_peer_address_parse ("1.2.3.4", &peer));
  g_assert_false (tsr_peer_address_parse ("1.2.3.4:0", &peer));
  g_assert_false (tsr_peer_address_parse ("1.2.3.4:65536", &peer));
  g_assert_false (tsr_peer_address_parse ("[::1:80", &peer));
  /* IPv4-mapped is IPv4: it goes out in "added", not "added6". */
  g_assert_true (tsr_peer_address_parse ("[::ffff:1.2.3.4]:80", &peer));
  g_assert_cmpuint (peer.family, ==, 4);
  g_assert_true (tsr_peer_address_parse ("1.2.3.4:65535", &peer));
  g_assert_cmpuint (peer.family, ==, 4);
  g_assert_cmpuint (peer.port, ==, 65535);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pex/parse", test_parse);
  g_test_add_func ("/pex/round-trip", test_round_trip);
  g_test_add_func ("/pex/hostile", test_hostile);
  g_test_add_func ("/pex/address-strings", test_address_strings);
  return g_test_run ();
}
