/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-metainfo.c: the .torrent parser on torrents built here field by
 * field: v1 single and multi-file, v2 and hybrid with real merkle roots,
 * tiers, web seeds, hostile paths and a table of malformed torrents.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsr-bencode.h"
#include "tsr-metainfo.h"
#include "tsr-util.h"

/* ------------------------------------------------------------------ */
/* Builders                                                            */

static TsrBencode *
fake_pieces (guint count)
{
  g_autofree guint8 *data = g_malloc0 (count * 20 + 1);
  guint i;

  for (i = 0; i < count * 20; i++)
    data[i] = (guint8) (i * 7 + 3);
  return tsr_bencode_new_string (data, count * 20);
}

static TsrBencode *
path_list (const char *first,
           ...)
{
  TsrBencode *list = tsr_bencode_new_list ();
  const char *component;
  va_list args;

  va_start (args, first);
  for (component = first; component != NULL; component = va_arg (args, const char *))
    tsr_bencode_list_append (list, tsr_bencode_new_text (component));
  va_end (args);
  return list;
}

static TsrBencode *
file_entry (gint64      length,
            TsrBencode *path,
            const char *attr)
{
  TsrBencode *file = tsr_bencode_new_dict ();

  tsr_bencode_dict_insert (file, "length", tsr_bencode_new_integer (length));
  tsr_bencode_dict_insert (file, "path", path);
  if (attr != NULL)
    tsr_bencode_dict_insert (file, "attr", tsr_bencode_new_text (attr));
  return file;
}

static TsrBencode *
single_file_info (const char *name,
                  gint64      length,
                  gint64      piece_length)
{
  TsrBencode *info = tsr_bencode_new_dict ();
  guint pieces = (guint) ((length + piece_length - 1) / piece_length);

  tsr_bencode_dict_insert (info, "name", tsr_bencode_new_text (name));
  tsr_bencode_dict_insert (info, "length", tsr_bencode_new_integer (length));
  tsr_bencode_dict_insert (info, "piece length", tsr_bencode_new_integer (piece_length));
  tsr_bencode_dict_insert (info, "pieces", fake_pieces (pieces));
  return info;
}

static TsrBencode *
wrap_info (TsrBencode *info)
{
  TsrBencode *root = tsr_bencode_new_dict ();

  tsr_bencode_dict_insert (root, "info", info);
  return root;
}

static GBytes *
encode (TsrBencode *root)
{
  g_autoptr(TsrBencode) owned = root;

  return tsr_bencode_encode (owned);
}

static TsrMetainfo *
parse_ok (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  TsrMetainfo *info = tsr_metainfo_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static void
parse_fails (GBytes *bytes,
             GQuark  domain,
             int     code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (bytes, &error);

  g_assert_null (info);
  g_assert_error (error, domain, code);
  g_assert_null (strchr (error->message, '\n'));
}

/* SHA-1 of the info dictionary computed independently of the parser (GChecksum). */
static char *
expected_info_hash (GBytes *torrent)
{
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (torrent, 0, NULL);
  TsrBencode *info = tsr_bencode_dict_lookup (root, "info");
  gsize offset = 0, length = 0;

  g_assert_true (tsr_bencode_get_span (info, &offset, &length));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1,
                                      (const guint8 *) g_bytes_get_data (torrent, NULL) + offset, length);
}

/* ------------------------------------------------------------------ */
/* v1                                                                  */

static void
test_v1_single_file (void)
{
  TsrBencode *root = wrap_info (single_file_info ("movie.mkv", 100000, 16384));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expected = NULL;

  tsr_bencode_dict_insert (root, "announce", tsr_bencode_new_text ("http://tracker.example/announce"));
  tsr_bencode_dict_insert (root, "comment", tsr_bencode_new_text ("A comment"));
  tsr_bencode_dict_insert (root, "created by", tsr_bencode_new_text ("test 1.0"));
  tsr_bencode_dict_insert (root, "creation date", tsr_bencode_new_integer (1700000000));
  bytes = encode (root);
  info = parse_ok (bytes);

  g_assert_cmpstr (info->name, ==, "movie.mkv");
  g_assert_cmpstr (info->display_name, ==, "movie.mkv");
  g_assert_false (info->multi_file);
  g_assert_true (info->has_v1);
  g_assert_false (info->has_v2);
  g_assert_cmpuint (info->piece_length, ==, 16384);
  g_assert_cmpuint (info->piece_count, ==, 7);
  g_assert_cmpuint (info->total_length, ==, 100000);
  g_assert_cmpuint (info->stream_length, ==, 100000);
  g_assert_cmpuint (info->n_files, ==, 1);
  g_assert_cmpstr (info->files[0].path, ==, "movie.mkv");
  g_assert_cmpuint (info->files[0].offset, ==, 0);
  g_assert_false (info->is_private);
  g_assert_cmpstr (info->comment, ==, "A comment");
  g_assert_cmpstr (info->created_by, ==, "test 1.0");
  g_assert_cmpint (info->creation_date, ==, 1700000000);
  g_assert_cmpuint (info->trackers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (info->trackers, 0), 0),
                   ==, "http://tracker.example/announce");
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 0), ==, 16384);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 6), ==, 100000 - 6 * 16384);

  hash = tsr_metainfo_dup_info_hash_hex (info);
  expected = expected_info_hash (bytes);
  g_assert_cmpstr (hash, ==, expected);
  g_assert_null (tsr_metainfo_dup_info_hash_v2_hex (info));
  g_assert_cmpuint (g_bytes_get_size (info->pieces), ==, 7 * 20);
}

