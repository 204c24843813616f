/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-disk.c: TsrTorrentDisk against a fake owner that logs what
 * it hears, over real files in a temporary folder, without sockets: the
 * check hashes the data when there is no resume record, believes the
 * record when there is one (unless told to hash), reports nothing when
 * cancelled, replaced or freed, and written pieces are reported, through
 * a queue made by the first (none before).
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-torrent-disk.h"

typedef struct
{
  char           *dir;
  char           *data;      /* the download folder */
  char           *state;     /* the state folder */
  TsrMetainfo    *info;
  TsrTorrentDisk *disk;
  TsrBitfield    *have;      /* what the owner says it has, for records */
  gboolean        known;     /* whether it says so */
  GString        *log;       /* the owner's callbacks, one line each */
  guint           reports;
  TsrStorage     *storage;   /* the last one told */
  guint           storages;  /* how many were told */
} Fixture;

static void
log_have (GString           *log,
          const TsrBitfield *have)
{
  guint i;

  for (i = 0; i < tsr_bitfield_get_size (have); i++)
    g_string_append_c (log, tsr_bitfield_get (have, i) ? '1' : '0');
}

static void
on_written (guint    index,
            gboolean hash_ok,
            gpointer user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "written %u %s\n", index, hash_ok ? "good" : "bad");
  f->reports++;
}

static void
on_failed (const GError *error,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "failed %s\n", error->message);
  f->reports++;
}

static void
on_checked (const TsrBitfield *have,
            gboolean           resumed,
            gpointer           user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "checked %s ", resumed ? "resumed" : "hashed");
  log_have (f->log, have);
  g_string_append_c (f->log, '\n');
  f->reports++;
}

static const TsrBitfield *
on_have (gpointer user_data)
{
  Fixture *f = user_data;

  return f->known ? f->have : NULL;
}

static void
on_storage (TsrStorage *storage,
            gpointer    user_data)
{
  Fixture *f = user_data;

  f->storage = storage;
  f->storages++;
}

static const TsrTorrentDiskFuncs funcs = {
  .written = on_written,
  .failed = on_failed,
  .checked = on_checked,
  .have = on_have,
  .storage = on_storage,
};

static TsrTorrentDisk *
make_disk (Fixture *f)
{
  TsrTorrentDisk *disk = tsr_torrent_disk_new (f->data, 5, &funcs, f);

  tsr_torrent_disk_set_metainfo (disk, f->info);
  return disk;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-torrent-disk-XXXXXX", NULL);
  f->data = g_build_filename (f->dir, "data", NULL);
  f->state = g_build_filename (f->dir, "state", NULL);
  root = g_build_filename (f->data, "pack", NULL);
  f->info = tsr_test_make_pack (root);
  f->have = tsr_bitfield_new (f->info->piece_count);
  f->log = g_string_new (NULL);
  f->disk = make_disk (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_torrent_disk_free (f->disk);
  /* Let what was cancelled come back before the folder goes. */
  tsr_test_run_for (50);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data);
  g_free (f->state);
  tsr_metainfo_unref (f->info);
  tsr_bitfield_free (f->have);
  g_string_free (f->log, TRUE);
}

static void
test_hashes_without_record (Fixture       *f,
                            gconstpointer  data)
{
  g_assert_cmpstr (tsr_torrent_disk_get_folder (f->disk), ==, f->data);
  g_assert_nonnull (tsr_torrent_disk_get_storage (f->disk));
  /* Nothing written yet: no queue. */
  g_assert_null (tsr_torrent_disk_get_queue (f->disk));
  tsr_torrent_disk_check (f->disk, FALSE);
  TSR_TEST_WAIT_UNTIL (f->reports > 0, 10, "the check");
  g_assert_cmpstr (f->log->str, ==, "checked hashed 11111\n");
}

static void
test_missing_data_hashes_empty (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *b = g_build_filename (f->data, "pack", "b.bin", NULL);

  g_assert_cmpint (g_remove (b), ==, 0);
  tsr_torrent_disk_check (f->disk, TRUE);
  TSR_TEST_WAIT_UNTIL (f->reports > 0, 10, "the check");
  /* Piece 2 straddles both files: only the first file's two pieces. */
  g_assert_cmpstr (f->log->str, ==, "checked hashed 11000\n");
}

