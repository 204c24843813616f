/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * screenshots.c: tessera-screenshots, the app as `tessera` runs it (the
 * same TsrApplication, linked from the app's library) walked for
 * pictures, for tests/screenshots.sh (the README and the metainfo) and
 * for the app's end-to-end test, which runs it with fatal warnings to
 * walk every page. Once the window is on screen and torrents have had a
 * few seconds to run, the first torrent is selected and each details
 * page saved as OUT/PAGE.png (the overview as main.png); then, with
 * --share PATH, the creation dialog with PATH dropped on it (create.png)
 * and while it hashes PATH into a scratch file, cancelled after
 * (create-hashing.png); last the preferences, tall enough to show every
 * row (preferences.png). Then the app quits. Each picture is said on
 * stdout as "screenshot PATH". Torrent files on the command line are
 * added as the desktop would open them, without the add dialog
 * (ask-where-to-save is turned off).
 *
 * Usage: tessera-screenshots --out DIR [--share PATH] [FILE.torrent|MAGNET…]
 */
#define G_LOG_DOMAIN "tsr-screenshots"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "tsr-app-util.h"
#include "tsr-application.h"
#include "tsr-create-dialog.h"
#include "tsr-preferences-window.h"
#include "tsr-util.h"
#include "tsr-window.h"

typedef struct _Screenshots Screenshots;
typedef void (*AfterSave) (Screenshots *shots);

struct _Screenshots
{
  TsrApplication *app;
  GSettings      *settings;   /* (owned) */
  const char     *folder;     /* where the pictures go */
  const char     *share;      /* (nullable) dropped on the creation dialog */
  TsrWindow      *window;     /* the app's, once added */
  gboolean        started;
  guint           step;
  GtkWidget      *dialog;     /* the creation dialog, for create.png */
  guint           dialog_shots;
  gboolean        dialog_done;
  GtkWidget      *preferences;   /* for preferences.png */
  gboolean        preferences_done;
  /* The picture being saved. */
  GtkWidget      *saving;
  const char     *saving_name;
  AfterSave       then;
  guint           tries;
};

static void on_step (gpointer user_data);

static void
next_step (Screenshots *shots)
{
  g_timeout_add_once (1000, on_step, shots);
}

/* A widget whose redraw is pending (a rate updated, a row added) has
 * nothing to show until its next frame is painted: tried again after
 * one, a few times. Then @then, then the next step. */
static void
try_save (gpointer user_data)
{
  Screenshots *shots = user_data;
  g_autofree char *path = g_build_filename (shots->folder, shots->saving_name, NULL);
  g_autoptr(GError) error = NULL;
  AfterSave then = shots->then;

  if (!tsr_widget_save_png (shots->saving, path, &error))
    {
      if (++shots->tries < 20)
        {
          g_timeout_add_once (50, try_save, shots);
          return;
        }
      g_warning ("Screenshot %s: %s", path, error->message);
    }
  else
    printf ("screenshot %s\n", path);
  fflush (stdout);
  shots->then = NULL;
  if (then != NULL)
    then (shots);
  next_step (shots);
}

/* Saves what @widget shows as @name, then runs @then (nullable) and the
 * next step. */
static void
save_then (Screenshots *shots,
           GtkWidget   *widget,
           const char  *name,
           AfterSave    then)
{
  shots->saving = widget;
  shots->saving_name = name;
  shots->then = then;
  shots->tries = 0;
  try_save (shots);
}

static void
start_hashing (Screenshots *shots)
{
  g_autofree char *scratch = g_build_filename (shots->folder, "scratch.torrent", NULL);

  tsr_create_dialog_create_to (TSR_CREATE_DIALOG (shots->dialog), scratch);
}

static void
close_dialog (Screenshots *shots)
{
  tsr_create_dialog_cancel (TSR_CREATE_DIALOG (shots->dialog));
  gtk_window_destroy (GTK_WINDOW (shots->dialog));
  shots->dialog = NULL;
  shots->dialog_done = TRUE;
}

static void
close_preferences (Screenshots *shots)
{
  gtk_window_destroy (GTK_WINDOW (shots->preferences));
  shots->preferences = NULL;
  shots->preferences_done = TRUE;
}

/* A step a second: the even steps show a page, the odd ones save it. */
static void
on_step (gpointer user_data)
{
  Screenshots *shots = user_data;
  static const char *pages[] = { "overview", "files", "peers", "trackers", "bans", "log", "peer-log", "errors" };
  static const char *files[] = { "main.png", "files.png", "peers.png", "trackers.png", "bans.png", "log.png",
                                 "peer-log.png", "errors.png" };
  guint i = shots->step / 2;
  gboolean show = shots->step % 2 == 0;

  shots->step++;
  if (i < G_N_ELEMENTS (pages))
    {
      if (show)
        {
          tsr_window_show (shots->window, 0, pages[i]);
          next_step (shots);
        }
      else
        save_then (shots, GTK_WIDGET (shots->window), files[i], NULL);
      return;
    }
  /* The creation dialog with the share dropped on it, then hashing it. */
  if (shots->share != NULL && !shots->dialog_done)
    {
      if (shots->dialog == NULL)
        {
          shots->dialog = tsr_window_open_create_dialog (shots->window, shots->share);
          next_step (shots);
        }
      else if (shots->dialog_shots++ == 0)
        save_then (shots, shots->dialog, "create.png", start_hashing);
      else
        save_then (shots, shots->dialog, "create-hashing.png", close_dialog);
      return;
    }
  /* Translations are checked for cut labels on this one. */
  if (!shots->preferences_done)
    {
      if (shots->preferences == NULL)
        {
          shots->preferences = tsr_preferences_window_new (shots->settings, NULL);
          gtk_window_set_default_size (GTK_WINDOW (shots->preferences), 640, 1200);
          gtk_window_set_transient_for (GTK_WINDOW (shots->preferences), GTK_WINDOW (shots->window));
          gtk_window_present (GTK_WINDOW (shots->preferences));
          next_step (shots);
        }
      else
        save_then (shots, shots->preferences, "preferences.png", close_preferences);
      return;
    }
  g_application_quit (G_APPLICATION (shots->app));
}

static void
on_window_mapped (GtkWidget   *window,
                  Screenshots *shots)
{
  /* A few seconds for peers to connect and rates to show. */
  if (!shots->started)
    g_timeout_add_once (4000, on_step, shots);
  shots->started = TRUE;
}

/* The main window, before it is shown: the pictures' size. */
static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Screenshots    *shots)
{
  if (!TSR_IS_WINDOW (window) || shots->window != NULL)
    return;
  shots->window = TSR_WINDOW (window);
  gtk_window_set_default_size (window, 1200, 820);
  g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), shots);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(TsrApplication) app = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *share = NULL;
  Screenshots shots = { 0 };
  const GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &folder, "Where the pictures go", "DIR" },
    { "share", 0, 0, G_OPTION_ARG_FILENAME, &share, "Dropped on the creation dialog", "PATH" },
    { NULL },
  };
  int status;

  /* As main.c starts the app. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, tsr_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name ("Tessera");
  tsr_tune_memory ();
  tsr_raise_file_limit ();

  context = g_option_context_new ("[FILE.torrent|MAGNET…]");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tessera-screenshots: %s\n", error->message);
      return 2;
    }
  if (folder == NULL)
    {
      g_printerr ("tessera-screenshots: --out DIR is required\n");
      return 2;
    }

  shots.folder = folder;
  shots.share = share;
  shots.settings = g_settings_new (APP_ID);
  g_settings_set_boolean (shots.settings, "ask-where-to-save", FALSE);
  app = tsr_application_new ();
  shots.app = app;
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &shots);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_clear_object (&shots.settings);
  return status;
}
