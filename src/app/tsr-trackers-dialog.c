/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-trackers-dialog.c: editing a torrent's trackers and web seeds as
 * text (see the .h). An AdwMessageDialog with a text view for each as its
 * extra child: it closes on any response, so an error goes to the
 * window's toasts.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
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

char **
tsr_trackers_dialog_parse_web_seeds (const char *text)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  char **urls;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0')
        g_strv_builder_add (builder, line);
    }
  urls = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return urls;
}

static char *
dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          unused)
{
  TsrLibrary *library = g_object_get_data (G_OBJECT (dialog), "library");
  TsrTorrent *torrent = g_object_get_data (G_OBJECT (dialog), "torrent");
  AdwToastOverlay *toasts = g_object_get_data (G_OBJECT (dialog), "toasts");
  g_autofree char *trackers_text = NULL;
  g_autofree char *seeds_text = NULL;
  g_autoptr(GPtrArray) tiers = NULL;
  g_auto(GStrv) seeds = NULL;
  g_auto(GStrv) old_seeds = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "apply"))
    return;
  trackers_text = dup_text (g_object_get_data (G_OBJECT (dialog), "trackers-buffer"));
  tiers = tsr_trackers_dialog_parse (trackers_text);
  if (!tsr_library_set_trackers (library, torrent, tiers, &error) && toasts != NULL)
    adw_toast_overlay_add_toast (toasts, adw_toast_new (error->message));
  g_clear_error (&error);
  /* The web seeds only when edited: left alone, they stay the
   * metainfo's, and follow it. */
  seeds_text = dup_text (g_object_get_data (G_OBJECT (dialog), "web-seeds-buffer"));
  seeds = tsr_trackers_dialog_parse_web_seeds (seeds_text);
  old_seeds = tsr_torrent_dup_web_seeds (torrent);
  if (g_strv_equal ((const char * const *) seeds, (const char * const *) old_seeds))
    return;
  if (!tsr_library_set_web_seeds (library, torrent, (const char * const *) seeds, &error) && toasts != NULL)
    adw_toast_overlay_add_toast (toasts, adw_toast_new (error->message));
}

/* A framed text view of @text named @name, in @box. */
static GtkTextBuffer *
add_text_view (GtkBox     *box,
               const char *text,
               const char *name,
               int         height)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_CHAR);
  /* An address list has no use for a tab character: Tab moves on, so
   * that the keyboard can leave the field (GTK's default keeps it). */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), height);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 420);
  gtk_widget_add_css_class (scrolled, "card");
  gtk_box_append (box, scrolled);
  return buffer;
}

GtkWidget *
tsr_trackers_dialog_new (GtkWindow       *parent,
                         AdwToastOverlay *toasts,
                         TsrLibrary      *library,
                         TsrTorrent      *torrent)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (torrent);
  g_autofree char *text = tsr_trackers_dialog_format (tiers);
  g_auto(GStrv) seeds = tsr_torrent_dup_web_seeds (torrent);
  g_autofree char *seeds_joined = g_strjoinv ("\n", seeds);
  g_autofree char *seeds_text = seeds[0] != NULL ? g_strconcat (seeds_joined, "\n", NULL) : g_strdup ("");
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Trackers"),
                                              _("One announce address a line; a blank line starts the next tier, "
                                                "asked only when the ones above fail"));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("Web Seeds"));
  GtkWidget *hint = gtk_label_new (_("One web server address (http or https) a line, serving the torrent’s files"));
  GtkTextBuffer *trackers;
  GtkTextBuffer *web_seeds;

  trackers = add_text_view (GTK_BOX (box), text, _("Tracker addresses"), 160);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 12);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), hint);
  web_seeds = add_text_view (GTK_BOX (box), seeds_text, _("Web seed addresses"), 80);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Apply"), NULL);
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (toasts != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "toasts", g_object_ref (toasts), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "library", g_object_ref (library), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "torrent", g_object_ref (torrent), g_object_unref);
  /* The views own their buffers, and the dialog its views. */
  g_object_set_data (G_OBJECT (dialog), "trackers-buffer", trackers);
  g_object_set_data (G_OBJECT (dialog), "web-seeds-buffer", web_seeds);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