static void
test_resume_record (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tsr_resume_store_set_state_folder (tsr_torrent_disk_get_resume (f->disk), f->state);
  /* Nothing known, nothing written. */
  tsr_resume_store_changed_now (tsr_torrent_disk_get_resume (f->disk));
  tsr_test_run_for (50);
  tsr_bitfield_set (f->have, 0, TRUE);
  tsr_bitfield_set (f->have, 3, TRUE);
  f->known = TRUE;
  g_assert_true (tsr_resume_store_save_now (tsr_torrent_disk_get_resume (f->disk), &error));
  g_assert_no_error (error);

  /* A record that says less than the data holds: believed, not hashed. */
  tsr_torrent_disk_check (f->disk, FALSE);
  TSR_TEST_WAIT_UNTIL (f->reports > 0, 10, "the resume record");
  g_assert_cmpstr (f->log->str, ==, "checked resumed 10010\n");
  /* Told to hash ("verify"), it does, record or not. */
  tsr_torrent_disk_check (f->disk, TRUE);
  TSR_TEST_WAIT_UNTIL (f->reports > 1, 10, "the hashing");
  g_assert_cmpstr (f->log->str, ==, "checked resumed 10010\nchecked hashed 11111\n");
}

static void
test_cancelled_reports_nothing (Fixture       *f,
                                gconstpointer  data)
{
  tsr_torrent_disk_check (f->disk, TRUE);
  tsr_torrent_disk_cancel (f->disk);
  tsr_test_run_for (300);
  g_assert_cmpstr (f->log->str, ==, "");
  /* A check replaced by another: only the second reports. */
  tsr_torrent_disk_check (f->disk, TRUE);
  tsr_torrent_disk_check (f->disk, TRUE);
  TSR_TEST_WAIT_UNTIL (f->reports > 0, 10, "the second check");
  tsr_test_run_for (300);
  g_assert_cmpstr (f->log->str, ==, "checked hashed 11111\n");
  /* Freed while checking: nothing comes back to the owner. */
  tsr_torrent_disk_check (f->disk, TRUE);
  g_clear_pointer (&f->disk, tsr_torrent_disk_free);
  tsr_test_run_for (300);
  g_assert_cmpuint (f->reports, ==, 1);
}

static guint
count_lines (const char *log,
             const char *line)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    n += g_str_equal (lines[i], line);
  return n;
}

/* Checks take turns, TSR_TORRENT_DISK_CHECKS_AT_ONCE at a time: a library of thousands started at
 * once keeps a small record per torrent waiting, not a resume read or a
 * hash job. One cancelled and one freed while waiting report nothing,
 * and every other reports once. */
static void
test_checks_take_turns (Fixture       *f,
                        gconstpointer  data)
{
  TsrTorrentDisk *disks[TSR_TORRENT_DISK_CHECKS_AT_ONCE + 4];
  guint done = G_N_ELEMENTS (disks) - 2;
  guint running = 0;
  guint waiting = 0;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (disks); i++)
    {
      disks[i] = make_disk (f);
      tsr_torrent_disk_check (disks[i], TRUE);
    }
  tsr_torrent_disk_count_checks (&running, &waiting);
  g_assert_cmpuint (running, ==, TSR_TORRENT_DISK_CHECKS_AT_ONCE);
  g_assert_cmpuint (waiting, ==, 4);
  tsr_torrent_disk_cancel (disks[done]);
  g_clear_pointer (&disks[done + 1], tsr_torrent_disk_free);
  TSR_TEST_WAIT_UNTIL (f->reports >= done, 60, "the checks not cancelled");
  tsr_test_run_for (300);
  g_assert_cmpuint (f->reports, ==, done);
  g_assert_cmpuint (count_lines (f->log->str, "checked hashed 11111"), ==, done);
  tsr_torrent_disk_count_checks (&running, &waiting);
  g_assert_cmpuint (running, ==, 0);
  g_assert_cmpuint (waiting, ==, 0);
  /* A check asked for again after its turn was cancelled runs. */
  tsr_torrent_disk_check (disks[done], TRUE);
  TSR_TEST_WAIT_UNTIL (f->reports >= done + 1, 20, "the check asked again");
  for (i = 0; i <= done; i++)
    tsr_torrent_disk_free (disks[i]);
}

