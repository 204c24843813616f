/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-lsd.c: BEP 14 Local Service Discovery. The codec: exact output,
 * round trips with one and many hashes, what real clients send (any
 * header case, LF line ends), and every rejection with its error.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-lsd.h"
#include "tsr-util.h"

static void
make_hash (guint8 hash[20],
           guint  seed)
{
  guint i;

  for (i = 0; i < 20; i++)
    hash[i] = (guint8) (seed * 31 + i * 7 + 1);
}

/* ------------------------------------------------------------------ */
/* Codec                                                               */

static TsrLsdMessage *
parse_text (const char  *text,
            GError     **error)
{
  return tsr_lsd_message_parse ((const guint8 *) text, strlen (text), error);
}

static void
test_codec_round_trip (void)
{
  guint8 hash[20];
  g_autofree char *text = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  make_hash (hash, 1);
  hex = tsr_hex_encode (hash, 20);
  text = tsr_lsd_message_build ("239.192.152.143:6771", 51413, hash, 1, "0123abcd");
  expected = g_strdup_printf ("BT-SEARCH * HTTP/1.1\r\n"
                              "Host: 239.192.152.143:6771\r\n"
                              "Port: 51413\r\n"
                              "Infohash: %s\r\n"
                              "cookie: 0123abcd\r\n"
                              "\r\n\r\n", hex);
  g_assert_cmpstr (text, ==, expected);

  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 51413);
  g_assert_cmpuint (message->n_hashes, ==, 1);
  g_assert_cmpmem (message->hashes[0], 20, hash, 20);
  g_assert_cmpstr (message->cookie, ==, "0123abcd");
}

static void
test_codec_several_hashes (void)
{
  guint8 hashes[TSR_LSD_MAX_HASHES * 20];
  g_autofree char *text = NULL;
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  for (i = 0; i < TSR_LSD_MAX_HASHES; i++)
    make_hash (hashes + 20 * i, i);
  /* The longest message we ever build: every hash, an IPv6 host, a
   * five-digit port and the longest cookie. */
  text = tsr_lsd_message_build ("[ff15::efc0:988f]:6771", 65535, hashes, TSR_LSD_MAX_HASHES,
                                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_assert_cmpuint (strlen (text), <=, TSR_LSD_MAX_MESSAGE);
  g_assert_true (g_str_has_prefix (text, "BT-SEARCH * HTTP/1.1\r\nHost: [ff15::efc0:988f]:6771\r\n"));

  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 65535);
  g_assert_cmpuint (message->n_hashes, ==, TSR_LSD_MAX_HASHES);
  for (i = 0; i < TSR_LSD_MAX_HASHES; i++)
    g_assert_cmpmem (message->hashes[i], 20, hashes + 20 * i, 20);

  g_clear_pointer (&text, g_free);
  g_clear_pointer (&message, tsr_lsd_message_free);
  text = tsr_lsd_message_build ("239.192.152.143:6771", 1, hashes, 3, NULL);
  g_assert_null (strstr (text, "cookie"));
  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->n_hashes, ==, 3);
  g_assert_null (message->cookie);
}

/* What other clients send: any header case, LF line ends, upper-case hex,
 * spaces around values, headers we do not know, a repeated hash, no
 * closing empty line, bytes after it. */
