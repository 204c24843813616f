/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-creator.c: torrent creation and verification in-process: piece
 * sizes, file order, exclusion, symlinks, pad files, v2 merkle roots
 * computed independently, create-then-verify round trips, corruption and
 * truncation found at the right piece and file, and files that change
 * while they are hashed.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "tsr-creator.h"
#include "tsr-merkle.h"
#include "tsr-metainfo.h"
#include "tsr-test-util.h"
#include "tsr-verifier.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("tsr-creator-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  tsr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static TsrMetainfo *
create_torrent (const char      *path,
                TsrCreateFormat  format,
                guint64          piece_length,
                guint            threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = tsr_creator_new (path, NULL, format, &error);
  g_autoptr(GBytes) bytes = NULL;
  TsrCreateOptions options = { 0 };
  TsrHashJob *job;
  TsrMetainfo *info;

  g_assert_no_error (error);
  job = tsr_creator_prepare_job (creator, piece_length);
  g_assert_true (tsr_hash_job_run (job, threads, NULL, &error));
  g_assert_no_error (error);
  options.creation_date = -1;
  bytes = tsr_creator_build (creator, &options, &error);
  g_assert_no_error (error);
  info = tsr_metainfo_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  return info;
}

static TsrVerifyReport *
verify (const TsrMetainfo *info,
        const char        *folder)
{
  g_autoptr(TsrHashJob) job = tsr_verifier_prepare_job (info, folder);
  g_autoptr(GError) error = NULL;

  g_assert_true (tsr_hash_job_run (job, 2, NULL, &error));
  g_assert_no_error (error);
  return tsr_verifier_report (info, job);
}

static void
test_piece_length_choice (void)
{
  static const struct { guint64 total; guint64 piece; } cases[] = {
    { 0, 16384 },
    { 1, 16384 },
    { 2000 * 16384, 16384 },
    { 2000 * 16384 + 1, 32768 },
    { G_GUINT64_CONSTANT (1) << 30, 1 << 20 },            /* 1 GiB: 1 MiB, 1024 pieces */
    { G_GUINT64_CONSTANT (100) * 1000 * 1000, 1 << 16 },  /* 100 MB: 64 KiB, 1526 pieces */
    { G_GUINT64_CONSTANT (1) << 40, 64 << 20 },           /* clamped at 64 MiB */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (tsr_creator_choose_piece_length (cases[i].total), ==, cases[i].piece);
  g_assert_true (tsr_creator_piece_length_valid (16384));
  g_assert_true (tsr_creator_piece_length_valid (64 << 20));
  g_assert_false (tsr_creator_piece_length_valid (8192));
  g_assert_false (tsr_creator_piece_length_valid (128 << 20));
  g_assert_false (tsr_creator_piece_length_valid (3 << 14));
}

static void
test_tracker_urls (void)
{
  g_assert_true (tsr_creator_tracker_url_valid ("http://t.example/announce"));
  g_assert_true (tsr_creator_tracker_url_valid ("https://t.example:8443/a?passkey=x"));
  g_assert_true (tsr_creator_tracker_url_valid ("udp://t.example:6969/announce"));
  g_assert_false (tsr_creator_tracker_url_valid ("udp://t.example/announce"));
  g_assert_false (tsr_creator_tracker_url_valid ("ftp://t.example/"));
  g_assert_false (tsr_creator_tracker_url_valid ("http:///announce"));
  g_assert_false (tsr_creator_tracker_url_valid ("not a url"));
}

static void
test_order_and_exclusion (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "pack", NULL);
  g_autofree char *empty_dir = g_build_filename (root, "empty-folder", NULL);
  static const char *const exclude[] = { "*.part", "skip", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) v1 = NULL;
  g_autoptr(TsrCreator) v2 = NULL;

  tsr_test_write_file (root, "a.txt", 10, 1);
  tsr_test_write_file (root, "a/b", 10, 2);
  tsr_test_write_file (root, "B", 10, 3);
  tsr_test_write_file (root, "z.part", 10, 4);
  tsr_test_write_file (root, "skip/inner", 10, 5);
  g_assert_cmpint (g_mkdir (empty_dir, 0755), ==, 0);

  v1 = tsr_creator_new (root, exclude, TSR_CREATE_V1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_creator_get_n_files (v1), ==, 3);
  /* v1: whole paths, bytewise (like mktorrent): "B" < "a.txt" < "a/b". */
  g_assert_cmpstr (tsr_creator_get_file_path (v1, 0), ==, "B");
  g_assert_cmpstr (tsr_creator_get_file_path (v1, 1), ==, "a.txt");
  g_assert_cmpstr (tsr_creator_get_file_path (v1, 2), ==, "a/b");
  g_assert_cmpuint (tsr_creator_get_total_size (v1), ==, 30);

  /* v2: by components, the file tree's order: "a" < "a.txt". */
  v2 = tsr_creator_new (root, exclude, TSR_CREATE_V2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tsr_creator_get_file_path (v2, 1), ==, "a/b");
  g_assert_cmpstr (tsr_creator_get_file_path (v2, 2), ==, "a.txt");
}

