/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-extension.c: the BEP 10 handshake codec: real clients' handshakes
 * parse, ours round-trips, hostile fields are dropped or refused.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-extension.h"

static TsrExtensionHandshake *
parse (const char *text,
       GError    **error)
{
  return tsr_extension_handshake_parse ((const guint8 *) text, strlen (text), error);
}

static void
test_libtorrent_style (void)
{
  /* Shaped like libtorrent 2.0's: sorted keys, yourip as 4 bytes. */
  static const char text[] =
    "d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e"
    "11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei31235e1:pi6881e4:reqqi2000e"
    "1:v18:libtorrent/2.0.8.06:yourip4:\x7f\x00\x00\x01" "e";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrExtensionHandshake) shake =
    tsr_extension_handshake_parse ((const guint8 *) text, sizeof text - 1, &error);
  g_autofree char *ip = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (shake);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (shake->extensions, "ut_metadata")), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (shake->extensions, "ut_pex")), ==, 1);
  g_assert_cmpuint (g_hash_table_size (shake->extensions), ==, 6);
  g_assert_cmpuint (shake->port, ==, 6881);
  g_assert_cmpuint (shake->reqq, ==, 2000);
  g_assert_cmpint (shake->metadata_size, ==, 31235);
  g_assert_cmpstr (shake->client, ==, "libtorrent/2.0.8.0");
  ip = g_inet_address_to_string (shake->your_ip);
  g_assert_cmpstr (ip, ==, "127.0.0.1");
}

static void
test_round_trip (void)
{
  g_autoptr(TsrExtensionHandshake) ours = tsr_extension_handshake_new ();
  g_autoptr(TsrExtensionHandshake) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *data;

  ours->client = g_strdup ("Tessera 0.1.0");
  ours->port = 51413;
  ours->reqq = TSR_EXTENSION_OUR_REQQ;
  ours->your_ip = g_inet_address_new_from_string ("::1");
  g_hash_table_insert (ours->extensions, g_strdup ("ut_metadata"), GUINT_TO_POINTER (3));
  bytes = tsr_extension_handshake_encode (ours);
  data = g_bytes_get_data (bytes, &length);
  /* Canonical bencode: keys sorted, so "m" comes before "p". */
  g_assert_nonnull (g_strstr_len ((const char *) data, (gssize) length, "1:md11:ut_metadatai3ee1:pi51413e"));
  back = tsr_extension_handshake_parse (data, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->client, ==, "Tessera 0.1.0");
  g_assert_cmpuint (back->port, ==, 51413);
  g_assert_cmpuint (back->reqq, ==, TSR_EXTENSION_OUR_REQQ);
  g_assert_true (g_inet_address_equal (back->your_ip, ours->your_ip));
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (back->extensions, "ut_metadata")), ==, 3);
  g_assert_cmpint (back->metadata_size, ==, -1);

  /* An empty dictionary is a valid handshake: nothing known. */
  g_clear_pointer (&back, tsr_extension_handshake_free);
  back = parse ("de", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->port, ==, 0);
  g_assert_cmpuint (back->reqq, ==, 0);
  g_assert_null (back->client);
}

static void
test_hostile (void)
{
  static const char *const refused[] = {
    "",                       /* not bencode */
    "le",                     /* not a dictionary */
    "d1:mi1ee",               /* m not a dictionary */
    "d1:pi70000ee",           /* port out of range */
    "d1:pi-1ee",
    "d1:p4:6881e",            /* port not an integer */
    "d4:reqqi-5ee",
    "d13:metadata_sizei-1ee",
    "d1:md1:xi1ee",           /* truncated */
  };
  g_autoptr(TsrExtensionHandshake) shake = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrExtensionHandshake) bad = parse (refused[i], &error);

      if (bad != NULL)
        g_test_message ("accepted: %s", refused[i]);
      g_assert_null (bad);
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  /* Dropped, not refused: ids out of range, names with NUL or bad UTF-8,
   * a client name that is not text, an address of the wrong size. */
  {
    static const char text[] = "d1:md2:a\0i1e2:\xff\xffi2e1:bi0e1:ci256e1:di255ee"
                               "1:v3:\xff\x00x6:yourip3:abce";
    g_autoptr(GError) error = NULL;

    shake = tsr_extension_handshake_parse ((const guint8 *) text, sizeof text - 1, &error);
    g_assert_no_error (error);
  }
  g_assert_nonnull (shake);
  g_assert_cmpuint (g_hash_table_size (shake->extensions), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (shake->extensions, "d")), ==, 255);
  g_assert_null (shake->client);
  g_assert_null (shake->your_ip);
  /* A huge reqq is clamped, not trusted. */
  g_clear_pointer (&shake, tsr_extension_handshake_free);
  shake = parse ("d4:reqqi99999999999ee", NULL);
  g_assert_nonnull (shake);
  g_assert_cmpuint (shake->reqq, ==, 100000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/extension/libtorrent-style", test_libtorrent_style);
  g_test_add_func ("/extension/round-trip", test_round_trip);
  g_test_add_func ("/extension/hostile", test_hostile);
  return g_test_run ();
}
