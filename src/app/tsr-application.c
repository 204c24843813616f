/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-application.c: the application: the engine runs in-process, in a
 * TsrLibrary that keeps the torrents across runs; one main window; the
 * app-wide actions (preferences, about, quit); the files and magnet links
 * the desktop opens with Tessera (G_APPLICATION_HANDLES_OPEN, one
 * instance over D-Bus); settings applied live to the engine (the
 * alternative speed limits' schedule and the blocklist too); the watch folder; and
 * notifications when torrents complete (one for several finished close
 * together) or fail; the statistics, sampled from start to shutdown.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "tsr-a11y.h"
#include "tsr-alt-speed.h"
#include "tsr-app-util.h"
#include "tsr-application.h"
#include "tsr-blocklist-settings.h"
#include "tsr-done-batch.h"
#include "tsr-event-log.h"
#include "tessera-engine.h"
#include "tsr-preferences-window.h"
#include "tsr-remote-control.h"
#include "tsr-remote-page.h"
#include "tsr-stall-probe.h"
#include "tsr-statistics.h"
#include "tsr-statistics-window.h"
#include "tsr-watch-folder.h"
#include "tsr-window.h"

struct _TsrApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;   /* (owned) */
  TsrLibrary    *library;    /* (owned) */
  TsrRemoteControl *remote;  /* (owned) the RPC server, when rpc-enabled */
  TsrAltSpeed   *alt_speed;  /* (owned) the alternative limits' schedule */
  TsrWatchFolder *watch;     /* (owned) the watched folder's torrents added */
  TsrDoneBatch  *done;       /* (owned) downloads finished close together */
  TsrStatistics *statistics; /* (owned) this session and all time */
  TsrBlocklistSettings *blocklist; /* (owned) the session's blocklist following the settings */
};

G_DEFINE_FINAL_TYPE (TsrApplication, tsr_application, ADW_TYPE_APPLICATION)

static TsrWindow *
get_window (TsrApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (tsr_window_new (ADW_APPLICATION (self), self->library));
  return TSR_WINDOW (window);
}

/* For tests (app-smoke, the app's end-to-end test): the window is on
 * screen. */
static void
on_window_mapped (GtkWidget *widget,
                  gpointer   user_data)
{
  tsr_app_event ("window-mapped");
}

static void
present (TsrApplication *self,
         TsrWindow      *window)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
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

      if (g_str_has_prefix (uri, "magnet:"))
        tsr_window_add_magnet (window, uri);
      else
        tsr_window_add_file (window, files[i]);
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
tsr_application_preferences (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  TsrApplication *self = user_data;
  GtkWidget *window = tsr_preferences_window_new (self->settings, self->blocklist);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window),
                              ADW_PREFERENCES_PAGE (tsr_remote_page_new (self->settings, self->remote)));
  /* The page came after the window's own fixes (tsr-a11y.h). */
  tsr_a11y_fix_mnemonic_buttons (window);
  tsr_a11y_fix_adw_parts (window);

  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
tsr_application_open_folder (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  tsr_open_folder (gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                   g_variant_get_string (parameter, NULL));
}

/* A notification's "Show": the torrent of that info hash (hex), selected
 * in the window. */
static void
tsr_application_show_torrent (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  TsrApplication *self = user_data;
  const char *hex = g_variant_get_string (parameter, NULL);
  guint8 hash[20];
  TsrTorrent *torrent;
  TsrWindow *window;

  if (strlen (hex) != 40 || !tsr_hex_decode (hex, 40, hash, sizeof hash) ||
      (torrent = tsr_library_find (self->library, hash)) == NULL)
    return;
  window = get_window (self);
  tsr_window_select_torrent (window, torrent);
  present (self, window);
}

static void
tsr_application_statistics (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  TsrApplication *self = TSR_APPLICATION (user_data);
  GtkWidget *window = tsr_statistics_window_new (self->statistics);

  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_present (GTK_WINDOW (window));
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
  { "preferences", tsr_application_preferences },
  { "statistics", tsr_application_statistics },
  { "open-folder", tsr_application_open_folder, "s" },
  { "show-torrent", tsr_application_show_torrent, "s" },
  { "quit", tsr_application_quit },
};

