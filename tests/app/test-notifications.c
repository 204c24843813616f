/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-notifications.c: what the notifications say and do. Downloads that
 * finish within ten seconds of each other make one batch (one
 * notification, "3 Downloads Finished", replaced as it grows), a later
 * one starts a new batch; the batch has a folder to open only while its
 * torrents share one, and names three of them then counts the rest. The
 * failure notification's "Show" selects the torrent in the window (under
 * Xvfb), also when the search or the sidebar hid it.
 */
#include "config.h"

#include <adwaita.h>

#include "tsr-done-batch.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

GResource *tsr_get_resource (void);

static void
assert_batch (TsrDoneBatch *batch,
              const char   *title,
              const char   *body)
{
  g_autofree char *batch_title = tsr_done_batch_dup_title (batch);
  g_autofree char *batch_body = tsr_done_batch_dup_body (batch);

  g_assert_cmpstr (batch_title, ==, title);
  g_assert_cmpstr (batch_body, ==, body);
}

static void
test_batches (void)
{
  g_autoptr(TsrDoneBatch) batch = tsr_done_batch_new ();
  gint64 t = 1000 * G_TIME_SPAN_SECOND;
  guint first;

  first = tsr_done_batch_add (batch, "a.iso", "/srv/dl", t);
  assert_batch (batch, "Download Complete", "a.iso");
  g_assert_cmpstr (tsr_done_batch_get_folder (batch), ==, "/srv/dl");
  /* 9 s later, then 9 s after that: the same batch (the window slides). */
  g_assert_cmpuint (tsr_done_batch_add (batch, "b.iso", "/srv/dl", t + 9 * G_TIME_SPAN_SECOND), ==, first);
  assert_batch (batch, "2 Downloads Finished", "a.iso, b.iso");
  g_assert_cmpuint (tsr_done_batch_add (batch, "c.iso", "/srv/dl", t + 18 * G_TIME_SPAN_SECOND), ==, first);
  assert_batch (batch, "3 Downloads Finished", "a.iso, b.iso, c.iso");
  g_assert_cmpuint (tsr_done_batch_get_count (batch), ==, 3);
  g_assert_cmpstr (tsr_done_batch_get_folder (batch), ==, "/srv/dl");
  /* In another folder: none to open. */
  g_assert_cmpuint (tsr_done_batch_add (batch, "d.iso", "/srv/other", t + 19 * G_TIME_SPAN_SECOND), ==, first);
  g_assert_null (tsr_done_batch_get_folder (batch));
  assert_batch (batch, "4 Downloads Finished", "a.iso, b.iso, c.iso and 1 more");
  tsr_done_batch_add (batch, "e.iso", "/srv/dl", t + 20 * G_TIME_SPAN_SECOND);
  assert_batch (batch, "5 Downloads Finished", "a.iso, b.iso, c.iso and 2 more");
  g_assert_null (tsr_done_batch_get_folder (batch));
  /* More than ten seconds after the last: a new batch of one. */
  g_assert_cmpuint (tsr_done_batch_add (batch, "f.iso", "/srv/f", t + 31 * G_TIME_SPAN_SECOND), ==, first + 1);
  assert_batch (batch, "Download Complete", "f.iso");
  g_assert_cmpuint (tsr_done_batch_get_count (batch), ==, 1);
  g_assert_cmpstr (tsr_done_batch_get_folder (batch), ==, "/srv/f");
  /* Exactly ten seconds on is still close together. */
  g_assert_cmpuint (tsr_done_batch_add (batch, "g.iso", "/srv/f", t + 41 * G_TIME_SPAN_SECOND), ==, first + 1);
}

/* A .torrent of @name (one file, @seed) in @dir. */
static char *
write_torrent (const char *dir,
               const char *name,
               guint       seed)
{
  g_autofree char *root = g_build_filename (dir, name, NULL);
  g_autofree char *file_name = g_strconcat (name, ".torrent", NULL);
  char *path = g_build_filename (dir, file_name, NULL);
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_test_write_file (root, "a.bin", 20000, seed);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, path);
  tsr_test_remove_tree (root);
  return path;
}

/* The first column view in @widget, in tree order: the torrent list
 * comes before the details' pages. */
static GtkColumnView *
first_column_view (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_COLUMN_VIEW (widget))
    return GTK_COLUMN_VIEW (widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkColumnView *found = first_column_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GPtrArray *
selected (TsrWindow *window)
{
  GtkColumnView *view = first_column_view (GTK_WIDGET (window));
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GtkSelectionModel *model;
  guint i;

  g_assert_nonnull (view);
  model = gtk_column_view_get_model (view);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (gtk_selection_model_is_selected (model, i))
      g_ptr_array_add (found, g_list_model_get_item (G_LIST_MODEL (model), i));
  return found;
}

static void
test_show_selects (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-notify-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *downloads = g_build_filename (dir, "downloads", NULL);
  g_autofree char *ubuntu = write_torrent (dir, "Ubuntu ISO", 1);
  g_autofree char *debian = write_torrent (dir, "Debian DVD", 2);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(TsrLibrary) other = tsr_library_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chosen = NULL;
  TsrTorrent *first;
  TsrTorrent *second;
  TsrTorrent *stranger;
  TsrWindow *window;

  first = tsr_library_add_file (library, ubuntu, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  second = tsr_library_add_file (library, debian, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  stranger = tsr_library_add_file (other, ubuntu, downloads, TRUE, NULL, &error);
  g_assert_no_error (error);
  window = g_object_new (TSR_TYPE_WINDOW, "library", library, NULL);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (tsr_window_select_torrent (window, second));
  chosen = selected (window);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_true (g_ptr_array_index (chosen, 0) == (gpointer) second);
  g_clear_pointer (&chosen, g_ptr_array_unref);

  /* Hidden by a search for the other one: shown, and it alone selected. */
  tsr_window_set_search (window, "ubuntu");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 1);
  g_assert_true (tsr_window_select_torrent (window, second));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 2);
  chosen = selected (window);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_true (g_ptr_array_index (chosen, 0) == (gpointer) second);
  g_clear_pointer (&chosen, g_ptr_array_unref);
  g_assert_true (tsr_window_select_torrent (window, first));
  chosen = selected (window);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_true (g_ptr_array_index (chosen, 0) == (gpointer) first);
  /* Not in this library: nothing. */
  g_assert_false (tsr_window_select_torrent (window, stranger));

  gtk_window_destroy (GTK_WINDOW (window));
  tsr_library_shutdown (library);
  tsr_library_shutdown (other);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/notifications/done-batches", test_batches);
  g_test_add_func ("/notifications/show-selects", test_show_selects);
  return g_test_run ();
}
