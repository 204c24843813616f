/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-magnet.c: magnet links as people paste them (hex and base32 btih,
 * btmh, numbered keys, escapes) and as they must not be, and the links
 * Tessera writes.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-magnet.h"
#include "tsr-util.h"

#define HEX "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
#define B32 "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"   /* the same 20 bytes */
#define V2HEX "d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb"

static TsrMagnet *
parse_ok (const char *uri)
{
  g_autoptr(GError) error = NULL;
  TsrMagnet *magnet = tsr_magnet_parse (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (magnet);
  return magnet;
}

static void
test_hex_and_base32 (void)
{
  g_autoptr(TsrMagnet) hex = parse_ok ("magnet:?xt=urn:btih:" HEX);
  g_autoptr(TsrMagnet) upper = parse_ok ("MAGNET:?XT=URN:BTIH:C12FE1C06BBA254A9DC9F519B335AA7C1367A88A");
  g_autoptr(TsrMagnet) b32 = parse_ok ("magnet:?xt=urn:btih:" B32);
  g_autofree char *text = tsr_hex_encode (hex->info_hash_v1, 20);

  g_assert_true (hex->has_v1);
  g_assert_false (hex->has_v2);
  g_assert_cmpstr (text, ==, HEX);
  g_assert_cmpmem (upper->info_hash_v1, 20, hex->info_hash_v1, 20);
  g_assert_cmpmem (b32->info_hash_v1, 20, hex->info_hash_v1, 20);
  g_assert_null (hex->display_name);
  g_assert_cmpuint (hex->trackers->len, ==, 0);
}

static void
test_full (void)
{
  g_autoptr(TsrMagnet) magnet = parse_ok (
    "magnet:?xt=urn:btih:" HEX "&xt=urn:btmh:1220" V2HEX
    "&dn=Big+Buck%20Bunny%E2%80%99s"
    "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce&tr.1=http://t2.example/a?k=1%26x=2"
    "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce"
    "&ws=http%3A%2F%2Fseed.example%2Fbbb&x.pe=10.0.0.1:6881&x.pe=[2001:db8::1]:51413"
    "&so=0,2,4-6&unknown=ignored&bare#fragment&tr=http://not-a-param/");
  g_autofree char *v2 = tsr_hex_encode (magnet->info_hash_v2, 32);
  TsrMagnetRange *range;

  g_assert_true (magnet->has_v1 && magnet->has_v2);
  g_assert_cmpstr (v2, ==, V2HEX);
  g_assert_cmpstr (magnet->display_name, ==, "Big Buck Bunny’s");
  g_assert_cmpuint (magnet->trackers->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (magnet->trackers, 0), ==, "udp://tracker.example:6969/announce");
  g_assert_cmpstr (g_ptr_array_index (magnet->trackers, 1), ==, "http://t2.example/a?k=1&x=2");
  g_assert_cmpuint (magnet->web_seeds->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (magnet->web_seeds, 0), ==, "http://seed.example/bbb");
  g_assert_cmpuint (magnet->peers->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (magnet->peers, 1), ==, "[2001:db8::1]:51413");
  g_assert_cmpuint (magnet->select_only->len, ==, 3);
  range = &g_array_index (magnet->select_only, TsrMagnetRange, 2);
  g_assert_cmpuint (range->first, ==, 4);
  g_assert_cmpuint (range->last, ==, 6);
}

static void
test_selects_file (void)
{
  g_autoptr(TsrMagnet) some = parse_ok ("magnet:?xt=urn:btih:" HEX "&so=0,2,4-6");
  g_autoptr(TsrMagnet) all = parse_ok ("magnet:?xt=urn:btih:" HEX);
  static const gboolean chosen[] = { TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, TRUE, FALSE };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (chosen); i++)
    {
      g_assert_cmpint (tsr_magnet_selects_file (some, i), ==, chosen[i]);
      /* Without "so", every file. */
      g_assert_true (tsr_magnet_selects_file (all, i));
    }
}

static void
test_v2_only (void)
{
  g_autoptr(TsrMagnet) magnet = parse_ok ("magnet:?xt=urn:btmh:1220" V2HEX "&dn=x");

  g_assert_false (magnet->has_v1);
  g_assert_true (magnet->has_v2);
}

