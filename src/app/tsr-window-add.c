/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-add.c: what comes into the main window. Torrent files and
 * magnet links to add: the "add-torrent" chooser, the "add-magnet"
 * dialog (prefilled from the clipboard), drops on the window, and what
 * the desktop opens with Tessera (tsr-application.c); with "ask where to
 * save" on, each goes through the add dialog, a magnet's once its
 * metainfo has come. Files to share: the "create" action and files
 * dropped on the create button (or with Ctrl held) open the creation
 * dialog. Failures are toasts on the window. The second file of
 * TsrWindow (its struct is in tsr-window-private.h): tsr-window.c calls
 * in here, nothing here calls tsr-window.c.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tsr-a11y.h"
#include "tsr-add-dialog.h"
#include "tsr-app-util.h"
#include "tsr-create-dialog.h"
#include "tsr-window-private.h"

static void
toast (TsrWindow  *self,
       const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* ------------------------------------------------------------------ */
/* Adding                                                              */

static void
on_add_dialog_failed (TsrAddDialog *dialog,
                      const GError *error,
                      TsrWindow    *self)
{
  toast (self, error->message);
}

/* Shows the add dialog for the torrent called @name; its failures become
 * toasts here. */
static void
present_add_dialog (TsrWindow  *self,
                    GtkWidget  *dialog,
                    const char *name)
{
  g_signal_connect_object (dialog, "failed", G_CALLBACK (on_add_dialog_failed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  tsr_app_event ("add-dialog %s", name);
}

static char *
default_folder (TsrWindow *self)
{
  return tsr_dup_download_folder (self->settings);
}

gboolean
tsr_window_add_file (TsrWindow  *self,
                     GFile      *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *folder = default_folder (self);
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Only local torrent files can be added, not “%s”"), uri);

      toast (self, message);
      return FALSE;
    }
  if (g_settings_get_boolean (self->settings, "ask-where-to-save"))
    {
      g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_file (path, &error);

      if (info == NULL)
        {
          toast (self, error->message);
          return FALSE;
        }
      GtkWidget *dialog = tsr_add_dialog_new (GTK_WINDOW (self), self->library, path, info, folder,
                                              !g_settings_get_boolean (self->settings, "start-paused"));

      present_add_dialog (self, dialog, info->display_name);
      return TRUE;
    }
  torrent = tsr_library_add_file (self->library, path, folder,
                                  g_settings_get_boolean (self->settings, "start-paused"), NULL, &error);
  if (torrent == NULL)
    {
      toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
tsr_window_add_magnet (TsrWindow  *self,
                       const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = default_folder (self);
  gboolean ask = g_settings_get_boolean (self->settings, "ask-where-to-save");
  /* Asking: it fetches its metainfo at once, then waits for the dialog. */
  TsrTorrent *torrent = tsr_library_add_magnet (self->library, uri, folder,
                                                !ask && g_settings_get_boolean (self->settings, "start-paused"),
                                                &error);

  if (torrent == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot add the magnet link: %s"), error->message);

      toast (self, message);
      return FALSE;
    }
  if (ask)
    tsr_library_ask_after_metadata (self->library, torrent);
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     TsrWindow       *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint i;

      for (i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          tsr_window_add_file (self, file);
        }
    }
  g_clear_object (&self->chooser);
}

static void
add_torrent_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Add Torrent Files"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Torrent files"));
  gtk_file_filter_add_mime_type (filter, "application/x-bittorrent");
  gtk_file_filter_add_suffix (filter, "torrent");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_magnet_response (AdwMessageDialog *dialog,
                    const char       *response,
                    TsrWindow        *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (g_str_equal (response, "add"))
    tsr_window_add_magnet (self, gtk_editable_get_text (entry));
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GtkEditable) entry = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  if (text != NULL && g_str_has_prefix (g_strstrip (text), "magnet:") && gtk_editable_get_text (entry)[0] == '\0')
    gtk_editable_set_text (entry, text);
}

static void
add_magnet_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  TsrWindow *self = user_data;
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Add a Magnet Link"), NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "magnet:?xt=urn:btih:…");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Magnet link"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_magnet_response), self);
  /* Prefilled when the clipboard holds a magnet link. */
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL, on_clipboard_text, g_object_ref (entry));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A magnet added with "ask before adding" has its files now: the add
 * dialog, for them and the folder. */
static void
on_magnet_metadata (TsrTorrent *torrent,
                    TsrWindow  *self)
{
  g_autofree char *folder = NULL;
  GtkWidget *dialog;

  if (!tsr_library_asks_after_metadata (self->library, torrent))
    return;
  folder = g_strdup (tsr_torrent_get_folder (torrent));
  dialog = tsr_add_dialog_new_for_torrent (GTK_WINDOW (self), self->library, torrent, folder,
                                           !g_settings_get_boolean (self->settings, "start-paused"));
  present_add_dialog (self, dialog, tsr_torrent_get_metainfo (torrent)->display_name);
}

void
_tsr_window_add_watch_magnet (TsrWindow  *self,
                              TsrTorrent *torrent)
{
  g_signal_connect_object (torrent, "metadata-received", G_CALLBACK (on_magnet_metadata), self, 0);
}

/* ------------------------------------------------------------------ */
/* Sharing                                                             */

static void
create_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  tsr_window_open_create_dialog (user_data, NULL);
}

GtkWidget *
tsr_window_open_create_dialog (TsrWindow  *self,
                               const char *path)
{
  GtkWidget *dialog = tsr_create_dialog_new (GTK_WINDOW (self), self->library);

  gtk_window_present (GTK_WINDOW (dialog));
  if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      GSList one = { file, NULL };

      tsr_create_dialog_set_files (TSR_CREATE_DIALOG (dialog), &one);
    }
  return dialog;
}

/* ------------------------------------------------------------------ */
/* Drops                                                               */

/* Files dropped with Ctrl held, or on the create button, are to be
 * shared: the creation dialog opens with them. */
static gboolean
to_share (GtkDropTarget *target,
          const GValue  *value)
{
  GdkModifierType modifiers = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (target));

  return G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) &&
         ((modifiers & GDK_CONTROL_MASK) != 0 || g_object_get_data (G_OBJECT (target), "create") != NULL);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         TsrWindow     *self)
{
  if (to_share (target, value))
    {
      GtkWidget *dialog = tsr_window_open_create_dialog (self, NULL);

      return tsr_create_dialog_set_files (TSR_CREATE_DIALOG (dialog), g_value_get_boxed (value));
    }
  return tsr_window_drop (self, value);
}

gboolean
tsr_window_drop (TsrWindow    *self,
                 const GValue *value)
{
  gboolean any = FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      GSList *l;

      for (l = files; l != NULL; l = l->next)
        any |= tsr_window_add_file (self, l->data);
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_STRING))
    {
      g_autofree char *text = g_strstrip (g_value_dup_string (value));

      if (g_str_has_prefix (text, "magnet:"))
        any = tsr_window_add_magnet (self, text);
    }
  return any;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static const GActionEntry add_actions[] = {
  { "add-torrent", add_torrent_action },
  { "create", create_action },
  { "add-magnet", add_magnet_action },
};

void
_tsr_window_add_init (TsrWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  g_action_map_add_action_entries (G_ACTION_MAP (self), add_actions, G_N_ELEMENTS (add_actions), self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_object_set_data (G_OBJECT (drop), "create", GINT_TO_POINTER (TRUE));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (self->create_button, GTK_EVENT_CONTROLLER (drop));
}
