/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-daemon.c: `tessera-cli daemon`, the engine without a window,
 * driven over Transmission's RPC (src/rpc). It runs the app's torrent
 * library (the same folder, ~/.local/share/tessera by default, so
 * torrents, folders, limits and resume data carry over both ways, one
 * program at a time), and keeps its own settings in a key file,
 * CONFIG_DIR/daemon.conf: [session] with Transmission's names for what
 * session-set changes (written back on each change), [rpc] for the
 * server (bind, port, whitelist, host-whitelist, allowed-dirs,
 * username, password-file). Options on the command line win over the
 * file. A key file rather than GSettings: a headless box often has no
 * dconf, and one readable file is what a service administrator edits.
 *
 * The web interface (src/webui) is served at "/" by the same server.
 *
 * The alternative speed schedule (alt-speed-time-*) turns
 * alt-speed-enabled on and off at its edges as the app does, with the
 * engine's TsrAltSpeedTimer, and saves the file when it does.
 *
 * SIGTERM and SIGINT stop it as the app stops (trackers told "stopped",
 * index and resume records saved); SIGHUP reads the file again.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tsr-cli-library.h"
#include "tsr-rpc-server.h"
#include "tsr-rpc-settings.h"
#include "tsr-webui.h"

typedef struct
{
  GMainLoop      *loop;
  TsrLibrary     *library;
  TsrRpcServer   *server;
  TsrRpcSettings *settings;
  TsrAltSpeedTimer *alt_speed;  /* (owned) follows the settings' schedule */
  char           *config_path;
  /* What the command line said, over the file's: kept through SIGHUP. */
  char           *auth;
  char           *password_file;
  char           *whitelist;
  char           *host_whitelist;
  char          **allowed_dirs;
} Daemon;

static char *
key_string (GKeyFile   *keyfile,
            const char *key)
{
  return g_key_file_get_string (keyfile, "rpc", key, NULL);
}

static char **
split_list (const char *text)
{
  g_auto(GStrv) parts = NULL;
  GPtrArray *list;
  guint i;

  if (text == NULL)
    return NULL;
  parts = g_strsplit_set (text, ",;", -1);
  list = g_ptr_array_new ();
  for (i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (list, g_strdup (parts[i]));
    }
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (list, FALSE);
}

/* USER:PASS from @auth, or the first line of @password_file. */
static gboolean
read_credentials (const char  *auth,
                  const char  *password_file,
                  char       **user,
                  char       **password,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  const char *text = auth;
  const char *colon;

  *user = *password = NULL;
  if (text == NULL && password_file != NULL)
    {
      char *newline;

      if (!g_file_get_contents (password_file, &contents, NULL, error))
        return FALSE;
      newline = strchr (contents, '\n');
      if (newline != NULL)
        *newline = '\0';
      text = contents;
    }
  if (text == NULL)
    return TRUE;
  colon = strchr (text, ':');
  if (colon == NULL || colon[1] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Credentials must be USER:PASSWORD with a password"));
      return FALSE;
    }
  *user = g_strndup (text, colon - text);
  *password = g_strdup (colon + 1);
  return TRUE;
}

/* A schedule that changed (by session-set or in the file) applies at
 * once; one that did not leaves a toggle by hand alone. */
static void
follow_schedule (Daemon *daemon)
{
  TsrAltSpeedSchedule schedule;

  tsr_rpc_settings_get_schedule (daemon->settings, &schedule);
  if (!tsr_alt_speed_schedule_equal (&schedule, tsr_alt_speed_timer_get_schedule (daemon->alt_speed)))
    tsr_alt_speed_timer_set_schedule (daemon->alt_speed, &schedule);
}

