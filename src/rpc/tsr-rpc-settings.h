/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-settings.h: the session settings a remote client reads with
 * session-get and changes with session-set, named and measured as
 * Transmission's RPC has them (speeds in kB/s, 1 kB = 1000 bytes), and
 * kept by the daemon in a key file (group [session], the same names).
 * Whoever owns them applies them to the library's session.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  char     *download_dir;
  guint     speed_limit_down;          /* kB/s */
  gboolean  speed_limit_down_enabled;
  guint     speed_limit_up;            /* kB/s */
  gboolean  speed_limit_up_enabled;
  /* "Turtle mode": these limits instead, while enabled. */
  guint     alt_speed_down;            /* kB/s */
  guint     alt_speed_up;              /* kB/s */
  gboolean  alt_speed_enabled;
  /* When they go on and off by themselves: begin/end in minutes since
   * local midnight, day a bitmask from Sunday (tsr-alt-speed-schedule.h). */
  gboolean  alt_speed_time_enabled;
  guint     alt_speed_time_begin;
  guint     alt_speed_time_end;
  guint     alt_speed_time_day;
  gdouble   seed_ratio_limit;
  gboolean  seed_ratio_limited;
  guint     idle_seeding_limit;        /* minutes */
  gboolean  idle_seeding_limit_enabled;
  guint     peer_limit_global;
  guint     peer_limit_per_torrent;
  guint     download_queue_size;
  gboolean  download_queue_enabled;
  guint     seed_queue_size;
  gboolean  seed_queue_enabled;
  gboolean  start_added_torrents;
  gboolean  dht_enabled;
  gboolean  lpd_enabled;
  gboolean  port_forwarding_enabled;
  guint     peer_port;
  char     *encryption;                /* "required", "preferred" or "tolerated" */
  gboolean  blocklist_enabled;
  char     *blocklist_url;             /* "" for none; fetched by blocklist-update and daily */
} TsrRpcSettings;

/* Defaults, saving into @download_dir. */
TsrRpcSettings *tsr_rpc_settings_new        (const char           *download_dir);
void            tsr_rpc_settings_free       (TsrRpcSettings       *self);
/* Reads group [session] of @keyfile over the values there are; a value
 * out of bounds is left as it was. */
void            tsr_rpc_settings_load       (TsrRpcSettings       *self,
                                             GKeyFile             *keyfile);
void            tsr_rpc_settings_save       (const TsrRpcSettings *self,
                                             GKeyFile             *keyfile);
/* Applies the session-wide ones to @library's session (listening is
 * the owner's: the port is only read at start). */
void            tsr_rpc_settings_apply      (const TsrRpcSettings *self,
                                             TsrLibrary           *library);
/* Applies the per-torrent defaults (ratio, idle limit, peers) to a
 * torrent that has no limits of its own in @library. */
void            tsr_rpc_settings_apply_torrent (const TsrRpcSettings *self,
                                                TsrLibrary           *library,
                                                TsrTorrent           *torrent);

/* The alternative speed schedule the settings hold. */
void            tsr_rpc_settings_get_schedule (const TsrRpcSettings *self,
                                               TsrAltSpeedSchedule  *schedule);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrRpcSettings, tsr_rpc_settings_free)

G_END_DECLS
