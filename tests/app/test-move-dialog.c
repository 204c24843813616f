/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-move-dialog.c: moving torrents' data with progress (under Xvfb):
 * two torrents moved one after the other, their files in the new folder
 * and gone from the old, the library's index naming the new folder after
 * a reload; a torrent whose file is already in the target stays where it
 * was, and the dialog names it with the reason; the window cannot be
 * closed before the moves end, and its bar has a name.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-move-dialog.h"
#include "tsr-test-util.h"

static TsrTorrent *
add (TsrLibrary *library,
     const char *dir,
     const char *name,
     guint       seed)
{
  g_autofree char *source = g_build_filename (dir, "old", NULL);
  g_autofree char *root = g_build_filename (source, name, NULL);
  g_autofree char *file_name = g_strconcat (name, ".torrent", NULL);
  g_autofree char *file = g_build_filename (dir, file_name, NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;

  tsr_test_write_file (root, "a.bin", 30000, seed);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, file);
  torrent = tsr_library_add_file (library, file, source, TRUE, NULL, &error);
  g_assert_no_error (error);
  return torrent;
}

static void
wait_finished (TsrMoveDialog *dialog)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!tsr_move_dialog_is_finished (dialog) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (tsr_move_dialog_is_finished (dialog));
}

static gboolean
exists (const char *dir,
        const char *a,
        const char *b)
{
  g_autofree char *path = g_build_filename (dir, a, b, "a.bin", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static GtkWidget *
find_bar (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_PROGRESS_BAR (widget))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_bar (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_move (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-move-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *new_folder = g_build_filename (dir, "new", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(GPtrArray) torrents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TsrTorrent) restored = NULL;
  TsrMoveDialog *dialog;

  g_ptr_array_add (torrents, g_object_ref (add (library, dir, "Film", 1)));
  g_ptr_array_add (torrents, g_object_ref (add (library, dir, "Song", 2)));
  dialog = TSR_MOVE_DIALOG (tsr_move_dialog_new (library, torrents, new_folder));
  gtk_window_present (GTK_WINDOW (dialog));
  /* GTK's test backend (GTK_A11Y=test) keeps the accessible properties. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_bar (GTK_WIDGET (dialog))),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Data moved");
  /* Not closed while it moves. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  wait_finished (dialog);
  g_assert_null (tsr_move_dialog_get_errors (dialog));
  g_assert_true (exists (new_folder, "Film", NULL));
  g_assert_true (exists (new_folder, "Song", NULL));
  g_assert_false (exists (dir, "old", "Film"));
  g_assert_cmpstr (tsr_torrent_get_folder (g_ptr_array_index (torrents, 0)), ==, new_folder);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The index follows: a reload finds the data in the new folder. */
  tsr_library_shutdown (library);
  g_clear_object (&library);
  library = tsr_library_new (data);
  tsr_library_restore (library);
  restored = g_list_model_get_item (tsr_library_get_torrents (library), 0);
  g_assert_cmpstr (tsr_torrent_get_folder (restored), ==, new_folder);
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

static void
test_move_fails (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-move-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *old_folder = g_build_filename (dir, "old", NULL);
  g_autofree char *new_folder = g_build_filename (dir, "new", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(GPtrArray) torrents = g_ptr_array_new_with_free_func (g_object_unref);
  TsrMoveDialog *dialog;
  const char *errors;

  g_ptr_array_add (torrents, g_object_ref (add (library, dir, "Film", 1)));
  /* Something else is already where its file would go. */
  tsr_test_write_file (new_folder, "Film/a.bin", 10, 9);
  dialog = TSR_MOVE_DIALOG (tsr_move_dialog_new (library, torrents, new_folder));
  gtk_window_present (GTK_WINDOW (dialog));
  wait_finished (dialog);
  errors = tsr_move_dialog_get_errors (dialog);
  g_assert_nonnull (errors);
  g_assert_true (g_str_has_prefix (errors, "Film: "));
  g_assert_cmpstr (tsr_torrent_get_folder (g_ptr_array_index (torrents, 0)), ==, old_folder);
  g_assert_true (exists (dir, "old", "Film"));
  gtk_window_close (GTK_WINDOW (dialog));   /* finished: it closes */
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/move-dialog/move", test_move);
  g_test_add_func ("/move-dialog/fails", test_move_fails);
  return g_test_run ();
}