static void
test_symlinks (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "pack", NULL);
  g_autofree char *outside = g_build_filename (fixture->dir, "secret", NULL);
  g_autofree char *link_out = g_build_filename (root, "out-link", NULL);
  g_autofree char *link_in = g_build_filename (root, "in-link", NULL);
  g_autofree char *link_dir = g_build_filename (root, "dir-link", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = NULL;

  tsr_test_write_file (root, "real", 100, 1);
  tsr_test_write_file (root, "sub/file", 5, 3);
  tsr_test_write_file (fixture->dir, "secret", 50, 2);
  g_assert_cmpint (symlink (outside, link_out), ==, 0);
  g_assert_cmpint (symlink ("real", link_in), ==, 0);
  g_assert_cmpint (symlink ("sub", link_dir), ==, 0);

  creator = tsr_creator_new (root, NULL, TSR_CREATE_V1, &error);
  g_assert_no_error (error);
  /* in-link (inside, followed), real, sub/file; not out-link, not dir-link. */
  g_assert_cmpuint (tsr_creator_get_n_files (creator), ==, 3);
  g_assert_cmpstr (tsr_creator_get_file_path (creator, 0), ==, "in-link");
  g_assert_cmpuint (tsr_creator_get_total_size (creator), ==, 205);
}

static void
test_no_files (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "empty", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(GError) error = NULL;
  TsrCreator *creator;

  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  creator = tsr_creator_new (root, NULL, TSR_CREATE_V1, &error);
  g_assert_null (creator);
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_NO_FILES);
  g_clear_error (&error);
  creator = tsr_creator_new (missing, NULL, TSR_CREATE_V1, &error);
  g_assert_null (creator);
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN);
}

static void
test_hybrid_pads (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "h", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  guint pads = 0;
  guint i;

  tsr_test_write_file (root, "one", 20000, 1);
  tsr_test_write_file (root, "two", 16384, 2);
  tsr_test_write_file (root, "three", 5, 3);
  info = create_torrent (root, TSR_CREATE_HYBRID, 16384, 2);
  g_assert_true (info->has_v1 && info->has_v2);
  for (i = 0; i < info->n_files; i++)
    {
      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        {
          pads++;
          g_assert_true (g_str_has_prefix (info->files[i].display_path, "h/.pad/"));
        }
      else
        g_assert_cmpuint (info->files[i].offset % 16384, ==, 0);
    }
  /* "one" (20000) and "three" (5) need pads; "two" ends on a boundary. */
  g_assert_cmpuint (pads, ==, 2);
  g_assert_cmpuint (info->total_length, ==, 36389);
  g_assert_cmpuint (info->piece_count, ==, 4);
}

/* An independent merkle root for a small file: 16 KiB leaves with
 * GChecksum, padded with zero hashes to a power of two. */
static void
reference_root (const guint8 *data,
                gsize         size,
                guint8        root[32])
{
  gsize blocks = (size + 16383) / 16384;
  gsize width = 1;
  g_autofree guint8 *level = NULL;
  gsize i;

  while (width < blocks)
    width *= 2;
  level = g_malloc0 (width * 32);
  for (i = 0; i < blocks; i++)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      gsize length = 32;

      g_checksum_update (checksum, data + i * 16384, MIN (16384, size - i * 16384));
      g_checksum_get_digest (checksum, level + i * 32, &length);
    }
  for (; width > 1; width /= 2)
    for (i = 0; i < width / 2; i++)
      {
        g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
        gsize length = 32;

        g_checksum_update (checksum, level + 64 * i, 64);
        g_checksum_get_digest (checksum, level + 32 * i, &length);
      }
  memcpy (root, level, 32);
}