static void
test_written_reported (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data, "pack", "a.bin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) bad = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  good = g_bytes_new (contents, 16384);
  bad = g_bytes_new (contents, 16384);
  g_assert_null (tsr_torrent_disk_get_queue (f->disk));
  tsr_torrent_disk_write (f->disk, 0, good);
  g_assert_nonnull (tsr_torrent_disk_get_queue (f->disk));
  tsr_torrent_disk_write (f->disk, 1, bad);
  TSR_TEST_WAIT_UNTIL (f->reports > 1, 10, "two writes");
  /* In either order: the I/O pool runs them side by side. */
  g_assert_true (g_str_equal (f->log->str, "written 0 good\nwritten 1 bad\n") ||
                 g_str_equal (f->log->str, "written 1 bad\nwritten 0 good\n"));
}

static void
test_set_folder (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);
  TsrStorage *before = tsr_torrent_disk_get_storage (f->disk);

  /* Told of the first with the metainfo, of the new one at once. */
  g_assert_true (f->storage == before);
  g_assert_cmpuint (f->storages, ==, 1);
  g_object_add_weak_pointer (G_OBJECT (before), (gpointer *) &before);
  tsr_torrent_disk_set_folder (f->disk, other);
  g_assert_cmpuint (f->storages, ==, 2);
  g_assert_true (f->storage == tsr_torrent_disk_get_storage (f->disk));
  g_assert_cmpstr (tsr_torrent_disk_get_folder (f->disk), ==, other);
  g_assert_null (before);
  g_assert_cmpstr (tsr_storage_get_folder (tsr_torrent_disk_get_storage (f->disk)), ==, other);
  g_assert_true (tsr_resume_store_is_dirty (tsr_torrent_disk_get_resume (f->disk)));
  /* Nothing there: nothing good. */
  tsr_torrent_disk_check (f->disk, TRUE);
  TSR_TEST_WAIT_UNTIL (f->reports > 0, 10, "the check");
  g_assert_cmpstr (f->log->str, ==, "checked hashed 00000\n");
}

/* Not before the owner knows what it has: a record of nothing would
 * lose the data to a recheck. */
static void
test_save_soon (Fixture       *f,
                gconstpointer  data)
{
  TsrResumeStore *resume = tsr_torrent_disk_get_resume (f->disk);

  f->known = FALSE;
  tsr_torrent_disk_save_soon (f->disk);
  g_assert_false (tsr_resume_store_is_dirty (resume));
  f->known = TRUE;
  tsr_torrent_disk_save_soon (f->disk);
  g_assert_true (tsr_resume_store_is_dirty (resume));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/torrent-disk/check/hashes-without-record", Fixture, NULL, fixture_set_up,
              test_hashes_without_record, fixture_tear_down);
  g_test_add ("/torrent-disk/check/missing-data", Fixture, NULL, fixture_set_up, test_missing_data_hashes_empty,
              fixture_tear_down);
  g_test_add ("/torrent-disk/check/resume-record", Fixture, NULL, fixture_set_up, test_resume_record,
              fixture_tear_down);
  g_test_add ("/torrent-disk/check/cancelled-reports-nothing", Fixture, NULL, fixture_set_up,
              test_cancelled_reports_nothing, fixture_tear_down);
  g_test_add ("/torrent-disk/check/take-turns", Fixture, NULL, fixture_set_up, test_checks_take_turns,
              fixture_tear_down);
  g_test_add ("/torrent-disk/write/reported", Fixture, NULL, fixture_set_up, test_written_reported,
              fixture_tear_down);
  g_test_add ("/torrent-disk/folder/new-storage", Fixture, NULL, fixture_set_up, test_set_folder,
              fixture_tear_down);
  g_test_add ("/torrent-disk/resume/save-soon-once-known", Fixture, NULL, fixture_set_up, test_save_soon,
              fixture_tear_down);
  return g_test_run ();
}
