/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-util.c: hex and base32 codecs, size parsing and formatting, and
 * the bounded file reader.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-util.h"

static void
test_hex (void)
{
  static const guint8 bytes[] = { 0x00, 0x01, 0xab, 0xff };
  g_autofree char *hex = tsr_hex_encode (bytes, sizeof bytes);
  guint8 out[4];

  g_assert_cmpstr (hex, ==, "0001abff");
  g_assert_true (tsr_hex_decode ("0001ABff", 8, out, 4));
  g_assert_cmpmem (out, 4, bytes, 4);
  g_assert_false (tsr_hex_decode ("0001abf", 7, out, 4));
  g_assert_false (tsr_hex_decode ("0001abfff", 9, out, 4));
  g_assert_false (tsr_hex_decode ("0001abfg", 8, out, 4));
  g_assert_false (tsr_hex_decode ("0001ab f", 8, out, 4));
}

static void
test_base32 (void)
{
  /* RFC 4648 test vectors, without padding. */
  static const struct { const char *plain; const char *encoded; } vectors[] = {
    { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" }, { "foob", "MZXW6YQ" },
    { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
  };
  guint8 out[20];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      gsize length = strlen (vectors[i].plain);
      g_autofree char *encoded = tsr_base32_encode ((const guint8 *) vectors[i].plain, length);
      g_autofree char *lower = g_ascii_strdown (vectors[i].encoded, -1);

      g_assert_cmpstr (encoded, ==, vectors[i].encoded);
      g_assert_true (tsr_base32_decode (vectors[i].encoded, strlen (vectors[i].encoded), out, length));
      g_assert_cmpmem (out, length, vectors[i].plain, length);
      g_assert_true (tsr_base32_decode (lower, strlen (lower), out, length));
      g_assert_cmpmem (out, length, vectors[i].plain, length);
    }
  g_assert_false (tsr_base32_decode ("MZXW6", 5, out, 4));   /* wrong length */
  g_assert_false (tsr_base32_decode ("MZXW1", 5, out, 3));   /* '1' is not base32 */
  g_assert_false (tsr_base32_decode ("MZXW7", 5, out, 3));   /* non-zero left-over bits */
}

static void
test_parse_size (void)
{
  static const struct { const char *text; gboolean ok; guint64 value; } cases[] = {
    { "0", TRUE, 0 },
    { "1024", TRUE, 1024 },
    { "16k", TRUE, 16384 },
    { "256K", TRUE, 262144 },
    { "4m", TRUE, 4194304 },
    { "4MiB", TRUE, 4194304 },
    { "4MB", TRUE, 4194304 },
    { "1g", TRUE, G_GUINT64_CONSTANT (1) << 30 },
    { "2t", TRUE, G_GUINT64_CONSTANT (2) << 40 },
    { "", FALSE, 0 },
    { "k", FALSE, 0 },
    { "-1", FALSE, 0 },
    { " 1", FALSE, 0 },
    { "1.5m", FALSE, 0 },
    { "12x", FALSE, 0 },
    { "1kk", FALSE, 0 },
    { "18446744073709551616", FALSE, 0 },
    { "17179869184g", FALSE, 0 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 value = 12345;

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpint (tsr_parse_size (cases[i].text, &value), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmpuint (value, ==, cases[i].value);
    }
}

static void
test_format_size (void)
{
  g_autofree char *small = tsr_format_size (5, TRUE);
  g_autofree char *exact = tsr_format_size (1610612736, TRUE);
  g_autofree char *rounded = tsr_format_size (1610612736, FALSE);

  g_assert_cmpstr (small, ==, "5 bytes");
  g_assert_nonnull (strstr (exact, "1610612736 bytes"));
  g_assert_nonnull (strstr (exact, "GiB"));
  g_assert_null (strstr (rounded, "bytes"));
}

static void
test_read_small_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-util-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "f", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GBytes *refused;

  g_assert_true (g_file_set_contents (path, "hello", 5, NULL));
  bytes = tsr_read_small_file (path, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello", 5);

  refused = tsr_read_small_file (path, 4, &error);
  g_assert_null (refused);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);

  refused = tsr_read_small_file (dir, 100, &error);
  g_assert_null (refused);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/util/hex", test_hex);
  g_test_add_func ("/util/base32", test_base32);
  g_test_add_func ("/util/parse-size", test_parse_size);
  g_test_add_func ("/util/format-size", test_format_size);
  g_test_add_func ("/util/read-small-file", test_read_small_file);

  return g_test_run ();
}
