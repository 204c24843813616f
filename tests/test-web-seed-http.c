/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-web-seed-http.c: the pure HTTP pieces of web seeding, without a
 * server: the Content-Range and Retry-After parsers, BEP 19 file paths
 * read byte for byte from the info dictionary (v1 lists, name.utf-8, v2
 * trees) and the BEP 19 and BEP 17 URLs built from them.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-metainfo.h"
#include "tsr-test-util.h"
#include "tsr-web-seed-http.h"

/* ------------------------------------------------------------------ */
/* Parsers                                                             */

static void
test_content_range_parse (void)
{
  static const struct
  {
    const char *value;
    gboolean    ok;
    guint64     first, last, total;
  } cases[] = {
    { "bytes 0-499/1234", TRUE, 0, 499, 1234 },
    { "bytes 500-999/*", TRUE, 500, 999, G_MAXUINT64 },
    { "  BYTES  7-7/8 ", TRUE, 7, 7, 8 },
    { "bytes 0-18446744073709551614/18446744073709551615", FALSE, 0, 0, 0 },
    { "bytes 0-0/18446744073709551616", FALSE, 0, 0, 0 },
    { "bytes 5-4/10", FALSE, 0, 0, 0 },
    { "bytes 0-10/10", FALSE, 0, 0, 0 },
    { "bytes */1234", FALSE, 0, 0, 0 },
    { "bytes 0-4", FALSE, 0, 0, 0 },
    { "bytes 0-4/", FALSE, 0, 0, 0 },
    { "bytes -4/10", FALSE, 0, 0, 0 },
    { "bytes=0-4/10", FALSE, 0, 0, 0 },
    { "items 0-4/10", FALSE, 0, 0, 0 },
    { "bytes 0-4/10x", FALSE, 0, 0, 0 },
    { "bytes 0-", FALSE, 0, 0, 0 },
    { "bytes", FALSE, 0, 0, 0 },
    { "", FALSE, 0, 0, 0 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 first = 1, last = 1, total = 1;
      gboolean ok = tsr_web_seed_http_parse_content_range (cases[i].value, &first, &last, &total);

      g_test_message ("Content-Range: %s", cases[i].value);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        continue;
      g_assert_cmpuint (first, ==, cases[i].first);
      g_assert_cmpuint (last, ==, cases[i].last);
      g_assert_cmpuint (total, ==, cases[i].total);
    }
}

static void
test_retry_after_parse (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2015, 10, 21, 7, 28, 0);
  guint64 seconds = 0;

  g_assert_true (tsr_web_seed_http_parse_retry_after ("120", NULL, &seconds));
  g_assert_cmpuint (seconds, ==, 120);
  g_assert_true (tsr_web_seed_http_parse_retry_after (" 45\r\n", NULL, &seconds));   /* a BEP 17 body */
  g_assert_cmpuint (seconds, ==, 45);
  g_assert_true (tsr_web_seed_http_parse_retry_after ("Wed, 21 Oct 2015 07:30:00 GMT", now, &seconds));
  g_assert_cmpuint (seconds, ==, 120);
  g_assert_true (tsr_web_seed_http_parse_retry_after ("Wed, 21 Oct 2015 07:00:00 GMT", now, &seconds));
  g_assert_cmpuint (seconds, ==, 0);
  g_assert_false (tsr_web_seed_http_parse_retry_after ("Wed, 21 Oct 2015 07:30:00 GMT", NULL, &seconds));
  g_assert_false (tsr_web_seed_http_parse_retry_after ("12 minutes", now, &seconds));
  g_assert_false (tsr_web_seed_http_parse_retry_after ("-5", now, &seconds));
  g_assert_false (tsr_web_seed_http_parse_retry_after ("99999999999999999999999", now, &seconds));
  g_assert_false (tsr_web_seed_http_parse_retry_after ("soon", now, &seconds));
  g_assert_false (tsr_web_seed_http_parse_retry_after ("", now, &seconds));
}

/* ------------------------------------------------------------------ */
/* File paths                                                          */

