/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-holepunch.c: the BEP 55 ut_holepunch codec (codec/tsr-holepunch.c):
 * the bytes of each message as BEP 55 lays them out, both address
 * families, and malformed messages refused.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-holepunch.h"

static void
test_encode_layout (void)
{
  /* connect, IPv4 10.0.0.2:6881, no error code. */
  static const guint8 expected[] = { 1, 0, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0, 0 };
  /* error, IPv6 ::1 port 1, NoSelf. */
  static const guint8 expected6[] = { 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 4 };
  TsrHolepunchMessage message = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes6 = NULL;

  message.type = TSR_HOLEPUNCH_CONNECT;
  g_assert_true (tsr_peer_address_parse ("10.0.0.2:6881", &message.address));
  bytes = tsr_holepunch_message_encode (&message);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, sizeof expected);

  message.type = TSR_HOLEPUNCH_ERROR_MSG;
  message.code = TSR_HOLEPUNCH_NO_SELF;
  g_assert_true (tsr_peer_address_parse ("[::1]:1", &message.address));
  bytes6 = tsr_holepunch_message_encode (&message);
  g_assert_cmpmem (g_bytes_get_data (bytes6, NULL), g_bytes_get_size (bytes6), expected6, sizeof expected6);
}

static void
test_parse_round_trip (void)
{
  static const char *addresses[] = { "192.0.2.7:51413", "[2001:db8::5]:6881" };
  gsize i;
  guint type;

  for (i = 0; i < G_N_ELEMENTS (addresses); i++)
    for (type = TSR_HOLEPUNCH_RENDEZVOUS; type <= TSR_HOLEPUNCH_ERROR_MSG; type++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        TsrHolepunchMessage message = { 0 };
        TsrHolepunchMessage parsed;

        message.type = type;
        message.code = type == TSR_HOLEPUNCH_ERROR_MSG ? TSR_HOLEPUNCH_NOT_CONNECTED : 0;
        g_assert_true (tsr_peer_address_parse (addresses[i], &message.address));
        bytes = tsr_holepunch_message_encode (&message);
        g_assert_true (tsr_holepunch_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                                    &parsed, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (parsed.type, ==, type);
        g_assert_cmpuint (parsed.code, ==, message.code);
        g_assert_true (tsr_peer_address_equal (&parsed.address, &message.address));
      }
}

static void
test_parse_rejects_malformed (void)
{
  static const struct
  {
    const char *what;
    guint8      bytes[26];
    gsize       length;
  } bad[] = {
    { "empty", { 0 }, 0 },
    { "type only", { 1 }, 1 },
    { "unknown type", { 3, 0, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0, 0 }, 12 },
    { "unknown address type", { 1, 2, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0, 0 }, 12 },
    { "IPv4 short", { 1, 0, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0 }, 11 },
    { "IPv4 without port", { 1, 0, 10, 0, 0, 2, 0x1a }, 7 },
    { "IPv4 trailing", { 1, 0, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0, 0, 9 }, 13 },
    { "IPv6 with IPv4 length", { 1, 1, 10, 0, 0, 2, 0x1a, 0xe1, 0, 0, 0, 0 }, 12 },
    { "port 0", { 0, 0, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0 }, 12 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      TsrHolepunchMessage parsed;

      g_test_message ("%s", bad[i].what);
      g_assert_false (tsr_holepunch_message_parse (bad[i].bytes, bad[i].length, &parsed, &error));
      g_assert_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED);
    }
}

/* libtorrent leaves err_code out but in error messages. */
static void
test_parse_without_code (void)
{
  static const guint8 connect[] = { 1, 0, 10, 0, 0, 2, 0x1a, 0xe1 };
  static const guint8 connect6[] = { 1, 1, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x1a, 0xe1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text6 = NULL;
  TsrHolepunchMessage parsed;

  g_assert_true (tsr_holepunch_message_parse (connect, sizeof connect, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.type, ==, TSR_HOLEPUNCH_CONNECT);
  g_assert_cmpuint (parsed.code, ==, 0);
  text = tsr_peer_address_to_string (&parsed.address);
  g_assert_cmpstr (text, ==, "10.0.0.2:6881");
  g_assert_true (tsr_holepunch_message_parse (connect6, sizeof connect6, &parsed, &error));
  text6 = tsr_peer_address_to_string (&parsed.address);
  g_assert_cmpstr (text6, ==, "[2001:db8::5]:6881");
}

static void
test_code_names (void)
{
  /* Each known code has its own text; an unknown one a generic one. */
  g_assert_cmpstr (tsr_holepunch_code_to_string (TSR_HOLEPUNCH_NO_SUCH_PEER), !=,
                   tsr_holepunch_code_to_string (TSR_HOLEPUNCH_NOT_CONNECTED));
  g_assert_cmpstr (tsr_holepunch_code_to_string (TSR_HOLEPUNCH_NO_SUPPORT), !=,
                   tsr_holepunch_code_to_string (TSR_HOLEPUNCH_NO_SELF));
  g_assert_cmpstr (tsr_holepunch_code_to_string (99), ==, tsr_holepunch_code_to_string (0));
  g_assert_cmpstr (tsr_holepunch_code_to_string (99), !=, tsr_holepunch_code_to_string (TSR_HOLEPUNCH_NO_SELF));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/holepunch/encode/layout", test_encode_layout);
  g_test_add_func ("/holepunch/parse/round-trip", test_parse_round_trip);
  g_test_add_func ("/holepunch/parse/rejects-malformed", test_parse_rejects_malformed);
  g_test_add_func ("/holepunch/parse/without-code", test_parse_without_code);
  g_test_add_func ("/holepunch/code/names", test_code_names);
  return g_test_run ();
}