static void
test_v1_multi_file (void)
{
  TsrBencode *info_dict = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_bencode_list_append (files, file_entry (10, path_list ("a.txt", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (16374, path_list (".pad", "16374", NULL), "p"));
  tsr_bencode_list_append (files, file_entry (0, path_list ("empty", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (20000, path_list ("sub", "dir", "b.bin", NULL), "x"));
  tsr_bencode_dict_insert (info_dict, "name", tsr_bencode_new_text ("Album"));
  tsr_bencode_dict_insert (info_dict, "files", files);
  tsr_bencode_dict_insert (info_dict, "piece length", tsr_bencode_new_integer (16384));
  tsr_bencode_dict_insert (info_dict, "pieces", fake_pieces (3));
  tsr_bencode_dict_insert (info_dict, "private", tsr_bencode_new_integer (1));
  tsr_bencode_dict_insert (info_dict, "source", tsr_bencode_new_text ("SRC"));
  bytes = encode (wrap_info (info_dict));
  info = parse_ok (bytes);

  g_assert_true (info->multi_file);
  g_assert_true (info->is_private);
  g_assert_cmpstr (info->source, ==, "SRC");
  g_assert_cmpuint (info->n_files, ==, 4);
  g_assert_cmpstr (info->files[0].path, ==, "Album/a.txt");
  g_assert_true (info->files[1].attr & TSR_FILE_ATTR_PAD);
  g_assert_cmpstr (info->files[2].path, ==, "Album/empty");
  g_assert_cmpuint (info->files[2].offset, ==, 16384);
  g_assert_cmpstr (info->files[3].path, ==, "Album/sub/dir/b.bin");
  g_assert_cmpstr (info->files[3].display_path, ==, "Album/sub/dir/b.bin");
  g_assert_true (info->files[3].attr & TSR_FILE_ATTR_EXECUTABLE);
  g_assert_cmpuint (info->files[3].offset, ==, 16384);
  g_assert_cmpuint (info->total_length, ==, 20010);
  g_assert_cmpuint (info->stream_length, ==, 36384);
  g_assert_cmpuint (info->piece_count, ==, 3);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 2), ==, 36384 - 2 * 16384);
}

/* A copy whose files land elsewhere: only the paths differ, a renamed
 * one reads as its new name, the original is untouched, and what both
 * hold (hashes, info dictionary) is shared. */
static void
test_renamed_copy (void)
{
  TsrBencode *info_dict = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrMetainfo) copy = NULL;
  const char *paths[4] = { "Album/first.txt", NULL, NULL, "Album/parts/dir/b.bin" };

  tsr_bencode_list_append (files, file_entry (10, path_list ("a.txt", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (16374, path_list (".pad", "16374", NULL), "p"));
  tsr_bencode_list_append (files, file_entry (0, path_list ("empty", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (20000, path_list ("sub", "dir", "b.bin", NULL), "x"));
  tsr_bencode_dict_insert (info_dict, "name", tsr_bencode_new_text ("Album"));
  tsr_bencode_dict_insert (info_dict, "files", files);
  tsr_bencode_dict_insert (info_dict, "piece length", tsr_bencode_new_integer (16384));
  tsr_bencode_dict_insert (info_dict, "pieces", fake_pieces (3));
  bytes = encode (wrap_info (info_dict));
  info = parse_ok (bytes);

  copy = tsr_metainfo_new_renamed (info, paths);
  g_assert_cmpuint (copy->n_files, ==, 4);
  g_assert_cmpstr (copy->files[0].path, ==, "Album/first.txt");
  g_assert_cmpstr (copy->files[0].display_path, ==, "Album/first.txt");
  g_assert_cmpstr (copy->files[2].path, ==, "Album/empty");
  g_assert_true (copy->files[1].attr & TSR_FILE_ATTR_PAD);
  g_assert_cmpstr (copy->files[3].path, ==, "Album/parts/dir/b.bin");
  g_assert_true (copy->files[3].attr & TSR_FILE_ATTR_EXECUTABLE);
  g_assert_cmpuint (copy->files[3].offset, ==, info->files[3].offset);
  g_assert_cmpstr (info->files[0].path, ==, "Album/a.txt");
  g_assert_cmpstr (info->files[3].path, ==, "Album/sub/dir/b.bin");
  g_assert_cmpstr (copy->name, ==, info->name);   /* its top folder as it was */
  g_assert_true (memcmp (copy->info_hash, info->info_hash, 20) == 0);
  g_assert_true (copy->pieces == info->pieces);
  g_assert_true (copy->info_bytes == info->info_bytes);
  g_assert_cmpuint (copy->piece_count, ==, info->piece_count);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (copy, 2), ==, tsr_metainfo_get_piece_size (info, 2));
  /* Each frees its own: the original outlives the copy and back. */
  g_clear_pointer (&copy, tsr_metainfo_unref);
  g_assert_cmpstr (info->files[0].display_path, ==, "Album/a.txt");
  copy = tsr_metainfo_new_renamed (info, paths);
  g_assert_cmpstr (copy->files[2].display_path, ==, "Album/empty");
  g_clear_pointer (&copy, tsr_metainfo_unref);

  /* The top folder renamed: the torrent's name follows. */
  {
    const char *top[4] = { "Disc/a.txt", "Disc/.pad/16374", "Disc/empty", "Disc/sub/dir/b.bin" };

    copy = tsr_metainfo_new_renamed (info, top);
    g_assert_cmpstr (copy->name, ==, "Disc");
    g_assert_cmpstr (copy->display_name, ==, "Disc");
    g_assert_cmpstr (info->name, ==, "Album");
  }
  g_clear_pointer (&info, tsr_metainfo_unref);
  g_assert_cmpstr (copy->files[2].display_path, ==, "Disc/empty");
}

static void
test_private_flag_nonzero (void)
{
  TsrBencode *info_dict = single_file_info ("x", 5, 16384);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;

  tsr_bencode_dict_insert (info_dict, "private", tsr_bencode_new_integer (2));
  bytes = encode (wrap_info (info_dict));
  info = parse_ok (bytes);
  g_assert_true (info->is_private);   /* nonzero: as libtorrent and Transmission read it */
}

static void
test_trackers_tiers (void)
{
  TsrBencode *root = wrap_info (single_file_info ("x", 5, 16384));
  TsrBencode *tiers = tsr_bencode_new_list ();
  TsrBencode *tier1 = tsr_bencode_new_list ();
  TsrBencode *tier2 = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  GPtrArray *t;

  tsr_bencode_list_append (tier1, tsr_bencode_new_text ("http://a/announce"));
  tsr_bencode_list_append (tier1, tsr_bencode_new_text ("  udp://b:80  "));
  tsr_bencode_list_append (tier1, tsr_bencode_new_text ("http://a/announce"));  /* duplicate */
  tsr_bencode_list_append (tier1, tsr_bencode_new_integer (5));                 /* junk */
  tsr_bencode_list_append (tier2, tsr_bencode_new_text ("udp://b:80"));         /* already in tier 1 */
  tsr_bencode_list_append (tier2, tsr_bencode_new_text (""));
  tsr_bencode_list_append (tiers, tier1);
  tsr_bencode_list_append (tiers, tier2);
  tsr_bencode_list_append (tiers, tsr_bencode_new_text ("https://c/announce")); /* flat form */
  tsr_bencode_dict_insert (root, "announce-list", tiers);
  tsr_bencode_dict_insert (root, "announce", tsr_bencode_new_text ("http://ignored/announce"));
  tsr_bencode_dict_insert (root, "url-list", tsr_bencode_new_text ("http://seed/file"));
  bytes = encode (root);
  info = parse_ok (bytes);

  /* BEP 12: announce is ignored when announce-list has URLs; empty tiers vanish. */
  g_assert_cmpuint (info->trackers->len, ==, 2);
  t = g_ptr_array_index (info->trackers, 0);
  g_assert_cmpuint (t->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (t, 0), ==, "http://a/announce");
  g_assert_cmpstr (g_ptr_array_index (t, 1), ==, "udp://b:80");
  t = g_ptr_array_index (info->trackers, 1);
  g_assert_cmpuint (t->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (t, 0), ==, "https://c/announce");
  g_assert_cmpuint (info->web_seeds->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (info->web_seeds, 0), ==, "http://seed/file");
}

/* An idle library holds thousands of metainfos, most with no web seed,
 * HTTP seed or note: those empty lists are one shared array, and a list
 * with entries is the metainfo's own. */
static void
test_empty_lists_shared (void)
{
  g_autoptr(GBytes) bare = encode (wrap_info (single_file_info ("a", 5, 16384)));
  TsrBencode *root = wrap_info (single_file_info ("b", 5, 16384));
  g_autoptr(GBytes) seeded = NULL;
  g_autoptr(TsrMetainfo) one = NULL;
  g_autoptr(TsrMetainfo) two = NULL;
  g_autoptr(TsrMetainfo) three = NULL;

  tsr_bencode_dict_insert (root, "url-list", tsr_bencode_new_text ("http://seed/file"));
  seeded = encode (root);
  one = parse_ok (bare);
  two = parse_ok (bare);
  three = parse_ok (seeded);
  g_assert_cmpuint (one->trackers->len, ==, 0);
  g_assert_true (one->trackers == two->trackers);
  g_assert_true (one->web_seeds == two->web_seeds);
  g_assert_true (one->http_seeds == one->notes);
  g_assert_true (one->trackers == one->web_seeds);
  g_assert_cmpuint (three->web_seeds->len, ==, 1);
  g_assert_false (three->web_seeds == one->web_seeds);
  g_assert_true (three->http_seeds == one->http_seeds);
  g_clear_pointer (&one, tsr_metainfo_unref);
  g_assert_cmpuint (two->web_seeds->len, ==, 0);
}

static void
test_web_seed_list (void)
{
  TsrBencode *root = wrap_info (single_file_info ("x", 5, 16384));
  TsrBencode *seeds = tsr_bencode_new_list ();
  TsrBencode *http = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_bencode_list_append (seeds, tsr_bencode_new_text ("http://one/"));
  tsr_bencode_list_append (seeds, tsr_bencode_new_text ("http://two/"));
  tsr_bencode_list_append (seeds, tsr_bencode_new_text ("http://one/"));
  tsr_bencode_list_append (http, tsr_bencode_new_text ("http://hs/seed"));
  tsr_bencode_dict_insert (root, "url-list", seeds);
  tsr_bencode_dict_insert (root, "httpseeds", http);
  bytes = encode (root);
  info = parse_ok (bytes);
  g_assert_cmpuint (info->web_seeds->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (info->web_seeds, 1), ==, "http://two/");
  g_assert_cmpuint (info->http_seeds->len, ==, 1);
  g_assert_cmpuint (info->trackers->len, ==, 0);
}

/* The info hash is over the original bytes, even when they are not canonical. */
static void
test_hash_uses_original_bytes (void)
{
  const char *text = "d4:infod6:pieces20:aaaaaaaaaaaaaaaaaaaa4:name1:x12:piece lengthi16384e6:lengthi5eee";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);
  g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
  const char *start = strstr (text, "d6:pieces");
  g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guint8 *) start,
                                                           strlen (start) - 1);

  g_assert_cmpstr (hash, ==, expected);
  g_assert_cmpuint (g_bytes_get_size (info->info_bytes), ==, strlen (start) - 1);
}

/* What a loaded torrent keeps: its info dictionary alone (not the file
 * around it, here more than twice its size), and the piece hashes as a
 * slice of it, not a copy. */
static void
test_keeps_info_alone (void)
{
  const char *text = "d8:announce15:http://t/a/long7:comment70:a comment that only the file should hold, "
                     "long enough to be most of it4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:"
                     "aaaaaaaaaaaaaaaaaaaaee";
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);
  const char *start = strstr (text, "d6:length");
  gsize info_size = 0;
  const guint8 *info_data = g_bytes_get_data (info->info_bytes, &info_size);
  gsize pieces_size = 0;
  const guint8 *pieces = g_bytes_get_data (info->pieces, &pieces_size);

  g_assert_cmpmem (info_data, info_size, start, strlen (start) - 1);
  g_assert_true (info_data < (const guint8 *) g_bytes_get_data (bytes, NULL) ||
                 info_data >= (const guint8 *) g_bytes_get_data (bytes, NULL) + strlen (text));
  g_assert_cmpmem (pieces, pieces_size, "aaaaaaaaaaaaaaaaaaaa", 20);
  g_assert_true (pieces >= info_data && pieces + pieces_size <= info_data + info_size);
}

