/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-statistics.c: the statistics, in a fake data folder:
 *  - totals survive a restart: saved a moment after a change (not at
 *    once: the save is debounced) and read back by the next instance as
 *    all-time totals, while its session starts from zero; the blocking
 *    save of shutdown likewise; a damaged file is said and counted from
 *    zero;
 *  - the ratio with nothing downloaded is none (or infinite);
 *  - following a library counts a torrent added after the start;
 *  - the Statistics window shows the session and all time, and follows
 *    a change while open.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tsr-statistics.h"
#include "tsr-statistics-window.h"
#include "tsr-test-util.h"

static void
assert_totals (const TsrStatTotals *totals,
               guint64              downloaded,
               guint64              uploaded,
               guint64              seconds,
               guint64              added)
{
  g_assert_cmpuint (totals->downloaded, ==, downloaded);
  g_assert_cmpuint (totals->uploaded, ==, uploaded);
  g_assert_cmpuint (totals->seconds_active, ==, seconds);
  g_assert_cmpuint (totals->torrents_added, ==, added);
}

static void
test_restart (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-statistics-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "data", "statistics.ini", NULL);
  g_autoptr(TsrStatistics) first = tsr_statistics_new (path, 100);
  g_autoptr(TsrStatistics) second = NULL;
  g_autoptr(TsrStatistics) third = NULL;
  TsrStatTotals totals;
  TsrTestDeadline deadline;

  tsr_statistics_record (first, 1000, 500, 10);
  tsr_statistics_add_torrent (first);
  tsr_statistics_get_session (first, &totals);
  assert_totals (&totals, 1000, 500, 10, 1);
  tsr_statistics_get_total (first, &totals);
  assert_totals (&totals, 1000, 500, 10, 1);
  /* Debounced: nothing written yet, then written without a save call. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  tsr_test_deadline_start (&deadline, 5000);
  while (!g_file_test (path, G_FILE_TEST_EXISTS) && !deadline.expired)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  tsr_test_run_for (100);   /* the write completes */
  g_clear_object (&first);

  /* The next run: all time includes the last, the session is new. */
  second = tsr_statistics_new (path, 100000);
  tsr_statistics_get_session (second, &totals);
  assert_totals (&totals, 0, 0, 0, 0);
  tsr_statistics_get_total (second, &totals);
  assert_totals (&totals, 1000, 500, 10, 1);
  tsr_statistics_record (second, 24, 0, 5);
  tsr_statistics_get_session (second, &totals);
  assert_totals (&totals, 24, 0, 5, 0);
  tsr_statistics_get_total (second, &totals);
  assert_totals (&totals, 1024, 500, 15, 1);
  g_assert_true (tsr_statistics_save (second, NULL));

  third = tsr_statistics_new (path, 100000);
  tsr_statistics_get_total (third, &totals);
  assert_totals (&totals, 1024, 500, 15, 1);
  g_clear_object (&third);

  /* Damaged: said, and counted from zero. */
  g_assert_true (g_file_set_contents (path, "[all-time\ndownloaded=", -1, NULL));
  g_test_expect_message ("tsr-app", G_LOG_LEVEL_WARNING, "Cannot read the statistics in *");
  third = tsr_statistics_new (path, 100000);
  g_test_assert_expected_messages ();
  tsr_statistics_get_total (third, &totals);
  assert_totals (&totals, 0, 0, 0, 0);

  g_clear_object (&second);
  g_clear_object (&third);
  tsr_test_remove_tree (dir);
}

static void
test_ratio (void)
{
  TsrStatTotals none = { 0, 0, 0, 0 };
  TsrStatTotals seeded = { 0, 100, 0, 0 };
  TsrStatTotals half = { 200, 100, 0, 0 };
  g_autofree char *none_text = tsr_stat_totals_format_ratio (&none);
  g_autofree char *seeded_text = tsr_stat_totals_format_ratio (&seeded);
  g_autofree char *half_text = tsr_stat_totals_format_ratio (&half);

  g_assert_cmpfloat (tsr_stat_totals_get_ratio (&none), ==, -1);
  g_assert_cmpstr (none_text, ==, "None");
  g_assert_cmpfloat (tsr_stat_totals_get_ratio (&seeded), ==, -1);
  g_assert_cmpstr (seeded_text, ==, "∞");
  g_assert_cmpfloat (tsr_stat_totals_get_ratio (&half), ==, 0.5);
  g_assert_cmpstr (half_text, ==, "0.50");
}

