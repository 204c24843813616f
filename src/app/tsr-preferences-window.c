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

#include <stdio.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-blocklist-group.h"
#include "tsr-preferences-window.h"

struct _TsrPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;
  GSettings            *settings;      /* (owned) */
  GtkFileChooserNative *chooser;       /* (owned) (nullable) while open */
  const char           *chooser_key;   /* the folder key it chooses */
  AdwActionRow         *folder_row;    /* template child */
  AdwActionRow         *watch_row;     /* template child */
  AdwComboRow          *watch_after;   /* template child */
  AdwComboRow          *encryption;    /* template child */
  AdwComboRow          *transports;    /* template child */
  GtkWidget            *begin_row;     /* template child */
  GtkWidget            *end_row;       /* template child */
  GtkWidget            *days_row;      /* template child */
  GtkBox               *days_box;      /* template child */
  TsrBlocklistGroup    *blocklist_group; /* template child */
  GtkToggleButton      *days[7];       /* in days_box, Monday first; [i] is bit (i + 1) % 7 */
  gboolean              showing_days;  /* the buttons follow the key: not a change by the user */
};

G_DEFINE_FINAL_TYPE (TsrPreferencesWindow, tsr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The keys bound as they are, each to the template child of that id. */
static const TsrBoundKey bound_keys[] = {
  { "ask-where-to-save", "active" },
  { "start-paused", "active" },
  { "notify-on-complete", "active" },
  { "notify-summary", "active" },
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
  { "watch-folder-enabled", "active" },
  { "alt-speed-down", "value" },
  { "alt-speed-up", "value" },
  { "alt-speed-time-enabled", "active" },
  { "alt-speed-time-begin", "value" },
  { "alt-speed-time-end", "value" },
};

/* ------------------------------------------------------------------ */
/* The schedule: times of day and days of the week                     */

/* A time spin button's minutes since midnight shown as "09:30". */
static gboolean
on_time_output (GtkSpinButton *spin,
                gpointer       unused)
{
  int minutes = (int) gtk_spin_button_get_value (spin);
  g_autofree char *text = g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

/* "9:30", "09:30" or "9" (hours) typed, back to minutes. */
static int
on_time_input (GtkSpinButton *spin,
               double        *value,
               gpointer       unused)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  guint hours = 0;
  guint minutes = 0;
  int n = sscanf (text, "%u:%u", &hours, &minutes);

  if (n < 1 || hours > 23 || minutes > 59)
    return GTK_INPUT_ERROR;
  *value = hours * 60 + minutes;
  return TRUE;
}

static void
set_up_time (GtkSpinButton *spin)
{
  gtk_spin_button_set_wrap (spin, TRUE);
  g_signal_connect (spin, "output", G_CALLBACK (on_time_output), NULL);
  g_signal_connect (spin, "input", G_CALLBACK (on_time_input), NULL);
}

static guint
day_bit (guint button)
{
  return 1u << ((button + 1) % 7);
}

static void
show_days (TsrPreferencesWindow *self)
{
  guint mask = g_settings_get_uint (self->settings, "alt-speed-time-day");
  guint i;

  self->showing_days = TRUE;
  for (i = 0; i < G_N_ELEMENTS (self->days); i++)
    gtk_toggle_button_set_active (self->days[i], (mask & day_bit (i)) != 0);
  self->showing_days = FALSE;
}

static void
on_day_toggled (GtkToggleButton      *button,
                TsrPreferencesWindow *self)
{
  guint mask = 0;
  guint i;

  if (self->showing_days || self->settings == NULL)
    return;
  for (i = 0; i < G_N_ELEMENTS (self->days); i++)
    if (gtk_toggle_button_get_active (self->days[i]))
      mask |= day_bit (i);
  g_settings_set_uint (self->settings, "alt-speed-time-day", mask);
}

/* One toggle a day, Monday first, named by the locale's short and full
 * day names (2024-01-01 was a Monday). */
static void
add_day_buttons (TsrPreferencesWindow *self)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (self->days); i++)
    {
      g_autoptr(GDateTime) day = g_date_time_new_utc (2024, 1, 1 + (int) i, 0, 0, 0);
      g_autofree char *short_name = g_date_time_format (day, "%a");
      g_autofree char *name = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (short_name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_widget_set_tooltip_text (button, name);
      g_signal_connect (button, "toggled", G_CALLBACK (on_day_toggled), self);
      gtk_box_append (self->days_box, button);
      self->days[i] = GTK_TOGGLE_BUTTON (button);
    }
}