/* The file's [session] and [rpc] over the command line's absences. */
static gboolean
configure (Daemon  *daemon,
           GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) load_error = NULL;
  g_autofree char *auth = NULL, *password_file = NULL, *whitelist = NULL, *hosts = NULL, *dirs = NULL;
  g_autofree char *user = NULL, *password = NULL;
  g_auto(GStrv) patterns = NULL;
  g_auto(GStrv) host_patterns = NULL;
  TsrRpcContext *context = tsr_rpc_server_get_context (daemon->server);

  if (!g_key_file_load_from_file (keyfile, daemon->config_path, G_KEY_FILE_KEEP_COMMENTS, &load_error) &&
      !g_error_matches (load_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&load_error), "%s: ", daemon->config_path);
      return FALSE;
    }
  tsr_rpc_settings_load (daemon->settings, keyfile);
  auth = g_strdup (daemon->auth);
  password_file = daemon->password_file != NULL ? g_strdup (daemon->password_file) : key_string (keyfile, "password-file");
  if (auth == NULL && password_file == NULL)
    {
      g_autofree char *name = key_string (keyfile, "username");
      g_autofree char *secret = key_string (keyfile, "password");

      if (name != NULL && secret != NULL)
        auth = g_strdup_printf ("%s:%s", name, secret);
    }
  if (!read_credentials (auth, password_file, &user, &password, error))
    return FALSE;
  tsr_rpc_server_set_credentials (daemon->server, user, password);
  whitelist = daemon->whitelist != NULL ? g_strdup (daemon->whitelist) : key_string (keyfile, "whitelist");
  patterns = split_list (whitelist);
  tsr_rpc_server_set_whitelist (daemon->server, (const char * const *) patterns);
  hosts = daemon->host_whitelist != NULL ? g_strdup (daemon->host_whitelist) : key_string (keyfile, "host-whitelist");
  host_patterns = split_list (hosts);
  tsr_rpc_server_set_host_whitelist (daemon->server, (const char * const *) host_patterns);
  g_strfreev (context->allowed_roots);
  if (daemon->allowed_dirs != NULL)
    context->allowed_roots = g_strdupv (daemon->allowed_dirs);
  else
    {
      dirs = key_string (keyfile, "allowed-dirs");
      context->allowed_roots = split_list (dirs);
    }
  tsr_rpc_settings_apply (daemon->settings, daemon->library);
  follow_schedule (daemon);
  return TRUE;
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("%s", error->message);
}

static void
on_blocklist_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The daemon runs on without it; blocklist-update may try again. */
  if (!tsr_blocklist_load_finish (TSR_BLOCKLIST (source), result, &error))
    g_warning (_("The blocklist was not loaded: %s"), error->message);
}

/* Written at once, before the main loop runs: the file is read again
 * just after (and at each SIGHUP), and must say the port picked. */
static void
keep_peer_port (const char *path,
                guint       port)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  gsize length = 0;

  g_key_file_load_from_file (keyfile, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_uint64 (keyfile, "session", "peer-port", port);
  text = g_key_file_to_data (keyfile, &length, NULL);
  g_mkdir_with_parents (dir, 0700);
  /* Private, as on_settings_changed writes it: it may name a password. */
  if (!g_file_set_contents_full (path, text, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("%s", error->message);
}

/* The file's [session] rewritten, its other groups kept. */
static void
save_settings (Daemon *daemon)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GFile) file = g_file_new_for_path (daemon->config_path);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = g_path_get_dirname (daemon->config_path);
  gsize length = 0;
  char *text;

  g_key_file_load_from_file (keyfile, daemon->config_path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  tsr_rpc_settings_save (daemon->settings, keyfile);
  text = g_key_file_to_data (keyfile, &length, NULL);
  bytes = g_bytes_new_take (text, length);
  g_mkdir_with_parents (dir, 0700);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, on_saved, NULL);
}

/* session-set changed the settings. */
static void
on_settings_changed (gpointer user_data)
{
  Daemon *daemon = user_data;

  follow_schedule (daemon);
  save_settings (daemon);
}

/* An edge of the schedule. */
static void
on_alt_speed (gboolean on,
              gpointer user_data)
{
  Daemon *daemon = user_data;

  if (daemon->settings->alt_speed_enabled == on)
    return;
  daemon->settings->alt_speed_enabled = on;
  tsr_rpc_settings_apply (daemon->settings, daemon->library);
  save_settings (daemon);
}

static gboolean
quit_soon (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_main_loop_quit (daemon->loop);
  return G_SOURCE_REMOVE;
}

