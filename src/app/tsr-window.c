/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window.c: the main window. For now a header bar, the primary menu
 * and an empty state; its size is kept in GSettings across runs.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-window.h"

struct _TsrWindow
{
  AdwApplicationWindow  parent_instance;
  GSettings            *settings;         /* (owned) */
  AdwToastOverlay      *toast_overlay;    /* template child */
  AdwStatusPage        *status_page;      /* template child */
};

G_DEFINE_FINAL_TYPE (TsrWindow, tsr_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
tsr_window_close_request (GtkWindow *window)
{
  TsrWindow *self = TSR_WINDOW (window);
  int width = 0;
  int height = 0;

  /* The default size is the unmaximized size, which is what to restore. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (tsr_window_parent_class)->close_request (window);
}

static void
tsr_window_dispose (GObject *object)
{
  TsrWindow *self = TSR_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (tsr_window_parent_class)->dispose (object);
}

static void
tsr_window_class_init (TsrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tsr_window_dispose;
  window_class->close_request = tsr_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tsr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, status_page);
}

static void
tsr_window_init (TsrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

TsrWindow *
tsr_window_new (AdwApplication *application)
{
  return g_object_new (TSR_TYPE_WINDOW, "application", application, NULL);
}

void
tsr_window_add_toast (TsrWindow  *self,
                      const char *message)
{
  g_return_if_fail (TSR_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
