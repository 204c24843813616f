/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-remote-control.c: the app's in-process RPC server (see the .h).
 * Each start makes a new TsrRpcServer over the app's library, so that a
 * change of port, address or credentials never leaves an old listener
 * behind. The RPC's session settings (what session-get shows) are filled
 * from the app's GSettings and written back to them after a session-set,
 * so that the preferences window and the engine follow a remote client.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "tsr-remote-control.h"
#include "tsr-rpc-server.h"
#include "tsr-webui.h"

struct _TsrRemoteControl
{
  GObject         parent_instance;
  GSettings      *settings;       /* (owned) */
  TsrLibrary     *library;        /* (owned) */
  char           *password_path;  /* (owned) CONFIG_DIR/rpc-password */
  char           *password;       /* (owned) (nullable) */
  TsrRpcSettings *rpc_settings;   /* (owned) what session-get shows */
  TsrRpcServer   *server;         /* (owned) (nullable) while running */
  char           *error;          /* (owned) (nullable) why it is not running */
};

G_DEFINE_FINAL_TYPE (TsrRemoteControl, tsr_remote_control, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GSettings' speeds are in KiB/s with 0 for none; the RPC's in kB/s
 * with a switch. */
static void
limit_from_key (GSettings  *settings,
                const char *key,
                guint      *limit,
                gboolean   *enabled)
{
  guint kib = g_settings_get_uint (settings, key);

  *enabled = kib != 0;
  if (kib != 0)
    *limit = (guint) ((guint64) kib * 1024 / 1000);
}

static guint
limit_to_key (guint    limit,
              gboolean enabled)
{
  if (!enabled)
    return 0;
  return MAX (1, (guint) (((guint64) limit * 1000 + 1023) / 1024));
}

static guint
uint16_key (GSettings  *settings,
            const char *key)
{
  g_autoptr(GVariant) value = g_settings_get_value (settings, key);

  return g_variant_get_uint16 (value);
}

/* The app's preferences as the RPC names them. */
/* blocklist-url is an http(s) URL in the protocol; the app's key may
 * also name a file, which the protocol has no field for. */
static char *
dup_rpc_blocklist_url (GSettings *settings)
{
  g_autofree char *url = g_settings_get_string (settings, "blocklist-url");

  if (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"))
    return g_steal_pointer (&url);
  return g_strdup ("");
}

static void
fill_rpc_settings (TsrRemoteControl *self)
{
  TsrRpcSettings *s = self->rpc_settings;
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  g_autofree char *encryption = g_settings_get_string (self->settings, "encryption");
  const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  gdouble ratio = g_settings_get_double (self->settings, "max-ratio");

  g_free (s->download_dir);
  s->download_dir = g_strdup (folder[0] != '\0' ? folder : downloads != NULL ? downloads : g_get_home_dir ());
  limit_from_key (self->settings, "download-rate-limit", &s->speed_limit_down, &s->speed_limit_down_enabled);
  limit_from_key (self->settings, "upload-rate-limit", &s->speed_limit_up, &s->speed_limit_up_enabled);
  s->alt_speed_down = g_settings_get_uint (self->settings, "alt-speed-down") * 1024 / 1000;
  s->alt_speed_up = g_settings_get_uint (self->settings, "alt-speed-up") * 1024 / 1000;
  s->alt_speed_enabled = g_settings_get_boolean (self->settings, "alt-speed-enabled");
  s->alt_speed_time_enabled = g_settings_get_boolean (self->settings, "alt-speed-time-enabled");
  s->alt_speed_time_begin = g_settings_get_uint (self->settings, "alt-speed-time-begin");
  s->alt_speed_time_end = g_settings_get_uint (self->settings, "alt-speed-time-end");
  s->alt_speed_time_day = g_settings_get_uint (self->settings, "alt-speed-time-day");
  s->seed_ratio_limited = ratio > 0;
  if (ratio > 0)
    s->seed_ratio_limit = ratio;
  s->peer_limit_global = g_settings_get_uint (self->settings, "max-peers-global");
  s->peer_limit_per_torrent = g_settings_get_uint (self->settings, "max-peers-per-torrent");
  s->download_queue_enabled = g_settings_get_uint (self->settings, "download-queue-size") != 0;
  if (s->download_queue_enabled)
    s->download_queue_size = g_settings_get_uint (self->settings, "download-queue-size");
  s->seed_queue_enabled = g_settings_get_uint (self->settings, "seed-queue-size") != 0;
  if (s->seed_queue_enabled)
    s->seed_queue_size = g_settings_get_uint (self->settings, "seed-queue-size");
  s->start_added_torrents = !g_settings_get_boolean (self->settings, "start-paused");
  s->dht_enabled = g_settings_get_boolean (self->settings, "dht");
  s->lpd_enabled = g_settings_get_boolean (self->settings, "local-discovery");
  s->port_forwarding_enabled = g_settings_get_boolean (self->settings, "port-mapping");
  s->peer_port = uint16_key (self->settings, "listen-port");
  s->blocklist_enabled = g_settings_get_boolean (self->settings, "blocklist-enabled");
  g_free (s->blocklist_url);
  s->blocklist_url = dup_rpc_blocklist_url (self->settings);
  g_free (s->encryption);
  s->encryption = g_strdup (g_str_equal (encryption, "require") ? "required" :
                            g_str_equal (encryption, "off") ? "tolerated" : "preferred");
}

/* @value for @key, unless out of the key's range (a client may ask for
 * more peers than the preferences allow): kept as it was then. */
static void
put (GSettings       *batch,
     GSettingsSchema *schema,
     const char      *key,
     GVariant        *value)
{
  g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (schema, key);

  g_variant_ref_sink (value);
  if (g_settings_schema_key_range_check (schema_key, value))
    g_settings_set_value (batch, key, value);
  g_variant_unref (value);
}

/* session-set: the app's keys follow, and through them the app. */
static void
on_rpc_settings_changed (gpointer user_data)
{
  TsrRemoteControl *self = user_data;
  TsrRpcSettings *s = self->rpc_settings;
  const char *encryption = g_str_equal (s->encryption, "required") ? "require" :
                           g_str_equal (s->encryption, "tolerated") ? "off" : "prefer";
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSettings) batch = NULL;
  g_autofree char *shown_url = dup_rpc_blocklist_url (self->settings);

  /* One change for the app, not twenty: a GSettings of our own in
   * delay-apply mode (the app's own must never be left in it). */
  g_object_get (self->settings, "backend", &backend, "settings-schema", &schema, "path", &path, NULL);
  batch = g_settings_new_full (schema, backend, path);
  g_settings_delay (batch);
  put (batch, schema, "download-folder", g_variant_new_string (s->download_dir));
  put (batch, schema, "download-rate-limit",
       g_variant_new_uint32 (limit_to_key (s->speed_limit_down, s->speed_limit_down_enabled)));
  put (batch, schema, "upload-rate-limit",
       g_variant_new_uint32 (limit_to_key (s->speed_limit_up, s->speed_limit_up_enabled)));
  put (batch, schema, "alt-speed-down", g_variant_new_uint32 (limit_to_key (s->alt_speed_down, s->alt_speed_down != 0)));
  put (batch, schema, "alt-speed-up", g_variant_new_uint32 (limit_to_key (s->alt_speed_up, s->alt_speed_up != 0)));
  put (batch, schema, "alt-speed-enabled", g_variant_new_boolean (s->alt_speed_enabled));
  /* The app's TsrAltSpeed follows these keys: no timer of the RPC's own. */
  put (batch, schema, "alt-speed-time-enabled", g_variant_new_boolean (s->alt_speed_time_enabled));
  put (batch, schema, "alt-speed-time-begin", g_variant_new_uint32 (s->alt_speed_time_begin));
  put (batch, schema, "alt-speed-time-end", g_variant_new_uint32 (s->alt_speed_time_end));
  put (batch, schema, "alt-speed-time-day", g_variant_new_uint32 (s->alt_speed_time_day));
  put (batch, schema, "max-ratio", g_variant_new_double (s->seed_ratio_limited ? s->seed_ratio_limit : 0));
  put (batch, schema, "max-peers-global", g_variant_new_uint32 (s->peer_limit_global));
  put (batch, schema, "max-peers-per-torrent", g_variant_new_uint32 (s->peer_limit_per_torrent));
  put (batch, schema, "download-queue-size",
       g_variant_new_uint32 (s->download_queue_enabled ? s->download_queue_size : 0));
  put (batch, schema, "seed-queue-size", g_variant_new_uint32 (s->seed_queue_enabled ? s->seed_queue_size : 0));
  put (batch, schema, "start-paused", g_variant_new_boolean (!s->start_added_torrents));
  put (batch, schema, "dht", g_variant_new_boolean (s->dht_enabled));
  put (batch, schema, "local-discovery", g_variant_new_boolean (s->lpd_enabled));
  put (batch, schema, "port-mapping", g_variant_new_boolean (s->port_forwarding_enabled));
  put (batch, schema, "encryption", g_variant_new_string (encryption));
  put (batch, schema, "blocklist-enabled", g_variant_new_boolean (s->blocklist_enabled));
  /* A file of the app's own (no URL, so "" to the client) stays unless
   * the client names a URL. */
  if (g_strcmp0 (s->blocklist_url, shown_url) != 0)
    put (batch, schema, "blocklist-url", g_variant_new_string (s->blocklist_url));
  g_settings_apply (batch);
  fill_rpc_settings (self);
}

/* session-close asks a daemon to quit; the app keeps running and only
 * stops serving, as Transmission's app does. */
static gboolean
turn_off (gpointer user_data)
{
  g_autoptr(TsrRemoteControl) self = user_data;

  g_settings_set_boolean (self->settings, "rpc-enabled", FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_rpc_close (gpointer user_data)
{
  /* After the reply has gone out. */
  g_timeout_add (200, turn_off, g_object_ref (user_data));
}

static void
serve_static (SoupServerMessage *message,
              const char        *path,
              gpointer           user_data)
{
  TsrRemoteControl *self = user_data;

  if (g_settings_get_boolean (self->settings, "web-interface-enabled"))
    tsr_webui_serve (message, path);
  else
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

static char **
split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (part[0] != '\0')
        g_strv_builder_add (builder, part);
    }
  return g_strv_builder_end (builder);
}

static void
stop (TsrRemoteControl *self)
{
  if (self->server == NULL)
    return;
  tsr_rpc_server_disconnect (self->server);
  g_clear_object (&self->server);
}

static gboolean
start (TsrRemoteControl  *self,
       GError           **error)
{
  g_autofree char *address = g_settings_get_string (self->settings, "rpc-bind-address");
  g_autofree char *whitelist = g_settings_get_string (self->settings, "rpc-whitelist");
  g_autofree char *hosts = g_settings_get_string (self->settings, "rpc-host-whitelist");
  g_autofree char *user = g_settings_get_string (self->settings, "rpc-username");
  guint port = uint16_key (self->settings, "rpc-port");
  g_auto(GStrv) patterns = split_list (whitelist);
  g_auto(GStrv) host_patterns = split_list (hosts);
  g_autoptr(TsrRpcServer) server = NULL;
  TsrRpcContextFuncs funcs = { on_rpc_settings_changed, on_rpc_close };
  g_autofree char *config_dir = g_path_get_dirname (self->password_path);

  if (g_settings_get_boolean (self->settings, "rpc-auth-required") &&
      (user[0] == '\0' || self->password == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Authentication is on but the user name or password is missing"));
      return FALSE;
    }
  server = tsr_rpc_server_new (tsr_rpc_context_new (self->library, self->rpc_settings, config_dir, &funcs, self));
  if (g_settings_get_boolean (self->settings, "rpc-auth-required"))
    tsr_rpc_server_set_credentials (server, user, self->password);
  /* An empty list would shut everyone out: localhost only then. */
  tsr_rpc_server_set_whitelist (server, patterns[0] != NULL ? (const char * const *) patterns : NULL);
  tsr_rpc_server_set_host_whitelist (server, host_patterns[0] != NULL ? (const char * const *) host_patterns : NULL);
  tsr_rpc_server_set_static_handler (server, serve_static, self, NULL);
  if (!tsr_rpc_server_listen (server, address, (guint16) port, error))
    {
      g_prefix_error (error, _("Cannot listen on %s port %u: "), address, port);
      tsr_rpc_server_disconnect (server);
      return FALSE;
    }
  self->server = g_steal_pointer (&server);
  return TRUE;
}

/* Stops, then starts again if enabled: any change of the keys lands
 * here, so the server always runs as they say. */
static void
apply (TsrRemoteControl *self)
{
  g_autoptr(GError) error = NULL;

  stop (self);
  g_clear_pointer (&self->error, g_free);
  if (g_settings_get_boolean (self->settings, "rpc-enabled") && !start (self, &error))
    {
      /* Shown on the preferences page; a message, not a warning: a
       * taken port is the user's to fix, not a fault of the app. */
      g_message ("%s", error->message);
      self->error = g_strdup (error->message);
    }
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_settings_changed (GSettings        *settings,
                     const char       *key,
                     TsrRemoteControl *self)
{
  /* web-interface-enabled is read per request: no restart. */
  if (g_str_has_prefix (key, "rpc-"))
    apply (self);
  else
    fill_rpc_settings (self);
}

static void
tsr_remote_control_dispose (GObject *object)
{
  TsrRemoteControl *self = TSR_REMOTE_CONTROL (object);

  stop (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->library);
  G_OBJECT_CLASS (tsr_remote_control_parent_class)->dispose (object);
}

static void
tsr_remote_control_finalize (GObject *object)
{
  TsrRemoteControl *self = TSR_REMOTE_CONTROL (object);

  g_free (self->password_path);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->error);
  g_clear_pointer (&self->rpc_settings, tsr_rpc_settings_free);
  G_OBJECT_CLASS (tsr_remote_control_parent_class)->finalize (object);
}

static void
tsr_remote_control_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TsrRemoteControl *self = TSR_REMOTE_CONTROL (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, tsr_remote_control_get_running (self));
      break;
    case PROP_PORT:
      g_value_set_uint (value, tsr_remote_control_get_port (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_remote_control_class_init (TsrRemoteControlClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_remote_control_dispose;
  object_class->finalize = tsr_remote_control_finalize;
  object_class->get_property = tsr_remote_control_get_property;
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tsr_remote_control_init (TsrRemoteControl *self)
{
}

TsrRemoteControl *
tsr_remote_control_new (GSettings  *settings,
                        TsrLibrary *library,
                        const char *config_dir)
{
  TsrRemoteControl *self = g_object_new (TSR_TYPE_REMOTE_CONTROL, NULL);
  g_autofree char *contents = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (TSR_IS_LIBRARY (library), NULL);
  self->settings = g_object_ref (settings);
  self->library = g_object_ref (library);
  self->password_path = g_build_filename (config_dir, "rpc-password", NULL);
  /* A few bytes, once at startup: read before the server may start, so
   * that it never runs without the password it was given. */
  if (g_file_get_contents (self->password_path, &contents, NULL, NULL))
    {
      g_strchomp (contents);
      if (contents[0] != '\0')
        self->password = g_steal_pointer (&contents);
    }
  self->rpc_settings = tsr_rpc_settings_new (g_get_home_dir ());
  fill_rpc_settings (self);
  g_signal_connect (settings, "changed", G_CALLBACK (on_settings_changed), self);
  apply (self);
  return self;
}

gboolean
tsr_remote_control_get_running (TsrRemoteControl *self)
{
  g_return_val_if_fail (TSR_IS_REMOTE_CONTROL (self), FALSE);
  return self->server != NULL;
}

guint
tsr_remote_control_get_port (TsrRemoteControl *self)
{
  g_return_val_if_fail (TSR_IS_REMOTE_CONTROL (self), 0);
  return self->server != NULL ? tsr_rpc_server_get_port (self->server) : 0;
}

const char *
tsr_remote_control_get_error (TsrRemoteControl *self)
{
  g_return_val_if_fail (TSR_IS_REMOTE_CONTROL (self), NULL);
  return self->error;
}

gboolean
tsr_remote_control_has_password (TsrRemoteControl *self)
{
  g_return_val_if_fail (TSR_IS_REMOTE_CONTROL (self), FALSE);
  return self->password != NULL;
}

static void
on_password_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning (_("Cannot save the remote control password: %s"), error->message);
}

void
tsr_remote_control_set_password (TsrRemoteControl *self,
                                 const char       *password)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = NULL;

  g_return_if_fail (TSR_IS_REMOTE_CONTROL (self));
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  if (password != NULL && password[0] != '\0')
    self->password = g_strdup (password);
  dir = g_path_get_dirname (self->password_path);
  g_mkdir_with_parents (dir, 0700);
  file = g_file_new_for_path (self->password_path);
  bytes = g_bytes_new (self->password != NULL ? self->password : "",
                       self->password != NULL ? strlen (self->password) : 0);
  /* G_FILE_CREATE_PRIVATE: written as 0600, readable by the user only. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, on_password_saved, NULL);
  apply (self);
}