static char *data_folder (void);

/* Settings drive the engine live. */
static void
apply_settings (TsrApplication *self)
{
  TsrSession *session = tsr_library_get_session (self->library);
  guint64 up = 0;
  guint64 down = 0;

  /* The turtle (or its schedule) swaps in the alternative limits. */
  tsr_alt_speed_get_limits (self->settings, &up, &down);
  tsr_session_set_rate_limits (session, up, down);
  tsr_session_set_max_connections (session, g_settings_get_uint (self->settings, "max-peers-global"));
  tsr_session_set_max_active (session, g_settings_get_uint (self->settings, "download-queue-size"));
  tsr_session_set_max_seeding (session, g_settings_get_uint (self->settings, "seed-queue-size"));
  {
    g_autofree char *encryption = g_settings_get_string (self->settings, "encryption");

    tsr_session_set_encryption (session, g_strcmp0 (encryption, "off") == 0 ? TSR_PEER_ENCRYPTION_OFF :
                                         g_strcmp0 (encryption, "require") == 0 ? TSR_PEER_ENCRYPTION_REQUIRE :
                                         TSR_PEER_ENCRYPTION_PREFER);
  }
  {
    g_autofree char *transports = g_settings_get_string (self->settings, "transports");

    tsr_session_set_transports (session, g_strcmp0 (transports, "utp") == 0 ? TSR_TRANSPORT_UTP :
                                         g_strcmp0 (transports, "tcp") == 0 ? TSR_TRANSPORT_TCP :
                                         TSR_TRANSPORT_BOTH);
  }
  /* Test suites and sandboxes set TESSERA_NO_LSD: no multicast from them. */
  tsr_session_set_local_discovery (session, g_settings_get_boolean (self->settings, "local-discovery") &&
                                            g_getenv ("TESSERA_NO_LSD") == NULL);
  /* Nor port mapping (TESSERA_NO_PORT_MAP): no SSDP, no NAT-PMP. */
  tsr_session_set_port_mapping (session, g_settings_get_boolean (self->settings, "port-mapping") &&
                                         g_getenv ("TESSERA_NO_PORT_MAP") == NULL);
  /* Nor the DHT (TESSERA_NO_DHT): no public routers from test runs. */
  {
    gboolean dht = g_settings_get_boolean (self->settings, "dht") && g_getenv ("TESSERA_NO_DHT") == NULL;
    g_autofree char *folder = data_folder ();
    g_autofree char *state = g_build_filename (folder, "dht.dat", NULL);

    if (dht != (tsr_session_get_dht (session) != NULL))
      {
        g_mkdir_with_parents (folder, 0700);
        tsr_session_set_dht (session, dht, state, NULL);
      }
  }
}

/* ------------------------------------------------------------------ */
/* The watch folder                                                    */

/* A watched file, added as one opened by the user with "ask where to
 * save" off: into the download folder, started unless "start-paused". */
static gboolean
watch_add (const char  *path,
           gpointer     user_data,
           GError     **error)
{
  TsrApplication *self = user_data;
  g_autofree char *folder = tsr_dup_download_folder (self->settings);

  return tsr_library_add_file (self->library, path, folder, g_settings_get_boolean (self->settings, "start-paused"),
                               NULL, error) != NULL;
}

static void
on_watch_added (TsrWatchFolder *watch,
                const char     *path,
                TsrApplication *self)
{
  tsr_app_event ("watch-added %s", path);
}

