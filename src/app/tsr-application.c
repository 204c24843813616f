/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-application.c: the application: one main window, the app-wide
 * actions (about, quit), and the files and magnet links the desktop opens
 * with Tessera (G_APPLICATION_HANDLES_OPEN).
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tsr-application.h"
#include "tsr-magnet.h"
#include "tsr-window.h"

struct _TsrApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TsrApplication, tsr_application, ADW_TYPE_APPLICATION)

static TsrWindow *
get_window (TsrApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (tsr_window_new (ADW_APPLICATION (self)));
  return TSR_WINDOW (window);
}

/* TESSERA_SMOKE_TEST=1: report that the window is on screen, then quit.
 * Used by the app smoke test under Xvfb. */
static gboolean
on_smoke_quit (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_window_mapped (GtkWidget *widget,
                  gpointer   user_data)
{
  printf ("window-mapped\n");
  fflush (stdout);
  g_timeout_add (200, on_smoke_quit, user_data);
}

static void
present (TsrApplication *self,
         TsrWindow      *window)
{
  if (g_strcmp0 (g_getenv ("TESSERA_SMOKE_TEST"), "1") == 0 && !gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_signal_connect_object (window, "map", G_CALLBACK (on_window_mapped), self, 0);
  gtk_window_present (GTK_WINDOW (window));
}

static void
tsr_application_activate (GApplication *app)
{
  TsrApplication *self = TSR_APPLICATION (app);

  present (self, get_window (self));
}

static void
tsr_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  TsrApplication *self = TSR_APPLICATION (app);
  TsrWindow *window = get_window (self);
  int i;

  for (i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autofree char *message = NULL;

      if (g_str_has_prefix (uri, "magnet:"))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (uri, &error);

          if (magnet == NULL)
            message = g_strdup_printf (_("Not a usable magnet link: %s"), error->message);
          else
            message = g_strdup_printf (_("Opened magnet link “%s”"),
                                       magnet->display_name != NULL ? magnet->display_name : _("unnamed"));
        }
      else
        {
          g_autofree char *name = g_file_get_basename (files[i]);

          message = g_strdup_printf (_("Opened “%s”"), name);
        }
      tsr_window_add_toast (window, message);
    }
  present (self, window);
}

static void
tsr_application_about (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TsrApplication *self = user_data;
  static const char *developers[] = { "The Tessera developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", "Tessera",
                        "application-icon", APP_ID,
                        "developer-name", _("The Tessera developers"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/tessera/tessera",
                        "issue-url", "https://github.com/tessera/tessera/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
tsr_application_quit (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", tsr_application_about },
  { "quit", tsr_application_quit },
};

static void
tsr_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (tsr_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
tsr_application_class_init (TsrApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = tsr_application_startup;
  app_class->activate = tsr_application_activate;
  app_class->open = tsr_application_open;
}

static void
tsr_application_init (TsrApplication *self)
{
}

TsrApplication *
tsr_application_new (void)
{
  return g_object_new (TSR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
