/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-test-util.c: what several app tests need of GTK, and the
 * library-and-window and Files page fixtures they share (see
 * tsr-app-test-util.h).
 */
#include "config.h"

#include "tsr-app-test-util.h"
#include "tsr-files-page.h"
#include "tsr-test-util.h"

GtkWidget *
tsr_app_test_find_widget (GtkWidget  *widget,
                          const char *id)
{
  GtkWidget *child;

  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tsr_app_test_find_widget (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
tsr_app_test_collect (GtkWidget *widget,
                      GType      type,
                      GPtrArray *found)
{
  GtkWidget *child;

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    tsr_app_test_collect (child, type, found);
}

GtkWidget *
tsr_app_test_find_one (GtkWidget *widget,
                       GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  tsr_app_test_collect (widget, type, found);
  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

gboolean
tsr_app_test_shows_text (GtkWidget  *widget,
                         const char *text)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text))
    return TRUE;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (tsr_app_test_shows_text (child, text))
      return TRUE;
  return FALSE;
}

gboolean
tsr_app_test_wait_for_text (GtkWidget  *widget,
                            const char *text)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!tsr_app_test_shows_text (widget, text) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return tsr_app_test_shows_text (widget, text);
}

void
tsr_app_test_library_init (TsrAppTestLibrary *self,
                           const char        *prefix)
{
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);

  self->dir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (self->dir);
  self->data = g_build_filename (self->dir, "data", NULL);
  self->downloads = g_build_filename (self->dir, "downloads", NULL);
  self->library = tsr_library_new (self->data);
  self->window = NULL;
}

TsrTorrent *
tsr_app_test_library_add (TsrAppTestLibrary *self,
                          const char        *path)
{
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent = tsr_library_add_file (self->library, path, self->downloads, TRUE, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (torrent);
  return torrent;
}

TsrWindow *
tsr_app_test_library_open_window (TsrAppTestLibrary *self)
{
  self->window = g_object_new (TSR_TYPE_WINDOW, "library", self->library, NULL);
  gtk_window_present (GTK_WINDOW (self->window));
  return self->window;
}

void
tsr_app_test_library_reload (TsrAppTestLibrary *self)
{
  if (self->window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->window));
  self->window = NULL;
  tsr_library_shutdown (self->library);
  g_clear_object (&self->library);
  self->library = tsr_library_new (self->data);
  tsr_library_restore (self->library);
}

void
tsr_app_test_library_clear (TsrAppTestLibrary *self)
{
  if (self->window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->window));
  self->window = NULL;
  tsr_library_shutdown (self->library);
  g_clear_object (&self->library);
  tsr_test_remove_tree (self->dir);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->data, g_free);
  g_clear_pointer (&self->downloads, g_free);
}

void
tsr_app_test_files_page_init (TsrAppTestFilesPage *self,
                              const char          *prefix)
{
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);
  g_autoptr(TsrMetainfo) info = NULL;

  self->dir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (self->dir);
  self->root = g_build_filename (self->dir, "pack", NULL);
  info = tsr_test_make_pack (self->root);
  self->torrent = tsr_torrent_new (info, self->dir, id);
  self->window = GTK_WINDOW (gtk_window_new ());
  self->page = g_object_new (TSR_TYPE_FILES_PAGE, NULL);
  gtk_window_set_default_size (self->window, 900, 400);
  gtk_window_set_child (self->window, self->page);
  gtk_window_present (self->window);
  tsr_files_page_set_torrent (TSR_FILES_PAGE (self->page), self->torrent);
}

void
tsr_app_test_files_page_clear (TsrAppTestFilesPage *self)
{
  gtk_window_destroy (self->window);
  self->window = NULL;
  self->page = NULL;
  tsr_test_drain ();
  g_clear_object (&self->torrent);
  tsr_test_remove_tree (self->dir);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->root, g_free);
}
