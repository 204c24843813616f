/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-overview-page.c: the overview page tells the user what to do about
 * a failed torrent, with the torrent failing for real under Xvfb:
 *  - a seeder whose files are deleted while a local leecher fetches from
 *    it fails with TSR_STORAGE_ERROR_MISSING: the page says "Files are
 *    missing" with the error below and a Verify button (no Resume), and
 *    the button checks the data (the torrent stops with the pieces that
 *    are left);
 *  - a leecher whose download folder is a small tmpfs fails with
 *    TSR_STORAGE_ERROR_NO_SPACE: the page says "The disk is full" with a
 *    Resume button (no Verify); once the tmpfs is grown, the button starts
 *    it again, the pieces it had verified are kept and it completes.
 * The tmpfs is mounted in a mount namespace of the test's own, entered in
 * main () before any thread exists; without the rights for that (not
 * root) the full-disk case fails, saying why: no test is skipped in
 * silence.
 */
#include "config.h"

#define _GNU_SOURCE
#include <adwaita.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>

#include "tsr-overview-page.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the page's template). */
GResource *tsr_get_resource (void);

static gboolean private_mounts;   /* a mount namespace of our own */

typedef struct
{
  char        *dir;           /* (owned) scratch folder */
  char        *torrent_path;  /* (owned) */
  TsrMetainfo *info;          /* (owned) */
  TsrLibrary  *seeder;        /* (owned) has the data */
  TsrLibrary  *leecher;       /* (owned) */
  GtkWidget   *window;        /* (owned) shows the page */
  GtkWidget   *page;          /* borrowed: the window's child */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;
  g_autofree char *seed_data = NULL;
  g_autofree char *leech_data = NULL;

  fixture->dir = g_dir_make_tmp ("tsr-overview-XXXXXX", NULL);
  root = g_build_filename (fixture->dir, "pack", NULL);
  seed_data = g_build_filename (fixture->dir, "seeder", NULL);
  leech_data = g_build_filename (fixture->dir, "leecher", NULL);
  /* 3 MB in 16 KiB pieces: more than the 1 MiB tmpfs holds. */
  tsr_test_write_file (root, "one.bin", 2000000, 1);
  tsr_test_write_file (root, "two.bin", 1000000, 2);
  fixture->info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  fixture->torrent_path = g_build_filename (fixture->dir, "pack.torrent", NULL);
  tsr_test_write_torrent_file (fixture->info, fixture->torrent_path);
  fixture->seeder = tsr_library_new (seed_data);
  fixture->leecher = tsr_library_new (leech_data);
  fixture->page = g_object_new (TSR_TYPE_OVERVIEW_PAGE, NULL);
  fixture->window = g_object_ref_sink (gtk_window_new ());
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->page);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  tsr_library_shutdown (fixture->leecher);
  tsr_library_shutdown (fixture->seeder);
  g_clear_object (&fixture->leecher);
  g_clear_object (&fixture->seeder);
  g_clear_pointer (&fixture->info, tsr_metainfo_unref);
  tsr_test_remove_tree (fixture->dir);
  g_free (fixture->torrent_path);
  g_free (fixture->dir);
}

typedef gboolean (*Condition) (TsrTorrent *torrent);

/* Runs the main loop until @done holds for @torrent; FALSE after @seconds. */
static gboolean
wait_for (Condition   done,
          TsrTorrent *torrent,
          guint       seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!done (torrent))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
is_seeding (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_SEEDING;
}

static gboolean
has_failed (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR;
}

/* A button's activation (the keyboard's) clicks it after a short flash. */
static gboolean
has_left_error (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) != TSR_TORRENT_ERROR;
}

static gboolean
has_peer (TsrTorrent *torrent)
{
  return tsr_torrent_get_n_peers (torrent) > 0;
}

static gboolean
is_checked_and_stopped (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_STOPPED;
}

static gboolean
is_complete (TsrTorrent *torrent)
{
  return tsr_torrent_get_pieces_have (torrent) == tsr_torrent_get_metainfo (torrent)->piece_count;
}

static gboolean
is_past_start (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) != TSR_TORRENT_CHECKING;
}

/* The widget of @type under @widget that shows @text (a label's text or
 * a button's label) and would be drawn: it and its ancestors visible. */
static GtkWidget *
find_shown (GtkWidget  *widget,
            GType       type,
            const char *text)
{
  GtkWidget *child;

  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      const char *shown = GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget))
                                                : gtk_button_get_label (GTK_BUTTON (widget));

      if (g_strcmp0 (shown, text) == 0)
        return widget;
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shown (child, type, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The leecher, fetching from the seeder at @down_rate (0: no limit). */
static TsrTorrent *
start_leecher (Fixture    *fixture,
               const char *folder,
               guint64     down_rate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  TsrTorrent *seeding;
  TsrTorrent *torrent;

  g_assert_true (tsr_library_listen (fixture->seeder, 0, &error));
  g_assert_no_error (error);
  seeding = tsr_library_add_file (fixture->seeder, fixture->torrent_path, fixture->dir, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for (is_seeding, seeding, 30));
  torrent = tsr_library_add_file (fixture->leecher, fixture->torrent_path, folder, FALSE, NULL, &error);
  g_assert_no_error (error);
  if (down_rate > 0)
    tsr_library_set_limits (fixture->leecher, torrent, 0, down_rate, 0, 0, 0);
  address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (tsr_library_get_session (fixture->seeder)));
  tsr_torrent_add_peer_address (torrent, address);
  return torrent;
}