static void
test_v2_roots (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "v2", NULL);
  static const gsize sizes[] = { 1, 16384, 16385, 50000, 5 * 32768 + 7 };
  g_autoptr(TsrMetainfo) info = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u", i);

      tsr_test_write_file (root, name, sizes[i], i + 10);
    }
  /* Piece 32 KiB: files both smaller and larger than a piece. */
  info = create_torrent (root, TSR_CREATE_V2, 32768, 2);
  g_assert_false (info->has_v1);
  for (i = 0; i < info->n_files; i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, info->files[i].path, NULL);
      g_autofree char *contents = NULL;
      gsize size = 0;
      guint8 expected[32];

      g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
      reference_root ((const guint8 *) contents, size, expected);
      g_assert_true (info->files[i].has_pieces_root);
      g_assert_cmpmem (info->files[i].pieces_root, 32, expected, 32);
    }
  /* The parser already checked each piece layer against its root; the
   * largest file needs one (6 pieces). */
  g_assert_cmpuint (g_hash_table_size (info->piece_layers), ==, 2);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const TsrCreateFormat formats[] = { TSR_CREATE_V1, TSR_CREATE_V2, TSR_CREATE_HYBRID };
  g_autofree char *root = g_build_filename (fixture->dir, "rt", NULL);
  guint f;

  tsr_test_write_file (root, "big.bin", 300000, 1);
  tsr_test_write_file (root, "dir/small.txt", 777, 2);
  tsr_test_write_file (root, "dir/zero", 0, 3);
  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(TsrMetainfo) info = create_torrent (root, formats[f], 16384, 1 + f % 2);
      g_autoptr(TsrVerifyReport) report = verify (info, fixture->dir);
      guint i;

      g_assert_cmpuint (report->good, ==, info->piece_count);
      g_assert_cmpuint (report->bad, ==, 0);
      g_assert_cmpuint (report->missing, ==, 0);
      for (i = 0; i < info->n_files; i++)
        g_assert_cmpint (report->files[i], ==, TSR_FILE_CHECK_COMPLETE);
    }
}

static guint
file_index (const TsrMetainfo *info,
            const char        *path)
{
  guint i;

  for (i = 0; i < info->n_files; i++)
    if (g_str_equal (info->files[i].path, path))
      return i;
  g_assert_not_reached ();
}

static void
test_corruption_found (Fixture       *fixture,
                       gconstpointer  data)
{
  static const TsrCreateFormat formats[] = { TSR_CREATE_V1, TSR_CREATE_V2, TSR_CREATE_HYBRID };
  g_autofree char *root = g_build_filename (fixture->dir, "c", NULL);
  g_autofree char *big = g_build_filename (root, "big.bin", NULL);
  g_autofree char *small = g_build_filename (root, "small.bin", NULL);
  guint f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(TsrMetainfo) info = NULL;
      g_autoptr(TsrVerifyReport) report = NULL;
      FILE *file;
      guint big_index, small_index;
      guint64 piece;
      int byte;

      tsr_test_write_file (root, "big.bin", 200000, 1);
      tsr_test_write_file (root, "small.bin", 40000, 2);
      info = create_torrent (root, formats[f], 16384, 2);
      big_index = file_index (info, "c/big.bin");
      small_index = file_index (info, "c/small.bin");

      /* One byte at 100 000 in big.bin: piece 6 of the stream. */
      file = fopen (big, "r+b");
      g_assert_nonnull (file);
      fseek (file, 100000, SEEK_SET);
      byte = fgetc (file);
      fseek (file, 100000, SEEK_SET);
      fputc (byte ^ 0xff, file);
      fclose (file);
      /* small.bin loses its tail. */
      g_assert_cmpint (truncate (small, 20000), ==, 0);

      report = verify (info, fixture->dir);
      piece = (info->files[big_index].offset + 100000) / 16384;
      g_assert_cmpint (report->pieces[piece], ==, TSR_PIECE_CHECK_BAD);
      g_assert_cmpuint (report->bad, ==, 1);
      g_assert_cmpint (report->files[big_index], ==, TSR_FILE_CHECK_INCOMPLETE);
      g_assert_cmpint (report->files[small_index], ==, TSR_FILE_CHECK_MISSING);
      g_assert_cmpuint (report->missing, >=, 1);
      g_assert_cmpint (report->pieces[(info->files[small_index].offset + 30000) / 16384], ==, TSR_PIECE_CHECK_MISSING);
      /* The first piece of small.bin is whole and still good. */
      g_assert_cmpint (report->pieces[info->files[small_index].offset / 16384], ==, TSR_PIECE_CHECK_GOOD);

      /* Now delete it: missing, and verify still runs. */
      g_unlink (small);
      g_clear_pointer (&report, tsr_verify_report_free);
      report = verify (info, fixture->dir);
      g_assert_cmpint (report->files[small_index], ==, TSR_FILE_CHECK_MISSING);
    }
}