static void
test_utf8_variants_preferred (void)
{
  TsrBencode *info_dict = single_file_info ("\xe9t\xe9.txt", 5, 16384);
  TsrBencode *root;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_bencode_dict_insert (info_dict, "name.utf-8", tsr_bencode_new_text ("été.txt"));
  root = wrap_info (info_dict);
  tsr_bencode_dict_insert (root, "comment", tsr_bencode_new_text ("caf\xe9"));
  bytes = encode (root);
  info = parse_ok (bytes);
  g_assert_cmpstr (info->name, ==, "été.txt");
  g_assert_cmpstr (info->display_name, ==, "été.txt");
  g_assert_true (g_utf8_validate (info->comment, -1, NULL));
}

static void
test_invalid_utf8_name_converted (void)
{
  g_autoptr(GBytes) bytes = encode (wrap_info (single_file_info ("bad\xff\xfename", 5, 16384)));
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);

  g_assert_true (g_utf8_validate (info->name, -1, NULL));
  g_assert_true (g_utf8_validate (info->display_name, -1, NULL));
  g_assert_true (g_str_has_prefix (info->name, "bad"));
  g_assert_true (g_str_has_suffix (info->name, "name"));
}

/* ------------------------------------------------------------------ */
/* Hostile paths                                                       */

static TsrMetainfo *
parse_multi (const char *name,
             TsrBencode *first_path,
             TsrBencode *second_path,
             GError    **error)
{
  TsrBencode *info_dict = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;

  tsr_bencode_list_append (files, file_entry (5, first_path, NULL));
  if (second_path != NULL)
    tsr_bencode_list_append (files, file_entry (5, second_path, NULL));
  tsr_bencode_dict_insert (info_dict, "name", tsr_bencode_new_text (name));
  tsr_bencode_dict_insert (info_dict, "files", files);
  tsr_bencode_dict_insert (info_dict, "piece length", tsr_bencode_new_integer (16384));
  tsr_bencode_dict_insert (info_dict, "pieces", fake_pieces (1));
  bytes = encode (wrap_info (info_dict));
  return tsr_metainfo_new_from_bytes (bytes, error);
}

static void
test_paths_sanitized (void)
{
  static const struct
  {
    const char *components[5];
    const char *expected;
  } cases[] = {
    { { "..", "..", "etc", "passwd", NULL }, "T/etc/passwd" },
    { { ".", "a", NULL }, "T/a" },
    { { "", "b", NULL }, "T/b" },
    { { "a/../../x", NULL }, "T/a_.._.._x" },
    { { "/etc/passwd", NULL }, "T/_etc_passwd" },
    { { "c:\\windows", "sys", NULL }, "T/c__windows/sys" },
    { { "dir", "..", "file", NULL }, "T/dir/file" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrMetainfo) info = NULL;
      TsrBencode *path = tsr_bencode_new_list ();
      guint j;

      for (j = 0; cases[i].components[j] != NULL; j++)
        tsr_bencode_list_append (path, tsr_bencode_new_text (cases[i].components[j]));
      info = parse_multi ("T", path, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->files[0].path, ==, cases[i].expected);
    }
}

