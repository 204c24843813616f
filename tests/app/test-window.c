/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window.c: the main window in-process (under Xvfb): torrent files
 * and magnet links dropped on it are added (with the add dialog turned
 * off in the settings), a file that is not a torrent and a magnet already
 * in the list are not, and the list and its empty state follow the
 * library; the list's columns, alone, are titled and sort by what they
 * show.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-torrent-columns.h"
#include "tsr-window.h"

static char *
write_torrent (const char *dir)
{
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  char *path = g_build_filename (dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_test_write_file (root, "a.bin", 40000, 1);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, path);
  return path;
}

static void
test_drop (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-window-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *torrent = write_torrent (dir);
  g_autofree char *junk = g_build_filename (dir, "junk.torrent", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  GListModel *torrents = tsr_library_get_torrents (library);
  TsrWindow *window;
  GValue value = G_VALUE_INIT;
  GSList *files = NULL;

  g_settings_set_boolean (settings, "ask-where-to-save", FALSE);
  g_settings_set_boolean (settings, "start-paused", TRUE);
  g_settings_set_string (settings, "download-folder", downloads);
  g_assert_true (g_file_set_contents (junk, "not bencode", -1, NULL));
  window = g_object_new (TSR_TYPE_WINDOW, "library", library, NULL);

  /* A text drop that is a magnet link: added (stopped, as the settings
   * say), named by its "dn" until the metainfo comes; the same again is
   * refused. */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "  magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x\n");
  g_assert_true (tsr_window_drop (window, &value));
  g_assert_cmpuint (g_list_model_get_n_items (torrents), ==, 1);
  {
    g_autoptr(TsrTorrent) added = g_list_model_get_item (torrents, 0);

    g_assert_cmpstr (tsr_torrent_get_name (added), ==, "x");
    g_assert_false (tsr_torrent_has_metainfo (added));
    g_assert_cmpint (tsr_torrent_get_state (added), ==, TSR_TORRENT_STOPPED);
  }
  g_assert_false (tsr_window_drop (window, &value));
  g_value_unset (&value);
  g_assert_cmpuint (g_list_model_get_n_items (torrents), ==, 1);

  /* Files: the torrent is added, the junk refused. */
  files = g_slist_append (files, g_file_new_for_path (junk));
  files = g_slist_append (files, g_file_new_for_path (torrent));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);
  g_assert_true (tsr_window_drop (window, &value));
  g_value_unset (&value);
  g_assert_cmpuint (g_list_model_get_n_items (torrents), ==, 2);
  {
    g_autoptr(TsrTorrent) added = g_list_model_get_item (torrents, 1);

    g_assert_cmpstr (tsr_torrent_get_folder (added), ==, downloads);
    g_assert_cmpint (tsr_torrent_get_state (added), ==, TSR_TORRENT_STOPPED);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  /* The index is written on the I/O pool after each drop: those writes
   * land before the folder goes. */
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* The status line: rates, peers, the DHT (off in tests) and the port,
 * which it shows once the session listens (port mapping off: no router
 * is asked from a test). */
static void
test_status (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-window-XXXXXX", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = tsr_window_format_status (library);
  g_autofree char *after = NULL;
  g_autofree char *port = NULL;

  g_assert_true (g_str_has_prefix (before, "↓ "));
  g_assert_nonnull (strstr (before, "0 peers"));
  g_assert_nonnull (strstr (before, "DHT off"));
  g_assert_nonnull (strstr (before, "Not listening"));
  g_assert_true (tsr_library_listen (library, 0, &error));
  g_assert_no_error (error);
  after = tsr_window_format_status (library);
  port = g_strdup_printf ("Port %u", tsr_session_get_port (tsr_library_get_session (library)));
  g_assert_true (g_str_has_suffix (after, port));
  g_assert_null (strstr (after, "Not listening"));
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

static char *
dup_name_at (GListModel *model,
             guint       position)
{
  g_autoptr(TsrTorrent) torrent = g_list_model_get_item (model, position);

  return g_strdup (tsr_torrent_get_name (torrent));
}

/* The torrent list's columns on a column view of their own: ten, titled
 * in order, each resizable and sortable; sorting by "Name" orders the
 * torrents by name, either way. */
static void
test_columns (void)
{
  static const char *titles[] = { "Name", "Progress", "State", "Size", "Down", "Up", "Peers", "Seeds", "Ratio",
                                  "ETA" };
  g_autofree char *dir = g_dir_make_tmp ("tsr-window-XXXXXX", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (dir);
  g_autoptr(GError) error = NULL;
  GtkWidget *view = g_object_ref_sink (gtk_column_view_new (NULL));
  GListModel *columns;
  GtkSortListModel *sorted;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  guint i;

  tsr_torrent_columns_append (GTK_COLUMN_VIEW (view));
  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (view));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (titles));
  for (i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, titles[i]);
      g_assert_true (gtk_column_view_column_get_resizable (column));
      g_assert_nonnull (gtk_column_view_column_get_sorter (column));
    }

  g_assert_nonnull (tsr_library_add_magnet (library, "magnet:?xt=urn:btih:1111111111111111111111111111111111111111&dn=bravo",
                                            dir, TRUE, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tsr_library_add_magnet (library, "magnet:?xt=urn:btih:2222222222222222222222222222222222222222&dn=alpha",
                                            dir, TRUE, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tsr_library_add_magnet (library, "magnet:?xt=urn:btih:3333333333333333333333333333333333333333&dn=charlie",
                                            dir, TRUE, &error));
  g_assert_no_error (error);
  sorted = gtk_sort_list_model_new (g_object_ref (tsr_library_get_torrents (library)),
                                    g_object_ref (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view))));
  {
    g_autoptr(GtkColumnViewColumn) name = g_list_model_get_item (columns, 0);

    gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (view), name, GTK_SORT_ASCENDING);
    first = dup_name_at (G_LIST_MODEL (sorted), 0);
    last = dup_name_at (G_LIST_MODEL (sorted), 2);
    g_assert_cmpstr (first, ==, "alpha");
    g_assert_cmpstr (last, ==, "charlie");
    g_clear_pointer (&first, g_free);
    g_clear_pointer (&last, g_free);
    gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (view), name, GTK_SORT_DESCENDING);
    first = dup_name_at (G_LIST_MODEL (sorted), 0);
    last = dup_name_at (G_LIST_MODEL (sorted), 2);
    g_assert_cmpstr (first, ==, "charlie");
    g_assert_cmpstr (last, ==, "alpha");
  }

  g_object_unref (sorted);
  g_object_unref (view);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

/* From the app's compiled resources (tessera-resources.c): the window's
 * template. Referenced here so that the linker keeps it. */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/window/drop", test_drop);
  g_test_add_func ("/window/status", test_status);
  g_test_add_func ("/window/columns", test_columns);
  return g_test_run ();
}
