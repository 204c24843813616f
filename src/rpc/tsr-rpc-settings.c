/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-settings.c: the daemon's session settings, in the key file under
 * [session] with Transmission's names, so that a settings.json of
 * Transmission translates key for key; and their effect on the engine.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-settings.h"

#define GROUP "session"

TsrRpcSettings *
tsr_rpc_settings_new (const char *download_dir)
{
  TsrRpcSettings *self = g_new0 (TsrRpcSettings, 1);

  self->download_dir = g_strdup (download_dir);
  self->speed_limit_down = 100;
  self->speed_limit_up = 100;
  self->alt_speed_down = 50;
  self->alt_speed_up = 50;
  /* Transmission's defaults: 9:00 to 17:00, every day. */
  self->alt_speed_time_begin = 540;
  self->alt_speed_time_end = 1020;
  self->alt_speed_time_day = TSR_ALT_SPEED_EVERY_DAY;
  self->seed_ratio_limit = 2.0;
  self->idle_seeding_limit = 30;
  self->peer_limit_global = 200;
  self->peer_limit_per_torrent = TSR_TORRENT_MAX_PEERS;
  self->download_queue_size = 5;
  self->download_queue_enabled = TRUE;
  self->seed_queue_size = 10;
  self->start_added_torrents = TRUE;
  self->peer_port = 51413;
  self->encryption = g_strdup ("preferred");
  self->blocklist_url = g_strdup ("");
  return self;
}

void
tsr_rpc_settings_free (TsrRpcSettings *self)
{
  if (self == NULL)
    return;
  g_free (self->download_dir);
  g_free (self->encryption);
  g_free (self->blocklist_url);
  g_free (self);
}

static void
load_bool (GKeyFile   *keyfile,
           const char *key,
           gboolean   *value)
{
  g_autoptr(GError) error = NULL;
  gboolean read = g_key_file_get_boolean (keyfile, GROUP, key, &error);

  if (error == NULL)
    *value = read;
}

static void
load_uint (GKeyFile   *keyfile,
           const char *key,
           guint       max,
           guint      *value)
{
  g_autoptr(GError) error = NULL;
  guint64 read = g_key_file_get_uint64 (keyfile, GROUP, key, &error);

  if (error == NULL && read <= max)
    *value = read;
}

