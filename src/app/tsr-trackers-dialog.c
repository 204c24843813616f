/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-trackers-dialog.c: editing a torrent's trackers as text (see the
 * .h). An AdwMessageDialog with a text view as its extra child: it closes
 * on any response, so an error goes to the window's toasts.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-trackers-dialog.h"

GPtrArray *
tsr_trackers_dialog_parse (const char *text)
{
  GPtrArray *tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GPtrArray *tier = NULL;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        {
          tier = NULL;
          continue;
        }
      if (tier == NULL)
        {
          tier = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (tiers, tier);
        }
      g_ptr_array_add (tier, g_strdup (line));
    }
  return tiers;
}

char *
tsr_trackers_dialog_format (GPtrArray *tiers)
{
  GString *text = g_string_new (NULL);
  guint i, j;

  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      for (j = 0; j < tier->len; j++)
        g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (tier, j));
    }
  return g_string_free (text, FALSE);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GtkTextBuffer    *buffer)
{
  TsrLibrary *library = g_object_get_data (G_OBJECT (dialog), "library");
  TsrTorrent *torrent = g_object_get_data (G_OBJECT (dialog), "torrent");
  AdwToastOverlay *toasts = g_object_get_data (G_OBJECT (dialog), "toasts");
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  if (!g_str_equal (response, "apply"))
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  tiers = tsr_trackers_dialog_parse (text);
  if (!tsr_library_set_trackers (library, torrent, tiers, &error) && toasts != NULL)
    adw_toast_overlay_add_toast (toasts, adw_toast_new (error->message));
}

GtkWidget *
tsr_trackers_dialog_new (GtkWindow       *parent,
                         AdwToastOverlay *toasts,
                         TsrLibrary      *library,
                         TsrTorrent      *torrent)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (torrent);
  g_autofree char *text = tsr_trackers_dialog_format (tiers);
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Trackers"),
                                              _("One announce address a line; a blank line starts the next tier, "
                                                "asked only when the ones above fail"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_CHAR);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tracker addresses"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 420);
  gtk_widget_add_css_class (scrolled, "card");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Apply"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (toasts != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "toasts", g_object_ref (toasts), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "library", g_object_ref (library), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "torrent", g_object_ref (torrent), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), buffer);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
