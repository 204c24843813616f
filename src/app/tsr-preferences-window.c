/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-preferences-window.c: the preferences (see the .h). The rows are in
 * the template (tsr-preferences-window.ui), each widget named by its
 * GSettings key and bound to it with g_settings_bind, so a change is
 * saved at once and the application, listening to the settings, applies
 * it to the engine.
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
  AdwActionRow         *folder_row;    /* template child */
  AdwComboRow          *encryption;    /* template child */
  AdwComboRow          *transports;    /* template child */
};

G_DEFINE_FINAL_TYPE (TsrPreferencesWindow, tsr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The keys bound as they are, each to the template child of that id. */
static const struct
{
  const char *key;
  const char *property;
} bound_keys[] = {
  { "ask-where-to-save", "active" },
  { "start-paused", "active" },
  { "notify-on-complete", "active" },
  { "run-in-background", "active" },
  { "log-history", "value" },
  { "listen-port", "value" },
  { "max-peers-per-torrent", "value" },
  { "max-peers-global", "value" },
  { "local-discovery", "active" },
  { "dht", "active" },
  { "port-mapping", "active" },
  { "download-queue-size", "value" },
  { "seed-queue-size", "value" },
  { "download-rate-limit", "value" },
  { "upload-rate-limit", "value" },
  { "max-ratio", "value" },
};

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

/* The encryption and transports settings' strings, in their combo rows'
 * order: a mapping's user data. */
static const char *const encryption_modes[] = { "prefer", "require", "off", NULL };
static const char *const transport_modes[] = { "both", "utp", "tcp", NULL };

static gboolean
choice_to_index (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *const *choices = user_data;
  const char *mode = g_variant_get_string (variant, NULL);
  guint i;

  for (i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (mode, choices[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_choice (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  const char *const *choices = user_data;
  guint i = g_value_get_uint (value);

  return i < g_strv_length ((char **) choices) ? g_variant_new_string (choices[i]) : NULL;
}

static void
tsr_preferences_window_dispose (GObject *object)
{
  TsrPreferencesWindow *self = TSR_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (tsr_preferences_window_parent_class)->dispose (object);
}

static void
tsr_preferences_window_class_init (TsrPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  guint i;

  G_OBJECT_CLASS (klass)->dispose = tsr_preferences_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/tsr-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, encryption);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, transports);
  for (i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    gtk_widget_class_bind_template_child_full (widget_class, bound_keys[i].key, FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
}

static void
tsr_preferences_window_init (TsrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tsr_preferences_window_new (GSettings *settings)
{
  TsrPreferencesWindow *self = g_object_new (TSR_TYPE_PREFERENCES_WINDOW, NULL);
  guint i;

  self->settings = g_object_ref (settings);
  for (i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    g_settings_bind (settings, bound_keys[i].key,
                     gtk_widget_get_template_child (GTK_WIDGET (self), TSR_TYPE_PREFERENCES_WINDOW, bound_keys[i].key),
                     bound_keys[i].property, G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "encryption", self->encryption, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_to_index, index_to_choice, (gpointer) encryption_modes, NULL);
  g_settings_bind_with_mapping (settings, "transports", self->transports, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_to_index, index_to_choice, (gpointer) transport_modes, NULL);
  show_folder (self);
  g_signal_connect_object (settings, "changed::download-folder", G_CALLBACK (show_folder), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