/* The page shows @torrent, refreshed as the details view does. */
static void
show (Fixture    *fixture,
      TsrTorrent *torrent)
{
  g_autoptr(GPtrArray) peers = tsr_torrent_dup_peer_infos (torrent);

  tsr_overview_page_set_torrent (TSR_OVERVIEW_PAGE (fixture->page), torrent);
  tsr_overview_page_refresh (TSR_OVERVIEW_PAGE (fixture->page), peers);
}

static void
test_missing_files (Fixture       *fixture,
                    gconstpointer  unused)
{
  g_autofree char *downloads = g_build_filename (fixture->dir, "downloads", NULL);
  g_autofree char *one = g_build_filename (fixture->dir, "pack", "one.bin", NULL);
  g_autofree char *two = g_build_filename (fixture->dir, "pack", "two.bin", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTorrent) seeding = NULL;
  TsrTorrent *leeching;
  GtkWidget *verify;

  /* Slow, so that the seeder still reads from its files after they go. */
  leeching = start_leecher (fixture, downloads, 32768);
  seeding = g_list_model_get_item (tsr_library_get_torrents (fixture->seeder), 0);
  tsr_overview_page_set_library (TSR_OVERVIEW_PAGE (fixture->page), fixture->seeder);
  show (fixture, seeding);
  /* Running: no card. */
  g_assert_null (find_shown (fixture->page, GTK_TYPE_LABEL, "Files are missing"));
  g_assert_null (find_shown (fixture->page, GTK_TYPE_BUTTON, "_Verify"));
  g_assert_true (wait_for (has_peer, leeching, 30));

  g_assert_cmpint (g_unlink (one), ==, 0);
  g_assert_cmpint (g_unlink (two), ==, 0);
  g_assert_true (wait_for (has_failed, seeding, 60));
  error = tsr_torrent_dup_error (seeding);
  g_assert_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING);

  show (fixture, seeding);
  g_assert_nonnull (find_shown (fixture->page, GTK_TYPE_LABEL, "Files are missing"));
  g_assert_nonnull (find_shown (fixture->page, GTK_TYPE_LABEL, error->message));
  g_assert_null (find_shown (fixture->page, GTK_TYPE_BUTTON, "_Resume"));
  verify = find_shown (fixture->page, GTK_TYPE_BUTTON, "_Verify");
  g_assert_nonnull (verify);

  /* Verify checks what is left, then leaves the torrent stopped. */
  gtk_widget_activate (verify);
  g_assert_true (wait_for (has_left_error, seeding, 5));
  g_assert_null (find_shown (fixture->page, GTK_TYPE_LABEL, "Files are missing"));
  g_assert_true (wait_for (is_checked_and_stopped, seeding, 60));
  g_assert_cmpuint (tsr_torrent_get_pieces_have (seeding), ==, 0);
  show (fixture, seeding);
  g_assert_null (find_shown (fixture->page, GTK_TYPE_BUTTON, "_Verify"));
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *disk = g_build_filename (fixture->dir, "disk", NULL);
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;
  GtkWidget *resume;
  guint kept;

  if (!private_mounts)
    {
      g_test_fail_printf ("no mount namespace of our own for a small tmpfs: run the tests as root");
      return;
    }
  g_assert_cmpint (g_mkdir (disk, 0700), ==, 0);
  g_assert_cmpint (mount ("tmpfs", disk, "tmpfs", 0, "size=1m"), ==, 0);

  torrent = start_leecher (fixture, disk, 0);
  tsr_overview_page_set_library (TSR_OVERVIEW_PAGE (fixture->page), fixture->leecher);
  g_assert_true (wait_for (has_failed, torrent, 60));
  error = tsr_torrent_dup_error (torrent);
  g_assert_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_NO_SPACE);
  kept = tsr_torrent_get_pieces_have (torrent);
  g_assert_cmpuint (kept, <, tsr_torrent_get_metainfo (torrent)->piece_count);

  show (fixture, torrent);
  g_assert_nonnull (find_shown (fixture->page, GTK_TYPE_LABEL, "The disk is full"));
  g_assert_nonnull (find_shown (fixture->page, GTK_TYPE_LABEL, error->message));
  g_assert_null (find_shown (fixture->page, GTK_TYPE_BUTTON, "_Verify"));
  resume = find_shown (fixture->page, GTK_TYPE_BUTTON, "_Resume");
  g_assert_nonnull (resume);

  /* Room again: Resume starts it, the verified pieces stay and it
   * completes. */
  g_assert_cmpint (mount ("tmpfs", disk, "tmpfs", MS_REMOUNT, "size=16m"), ==, 0);
  gtk_widget_activate (resume);
  g_assert_true (wait_for (has_left_error, torrent, 5));
  g_assert_null (find_shown (fixture->page, GTK_TYPE_LABEL, "The disk is full"));
  g_assert_true (wait_for (is_past_start, torrent, 60));
  g_assert_cmpuint (tsr_torrent_get_pieces_have (torrent), >=, kept);
  g_assert_true (wait_for (is_complete, torrent, 60));
  show (fixture, torrent);
  g_assert_null (find_shown (fixture->page, GTK_TYPE_BUTTON, "_Resume"));
  tsr_library_shutdown (fixture->leecher);
  g_assert_cmpint (umount2 (disk, MNT_DETACH), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  /* First, while the process has one thread: a mount namespace is the
   * whole process's only if entered before threads exist. Mounts made in
   * it vanish with the process. */
  private_mounts = unshare (CLONE_NEWNS) == 0 && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());

  g_test_add ("/overview-page/error/missing-files", Fixture, NULL, fixture_set_up, test_missing_files,
              fixture_tear_down);
  g_test_add ("/overview-page/error/disk-full", Fixture, NULL, fixture_set_up, test_disk_full, fixture_tear_down);
  return g_test_run ();
}