static void
test_rejects (void)
{
  static const struct { const char *uri; TsrMagnetError code; } cases[] = {
    { "http://example.com/?xt=urn:btih:" HEX, TSR_MAGNET_ERROR_NOT_MAGNET },
    { "magnet", TSR_MAGNET_ERROR_NOT_MAGNET },
    { "magnet:", TSR_MAGNET_ERROR_NO_HASH },
    { "magnet:?", TSR_MAGNET_ERROR_NO_HASH },
    { "magnet:?dn=x&tr=udp://t:1", TSR_MAGNET_ERROR_NO_HASH },
    { "magnet:?xt=urn:ed2k:31D6CFE0D16AE931B73C59D7E0C089C0", TSR_MAGNET_ERROR_NO_HASH },
    { "magnet:xt=urn:btih:" HEX, TSR_MAGNET_ERROR_MALFORMED },
    { "magnet:?xt=urn:btih:" HEX "&dn=%", TSR_MAGNET_ERROR_MALFORMED },
    { "magnet:?xt=urn:btih:" HEX "&dn=%4", TSR_MAGNET_ERROR_MALFORMED },
    { "magnet:?xt=urn:btih:" HEX "&dn=%zz", TSR_MAGNET_ERROR_MALFORMED },
    { "magnet:?xt=urn:btih:" HEX "&dn=a%00b", TSR_MAGNET_ERROR_MALFORMED },
    { "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88", TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88g", TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKE1", TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btih:", TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btmh:1120" V2HEX, TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btmh:" V2HEX, TSR_MAGNET_ERROR_BAD_HASH },
    { "magnet:?xt=urn:btih:" HEX "&xt=urn:btih:0000000000000000000000000000000000000000", TSR_MAGNET_ERROR_CONFLICT },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (cases[i].uri, &error);

      g_test_message ("case %u: %s", i, cases[i].uri);
      g_assert_null (magnet);
      g_assert_error (error, TSR_MAGNET_ERROR, (int) cases[i].code);
    }
}

/* BEP 9 requires only xt: a malformed x.pe, tr, ws or so (BEP 53's own
 * examples of bad ranges among them) is skipped with a warning and the
 * rest of the link is used, as libtorrent and Transmission do. */
static void
test_skips_malformed (void)
{
  static const char *const bad[] = {
    "x.pe=host", "x.pe=host:0", "x.pe=host:65536", "x.pe=2001:db8::1:80", "x.pe=:80",
    "so=7-4", "so=-4", "so=3-", "so=a", "so=,,1", "so=1,,2", "so=99999999999",
    "tr=not%20a%20url", "tr=%zz", "ws=nourl", "x.pe=%4",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *uri = g_strdup_printf ("magnet:?xt=urn:btih:" HEX "&%s&tr=udp://t.example:1/a"
                                              "&x.pe=10.0.0.1:6881&so=1", bad[i]);
      g_autoptr(TsrMagnet) magnet = NULL;

      g_test_message ("case %u: %s", i, bad[i]);
      magnet = parse_ok (uri);
      g_assert_true (magnet->has_v1);
      g_assert_cmpuint (magnet->warnings->len, ==, 1);
      g_assert_cmpuint (magnet->trackers->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (magnet->trackers, 0), ==, "udp://t.example:1/a");
      g_assert_cmpuint (magnet->peers->len, ==, 1);
      g_assert_cmpuint (magnet->select_only->len, ==, 1);
    }
}

/* "magnet:///?xt=" is seen in the wild. */
static void
test_triple_slash (void)
{
  g_autoptr(TsrMagnet) magnet = parse_ok ("magnet:///?xt=urn:btih:" HEX "&dn=x");

  g_assert_true (magnet->has_v1);
  g_assert_cmpstr (magnet->display_name, ==, "x");
  g_assert_cmpuint (magnet->warnings->len, ==, 0);
}

static void
test_to_string_round_trip (void)
{
  g_autoptr(TsrMagnet) magnet = tsr_magnet_new ();
  g_autoptr(TsrMagnet) again = NULL;
  g_autofree char *uri = NULL;
  TsrMagnetRange range = { 3, 7 };

  magnet->has_v1 = TRUE;
  g_assert_true (tsr_hex_decode (HEX, 40, magnet->info_hash_v1, 20));
  magnet->has_v2 = TRUE;
  g_assert_true (tsr_hex_decode (V2HEX, 64, magnet->info_hash_v2, 32));
  magnet->display_name = g_strdup ("A & B = 100% +1 #2 ünïcode");
  g_ptr_array_add (magnet->trackers, g_strdup ("http://t.example/announce?passkey=a&b=c"));
  g_ptr_array_add (magnet->trackers, g_strdup ("udp://u.example:80"));
  g_ptr_array_add (magnet->web_seeds, g_strdup ("http://s.example/path with space"));
  g_ptr_array_add (magnet->peers, g_strdup ("[::1]:6881"));
  g_array_append_val (magnet->select_only, range);
  uri = tsr_magnet_to_string (magnet);

  g_assert_true (g_str_has_prefix (uri, "magnet:?xt=urn:btih:" HEX "&xt=urn:btmh:1220" V2HEX "&dn="));
  g_assert_null (strchr (uri, ' '));
  g_assert_nonnull (strstr (uri, "&so=3-7"));
  again = parse_ok (uri);
  g_assert_cmpmem (again->info_hash_v1, 20, magnet->info_hash_v1, 20);
  g_assert_cmpmem (again->info_hash_v2, 32, magnet->info_hash_v2, 32);
  g_assert_cmpstr (again->display_name, ==, magnet->display_name);
  g_assert_cmpuint (again->trackers->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (again->trackers, 0), ==, "http://t.example/announce?passkey=a&b=c");
  g_assert_cmpstr (g_ptr_array_index (again->web_seeds, 0), ==, "http://s.example/path with space");
  g_assert_cmpstr (g_ptr_array_index (again->peers, 0), ==, "[::1]:6881");
  g_assert_cmpuint (again->select_only->len, ==, 1);
}

static void
test_invalid_utf8_name (void)
{
  g_autoptr(TsrMagnet) magnet = parse_ok ("magnet:?xt=urn:btih:" HEX "&dn=caf%E9");

  g_assert_true (g_utf8_validate (magnet->display_name, -1, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/magnet/parse/hex-and-base32", test_hex_and_base32);
  g_test_add_func ("/magnet/parse/full", test_full);
  g_test_add_func ("/magnet/parse/v2-only", test_v2_only);
  g_test_add_func ("/magnet/selects-file", test_selects_file);
  g_test_add_func ("/magnet/parse/rejects", test_rejects);
  g_test_add_func ("/magnet/parse/skips-malformed", test_skips_malformed);
  g_test_add_func ("/magnet/parse/triple-slash", test_triple_slash);
  g_test_add_func ("/magnet/parse/invalid-utf8-name", test_invalid_utf8_name);
  g_test_add_func ("/magnet/to-string/round-trip", test_to_string_round_trip);

  return g_test_run ();
}