static void
test_follow (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-statistics-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *torrent_path = g_build_filename (dir, "pack.torrent", NULL);
  g_autofree char *data = g_build_filename (dir, "library", NULL);
  g_autofree char *path = g_build_filename (dir, "statistics.ini", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(TsrStatistics) statistics = tsr_statistics_new (path, 100000);
  g_autoptr(GError) error = NULL;
  TsrStatTotals totals;
  TsrTestDeadline deadline;
  TsrTorrent *torrent;

  tsr_test_write_torrent_file (info, torrent_path);
  tsr_statistics_follow (statistics, library);
  torrent = tsr_library_add_file (library, torrent_path, dir, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (torrent);
  /* A tick (g_timeout_add_seconds: within two seconds): a second active. */
  tsr_test_deadline_start (&deadline, 5000);
  do
    {
      g_main_context_iteration (NULL, TRUE);
      tsr_statistics_get_session (statistics, &totals);
    }
  while (totals.seconds_active == 0 && !deadline.expired);
  tsr_test_deadline_stop (&deadline);
  g_assert_cmpuint (totals.torrents_added, ==, 1);
  g_assert_cmpuint (totals.seconds_active, >=, 1);
  g_assert_cmpuint (totals.downloaded, ==, 0);

  g_clear_object (&statistics);
  tsr_library_shutdown (library);
  g_clear_object (&library);
  tsr_test_drain ();
  tsr_test_remove_tree (dir);
}

/* The value shown in the row titled @row of the group titled @group. */
static const char *
find_value (GtkWidget  *widget,
            const char *group,
            const char *row,
            gboolean    in_group)
{
  GtkWidget *child;

  if (ADW_IS_PREFERENCES_GROUP (widget))
    in_group = g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), group) == 0;
  if (in_group && ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), row) != 0)
    return NULL;
  if (in_group && GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric"))
    return gtk_label_get_text (GTK_LABEL (widget));
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *found = find_value (child, group, row, in_group);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-statistics-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "statistics.ini", NULL);
  g_autoptr(TsrStatistics) earlier = tsr_statistics_new (path, 100000);
  g_autoptr(TsrStatistics) statistics = NULL;
  GtkWidget *window;

  tsr_statistics_record (earlier, 3000000, 0, 3600);
  tsr_statistics_add_torrent (earlier);
  g_assert_true (tsr_statistics_save (earlier, NULL));
  statistics = tsr_statistics_new (path, 100000);
  tsr_statistics_record (statistics, 0, 1000000, 90);

  window = tsr_statistics_window_new (statistics);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (find_value (window, "This Session", "Downloaded", FALSE), ==, "0 bytes");
  g_assert_cmpstr (find_value (window, "This Session", "Ratio", FALSE), ==, "∞");
  g_assert_cmpstr (find_value (window, "This Session", "Torrents Added", FALSE), ==, "0");
  g_assert_cmpstr (find_value (window, "All Time", "Downloaded", FALSE), ==, "3.0\u00a0MB");
  g_assert_cmpstr (find_value (window, "All Time", "Ratio", FALSE), ==, "0.33");
  g_assert_cmpstr (find_value (window, "All Time", "Torrents Added", FALSE), ==, "1");
  g_assert_nonnull (find_value (window, "All Time", "Time Active", FALSE));
  g_assert_cmpstr (find_value (window, "This Session", "Time Active", FALSE), !=,
                   find_value (window, "All Time", "Time Active", FALSE));

  /* Open while the session goes on. */
  tsr_statistics_record (statistics, 2000000, 0, 1);
  g_assert_cmpstr (find_value (window, "This Session", "Ratio", FALSE), ==, "0.50");
  g_assert_cmpstr (find_value (window, "All Time", "Downloaded", FALSE), ==, "5.0\u00a0MB");

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&statistics);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/statistics/restart", test_restart);
  g_test_add_func ("/statistics/ratio", test_ratio);
  g_test_add_func ("/statistics/follow", test_follow);
  g_test_add_func ("/statistics/window", test_window);
  return g_test_run ();
}