static void
test_hostile_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrMetainfo) dotdot = NULL;

  info = parse_multi ("../../evil", path_list ("f", NULL), NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (info->files[0].path, "../"));
  g_assert_cmpstr (info->display_name, ==, "../../evil");
  g_assert_true (g_str_has_suffix (info->files[0].path, "/f"));

  /* A name that sanitizes to nothing: the info hash in hex, as libtorrent. */
  dotdot = parse_multi ("..", path_list ("f", NULL), NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *hex = tsr_metainfo_dup_info_hash_hex (dotdot);
    g_autofree char *expected = g_strconcat (hex, "/f", NULL);

    g_assert_cmpstr (dotdot->name, ==, hex);
    g_assert_cmpstr (dotdot->display_name, ==, "..");
    g_assert_cmpstr (dotdot->files[0].path, ==, expected);
    g_assert_cmpuint (dotdot->notes->len, ==, 1);
  }
}

static void
test_path_errors (void)
{
  static const char *const only_dots[] = { "..", ".", "" };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  TsrBencode *path = tsr_bencode_new_list ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (only_dots); i++)
    tsr_bencode_list_append (path, tsr_bencode_new_text (only_dots[i]));
  info = parse_multi ("T", path, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH);
  g_clear_error (&error);

  /* Two files on one path, directly or after sanitizing: the later one
   * is renamed as libtorrent does, with a note. */
  info = parse_multi ("T", path_list ("a.txt", NULL), path_list ("a.txt", NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->files[0].path, ==, "T/a.txt");
  g_assert_cmpstr (info->files[1].path, ==, "T/a.1.txt");
  g_assert_cmpstr (info->files[1].display_path, ==, "T/a.txt");
  g_assert_cmpuint (info->notes->len, ==, 1);
  g_clear_pointer (&info, tsr_metainfo_unref);
  info = parse_multi ("T", path_list ("a/b", NULL), path_list ("a\\b", NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->files[1].path, !=, info->files[0].path);
  g_assert_true (g_str_has_suffix (info->files[1].path, ".1"));
  g_clear_pointer (&info, tsr_metainfo_unref);

  /* A file where another needs a folder, in either order. */
  info = parse_multi ("T", path_list ("a", NULL), path_list ("a", "b", NULL), &error);
  g_assert_null (info);
  g_assert_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH);
  g_clear_error (&error);
  info = parse_multi ("T", path_list ("a", "b", NULL), path_list ("a", NULL), &error);
  g_assert_null (info);
  g_assert_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH);
}

/* ------------------------------------------------------------------ */
/* Malformed torrents                                                  */