/* Said once per file (the watch folder does not try it again unchanged). */
static void
on_watch_failed (TsrWatchFolder *watch,
                 const char     *path,
                 const GError   *error,
                 TsrApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *title = NULL;
  g_autofree char *id = g_strdup_printf ("watch-%s", path);
  g_autofree char *lower = g_ascii_strdown (name, -1);

  tsr_app_event ("watch-failed %s: %s", path, error->message);
  g_message ("Watch folder: %s: %s", path, error->message);
  if (g_str_has_suffix (lower, ".torrent"))
    /* TRANSLATORS: a notification's title: a torrent file of the watched folder could not be added */
    title = g_strdup_printf (_("Cannot Add “%s”"), name);
  else
    /* TRANSLATORS: a notification's title: the watched folder itself cannot be read */
    title = g_strdup_printf (_("Cannot Watch “%s”"), name);
  notification = g_notification_new (title);
  g_notification_set_body (notification, error->message);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
update_watch_after (TsrApplication *self)
{
  g_autofree char *after = g_settings_get_string (self->settings, "watch-folder-after");

  tsr_watch_folder_set_after (self->watch, g_strcmp0 (after, "delete") == 0 ? TSR_WATCH_FOLDER_DELETE :
                                           TSR_WATCH_FOLDER_RENAME);
}

/* Set again, the folder is scanned again. */
static void
update_watch_folder (TsrApplication *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "watch-folder");

  update_watch_after (self);
  tsr_watch_folder_set_folder (self->watch, g_settings_get_boolean (self->settings, "watch-folder-enabled") ?
                                            folder : NULL);
}

static void
on_settings_changed (GSettings      *settings,
                     const char     *key,
                     TsrApplication *self)
{
  GListModel *torrents = tsr_library_get_torrents (self->library);
  guint i;

  if (g_str_equal (key, "max-ratio"))
    for (i = 0; i < g_list_model_get_n_items (torrents); i++)
      {
        g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);
        guint64 up_total = 0;
        guint64 down_total = 0;
        gdouble ratio = 0;

        /* Torrents with limits of their own keep them. */
        if (tsr_library_has_own_limits (self->library, torrent))
          continue;
        tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
        tsr_torrent_set_limits (torrent, up_total, down_total, g_settings_get_double (settings, key));
      }
  else if (g_str_equal (key, "max-peers-per-torrent") || g_str_equal (key, "log-history"))
    for (i = 0; i < g_list_model_get_n_items (torrents); i++)
      {
        g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

        TsrTorrentOptions options;

        tsr_library_get_options (self->library, torrent, &options);
        if (g_str_equal (key, "log-history"))
          tsr_event_log_set_max_lines (tsr_event_log_get_for (torrent), g_settings_get_uint (settings, key));
        else if (options.max_peers == 0)   /* its own peers win */
          tsr_torrent_set_max_peers (torrent, g_settings_get_uint (settings, key));
      }
  else if (g_str_equal (key, "watch-folder-after"))
    update_watch_after (self);
  else if (g_str_has_prefix (key, "watch-folder"))
    update_watch_folder (self);
  else
    apply_settings (self);
}

static void
on_torrents_changed (GListModel     *torrents,
                     guint           position,
                     guint           removed,
                     guint           added,
                     TsrApplication *self)
{
  guint i;

  for (i = position; i < position + added; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      if (tsr_event_log_get_for (torrent) == NULL)
        tsr_event_log_attach (torrent, g_settings_get_uint (self->settings, "log-history"));
      tsr_torrent_set_max_peers (torrent, g_settings_get_uint (self->settings, "max-peers-per-torrent"));
      tsr_torrent_set_limits (torrent, 0, 0, g_settings_get_double (self->settings, "max-ratio"));
    }
}

