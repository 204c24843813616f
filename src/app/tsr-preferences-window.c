/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-preferences-window.c: the preferences (see the .h). Rows are built
 * here and bound with g_settings_bind, so a change is saved at once and
 * the application, listening to the settings, applies it to the engine.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-preferences-window.h"

struct _TsrPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;
  GSettings            *settings;      /* (owned) */
  GtkFileChooserNative *chooser;       /* (owned) (nullable) while open */
  AdwActionRow         *folder_row;
};

G_DEFINE_FINAL_TYPE (TsrPreferencesWindow, tsr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
show_folder (TsrPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  const char *shown = folder[0] != '\0' ? folder : g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  adw_action_row_set_subtitle (self->folder_row, shown != NULL ? shown : g_get_home_dir ());
}

static void
on_folder_chosen (GtkNativeDialog      *dialog,
                  int                   response,
                  TsrPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "download-folder", path);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_folder (GtkButton            *button,
                  TsrPreferencesWindow *self)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Download Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static GtkWidget *
switch_row (TsrPreferencesWindow *self,
            const char           *key,
            const char           *title,
            const char           *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static GtkWidget *
number_row (TsrPreferencesWindow *self,
            const char           *key,
            const char           *title,
            const char           *subtitle,
            double                lower,
            double                upper,
            double                step,
            guint                 digits)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  return row;
}

/* The encryption setting's strings, in the combo row's order. */
static const char *const encryption_modes[] = { "prefer", "require", "off" };

static gboolean
encryption_to_index (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  const char *mode = g_variant_get_string (variant, NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (encryption_modes); i++)
    if (g_strcmp0 (mode, encryption_modes[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_encryption (const GValue       *value,
                     const GVariantType *type,
                     gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (encryption_modes) ? g_variant_new_string (encryption_modes[i]) : NULL;
}

static GtkWidget *
encryption_row (TsrPreferencesWindow *self)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);

  /* TRANSLATORS: message stream encryption with peers: the three choices */
  gtk_string_list_append (choices, C_("encryption", "Preferred"));
  gtk_string_list_append (choices, C_("encryption", "Required"));
  gtk_string_list_append (choices, C_("encryption", "Off"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (choices));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Encryption"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Message stream encryption with peers"));
  g_settings_bind_with_mapping (self->settings, "encryption", row, "selected", G_SETTINGS_BIND_DEFAULT,
                                encryption_to_index, index_to_encryption, NULL, NULL);
  return row;
}

static GtkWidget *
group (const char *title)
{
  GtkWidget *widget = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (widget), title);
  return widget;
}

static void
build (TsrPreferencesWindow *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *downloads = group (_("Downloads"));
  GtkWidget *network = group (_("Network"));
  GtkWidget *limits = group (_("Limits"));
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Choose…"));

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("General"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "preferences-system-symbolic");

  self->folder_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->folder_row), _("Download Folder"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_choose_folder), self);
  adw_action_row_add_suffix (self->folder_row, button);
  show_folder (self);
  g_signal_connect_object (self->settings, "changed::download-folder", G_CALLBACK (show_folder), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads), GTK_WIDGET (self->folder_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads),
                             switch_row (self, "ask-where-to-save", _("Ask Before Adding"),
                                         _("Choose the folder and the files for each torrent added")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads),
                             switch_row (self, "start-paused", _("Add Torrents Stopped"),
                                         _("Start them by hand once added")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads),
                             switch_row (self, "notify-on-complete", _("Notify When Done"),
                                         _("A desktop notification when a download completes")));

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             number_row (self, "listen-port", _("Listening Port"),
                                         _("Peers connect to this port; used from the next start"), 1, 65535, 1, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             number_row (self, "max-peers-per-torrent", _("Peers per Torrent"), NULL, 1, 10000, 1, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             number_row (self, "max-peers-global", _("Peers in All"), NULL, 1, 100000, 1, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             switch_row (self, "local-discovery", _("Find Peers on the Local Network"),
                                         _("For public torrents, by multicast")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             switch_row (self, "dht", _("Find Peers through the DHT"),
                                         _("For public torrents, and magnet links without a tracker")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network),
                             switch_row (self, "port-mapping", _("Forward the Port on the Router"),
                                         _("Over UPnP or NAT-PMP, so that peers can connect")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (network), encryption_row (self));

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (limits),
                             number_row (self, "download-rate-limit", _("Download Limit (KiB/s)"),
                                         _("0 means no limit"), 0, 10000000, 10, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (limits),
                             number_row (self, "upload-rate-limit", _("Upload Limit (KiB/s)"),
                                         _("0 means no limit"), 0, 10000000, 10, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (limits),
                             number_row (self, "max-ratio", _("Stop Seeding at Ratio"),
                                         _("Uploaded over size; 0 means never stop"), 0, 1000, 0.1, 2));

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads),
                             switch_row (self, "run-in-background", _("Run in the Background"),
                                         _("Keep downloading and seeding when the window is closed")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (downloads),
                             number_row (self, "log-history", _("Log Length"),
                                         _("Lines kept in each of a torrent's logs"), 10, 100000, 10, 0));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (downloads));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (network));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (limits));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
}

static void
tsr_preferences_window_dispose (GObject *object)
{
  TsrPreferencesWindow *self = TSR_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (tsr_preferences_window_parent_class)->dispose (object);
}

static void
tsr_preferences_window_class_init (TsrPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_preferences_window_dispose;
}

static void
tsr_preferences_window_init (TsrPreferencesWindow *self)
{
}

GtkWidget *
tsr_preferences_window_new (GSettings *settings)
{
  TsrPreferencesWindow *self = g_object_new (TSR_TYPE_PREFERENCES_WINDOW, "modal", TRUE, NULL);

  self->settings = g_object_ref (settings);
  build (self);
  return GTK_WIDGET (self);
}