static void
test_malformed_table (void)
{
  static const struct
  {
    const char *text;
    int code;   /* TsrMetainfoError, or -1 for a TsrBencodeError */
  } cases[] = {
    { "", -1 },
    { "i5e", TSR_METAINFO_ERROR_NOT_A_DICT },
    { "le", TSR_METAINFO_ERROR_NOT_A_DICT },
    { "de", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infoi1ee", TSR_METAINFO_ERROR_NOT_A_DICT },
    { "d4:infodee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod6:lengthi5e12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod6:lengthi5e4:namei3e12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi0e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi-5e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod6:lengthi5e4:name1:x12:piece length5:163846:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi1099511627776e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_TOO_LARGE },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:piecesi1eee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces19:aaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_PIECES },
    { "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces40:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_PIECES },
    { "d4:infod6:lengthi16385e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_PIECES },
    { "d4:infod6:lengthi-1e4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod5:filesle6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod5:filesle4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod5:filesli1ee4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod5:filesld6:lengthi5eee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod5:filesld6:lengthi5e4:path1:aee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod5:filesld6:lengthi5e4:pathleee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_PATH },
    { "d4:infod5:filesld6:lengthi5e4:pathli1eeee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_WRONG_TYPE },
    { "d4:infod5:filesld6:lengthi-5e4:pathl1:aeee4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_BAD_VALUE },
    /* Two files of 2^62 + 2^62 + 2^62 bytes overflow a signed 64-bit total. */
    { "d4:infod5:filesld6:lengthi4611686018427387904e4:pathl1:aeed6:lengthi4611686018427387904e4:pathl1:beed6:lengthi4611686018427387904e4:pathl1:ceee4:name1:x12:piece lengthi16384e6:pieces0:ee", TSR_METAINFO_ERROR_TOO_LARGE },
    { "d4:infod6:lengthi5e12:meta versioni3e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod9:file treede12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
    { "d4:infod12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_MISSING_FIELD },
    { "d4:infod9:file treed1:ad0:d6:lengthi5eeee12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
    { "d4:infod9:file treed1:ad0:d6:lengthi5e11:pieces root3:abceee12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
    { "d4:infod9:file treed1:ad0:d6:lengthi0eeee12:meta versioni2e4:name1:x12:piece lengthi10000eee", TSR_METAINFO_ERROR_BAD_VALUE },
    { "d4:infod9:file treed1:ad0:d6:lengthi0ee1:bdeee12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
    { "d4:infod9:file treed1:ai1ee12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
    { "d4:infod9:file treed0:d6:lengthi0eee12:meta versioni2e4:name1:x12:piece lengthi16384eee", TSR_METAINFO_ERROR_BAD_FILE_TREE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].text, strlen (cases[i].text));

      if (g_test_verbose ())
        g_test_message ("case %u: %s", i, cases[i].text);
      if (cases[i].code < 0)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (bytes, &error);

          g_assert_null (info);
          g_assert_nonnull (error);
          g_assert_true (error->domain == TSR_BENCODE_ERROR);
        }
      else
        parse_fails (bytes, TSR_METAINFO_ERROR, cases[i].code);
    }
}

/* Cutting a valid torrent anywhere must fail cleanly, never crash. */
static void
test_truncated_everywhere (void)
{
  TsrBencode *root = wrap_info (single_file_info ("file", 50000, 16384));
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const guint8 *data;
  gsize i;

  tsr_bencode_dict_insert (root, "announce", tsr_bencode_new_text ("http://t/a"));
  bytes = encode (root);
  data = g_bytes_get_data (bytes, &length);
  for (i = 0; i < length; i++)
    {
      g_autoptr(GBytes) cut = g_bytes_new (data, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (cut, &error);

      g_assert_null (info);
      g_assert_nonnull (error);
    }
}

/* ------------------------------------------------------------------ */
/* v2 and hybrid                                                       */

static void
sha256_pair (const guint8 *a,
             const guint8 *b,
             guint8       *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = 32;

  g_checksum_update (checksum, a, 32);
  g_checksum_update (checksum, b, 32);
  g_checksum_get_digest (checksum, out, &length);
}

/* The test's own merkle root of a piece layer, padded per BEP 52. */
static void
layer_root (const guint8 *layer,
            guint         count,
            guint64       piece_length,
            guint8        root[32])
{
  guint8 pad[32] = { 0 };
  guint width = 1;
  g_autofree guint8 *level = NULL;
  guint64 leaves;
  guint i;

  for (leaves = piece_length / 16384; leaves > 1; leaves /= 2)
    sha256_pair (pad, pad, pad);
  while (width < count)
    width *= 2;
  level = g_malloc (width * 32);
  memcpy (level, layer, count * 32);
  for (i = count; i < width; i++)
    memcpy (level + i * 32, pad, 32);
  for (; width > 1; width /= 2)
    for (i = 0; i < width / 2; i++)
      sha256_pair (level + 64 * i, level + 64 * i + 32, level + 32 * i);
  memcpy (root, level, 32);
}

typedef struct
{
  const char *path[3];
  guint64 length;
} V2File;

/* Builds a v2 (or hybrid, with v1 pad files) torrent with real roots. */
static GBytes *
build_v2 (const char   *name,
          const V2File *files,
          guint         n_files,
          guint64       piece_length,
          gboolean      hybrid,
          gboolean      corrupt_layer,
          gboolean      omit_layer)
{
  TsrBencode *info = tsr_bencode_new_dict ();
  TsrBencode *tree = tsr_bencode_new_dict ();
  TsrBencode *layers = tsr_bencode_new_dict ();
  TsrBencode *v1_files = tsr_bencode_new_list ();
  TsrBencode *root;
  guint64 stream = 0;
  guint i;

  for (i = 0; i < n_files; i++)
    {
      guint pieces = (guint) ((files[i].length + piece_length - 1) / piece_length);
      g_autofree guint8 *layer = g_malloc0 (MAX (pieces, 1) * 32);
      guint8 root_hash[32];
      TsrBencode *leaf = tsr_bencode_new_dict ();
      TsrBencode *entry = tsr_bencode_new_dict ();
      TsrBencode *parent = tree;
      TsrBencode *v1_path = tsr_bencode_new_list ();
      guint j;

      for (j = 0; j < pieces * 32; j++)
        layer[j] = (guint8) (i * 31 + j);
      if (pieces > 1)
        layer_root (layer, pieces, piece_length, root_hash);
      else
        memcpy (root_hash, layer, 32);
      tsr_bencode_dict_insert (leaf, "length", tsr_bencode_new_integer ((gint64) files[i].length));
      if (files[i].length > 0)
        tsr_bencode_dict_insert (leaf, "pieces root", tsr_bencode_new_string (root_hash, 32));
      tsr_bencode_dict_insert (entry, "", leaf);
      for (j = 0; files[i].path[j + 1] != NULL; j++)
        {
          TsrBencode *child = tsr_bencode_dict_lookup (parent, files[i].path[j]);

          if (child == NULL)
            {
              child = tsr_bencode_new_dict ();
              tsr_bencode_dict_insert (parent, files[i].path[j], child);
            }
          parent = child;
          tsr_bencode_list_append (v1_path, tsr_bencode_new_text (files[i].path[j]));
        }
      tsr_bencode_dict_insert (parent, files[i].path[j], entry);
      tsr_bencode_list_append (v1_path, tsr_bencode_new_text (files[i].path[j]));
      if (pieces > 1 && !omit_layer)
        {
          if (corrupt_layer)
            layer[0] ^= 1;
          tsr_bencode_dict_insert_len (layers, root_hash, 32, tsr_bencode_new_string (layer, pieces * 32));
        }
      tsr_bencode_list_append (v1_files, file_entry ((gint64) files[i].length, v1_path, NULL));
      stream += files[i].length;
      if (i + 1 < n_files && stream % piece_length != 0)
        {
          guint64 pad = piece_length - stream % piece_length;
          g_autofree char *pad_name = g_strdup_printf ("%" G_GUINT64_FORMAT, pad);

          tsr_bencode_list_append (v1_files, file_entry ((gint64) pad, path_list (".pad", pad_name, NULL), "p"));
          stream += pad;
        }
    }
  tsr_bencode_dict_insert (info, "name", tsr_bencode_new_text (name));
  tsr_bencode_dict_insert (info, "piece length", tsr_bencode_new_integer ((gint64) piece_length));
  tsr_bencode_dict_insert (info, "meta version", tsr_bencode_new_integer (2));
  tsr_bencode_dict_insert (info, "file tree", tree);
  if (hybrid)
    {
      if (n_files == 1 && files[0].path[1] == NULL)
        {
          tsr_bencode_dict_insert (info, "length", tsr_bencode_new_integer ((gint64) files[0].length));
          tsr_bencode_free (v1_files);
        }
      else
        tsr_bencode_dict_insert (info, "files", v1_files);
      tsr_bencode_dict_insert (info, "pieces", fake_pieces ((guint) ((stream + piece_length - 1) / piece_length)));
    }
  else
    tsr_bencode_free (v1_files);
  root = wrap_info (info);
  tsr_bencode_dict_insert (root, "piece layers", layers);
  return encode (root);
}

static const V2File three_files[] = {
  { { "a.bin", NULL }, 3 * 16384 + 100 },
  { { "dir", "b.bin", NULL }, 7 },
  { { "dir", "c.bin", NULL }, 2 * 16384 },
};

static void
test_v2_multi (void)
{
  g_autoptr(GBytes) bytes = build_v2 ("V2", three_files, 3, 16384, FALSE, FALSE, FALSE);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);
  g_autofree char *hash = tsr_metainfo_dup_info_hash_v2_hex (info);
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (bytes, 0, NULL);
  gsize offset = 0, length = 0;
  g_autofree char *expected = NULL;

  g_assert_false (info->has_v1);
  g_assert_true (info->has_v2);
  g_assert_null (tsr_metainfo_dup_info_hash_hex (info));
  g_assert_true (tsr_bencode_get_span (tsr_bencode_dict_lookup (root, "info"), &offset, &length));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                          (const guint8 *) g_bytes_get_data (bytes, NULL) + offset, length);
  g_assert_cmpstr (hash, ==, expected);
  g_assert_true (info->multi_file);
  g_assert_cmpuint (info->n_files, ==, 3);
  g_assert_cmpstr (info->files[0].path, ==, "V2/a.bin");
  g_assert_cmpstr (info->files[1].path, ==, "V2/dir/b.bin");
  g_assert_cmpstr (info->files[2].path, ==, "V2/dir/c.bin");
  g_assert_true (info->files[0].has_pieces_root);
  /* v2 files start on piece boundaries: 4 + 1 + 2 pieces. */
  g_assert_cmpuint (info->files[1].offset, ==, 4 * 16384);
  g_assert_cmpuint (info->files[2].offset, ==, 5 * 16384);
  g_assert_cmpuint (info->piece_count, ==, 7);
  g_assert_cmpuint (info->total_length, ==, 3 * 16384 + 100 + 7 + 2 * 16384);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 3), ==, 100);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 4), ==, 7);
  g_assert_cmpuint (tsr_metainfo_get_piece_size (info, 6), ==, 16384);
  g_assert_cmpuint (g_hash_table_size (info->piece_layers), ==, 2);
}

static void
test_v2_single (void)
{
  static const V2File one[] = { { { "solo.iso", NULL }, 5 * 32768 + 1 } };
  g_autoptr(GBytes) bytes = build_v2 ("solo.iso", one, 1, 32768, FALSE, FALSE, FALSE);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);

  g_assert_false (info->multi_file);
  g_assert_cmpstr (info->files[0].path, ==, "solo.iso");
  g_assert_cmpuint (info->piece_count, ==, 6);
}

static void
test_v2_piece_layers_checked (void)
{
  g_autoptr(GBytes) corrupt = build_v2 ("V2", three_files, 3, 16384, FALSE, TRUE, FALSE);
  g_autoptr(GBytes) missing = build_v2 ("V2", three_files, 3, 16384, FALSE, FALSE, TRUE);

  parse_fails (corrupt, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS);
  parse_fails (missing, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS);
}

static void
test_v2_from_info_without_layers (void)
{
  g_autoptr(GBytes) bytes = build_v2 ("V2", three_files, 3, 16384, FALSE, FALSE, TRUE);
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (bytes, 0, NULL);
  gsize offset = 0, length = 0;
  g_autoptr(GBytes) info_bytes = NULL;
  g_autoptr(TsrMagnet) magnet = tsr_magnet_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_bencode_get_span (tsr_bencode_dict_lookup (root, "info"), &offset, &length);
  info_bytes = g_bytes_new_from_bytes (bytes, offset, length);
  g_ptr_array_add (magnet->trackers, g_strdup ("udp://t:6969"));
  /* After a BEP 9 download the layers come later from peers. */
  info = tsr_metainfo_new_from_info (info_bytes, magnet, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->n_files, ==, 3);
  g_assert_cmpuint (info->trackers->len, ==, 1);
}

static void
test_hybrid (void)
{
  g_autoptr(GBytes) bytes = build_v2 ("H", three_files, 3, 16384, TRUE, FALSE, FALSE);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);
  guint real = 0;
  guint i;

  g_assert_true (info->has_v1);
  g_assert_true (info->has_v2);
  g_assert_cmpuint (info->piece_count, ==, 7);
  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      {
        g_assert_true (info->files[i].has_pieces_root || info->files[i].length == 0);
        real++;
      }
  g_assert_cmpuint (real, ==, 3);
  g_assert_cmpuint (info->n_files, ==, 5);   /* two pad files */
  g_assert_cmpuint (info->total_length, ==, 3 * 16384 + 100 + 7 + 2 * 16384);
}

static void
test_hybrid_single (void)
{
  static const V2File one[] = { { { "one.bin", NULL }, 40000 } };
  g_autoptr(GBytes) bytes = build_v2 ("one.bin", one, 1, 16384, TRUE, FALSE, FALSE);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);

  g_assert_false (info->multi_file);
  g_assert_true (info->has_v1 && info->has_v2);
  g_assert_true (info->files[0].has_pieces_root);
}

static void
test_hybrid_mismatch (void)
{
  g_autoptr(GBytes) bytes = build_v2 ("H", three_files, 3, 16384, TRUE, FALSE, FALSE);
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (bytes, 0, NULL);
  TsrBencode *info = tsr_bencode_dict_lookup (root, "info");
  TsrBencode *files = tsr_bencode_dict_lookup (info, "files");
  g_autoptr(GBytes) changed = NULL;
  TsrBencode *first;

  /* Rename the first v1 file: the v1 list and v2 tree now disagree. */
  first = tsr_bencode_list_get (files, 0);
  tsr_bencode_dict_insert (first, "path", path_list ("other.bin", NULL));
  changed = tsr_bencode_encode (root);
  parse_fails (changed, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH);
}

/* ------------------------------------------------------------------ */
/* Magnets, files                                                      */

static void
test_magnet_from_torrent (void)
{
  TsrBencode *root = wrap_info (single_file_info ("name with space", 5, 16384));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(TsrMagnet) magnet = NULL;
  g_autoptr(GError) error = NULL;

  tsr_bencode_dict_insert (root, "announce", tsr_bencode_new_text ("http://t/a?x=1&y=2"));
  bytes = encode (root);
  info = parse_ok (bytes);
  uri = tsr_metainfo_dup_magnet_uri (info);
  hash = tsr_metainfo_dup_info_hash_hex (info);
  g_assert_true (g_str_has_prefix (uri, "magnet:?xt=urn:btih:"));
  g_assert_nonnull (strstr (uri, hash));
  magnet = tsr_magnet_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (magnet->info_hash_v1, 20, info->info_hash, 20);
  g_assert_cmpstr (magnet->display_name, ==, "name with space");
  g_assert_cmpuint (magnet->trackers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (magnet->trackers, 0), ==, "http://t/a?x=1&y=2");
}

static void
test_load_file_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tsr-metainfo-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *big = g_build_filename (dir, "big.torrent", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.torrent", NULL);
  TsrMetainfo *info;
  FILE *f;

  info = tsr_metainfo_new_from_file (missing, &error);
  g_assert_null (info);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "missing.torrent"));
  g_clear_error (&error);

  /* A FIFO would block a reader forever: refused at once. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  info = tsr_metainfo_new_from_file (fifo, &error);
  g_assert_null (info);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);

  info = tsr_metainfo_new_from_file (dir, &error);
  g_assert_null (info);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Sparse: costs no disk. */
  f = fopen (big, "w");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), (off_t) TSR_METAINFO_MAX_FILE_SIZE + 1), ==, 0);
  fclose (f);
  info = tsr_metainfo_new_from_file (big, &error);
  g_assert_null (info);
  g_assert_nonnull (error);

  g_unlink (fifo);
  g_unlink (big);
  g_rmdir (dir);
}