static void
on_close (gpointer user_data)
{
  /* After the reply has gone out. */
  g_timeout_add (200, quit_soon, user_data);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_message ("%s", _("Stopping: telling trackers and saving the library"));
  g_main_loop_quit (daemon->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  if (!configure (daemon, &error))
    g_warning (_("Configuration not reloaded: %s"), error->message);
  else
    g_message (_("Configuration reloaded from %s"), daemon->config_path);
  return G_SOURCE_CONTINUE;
}

static void
serve_webui (SoupServerMessage *message,
             const char        *path,
             gpointer           user_data)
{
  tsr_webui_serve (message, path);
}

static void
adopt (TsrTorrent *torrent,
       gpointer    user_data)
{
  Daemon *daemon = user_data;

  tsr_rpc_settings_apply_torrent (daemon->settings, daemon->library, torrent);
}

int
tsr_cli_daemon (int    argc,
                char **argv)
{
  g_autofree char *config_dir = NULL, *library_dir = NULL, *download_dir = NULL, *bind = NULL;
  g_autofree char *auth = NULL, *password_file = NULL, *whitelist = NULL, *host_whitelist = NULL;
  g_auto(GStrv) allowed_dirs = NULL;
  gint port = -1, peer_port = -1;
  gboolean no_tracker = FALSE;
  gboolean random_peer_port = FALSE;
  gboolean picked = FALSE;
  gboolean listening = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrRpcSettings) settings = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *file_bind = NULL;
  Daemon daemon = { 0 };
  TsrRpcContextFuncs funcs = { on_settings_changed, on_close };
  guint sigterm, sigint, sighup;
  guint n_running = 0;
  const char *downloads;
  const GOptionEntry entries[] = {
    { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &config_dir, N_("Keep the settings in DIR/daemon.conf (default: ~/.config/tessera)"), N_("DIR") },
    { "library-dir", 0, 0, G_OPTION_ARG_FILENAME, &library_dir, N_("Run the torrent library in DIR, the app’s by default (~/.local/share/tessera)"), N_("DIR") },
    { "download-dir", 0, 0, G_OPTION_ARG_FILENAME, &download_dir, N_("Save new torrents in DIR unless a client says otherwise"), N_("DIR") },
    { "peer-port", 0, 0, G_OPTION_ARG_INT, &peer_port, N_("Listen for peers on PORT (0: any free port)"), N_("PORT") },
    { "random-peer-port", 0, 0, G_OPTION_ARG_NONE, &random_peer_port, N_("Pick a new peer port at random (49152 to 65535) and keep it"), NULL },
    { "rpc-bind", 0, 0, G_OPTION_ARG_STRING, &bind, N_("Serve the remote control on ADDRESS (default 127.0.0.1)"), N_("ADDRESS") },
    { "rpc-port", 0, 0, G_OPTION_ARG_INT, &port, N_("Serve the remote control on PORT (default 9091; 0: any free port)"), N_("PORT") },
    { "rpc-auth", 0, 0, G_OPTION_ARG_STRING, &auth, N_("Ask clients for this user name and password"), N_("USER:PASSWORD") },
    { "rpc-password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Ask clients for the USER:PASSWORD on the first line of FILE"), N_("FILE") },
    { "rpc-whitelist", 0, 0, G_OPTION_ARG_STRING, &whitelist, N_("Client addresses allowed, comma-separated, with * (default 127.0.0.1,::1)"), N_("LIST") },
    { "rpc-host-whitelist", 0, 0, G_OPTION_ARG_STRING, &host_whitelist, N_("Host names clients may use besides localhost and IP addresses, comma-separated, with *"), N_("LIST") },
    { "allowed-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &allowed_dirs, N_("Let clients save, move and read torrent files only under DIR (repeatable)"), N_("DIR") },
    { "no-tracker", 0, 0, G_OPTION_ARG_NONE, &no_tracker, N_("Do not announce to trackers"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Run torrents without a window, controlled over the Transmission remote-control protocol."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (argc > 1)
    {
      tsr_cli_error (_("unexpected argument “%s”"), argv[1]);
      return 1;
    }
  if (port > 65535 || peer_port > 65535)
    {
      tsr_cli_error (_("A port is a number from 0 to 65535"));
      return 1;
    }

  if (config_dir == NULL)
    config_dir = g_build_filename (g_get_user_config_dir (), "tessera", NULL);
  if (library_dir == NULL)
    library_dir = g_build_filename (g_get_user_data_dir (), "tessera", NULL);
  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  settings = tsr_rpc_settings_new (downloads != NULL ? downloads : g_get_home_dir ());
  daemon.config_path = g_build_filename (config_dir, "daemon.conf", NULL);
  g_key_file_load_from_file (keyfile, daemon.config_path, G_KEY_FILE_NONE, NULL);
  tsr_rpc_settings_load (settings, keyfile);
  if (download_dir != NULL)
    {
      g_free (settings->download_dir);
      settings->download_dir = g_canonicalize_filename (download_dir, NULL);
    }
  if (peer_port >= 0)
    settings->peer_port = peer_port;
  /* The first start picks the peer port at random and keeps it, as the
   * app does (a port of its own, not the one every client is known by). */
  else if (random_peer_port || !g_key_file_has_key (keyfile, "session", "peer-port", NULL))
    {
      settings->peer_port = tsr_session_pick_random_port ();
      keep_peer_port (daemon.config_path, settings->peer_port);
      picked = TRUE;
    }
  if (bind == NULL)
    bind = file_bind = key_string (keyfile, "bind");
  if (bind == NULL)
    bind = g_strdup ("127.0.0.1");
  if (port < 0)
    {
      g_autoptr(GError) port_error = NULL;
      gint read = g_key_file_get_integer (keyfile, "rpc", "port", &port_error);

      port = port_error == NULL && read >= 0 && read <= 65535 ? read : 9091;
    }
  g_mkdir_with_parents (library_dir, 0700);
  g_mkdir_with_parents (settings->download_dir, 0700);

  daemon.settings = settings;
  daemon.auth = auth;
  daemon.password_file = password_file;
  daemon.whitelist = whitelist;
  daemon.host_whitelist = host_whitelist;
  daemon.allowed_dirs = allowed_dirs;
  daemon.library = tsr_library_new (library_dir);
  tsr_library_set_use_trackers (daemon.library, !no_tracker);
  tsr_rpc_settings_apply (settings, daemon.library);
  daemon.alt_speed = tsr_alt_speed_timer_new (NULL, NULL, on_alt_speed, &daemon);
  /* blocklist-update keeps the list here: read at start, no fetch. */
  tsr_blocklist_set_folder (tsr_session_get_blocklist (tsr_library_get_session (daemon.library)), config_dir);
  tsr_blocklist_load_async (tsr_session_get_blocklist (tsr_library_get_session (daemon.library)), NULL,
                            on_blocklist_loaded, NULL);
  if (settings->dht_enabled && g_getenv ("TESSERA_NO_DHT") == NULL)
    {
      g_autofree char *state = g_build_filename (library_dir, "dht.dat", NULL);

      tsr_session_set_dht (tsr_library_get_session (daemon.library), TRUE, state, NULL);
    }
  if (picked)
    {
      guint16 chosen = (guint16) settings->peer_port;

      listening = tsr_library_listen_random (daemon.library, &chosen, &error);
      if (chosen != settings->peer_port)
        {
          settings->peer_port = chosen;
          keep_peer_port (daemon.config_path, settings->peer_port);
        }
    }
  else
    listening = tsr_library_listen (daemon.library, settings->peer_port, &error);
  if (!listening)
    {
      tsr_cli_error (_("Cannot listen for peers: %s"), error->message);
      tsr_alt_speed_timer_free (daemon.alt_speed);
      g_object_unref (daemon.library);
      return 1;
    }
  daemon.server = tsr_rpc_server_new (tsr_rpc_context_new (daemon.library, settings, config_dir, &funcs, &daemon));
  /* The web interface at "/", behind the same address, password and
   * Host checks as the RPC it talks to. */
  tsr_rpc_server_set_static_handler (daemon.server, serve_webui, NULL, NULL);
  if (!configure (&daemon, &error))
    {
      tsr_cli_error ("%s", error->message);
      tsr_alt_speed_timer_free (daemon.alt_speed);
      g_object_unref (daemon.server);
      g_object_unref (daemon.library);
      return 1;
    }
  if (!tsr_rpc_server_listen (daemon.server, bind, port, &error))
    {
      tsr_cli_error (_("Cannot serve the remote control on %s port %d: %s"), bind, port, error->message);
      tsr_alt_speed_timer_free (daemon.alt_speed);
      g_object_unref (daemon.server);
      g_object_unref (daemon.library);
      return 1;
    }
  {
    g_autofree char *history = g_build_filename (library_dir, "rpc-history.ini", NULL);

    /* Before the torrents come: each gets its past times as it does. */
    if (!tsr_rpc_history_keep (tsr_rpc_server_get_context (daemon.server)->history, history, &error))
      {
        g_warning ("%s", error->message);
        g_clear_error (&error);
      }
  }
  if (!tsr_cli_library_load (daemon.library, NULL, settings->download_dir, FALSE, NULL, adopt, &daemon,
                             &n_running, &error))
    g_warning ("%s", error->message);

  daemon.loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &daemon);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, &daemon);
  sighup = g_unix_signal_add (SIGHUP, on_hangup, &daemon);
  /* TRANSLATORS: the address, the port, the library's folder, then how
   * many of its torrents run. Tests read the port from this line. */
  {
    g_autofree char *host = strchr (bind, ':') != NULL ? g_strdup_printf ("[%s]", bind) : g_strdup (bind);

    printf (_("Remote control on http://%s:%u/transmission/rpc, library %s, %u torrents running\n"),
            host, tsr_rpc_server_get_port (daemon.server), library_dir, n_running);
  }
  fflush (stdout);
  g_main_loop_run (daemon.loop);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_source_remove (sighup);
  tsr_rpc_server_disconnect (daemon.server);
  {
    g_autoptr(GError) save_error = NULL;

    if (!tsr_rpc_history_save_now (tsr_rpc_server_get_context (daemon.server)->history, &save_error))
      g_warning ("%s", save_error->message);
  }
  tsr_alt_speed_timer_free (daemon.alt_speed);
  tsr_library_shutdown (daemon.library);
  g_object_unref (daemon.server);
  g_object_unref (daemon.library);
  g_main_loop_unref (daemon.loop);
  g_free (daemon.config_path);
  return 0;
}