static void
show_folder (TsrPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  const char *shown = folder[0] != '\0' ? folder : g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  adw_action_row_set_subtitle (self->folder_row, shown != NULL ? shown : g_get_home_dir ());
}

static void
show_watch_folder (TsrPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "watch-folder");

  adw_action_row_set_subtitle (self->watch_row, folder[0] != '\0' ? folder : _("None chosen"));
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
        g_settings_set_string (self->settings, self->chooser_key, path);
    }
  g_clear_object (&self->chooser);
}

/* A folder for the string @key, in a chooser titled @title. */
static void
choose_folder (TsrPreferencesWindow *self,
               const char           *key,
               const char           *title)
{
  if (self->chooser != NULL)
    return;
  self->chooser_key = key;
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_choose_folder (GtkButton            *button,
                  TsrPreferencesWindow *self)
{
  choose_folder (self, "download-folder", _("Download Folder"));
}

static void
on_choose_watch_folder (GtkButton            *button,
                        TsrPreferencesWindow *self)
{
  choose_folder (self, "watch-folder", _("Watched Folder"));
}

/* The encryption and transports settings' strings, in their combo rows'
 * order: a mapping's user data. */
static const char *const encryption_modes[] = { "prefer", "require", "off", NULL };
static const char *const transport_modes[] = { "both", "utp", "tcp", NULL };
static const char *const watch_after_modes[] = { "rename", "delete", NULL };

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

/* A new port at random; the spin button follows the key. */
static void
on_randomize_clicked (TsrPreferencesWindow *self)
{
  tsr_reroll_listen_port (self->settings);
}

static void
tsr_preferences_window_class_init (TsrPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tsr_preferences_window_dispose;
  g_type_ensure (TSR_TYPE_BLOCKLIST_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera/Tessera/tsr-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, encryption);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, transports);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, begin_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, end_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, days_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, days_box);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, blocklist_group);
  tsr_widget_class_bind_key_children (widget_class, bound_keys, G_N_ELEMENTS (bound_keys));
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_watch_folder);
  gtk_widget_class_bind_template_callback (widget_class, on_randomize_clicked);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, watch_row);
  gtk_widget_class_bind_template_child (widget_class, TsrPreferencesWindow, watch_after);
}

static void
tsr_preferences_window_init (TsrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  tsr_a11y_fix_adw_parts (GTK_WIDGET (self));
  add_day_buttons (self);
}

GtkWidget *
tsr_preferences_window_new (GSettings            *settings,
                            TsrBlocklistSettings *blocklist)
{
  TsrPreferencesWindow *self = g_object_new (TSR_TYPE_PREFERENCES_WINDOW, NULL);
  guint i;

  self->settings = g_object_ref (settings);
  tsr_settings_bind_children (settings, GTK_WIDGET (self), TSR_TYPE_PREFERENCES_WINDOW,
                              bound_keys, G_N_ELEMENTS (bound_keys));
  g_settings_bind_with_mapping (settings, "encryption", self->encryption, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_to_index, index_to_choice, (gpointer) encryption_modes, NULL);
  g_settings_bind_with_mapping (settings, "transports", self->transports, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_to_index, index_to_choice, (gpointer) transport_modes, NULL);
  g_settings_bind_with_mapping (settings, "watch-folder-after", self->watch_after, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_to_index, index_to_choice,
                                (gpointer) watch_after_modes, NULL);
  show_folder (self);
  g_signal_connect_object (settings, "changed::download-folder", G_CALLBACK (show_folder), self, G_CONNECT_SWAPPED);
  show_watch_folder (self);
  g_signal_connect_object (settings, "changed::watch-folder", G_CALLBACK (show_watch_folder), self,
                           G_CONNECT_SWAPPED);
  for (i = 0; i < 2; i++)
    set_up_time (GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self), TSR_TYPE_PREFERENCES_WINDOW,
                                                                 i == 0 ? "alt-speed-time-begin" :
                                                                 "alt-speed-time-end")));
  show_days (self);
  g_signal_connect_object (settings, "changed::alt-speed-time-day", G_CALLBACK (show_days), self, G_CONNECT_SWAPPED);
  /* The times and days matter only on a schedule. */
  g_settings_bind (settings, "alt-speed-time-enabled", self->begin_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "alt-speed-time-enabled", self->end_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "alt-speed-time-enabled", self->days_row, "sensitive", G_SETTINGS_BIND_GET);
  tsr_blocklist_group_set_up (self->blocklist_group, settings, blocklist);
  return GTK_WIDGET (self);
}