void
tsr_rpc_settings_load (TsrRpcSettings *self,
                       GKeyFile       *keyfile)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_key_file_get_string (keyfile, GROUP, "download-dir", NULL);
  g_autofree char *encryption = g_key_file_get_string (keyfile, GROUP, "encryption", NULL);
  g_autofree char *blocklist_url = g_key_file_get_string (keyfile, GROUP, "blocklist-url", NULL);
  gdouble ratio;

  if (dir != NULL && g_path_is_absolute (dir))
    {
      g_free (self->download_dir);
      self->download_dir = g_steal_pointer (&dir);
    }
  if (encryption != NULL && (g_str_equal (encryption, "required") || g_str_equal (encryption, "preferred") ||
                             g_str_equal (encryption, "tolerated")))
    {
      g_free (self->encryption);
      self->encryption = g_steal_pointer (&encryption);
    }
  load_uint (keyfile, "speed-limit-down", G_MAXUINT32 / 1000, &self->speed_limit_down);
  load_bool (keyfile, "speed-limit-down-enabled", &self->speed_limit_down_enabled);
  load_uint (keyfile, "speed-limit-up", G_MAXUINT32 / 1000, &self->speed_limit_up);
  load_bool (keyfile, "speed-limit-up-enabled", &self->speed_limit_up_enabled);
  load_uint (keyfile, "alt-speed-down", G_MAXUINT32 / 1000, &self->alt_speed_down);
  load_uint (keyfile, "alt-speed-up", G_MAXUINT32 / 1000, &self->alt_speed_up);
  load_bool (keyfile, "alt-speed-enabled", &self->alt_speed_enabled);
  load_bool (keyfile, "alt-speed-time-enabled", &self->alt_speed_time_enabled);
  load_uint (keyfile, "alt-speed-time-begin", TSR_ALT_SPEED_MINUTES_PER_DAY - 1, &self->alt_speed_time_begin);
  load_uint (keyfile, "alt-speed-time-end", TSR_ALT_SPEED_MINUTES_PER_DAY - 1, &self->alt_speed_time_end);
  load_uint (keyfile, "alt-speed-time-day", TSR_ALT_SPEED_EVERY_DAY, &self->alt_speed_time_day);
  ratio = g_key_file_get_double (keyfile, GROUP, "seedRatioLimit", &error);
  if (error == NULL && ratio >= 0 && ratio < 1e6)
    self->seed_ratio_limit = ratio;
  load_bool (keyfile, "seedRatioLimited", &self->seed_ratio_limited);
  load_uint (keyfile, "idle-seeding-limit", 60 * 24 * 365, &self->idle_seeding_limit);
  load_bool (keyfile, "idle-seeding-limit-enabled", &self->idle_seeding_limit_enabled);
  load_uint (keyfile, "peer-limit-global", 65535, &self->peer_limit_global);
  load_uint (keyfile, "peer-limit-per-torrent", 65535, &self->peer_limit_per_torrent);
  load_uint (keyfile, "download-queue-size", 65535, &self->download_queue_size);
  load_bool (keyfile, "download-queue-enabled", &self->download_queue_enabled);
  load_uint (keyfile, "seed-queue-size", 65535, &self->seed_queue_size);
  load_bool (keyfile, "seed-queue-enabled", &self->seed_queue_enabled);
  load_bool (keyfile, "start-added-torrents", &self->start_added_torrents);
  load_bool (keyfile, "dht-enabled", &self->dht_enabled);
  load_bool (keyfile, "lpd-enabled", &self->lpd_enabled);
  load_bool (keyfile, "port-forwarding-enabled", &self->port_forwarding_enabled);
  load_uint (keyfile, "peer-port", 65535, &self->peer_port);
  load_bool (keyfile, "blocklist-enabled", &self->blocklist_enabled);
  if (blocklist_url != NULL)
    {
      g_free (self->blocklist_url);
      self->blocklist_url = g_steal_pointer (&blocklist_url);
    }
  if (self->peer_limit_per_torrent == 0)
    self->peer_limit_per_torrent = TSR_TORRENT_MAX_PEERS;
}

void
tsr_rpc_settings_save (const TsrRpcSettings *self,
                       GKeyFile             *keyfile)
{
  g_key_file_set_string (keyfile, GROUP, "download-dir", self->download_dir);
  g_key_file_set_uint64 (keyfile, GROUP, "speed-limit-down", self->speed_limit_down);
  g_key_file_set_boolean (keyfile, GROUP, "speed-limit-down-enabled", self->speed_limit_down_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "speed-limit-up", self->speed_limit_up);
  g_key_file_set_boolean (keyfile, GROUP, "speed-limit-up-enabled", self->speed_limit_up_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "alt-speed-down", self->alt_speed_down);
  g_key_file_set_uint64 (keyfile, GROUP, "alt-speed-up", self->alt_speed_up);
  g_key_file_set_boolean (keyfile, GROUP, "alt-speed-enabled", self->alt_speed_enabled);
  g_key_file_set_boolean (keyfile, GROUP, "alt-speed-time-enabled", self->alt_speed_time_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "alt-speed-time-begin", self->alt_speed_time_begin);
  g_key_file_set_uint64 (keyfile, GROUP, "alt-speed-time-end", self->alt_speed_time_end);
  g_key_file_set_uint64 (keyfile, GROUP, "alt-speed-time-day", self->alt_speed_time_day);
  g_key_file_set_double (keyfile, GROUP, "seedRatioLimit", self->seed_ratio_limit);
  g_key_file_set_boolean (keyfile, GROUP, "seedRatioLimited", self->seed_ratio_limited);
  g_key_file_set_uint64 (keyfile, GROUP, "idle-seeding-limit", self->idle_seeding_limit);
  g_key_file_set_boolean (keyfile, GROUP, "idle-seeding-limit-enabled", self->idle_seeding_limit_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "peer-limit-global", self->peer_limit_global);
  g_key_file_set_uint64 (keyfile, GROUP, "peer-limit-per-torrent", self->peer_limit_per_torrent);
  g_key_file_set_uint64 (keyfile, GROUP, "download-queue-size", self->download_queue_size);
  g_key_file_set_boolean (keyfile, GROUP, "download-queue-enabled", self->download_queue_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "seed-queue-size", self->seed_queue_size);
  g_key_file_set_boolean (keyfile, GROUP, "seed-queue-enabled", self->seed_queue_enabled);
  g_key_file_set_boolean (keyfile, GROUP, "start-added-torrents", self->start_added_torrents);
  g_key_file_set_boolean (keyfile, GROUP, "dht-enabled", self->dht_enabled);
  g_key_file_set_boolean (keyfile, GROUP, "lpd-enabled", self->lpd_enabled);
  g_key_file_set_boolean (keyfile, GROUP, "port-forwarding-enabled", self->port_forwarding_enabled);
  g_key_file_set_uint64 (keyfile, GROUP, "peer-port", self->peer_port);
  g_key_file_set_string (keyfile, GROUP, "encryption", self->encryption);
  g_key_file_set_boolean (keyfile, GROUP, "blocklist-enabled", self->blocklist_enabled);
  g_key_file_set_string (keyfile, GROUP, "blocklist-url", self->blocklist_url);
}