static TsrMetainfo *
parse_torrent (const char *torrent,
               gsize       length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (torrent, length);
  g_autoptr(GError) error = NULL;
  TsrMetainfo *info = tsr_metainfo_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

/* v1 list: each component escaped on its own, byte for byte, under the
 * escaped name. */
static void
test_file_paths_v1_list (void)
{
  static const char torrent[] =
    "d4:infod5:filesld6:lengthi5e4:pathl7:sub dir18:a b#1%?+&=;[x].binee"
    "d6:lengthi5e4:pathl6:\xc3\xbc.binee"
    "e4:name10:My Torrent12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  g_autoptr(TsrMetainfo) info = parse_torrent (torrent, sizeof torrent - 1);
  g_autoptr(GPtrArray) paths = tsr_web_seed_http_dup_file_paths (info);

  g_assert_cmpuint (paths->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, "My%20Torrent/sub%20dir/a%20b%231%25%3F%2B%26%3D%3B%5Bx%5D.bin");
  g_assert_cmpstr (g_ptr_array_index (paths, 1), ==, "My%20Torrent/%C3%BC.bin");
}

/* "name.utf-8" when it is UTF-8, "name" otherwise, as tsr-metainfo reads
 * them; and "path.utf-8" before "path". */
static void
test_file_paths_utf8_keys (void)
{
  static const char valid[] =
    "d4:infod6:lengthi5e4:name5:a.bin10:name.utf-88:b \xc3\xbc.bin"
    "12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  static const char invalid[] =
    "d4:infod6:lengthi5e4:name5:a.bin10:name.utf-86:\xff\xfe.bin"
    "12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  static const char multi[] =
    "d4:infod5:filesld6:lengthi5e4:pathl5:x.bine10:path.utf-8l8:\xc3\xa9 y.binee"
    "e4:name4:pack12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  g_autoptr(TsrMetainfo) info_valid = parse_torrent (valid, sizeof valid - 1);
  g_autoptr(TsrMetainfo) info_invalid = parse_torrent (invalid, sizeof invalid - 1);
  g_autoptr(TsrMetainfo) info_multi = parse_torrent (multi, sizeof multi - 1);
  g_autoptr(GPtrArray) paths_valid = tsr_web_seed_http_dup_file_paths (info_valid);
  g_autoptr(GPtrArray) paths_invalid = tsr_web_seed_http_dup_file_paths (info_invalid);
  g_autoptr(GPtrArray) paths_multi = tsr_web_seed_http_dup_file_paths (info_multi);

  g_assert_cmpuint (paths_valid->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (paths_valid, 0), ==, "b%20%C3%BC.bin");
  g_assert_cmpuint (paths_invalid->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (paths_invalid, 0), ==, "a.bin");
  g_assert_cmpuint (paths_multi->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (paths_multi, 0), ==, "pack/%C3%A9%20y.bin");
}

/* v2 trees and hybrids (with pad files): one path per file, in
 * tsr-metainfo's order. */
static void
test_file_paths_tree (gconstpointer data)
{
  TsrCreateFormat format = GPOINTER_TO_INT (data);
  g_autofree char *dir = g_dir_make_tmp ("tsr-web-seed-http-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  guint i, found = 0, pads = 0;

  tsr_test_write_file (root, "a file.bin", 10000, 1);
  tsr_test_write_file (root, "sub dir/\xc3\xa9 #1%.bin", 5000, 2);
  tsr_test_write_file (root, "z.bin", 20000, 3);
  info = tsr_test_make_torrent (root, format, 16384);
  paths = tsr_web_seed_http_dup_file_paths (info);
  g_assert_cmpuint (paths->len, ==, info->n_files);
  for (i = 0; i < info->n_files; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        {
          pads++;
          continue;
        }
      g_assert_true (g_str_has_prefix (path, "pack/"));
      if (g_str_equal (info->files[i].path, "pack/sub dir/\xc3\xa9 #1%.bin"))
        {
          g_assert_cmpstr (path, ==, "pack/sub%20dir/%C3%A9%20%231%25.bin");
          found++;
        }
      if (g_str_equal (info->files[i].path, "pack/a file.bin"))
        {
          g_assert_cmpstr (path, ==, "pack/a%20file.bin");
          found++;
        }
    }
  g_assert_cmpuint (found, ==, 2);
  if (format == TSR_CREATE_HYBRID)
    g_assert_cmpuint (pads, >, 0);
  tsr_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */

static void
test_file_url (void)
{
  g_autofree char *folder = tsr_web_seed_http_build_file_url ("http://example.org/files/", FALSE, "a%20b.bin");
  g_autofree char *file = tsr_web_seed_http_build_file_url ("http://example.org/other.bin", FALSE, "a%20b.bin");
  g_autofree char *multi = tsr_web_seed_http_build_file_url ("https://example.org/mirror", TRUE, "pack/x.bin");
  g_autofree char *multi_slash = tsr_web_seed_http_build_file_url ("https://example.org/mirror/", TRUE,
                                                                    "pack/x.bin");

  /* BEP 19: a single file's name is added only when the URL ends in '/';
   * a multi-file torrent's path always, with one '/' between. */
  g_assert_cmpstr (folder, ==, "http://example.org/files/a%20b.bin");
  g_assert_cmpstr (file, ==, "http://example.org/other.bin");
  g_assert_cmpstr (multi, ==, "https://example.org/mirror/pack/x.bin");
  g_assert_cmpstr (multi_slash, ==, "https://example.org/mirror/pack/x.bin");
}

static void
test_piece_url (void)
{
  static const guint8 hash[20] = "AB-._~ /%?&\x00\xff" "0123456";
  g_autofree char *plain = tsr_web_seed_http_build_piece_url ("http://example.org/seed", hash, 7);
  g_autofree char *query = tsr_web_seed_http_build_piece_url ("http://example.org/seed.php?key=1", hash, 4294967295u);

  /* BEP 17: the info hash escaped byte for byte, then the piece. */
  g_assert_cmpstr (plain, ==, "http://example.org/seed?info_hash=AB-._~%20%2F%25%3F%26%00%FF0123456&piece=7");
  g_assert_cmpstr (query, ==,
                   "http://example.org/seed.php?key=1&info_hash=AB-._~%20%2F%25%3F%26%00%FF0123456&piece=4294967295");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/web-seed-http/content-range/parse", test_content_range_parse);
  g_test_add_func ("/web-seed-http/retry-after/parse", test_retry_after_parse);
  g_test_add_func ("/web-seed-http/file-paths/v1-list", test_file_paths_v1_list);
  g_test_add_func ("/web-seed-http/file-paths/utf8-keys", test_file_paths_utf8_keys);
  g_test_add_data_func ("/web-seed-http/file-paths/tree/v2", GINT_TO_POINTER (TSR_CREATE_V2), test_file_paths_tree);
  g_test_add_data_func ("/web-seed-http/file-paths/tree/hybrid", GINT_TO_POINTER (TSR_CREATE_HYBRID),
                        test_file_paths_tree);
  g_test_add_func ("/web-seed-http/file-url", test_file_url);
  g_test_add_func ("/web-seed-http/piece-url", test_piece_url);

  return g_test_run ();
}