static void
test_codec_tolerant (void)
{
  static const char lf[] = "BT-SEARCH * HTTP/1.1\n"
                           "HOST: 239.192.152.143:6771\n"
                           "port:6881\n"
                           "INFOHASH:  0102030405060708090A0B0C0D0E0F1011121314 \n"
                           "X-Other: whatever: really\n"
                           "infohash: 0102030405060708090a0b0c0d0e0f1011121314\n"
                           "Cookie: lt-7f\n"
                           "\n"
                           "Infohash: not even hex\n";
  static const char unterminated[] = "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: ffffffffffffffffffffffffffffffffffffffff";
  static const guint8 expected[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(TsrLsdMessage) short_one = NULL;
  g_autoptr(GError) error = NULL;

  message = parse_text (lf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 6881);
  g_assert_cmpuint (message->n_hashes, ==, 1);
  g_assert_cmpmem (message->hashes[0], 20, expected, 20);
  g_assert_cmpstr (message->cookie, ==, "lt-7f");

  short_one = parse_text (unterminated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (short_one->port, ==, 1);
  g_assert_cmpuint (short_one->hashes[0][19], ==, 0xff);
}

#define HASH_A "0102030405060708090a0b0c0d0e0f1011121314"
#define HEAD   "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\n"

static void
test_codec_rejects (void)
{
  static const struct { const char *text; TsrLsdError code; } cases[] = {
    { "", TSR_LSD_ERROR_NOT_SEARCH },
    { "GET / HTTP/1.1\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { "BT-SEARCH * HTTP/1.0\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { "NOTIFY * HTTP/1.1\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { HEAD "Infohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NO_PORT },
    { HEAD "Port: 0\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 65536\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: -1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 68a1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 000006881\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port:\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 6881\r\nPort: 6882\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\n\r\n", TSR_LSD_ERROR_NO_INFOHASH },
    { HEAD "Port: 6881\r\n\r\nInfohash: " HASH_A "\r\n", TSR_LSD_ERROR_NO_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131415\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131g\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 01020304050607 8090a0b0c0d0e0f1011121314\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash:\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nwhat is this\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\n: no name\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX: \x01\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX: caf\xc3\xa9\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie:\r\n\r\n", TSR_LSD_ERROR_BAD_COOKIE },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie: a b\r\n\r\n", TSR_LSD_ERROR_BAD_COOKIE },
  };
  static const char nul[] = HEAD "Port: 6881\0\r\nInfohash: " HASH_A "\r\n\r\n";
  guint8 hashes[(TSR_LSD_MAX_HASHES + 1) * 20];
  g_autoptr(GString) many = g_string_new (HEAD "Port: 6881\r\n");
  g_autoptr(GString) large = g_string_new (HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX-Padding: ");
  g_autoptr(GString) long_cookie = g_string_new (HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie: ");
  g_autoptr(GError) error = NULL;
  TsrLsdMessage *message;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      message = parse_text (cases[i].text, &error);
      g_assert_null (message);
      g_assert_error (error, TSR_LSD_ERROR, (int) cases[i].code);
      g_assert_true (error->message[0] != '\0');
      g_clear_error (&error);
    }

  /* A NUL byte inside. */
  message = tsr_lsd_message_parse ((const guint8 *) nul, sizeof nul - 1, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* One hash too many. */
  for (i = 0; i <= TSR_LSD_MAX_HASHES; i++)
    {
      g_autofree char *hex = NULL;

      make_hash (hashes + 20 * i, i);
      hex = tsr_hex_encode (hashes + 20 * i, 20);
      g_string_append_printf (many, "Infohash: %s\r\n", hex);
    }
  g_string_append (many, "\r\n\r\n");
  g_assert_cmpuint (many->len, <=, TSR_LSD_MAX_MESSAGE);
  message = parse_text (many->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_MANY_HASHES);
  g_clear_error (&error);

  /* A valid message one byte over the limit; at the limit it passes. */
  while (large->len < TSR_LSD_MAX_MESSAGE - 4)
    g_string_append_c (large, 'x');
  g_string_append (large, "\r\n\r\n");
  g_assert_cmpuint (large->len, ==, TSR_LSD_MAX_MESSAGE);
  message = parse_text (large->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&message, tsr_lsd_message_free);
  g_string_insert_c (large, large->len - 4, 'x');
  message = parse_text (large->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A cookie past TSR_LSD_MAX_COOKIE. */
  for (i = 0; i <= TSR_LSD_MAX_COOKIE; i++)
    g_string_append_c (long_cookie, 'c');
  g_string_append (long_cookie, "\r\n\r\n");
  message = parse_text (long_cookie->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_BAD_COOKIE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lsd/codec/round-trip", test_codec_round_trip);
  g_test_add_func ("/lsd/codec/several-hashes", test_codec_several_hashes);
  g_test_add_func ("/lsd/codec/tolerant", test_codec_tolerant);
  g_test_add_func ("/lsd/codec/rejects", test_codec_rejects);
  return g_test_run ();
}