static void
test_many_files (void)
{
  TsrBencode *info_dict = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  const guint n = 50000;
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%06u", i);

      tsr_bencode_list_append (files, file_entry (1000, path_list ("d", name, NULL), NULL));
    }
  tsr_bencode_dict_insert (info_dict, "name", tsr_bencode_new_text ("many"));
  tsr_bencode_dict_insert (info_dict, "files", files);
  tsr_bencode_dict_insert (info_dict, "piece length", tsr_bencode_new_integer (1 << 20));
  tsr_bencode_dict_insert (info_dict, "pieces", fake_pieces ((n * 1000 + (1 << 20) - 1) / (1 << 20)));
  bytes = encode (wrap_info (info_dict));
  info = parse_ok (bytes);
  g_assert_cmpuint (info->n_files, ==, n);
  g_assert_cmpstr (info->files[n - 1].path, ==, "many/d/f049999");
  g_assert_cmpuint (info->files[n - 1].offset, ==, (guint64) (n - 1) * 1000);
}

/* ------------------------------------------------------------------ */
/* Issue 20: BEP 47, 52 and 53 as the other clients read them          */

#define ROOT_R "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
#define ROOT_S "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"

/* A v2 torrent named T around the inside of a file tree, written by hand
 * so that key order and missing fields are exactly as given. */
#define v2_raw(tree) v2_raw_len (tree, sizeof (tree) - 1)

static GBytes *
v2_raw_len (const char *tree,
            gsize       tree_length)
{
  static const char head[] = "d4:infod9:file treed";
  static const char tail[] = "e12:meta versioni2e4:name1:T12:piece lengthi16384eee";
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) head, sizeof head - 1);
  g_byte_array_append (out, (const guint8 *) tree, (guint) tree_length);
  g_byte_array_append (out, (const guint8 *) tail, sizeof tail - 1);
  return g_byte_array_free_to_bytes (out);
}