static void
on_torrent_done (TsrLibrary     *library,
                 TsrTorrent     *torrent,
                 TsrApplication *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  const char *folder = tsr_torrent_get_folder (torrent);

  tsr_app_event ("torrent-done %s", info->display_name);
  if (!g_settings_get_boolean (self->settings, "notify-on-complete"))
    return;
  if (g_settings_get_boolean (self->settings, "notify-summary"))
    {
      /* Finished close together: one notification, replaced as the batch grows. */
      guint batch = tsr_done_batch_add (self->done, info->display_name, folder, g_get_monotonic_time ());

      id = g_strdup_printf ("done-batch-%u", batch);
      title = tsr_done_batch_dup_title (self->done);
      body = tsr_done_batch_dup_body (self->done);
      folder = tsr_done_batch_get_folder (self->done);
    }
  else
    {
      id = g_strdup_printf ("done-%p", (void *) torrent);
      title = g_strdup (_("Download Complete"));
      body = g_strdup (info->display_name);
    }
  tsr_app_event ("done-notification %s: %s: %s", id, title, body);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  /* Torrents in several folders: no one folder to open. */
  if (folder != NULL)
    {
      g_notification_set_default_action_and_target (notification, "app.open-folder", "s", folder);
      g_notification_add_button_with_target (notification, _("Open Folder"), "app.open-folder", "s", folder);
    }
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* A torrent stopped on an error the user must see to: a full disk, its
 * data gone. Said even with the window closed; "Show" selects it. */
static void
on_torrent_failed (TsrLibrary     *library,
                   TsrTorrent     *torrent,
                   TsrApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("failed-%p", (void *) torrent);
  g_autofree char *body = NULL;
  g_autofree char *hash = tsr_hex_encode (tsr_torrent_get_info_hash (torrent), 20);
  const char *why = tsr_torrent_get_error (torrent) != NULL ? tsr_torrent_get_error (torrent) : "";

  tsr_app_event ("torrent-failed %s", why);
  notification = g_notification_new (_("Download Stopped"));
  /* TRANSLATORS: a torrent's name, then why it stopped, like "No space left on device" */
  body = g_strdup_printf (_("%s: %s"), tsr_torrent_get_name (torrent), why);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-torrent", "s", hash);
  /* TRANSLATORS: a notification's button: shows the torrent that stopped in the window */
  g_notification_add_button_with_target (notification, _("Show"), "app.show-torrent", "s", hash);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static char *
data_folder (void)
{
  return g_build_filename (g_get_user_data_dir (), "tessera", NULL);
}

/* The keyboard shortcuts, all listed in gtk/help-overlay.ui (the shortcuts
 * test holds the two in step). Application accelerators are caught before
 * the focused widget sees the key, so none of them may be a key that text
 * fields use: Delete and the context-menu keys act on the torrent list
 * only, from its own shortcut controller (tsr-window.c). GTK itself adds
 * Ctrl+? for win.show-help-overlay. */
static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.add-torrent", { "<Control>o", NULL } },
  { "win.add-magnet", { "<Control>u", NULL } },
  { "win.create", { "<Control>n", NULL } },
  { "win.start", { "<Control>s", NULL } },
  { "win.stop", { "<Control>p", NULL } },
  { "win.open-folder", { "<Control>e", NULL } },
  { "win.copy-magnet", { "<Control><Shift>c", NULL } },
  { "win.find", { "<Control>f", NULL } },
  { "win.show-sidebar", { "<Control><Shift>s", NULL } },
  { "win.show-details", { "F9", NULL } },
  /* The details pages, in the order of their tabs. */
  { "win.show-page::overview", { "<Alt>1", NULL } },
  { "win.show-page::files", { "<Alt>2", NULL } },
  { "win.show-page::peers", { "<Alt>3", NULL } },
  { "win.show-page::trackers", { "<Alt>4", NULL } },
  { "win.show-page::bans", { "<Alt>5", NULL } },
  { "win.show-page::log", { "<Alt>6", NULL } },
  { "win.show-page::peer-log", { "<Alt>7", NULL } },
  { "win.show-page::errors", { "<Alt>8", NULL } },
};

static void
set_accels (GtkApplication *app)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
tsr_application_startup (GApplication *app)
{
  TsrApplication *self = TSR_APPLICATION (app);
  g_autofree char *folder = data_folder ();
  g_autoptr(GError) error = NULL;
  GListModel *torrents;

  G_APPLICATION_CLASS (tsr_application_parent_class)->startup (app);
  tsr_stall_probe_start ();   /* only with TESSERA_STALL_PROBE set: the bench's */
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  set_accels (GTK_APPLICATION (app));

  self->settings = g_settings_new (APP_ID);
  self->done = tsr_done_batch_new ();
  self->library = tsr_library_new (folder);
  torrents = tsr_library_get_torrents (self->library);
  g_signal_connect_object (torrents, "items-changed", G_CALLBACK (on_torrents_changed), self, 0);
  g_signal_connect_object (self->library, "torrent-done", G_CALLBACK (on_torrent_done), self, 0);
  g_signal_connect_object (self->library, "torrent-failed", G_CALLBACK (on_torrent_failed), self, 0);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
  apply_settings (self);
  /* Before listening: the list (read off the main loop) is asked for
   * first, and peers that come before it is in are dropped then. A URL's
   * list is kept where the remote control's blocklist-update keeps it. */
  {
    g_autofree char *config = g_build_filename (g_get_user_config_dir (), "tessera", NULL);

    self->blocklist = tsr_blocklist_settings_new (self->settings,
                                                  tsr_session_get_blocklist (tsr_library_get_session (self->library)),
                                                  config);
  }
  self->alt_speed = tsr_alt_speed_new (self->settings, NULL, NULL);
  /* A port picked at random at the first start, then kept: picked again
   * in the range while it is taken. */
  {
    g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "listen-port");
    gboolean picked = g_variant_get_uint16 (kept) == 0;
    guint16 port = tsr_ensure_listen_port (self->settings);

    if (!(picked ? tsr_library_listen_random (self->library, &port, &error)
                 : tsr_library_listen (self->library, port, &error)))
      g_warning ("Cannot listen for peers: %s", error->message);
    else if (picked)
      g_settings_set_value (self->settings, "listen-port", g_variant_new_uint16 (port));
  }
  tsr_library_restore (self->library);
  {
    g_autofree char *stats_path = g_build_filename (folder, "statistics.ini", NULL);

    /* Written ten seconds after a change at most once, and at shutdown. */
    self->statistics = tsr_statistics_new (stats_path, 10 * 1000);
    tsr_statistics_follow (self->statistics, self->library);
  }
  self->watch = tsr_watch_folder_new (watch_add, self);
  g_signal_connect_object (self->watch, "added", G_CALLBACK (on_watch_added), self, 0);
  g_signal_connect_object (self->watch, "failed", G_CALLBACK (on_watch_failed), self, 0);
  update_watch_folder (self);
  {
    g_autofree char *config = g_build_filename (g_get_user_config_dir (), "tessera", NULL);

    /* After the restore: remote clients see every torrent. */
    self->remote = tsr_remote_control_new (self->settings, self->library, config);
  }
  /* Running in the background without a window is for a later version:
   * until then the app lives as long as a window does. */
}

static void
tsr_application_shutdown (GApplication *app)
{
  TsrApplication *self = TSR_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->watch);
  g_clear_object (&self->remote);
  g_clear_object (&self->blocklist);
  if (self->statistics != NULL && !tsr_statistics_save (self->statistics, &error))
    g_warning ("Cannot save the statistics: %s", error->message);
  g_clear_object (&self->statistics);
  /* Trackers hear "stopped" and progress is saved before we go. */
  if (self->library != NULL)
    tsr_library_shutdown (self->library);
  G_APPLICATION_CLASS (tsr_application_parent_class)->shutdown (app);
  g_clear_object (&self->alt_speed);
  g_clear_pointer (&self->done, tsr_done_batch_free);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
}

static void
tsr_application_class_init (TsrApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = tsr_application_startup;
  app_class->shutdown = tsr_application_shutdown;
  app_class->activate = tsr_application_activate;
  app_class->open = tsr_application_open;
}

static void
tsr_application_init (TsrApplication *self)
{
  /* TRANSLATORS: what tessera takes after its options, in "Usage: tessera
   * [OPTION…] [FILE.torrent|MAGNET…]" of --help */
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE.torrent|MAGNET…]"));
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
