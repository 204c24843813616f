/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-test-util.c: what several app tests need of GTK, and the
 * library-and-window fixture they share (see tsr-app-test-util.h).
 */
#include "config.h"

#include "tsr-app-test-util.h"
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