static void
test_v1_symlink_without_length (void)
{
  static const char text[] =
    "d4:infod5:filesld6:lengthi5e4:pathl1:aeed4:attr1:l4:pathl4:linke12:symlink pathl1:aeee"
    "4:name1:T12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);

  g_assert_cmpuint (info->n_files, ==, 2);
  g_assert_true (info->files[1].attr & TSR_FILE_ATTR_SYMLINK);
  g_assert_cmpstr (info->files[1].path, ==, "T/link");
  g_assert_cmpstr (info->files[1].symlink_path, ==, "a");
  g_assert_cmpuint (info->files[1].length, ==, 0);
  g_assert_cmpuint (info->total_length, ==, 5);
}

static void
test_v2_symlink (void)
{
  g_autoptr(GBytes) without_length = v2_raw ("1:ad0:d6:lengthi5e11:pieces root32:" ROOT_R "ee"
                                             "4:linkd0:d4:attr1:l12:symlink pathl1:aeee");
  g_autoptr(GBytes) with_length = v2_raw ("1:ad0:d6:lengthi5e11:pieces root32:" ROOT_R "ee"
                                          "4:linkd0:d4:attr1:l6:lengthi0e12:symlink pathl1:aeee");
  g_autoptr(TsrMetainfo) first = parse_ok (without_length);
  g_autoptr(TsrMetainfo) second = parse_ok (with_length);

  g_assert_cmpuint (first->n_files, ==, 2);
  g_assert_true (first->files[1].attr & TSR_FILE_ATTR_SYMLINK);
  g_assert_cmpstr (first->files[1].symlink_path, ==, "a");
  g_assert_cmpstr (second->files[1].symlink_path, ==, "a");
  g_assert_cmpstr (second->files[1].path, ==, "T/link");
}

static void
test_padding_only_refused (void)
{
  static const char only_pad[] =
    "d4:infod5:filesld4:attr1:p6:lengthi16384e4:pathl4:.pad5:16384eee"
    "4:name1:T12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  static const char single_pad[] =
    "d4:infod4:attr1:p6:lengthi16384e4:name1:T12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  g_autoptr(GBytes) a = g_bytes_new_static (only_pad, sizeof only_pad - 1);
  g_autoptr(GBytes) b = g_bytes_new_static (single_pad, sizeof single_pad - 1);

  parse_fails (a, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY);
  parse_fails (b, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY);
}

static void
test_empty_refused (void)
{
  static const char zero[] = "d4:infod6:lengthi0e4:name1:T12:piece lengthi16384e6:pieces0:ee";
  static const char zero_files[] =
    "d4:infod5:filesld6:lengthi0e4:pathl1:aeed6:lengthi0e4:pathl1:beee"
    "4:name1:T12:piece lengthi16384e6:pieces0:ee";
  g_autoptr(GBytes) a = g_bytes_new_static (zero, sizeof zero - 1);
  g_autoptr(GBytes) b = g_bytes_new_static (zero_files, sizeof zero_files - 1);

  parse_fails (a, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY);
  parse_fails (b, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY);
}

static void
test_hybrid_single_name_mismatch (void)
{
  static const V2File one[] = { { { "one.bin", NULL }, 40000 } };
  g_autoptr(GBytes) bytes = build_v2 ("one.bin", one, 1, 16384, TRUE, FALSE, FALSE);
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (bytes, 0, NULL);
  g_autoptr(GBytes) renamed = NULL;

  /* BEP 52 "Upgrade path": v1 name and the tree's only file name agree. */
  tsr_bencode_dict_insert (tsr_bencode_dict_lookup (root, "info"), "name", tsr_bencode_new_text ("other.bin"));
  renamed = tsr_bencode_encode (root);
  parse_fails (renamed, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH);
}

static void
test_v2_orphan_layer_and_zero_root (void)
{
  g_autoptr(GBytes) bytes = build_v2 ("V2", three_files, 3, 16384, FALSE, FALSE, FALSE);
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (bytes, 0, NULL);
  g_autoptr(GBytes) orphan = NULL;
  g_autoptr(GBytes) zero = v2_raw ("1:ad0:d6:lengthi5e11:pieces root32:"
                                   "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" "ee");
  guint8 layer[64] = { 1 };

  tsr_bencode_dict_insert_len (tsr_bencode_dict_lookup (root, "piece layers"), (const guint8 *) ROOT_S, 32,
                               tsr_bencode_new_string (layer, sizeof layer));
  orphan = tsr_bencode_encode (root);
  parse_fails (orphan, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS);
  parse_fails (zero, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE);
}

static void
test_v2_unsorted_tree (void)
{
  g_autoptr(GBytes) sorted = v2_raw ("1:ad0:d6:lengthi5e11:pieces root32:" ROOT_R "ee"
                                     "1:bd0:d6:lengthi5e11:pieces root32:" ROOT_S "ee");
  g_autoptr(GBytes) unsorted = v2_raw ("1:bd0:d6:lengthi5e11:pieces root32:" ROOT_S "ee"
                                       "1:ad0:d6:lengthi5e11:pieces root32:" ROOT_R "ee");
  g_autoptr(GBytes) unsorted_deep = v2_raw ("1:dd1:bd0:d6:lengthi5e11:pieces root32:" ROOT_S "ee"
                                            "1:ad0:d6:lengthi5e11:pieces root32:" ROOT_R "eee");
  g_autoptr(TsrMetainfo) info = parse_ok (sorted);

  g_assert_cmpuint (info->n_files, ==, 2);
  parse_fails (unsorted, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE);
  parse_fails (unsorted_deep, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE);
}

/* A v2 file @components deep (a/a/.../f): paths are kept as links to
 * their folder, and read back in order. */
static GBytes *
v2_deep (guint components)
{
  g_autoptr(GString) tree = g_string_new (NULL);
  guint i;

  for (i = 0; i + 1 < components; i++)
    g_string_append (tree, "1:ad");
  g_string_append (tree, "1:fd0:d6:lengthi5e11:pieces root32:" ROOT_R "ee");
  for (i = 0; i + 1 < components; i++)
    g_string_append_c (tree, 'e');
  return v2_raw_len (tree->str, tree->len);
}

static void
test_v2_deep_paths (void)
{
  g_autoptr(GBytes) deepest = v2_deep (256);
  g_autoptr(GBytes) too_deep = v2_deep (257);
  g_autoptr(TsrMetainfo) info = parse_ok (deepest);
  g_autoptr(GString) expected = g_string_new ("T");
  guint i;

  for (i = 0; i < 255; i++)
    g_string_append (expected, "/a");
  g_string_append (expected, "/f");
  g_assert_cmpuint (info->n_files, ==, 1);
  g_assert_cmpstr (info->files[0].path, ==, expected->str);
  parse_fails (too_deep, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE);
}

