/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-id.c: the client named by a peer id (BEP 20), as the peers
 * view shows it.
 */
#include "config.h"

#include <glib.h>

#include "tsr-peer-id.h"

static void
test_known (void)
{
  static const struct { const char *id; const char *shown; } cases[] = {
    { "-TR3000-abcdefghijkl", "Transmission 3.00" },
    { "-TR4060-abcdefghijkl", "Transmission 4.06" },
    { "-LT2080-abcdefghijkl", "libtorrent 2.0.8" },
    { "-LT1234-abcdefghijkl", "libtorrent 1.2.3.4" },
    { "-lt0D80-abcdefghijkl", "rTorrent 0.13.8" },
    { "-qB4630-abcdefghijkl", "qBittorrent 4.6.3" },
    { "-AZ5750-abcdefghijkl", "Vuze 5.7.5" },
    { "-UT355W-abcdefghijkl", "µTorrent 3.5.5" },
    { "-TE0010-abcdefghijkl", "Tessera 0.0.1" },
    { "M4-3-6--abcdefghijkl", "BitTorrent 4.3.6" },
    { "M7-10-2-abcdefghijkl", "BitTorrent 7.10.2" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = tsr_peer_id_describe ((const guint8 *) cases[i].id);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

static void
test_unknown (void)
{
  static const guint8 binary[20] = { 0x00, 0xff, 0x10 };
  g_autofree char *letters = tsr_peer_id_describe ((const guint8 *) "-ZZ1234-abcdefghijkl");
  g_autofree char *odd = tsr_peer_id_describe ((const guint8 *) "exbc\x01\x02zzzzzzzzzzzzzz");
  g_autofree char *bytes = tsr_peer_id_describe (binary);
  g_autofree char *bad_version = tsr_peer_id_describe ((const guint8 *) "-TR3!00-abcdefghijkl");
  g_autofree char *bad_mainline = tsr_peer_id_describe ((const guint8 *) "M4-x-6--abcdefghijkl");

  g_assert_cmpstr (letters, ==, "Unknown (-ZZ1234-)");
  g_assert_cmpstr (odd, ==, "Unknown (exbc)");
  g_assert_cmpstr (bytes, ==, "Unknown");
  g_assert_cmpstr (bad_version, ==, "Unknown (-TR3!00-)");
  g_assert_cmpstr (bad_mainline, ==, "Unknown (M4-x-6--)");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-id/known", test_known);
  g_test_add_func ("/peer-id/unknown", test_unknown);
  return g_test_run ();
}
