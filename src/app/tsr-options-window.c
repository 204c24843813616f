/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-options-window.c: a torrent's own options (see the .h). The rows
 * are in the template; each change sets the option that changed, and
 * only that one, on every torrent the window is for (their other options
 * may differ), through tsr_library_set_options.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-a11y.h"
#include "tsr-options-window.h"

struct _TsrOptionsWindow
{
  AdwPreferencesWindow  parent_instance;
  TsrLibrary           *library;     /* (owned) */
  GPtrArray            *torrents;    /* (owned) (element-type TsrTorrent) */
  GSettings            *settings;    /* (owned) */
  gboolean              showing;     /* filling the rows: no change to apply */
  GtkSwitch            *sequential;  /* template child */
  GtkSwitch            *first_last;  /* template child */
  GtkSpinButton        *seed_idle;   /* template child, minutes */
  GtkSpinButton        *max_peers;   /* template child */
};

G_DEFINE_FINAL_TYPE (TsrOptionsWindow, tsr_options_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
on_option_changed (TsrOptionsWindow *self,
                   GParamSpec       *pspec,
                   GObject          *widget)
{
  guint i;

  if (self->showing || self->torrents == NULL)
    return;
  for (i = 0; i < self->torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (self->torrents, i);
      TsrTorrentOptions options;

      tsr_library_get_options (self->library, torrent, &options);
      if (widget == G_OBJECT (self->sequential))
        options.sequential = gtk_switch_get_active (self->sequential);
      else if (widget == G_OBJECT (self->first_last))
        options.first_last = gtk_switch_get_active (self->first_last);
      else if (widget == G_OBJECT (self->seed_idle))
        options.seed_idle = (guint) gtk_spin_button_get_value_as_int (self->seed_idle) * 60;
      else if (widget == G_OBJECT (self->max_peers))
        {
          options.max_peers = (guint) gtk_spin_button_get_value_as_int (self->max_peers);
          /* Back to the preference: the library leaves peers as they are. */
          if (options.max_peers == 0)
            tsr_torrent_set_max_peers (torrent, g_settings_get_uint (self->settings, "max-peers-per-torrent"));
        }
      tsr_library_set_options (self->library, torrent, &options);
    }
}

static void
tsr_options_window_dispose (GObject *object)
{
  TsrOptionsWindow *self = TSR_OPTIONS_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_OPTIONS_WINDOW);
  g_clear_object (&self->library);
  g_clear_pointer (&self->torrents, g_ptr_array_unref);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (tsr_options_window_parent_class)->dispose (object);
}

static void
tsr_options_window_class_init (TsrOptionsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tsr_options_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-options-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrOptionsWindow, sequential);
  gtk_widget_class_bind_template_child (widget_class, TsrOptionsWindow, first_last);
  gtk_widget_class_bind_template_child (widget_class, TsrOptionsWindow, seed_idle);
  gtk_widget_class_bind_template_child (widget_class, TsrOptionsWindow, max_peers);
  gtk_widget_class_bind_template_callback (widget_class, on_option_changed);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
tsr_options_window_init (TsrOptionsWindow *self)
{
  self->showing = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  tsr_a11y_fix_adw_parts (GTK_WIDGET (self));
}

GtkWidget *
tsr_options_window_new (TsrLibrary *library,
                        GPtrArray  *torrents,
                        GSettings  *settings)
{
  TsrOptionsWindow *self = g_object_new (TSR_TYPE_OPTIONS_WINDOW, NULL);
  TsrTorrent *first;
  TsrTorrentOptions options;

  g_return_val_if_fail (torrents != NULL && torrents->len > 0, NULL);

  self->library = g_object_ref (library);
  self->torrents = g_ptr_array_ref (torrents);
  self->settings = g_object_ref (settings);
  first = g_ptr_array_index (torrents, 0);
  tsr_library_get_options (library, first, &options);
  gtk_switch_set_active (self->sequential, options.sequential);
  gtk_switch_set_active (self->first_last, options.first_last);
  gtk_spin_button_set_value (self->seed_idle, options.seed_idle / 60);
  gtk_spin_button_set_value (self->max_peers, options.max_peers);
  if (torrents->len == 1)
    gtk_window_set_title (GTK_WINDOW (self), tsr_torrent_get_name (first));
  self->showing = FALSE;
  return GTK_WIDGET (self);
}