static void
test_trailing_bytes (void)
{
  static const char text[] = "d4:infod6:lengthi5e4:name1:T12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee\n";
  static const char unsorted[] = "d4:infod4:name1:T6:lengthi5e12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) exact = g_bytes_new_static (text, sizeof text - 2);
  g_autoptr(GBytes) unsorted_bytes = g_bytes_new_static (unsorted, sizeof unsorted - 1);
  g_autoptr(TsrMetainfo) info = parse_ok (bytes);
  g_autoptr(TsrMetainfo) plain = parse_ok (exact);
  g_autoptr(TsrMetainfo) loose = parse_ok (unsorted_bytes);
  g_autoptr(GError) error = NULL;
  TsrMetainfo *strict;

  /* Loaded as libtorrent and Transmission do; the hash covers the info
   * dictionary alone. */
  g_assert_cmpuint (info->trailing_bytes, ==, 1);
  g_assert_cmpuint (info->notes->len, ==, 1);
  g_assert_cmpmem (info->info_hash, 20, plain->info_hash, 20);
  g_assert_cmpuint (plain->notes->len, ==, 0);
  g_assert_nonnull (loose);

  strict = tsr_metainfo_new_from_bytes_full (bytes, TSR_METAINFO_LOAD_STRICT, &error);
  g_assert_null (strict);
  g_assert_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TRAILING_DATA);
  g_clear_error (&error);
  strict = tsr_metainfo_new_from_bytes_full (unsorted_bytes, TSR_METAINFO_LOAD_STRICT, &error);
  g_assert_null (strict);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_UNSORTED_KEYS);
  g_clear_error (&error);
  strict = tsr_metainfo_new_from_bytes_full (exact, TSR_METAINFO_LOAD_STRICT, &error);
  g_assert_no_error (error);
  tsr_metainfo_unref (strict);
}

static void
test_strict_refuses_renames (void)
{
  TsrBencode *info_dict = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_bencode_list_append (files, file_entry (5, path_list ("a", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (5, path_list ("a", NULL), NULL));
  tsr_bencode_list_append (files, file_entry (5, path_list ("a", NULL), NULL));
  tsr_bencode_dict_insert (info_dict, "name", tsr_bencode_new_text ("T"));
  tsr_bencode_dict_insert (info_dict, "files", files);
  tsr_bencode_dict_insert (info_dict, "piece length", tsr_bencode_new_integer (16384));
  tsr_bencode_dict_insert (info_dict, "pieces", fake_pieces (1));
  bytes = encode (wrap_info (info_dict));
  info = parse_ok (bytes);
  g_assert_cmpstr (info->files[1].path, ==, "T/a.1");
  g_assert_cmpstr (info->files[2].path, ==, "T/a.2");
  g_assert_cmpuint (info->notes->len, ==, 2);
  g_assert_null (tsr_metainfo_new_from_bytes_full (bytes, TSR_METAINFO_LOAD_STRICT, &error));
  g_assert_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE);
}

static void
test_tracker_cap (void)
{
  TsrBencode *root = wrap_info (single_file_info ("t", 5, 16384));
  TsrBencode *tiers = tsr_bencode_new_list ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  guint total = 0;
  guint i;

  for (i = 0; i < TSR_METAINFO_MAX_TRACKERS + 50; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://t%u.example/announce", i);
      TsrBencode *tier = tsr_bencode_new_list ();

      tsr_bencode_list_append (tier, tsr_bencode_new_text (url));
      /* The same URL again: dropped as a duplicate, not counted. */
      tsr_bencode_list_append (tier, tsr_bencode_new_text ("http://t0.example/announce"));
      tsr_bencode_list_append (tiers, tier);
    }
  tsr_bencode_dict_insert (root, "announce-list", tiers);
  bytes = encode (root);
  info = parse_ok (bytes);
  for (i = 0; i < info->trackers->len; i++)
    total += ((GPtrArray *) g_ptr_array_index (info->trackers, i))->len;
  g_assert_cmpuint (total, ==, TSR_METAINFO_MAX_TRACKERS);
  g_assert_cmpuint (info->notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (info->notes, 0), "50"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metainfo/v1/single-file", test_v1_single_file);
  g_test_add_func ("/metainfo/empty-lists-shared", test_empty_lists_shared);
  g_test_add_func ("/metainfo/v1/multi-file", test_v1_multi_file);
  g_test_add_func ("/metainfo/renamed-copy", test_renamed_copy);
  g_test_add_func ("/metainfo/v1/private-when-nonzero", test_private_flag_nonzero);
  g_test_add_func ("/metainfo/v1/hash-over-original-bytes", test_hash_uses_original_bytes);
  g_test_add_func ("/metainfo/v1/utf8-variants", test_utf8_variants_preferred);
  g_test_add_func ("/metainfo/v1/invalid-utf8-name", test_invalid_utf8_name_converted);
  g_test_add_func ("/metainfo/v1/many-files", test_many_files);
  g_test_add_func ("/metainfo/trackers/tiers", test_trackers_tiers);
  g_test_add_func ("/metainfo/trackers/web-seeds", test_web_seed_list);
  g_test_add_func ("/metainfo/paths/sanitized", test_paths_sanitized);
  g_test_add_func ("/metainfo/paths/hostile-name", test_hostile_name);
  g_test_add_func ("/metainfo/paths/errors", test_path_errors);
  g_test_add_func ("/metainfo/malformed/table", test_malformed_table);
  g_test_add_func ("/metainfo/malformed/truncated", test_truncated_everywhere);
  g_test_add_func ("/metainfo/v2/multi-file", test_v2_multi);
  g_test_add_func ("/metainfo/v2/single-file", test_v2_single);
  g_test_add_func ("/metainfo/v2/piece-layers-checked", test_v2_piece_layers_checked);
  g_test_add_func ("/metainfo/v2/from-info-without-layers", test_v2_from_info_without_layers);
  g_test_add_func ("/metainfo/hybrid/multi-file", test_hybrid);
  g_test_add_func ("/metainfo/hybrid/single-file", test_hybrid_single);
  g_test_add_func ("/metainfo/hybrid/mismatch", test_hybrid_mismatch);
  g_test_add_func ("/metainfo/magnet/from-torrent", test_magnet_from_torrent);
  g_test_add_func ("/metainfo/file/errors", test_load_file_errors);
  g_test_add_func ("/metainfo/bep47/v1-symlink-without-length", test_v1_symlink_without_length);
  g_test_add_func ("/metainfo/bep47/v2-symlink", test_v2_symlink);
  g_test_add_func ("/metainfo/bep47/padding-only-refused", test_padding_only_refused);
  g_test_add_func ("/metainfo/empty-refused", test_empty_refused);
  g_test_add_func ("/metainfo/bep52/hybrid-single-name-mismatch", test_hybrid_single_name_mismatch);
  g_test_add_func ("/metainfo/bep52/orphan-layer-and-zero-root", test_v2_orphan_layer_and_zero_root);
  g_test_add_func ("/metainfo/bep52/unsorted-tree", test_v2_unsorted_tree);
  g_test_add_func ("/metainfo/trailing-bytes", test_trailing_bytes);
  g_test_add_func ("/metainfo/keeps-info-alone", test_keeps_info_alone);
  g_test_add_func ("/metainfo/v2/deep-paths", test_v2_deep_paths);
  g_test_add_func ("/metainfo/paths/renamed-unless-strict", test_strict_refuses_renames);
  g_test_add_func ("/metainfo/trackers/cap", test_tracker_cap);

  return g_test_run ();
}