static void
test_changed_while_hashing (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "ch", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TsrCreateOptions options = { 0 };
  TsrHashJob *job;

  tsr_test_write_file (root, "grows", 50000, 1);
  creator = tsr_creator_new (root, NULL, TSR_CREATE_V1, &error);
  g_assert_no_error (error);
  job = tsr_creator_prepare_job (creator, 16384);
  g_assert_true (tsr_hash_job_run (job, 2, NULL, &error));
  /* The file grows after the scan: the torrent would be wrong. */
  tsr_test_write_file (root, "grows", 60000, 1);
  options.creation_date = -1;
  bytes = tsr_creator_build (creator, &options, &error);
  g_assert_null (bytes);
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_CHANGED);
  g_clear_error (&error);

  /* Shrinking before hashing is caught by the reader. */
  g_clear_pointer (&creator, tsr_creator_free);
  creator = tsr_creator_new (root, NULL, TSR_CREATE_V1, &error);
  job = tsr_creator_prepare_job (creator, 16384);
  tsr_test_write_file (root, "grows", 10, 1);
  g_assert_false (tsr_hash_job_run (job, 2, NULL, &error));
  g_assert_error (error, TSR_HASHER_ERROR, TSR_HASHER_ERROR_CHANGED);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *root = g_build_filename (fixture->dir, "cancel", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TsrHashJob *job;

  tsr_test_write_file (root, "f", 100000, 1);
  creator = tsr_creator_new (root, NULL, TSR_CREATE_V1, &error);
  job = tsr_creator_prepare_job (creator, 16384);
  g_cancellable_cancel (cancellable);
  g_assert_false (tsr_hash_job_run (job, 2, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_merkle (void)
{
  guint8 leaves[3 * 32];
  guint8 root[32];
  guint8 expected[32];
  guint8 zero[32] = { 0 };
  guint8 left[32], right[32];
  g_autoptr(GChecksum) a = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) b = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) c = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = 32;
  guint i;

  for (i = 0; i < sizeof leaves; i++)
    leaves[i] = (guint8) i;
  /* root = H(H(l0 l1) H(l2 0)) */
  g_checksum_update (a, leaves, 64);
  g_checksum_get_digest (a, left, &length);
  g_checksum_update (b, leaves + 64, 32);
  g_checksum_update (b, zero, 32);
  g_checksum_get_digest (b, right, &length);
  g_checksum_update (c, left, 32);
  g_checksum_update (c, right, 32);
  g_checksum_get_digest (c, expected, &length);
  tsr_merkle_root (leaves, 3, 4, root);
  g_assert_cmpmem (root, 32, expected, 32);
  /* One leaf is its own root. */
  tsr_merkle_root (leaves, 1, 1, root);
  g_assert_cmpmem (root, 32, leaves, 32);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/creator/piece-length-choice", test_piece_length_choice);
  g_test_add_func ("/creator/tracker-urls", test_tracker_urls);
  g_test_add_func ("/creator/merkle", test_merkle);
  g_test_add ("/creator/order-and-exclusion", Fixture, NULL, fixture_set_up, test_order_and_exclusion, fixture_tear_down);
  g_test_add ("/creator/symlinks", Fixture, NULL, fixture_set_up, test_symlinks, fixture_tear_down);
  g_test_add ("/creator/no-files", Fixture, NULL, fixture_set_up, test_no_files, fixture_tear_down);
  g_test_add ("/creator/hybrid-pads", Fixture, NULL, fixture_set_up, test_hybrid_pads, fixture_tear_down);
  g_test_add ("/creator/v2-roots", Fixture, NULL, fixture_set_up, test_v2_roots, fixture_tear_down);
  g_test_add ("/creator/changed-while-hashing", Fixture, NULL, fixture_set_up, test_changed_while_hashing, fixture_tear_down);
  g_test_add ("/creator/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/verifier/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/verifier/corruption-found", Fixture, NULL, fixture_set_up, test_corruption_found, fixture_tear_down);

  return g_test_run ();
}