void
tsr_rpc_settings_get_schedule (const TsrRpcSettings *self,
                               TsrAltSpeedSchedule  *schedule)
{
  schedule->enabled = self->alt_speed_time_enabled;
  schedule->begin = self->alt_speed_time_begin;
  schedule->end = self->alt_speed_time_end;
  schedule->days = self->alt_speed_time_day;
}

void
tsr_rpc_settings_apply (const TsrRpcSettings *self,
                        TsrLibrary           *library)
{
  TsrSession *session = tsr_library_get_session (library);
  TsrPeerEncryption mode = TSR_PEER_ENCRYPTION_PREFER;

  if (self->alt_speed_enabled)
    tsr_session_set_rate_limits (session, (guint64) self->alt_speed_up * 1000, (guint64) self->alt_speed_down * 1000);
  else
    tsr_session_set_rate_limits (session,
                                 self->speed_limit_up_enabled ? (guint64) self->speed_limit_up * 1000 : 0,
                                 self->speed_limit_down_enabled ? (guint64) self->speed_limit_down * 1000 : 0);
  tsr_session_set_max_connections (session, self->peer_limit_global);
  tsr_session_set_max_active (session, self->download_queue_enabled ? self->download_queue_size : 0);
  tsr_session_set_max_seeding (session, self->seed_queue_enabled ? self->seed_queue_size : 0);
  /* As in the app: test runs and sandboxes set these so that nothing
   * reaches the local network or the router. */
  tsr_session_set_local_discovery (session, self->lpd_enabled && g_getenv ("TESSERA_NO_LSD") == NULL);
  tsr_session_set_port_mapping (session, self->port_forwarding_enabled && g_getenv ("TESSERA_NO_PORT_MAP") == NULL);
  if (g_str_equal (self->encryption, "required"))
    mode = TSR_PEER_ENCRYPTION_REQUIRE;
  /* "tolerated" has no closer match than PREFER: both are accepted. */
  tsr_session_set_encryption (session, mode);
  /* The URL is fetched by blocklist-update, and then daily. */
  tsr_blocklist_set_enabled (tsr_session_get_blocklist (session), self->blocklist_enabled);
  if (g_strcmp0 (tsr_blocklist_get_url (tsr_session_get_blocklist (session)), self->blocklist_url) != 0)
    tsr_blocklist_set_url (tsr_session_get_blocklist (session), self->blocklist_url);
}

void
tsr_rpc_settings_apply_torrent (const TsrRpcSettings *self,
                                TsrLibrary           *library,
                                TsrTorrent           *torrent)
{
  tsr_torrent_set_max_peers (torrent, self->peer_limit_per_torrent);
  if (tsr_library_has_own_limits (library, torrent))
    return;
  tsr_torrent_set_limits (torrent, 0, 0, self->seed_ratio_limited ? self->seed_ratio_limit : 0);
  tsr_torrent_set_seed_idle_limit (torrent, self->idle_seeding_limit_enabled ? self->idle_seeding_limit * 60 : 0);
}
